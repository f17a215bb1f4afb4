"""The metrics benchmark: what Prometheus metrics cost a request, full stack under gunicorn and
in one process (`python -m bench.metrics_cost`)."""

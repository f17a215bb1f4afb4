"""The notification benchmark (`python -m bench.notifications`), in the order a mail travels:

- `services`: the run's own database, private Redis and environment;
- `request_path`: what `send_notification` adds to a request;
- `batch`: rows committed at once, delivered by 1 and 2 workers, against smtplib loops;
- `steady`: producers committing one notification per transaction at a steady rate;
- `workers`: the `flask worker` processes (one optionally under cProfile);
- `mail_server`: the aiosmtpd server, in its own process, counting what it accepts.
"""

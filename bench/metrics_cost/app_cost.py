"""Part of the metrics benchmark: the app's own CPU per request, metrics on against off.

Two apps in this one process, built from the same environment but for METRICS_ENABLED, answer
/api/v1/stats/platform through the whole WSGI stack (rate limiting, cache, database) in
alternating batches. Only this process's CPU time is counted, so a neighbour's load on a shared
machine barely moves the ratio. prometheus_client runs in its multiprocess mode, as under
gunicorn, so every recorded value is written to its file.
"""

from __future__ import annotations

import os
import tempfile
import time

# Before prometheus_client is imported: it picks its storage then.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="bench-metrics-app-")

from config import load_config  # noqa: E402
from mentorhub import create_app  # noqa: E402

PATH = "/api/v1/stats/platform"


def main(batches: int = 30, batch_size: int = 200) -> None:
    """Print the CPU per request of each app and their ratio."""
    clients = {
        variant: create_app(
            load_config(None, {**os.environ, "METRICS_ENABLED": enabled})
        ).test_client()
        for variant, enabled in (("on", "true"), ("off", "false"))
    }
    for client in clients.values():
        for _ in range(batch_size):
            assert client.get(PATH).status_code == 200
    cpu = dict.fromkeys(clients, 0.0)
    for batch in range(batches):
        for variant in ("on", "off") if batch % 2 == 0 else ("off", "on"):
            client = clients[variant]
            started = time.process_time()
            for _ in range(batch_size):
                client.get(PATH)
            cpu[variant] += time.process_time() - started
    requests = batches * batch_size
    on, off = (1e6 * cpu[v] / requests for v in ("on", "off"))
    print(
        f"in one process, {requests} requests each: metrics on {on:.0f} us CPU/request, "
        f"off {off:.0f} us; on/off {on / off:.3f}"
    )


if __name__ == "__main__":
    main()

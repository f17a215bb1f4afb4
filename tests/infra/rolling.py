"""A rolling restart under load, as an operator does it, behind the shipped nginx configuration.

Two gunicorn servers (gunicorn.conf.py) behind nginx (deploy/nginx/mentorhub.conf); twelve
clients of mixed traffic. Each server in turn gets SIGTERM, is waited for, and is replaced by a
new one on its port; then one gets HUP (new workers, old ones stopped gracefully).
"""

from __future__ import annotations

import signal
import time
from dataclasses import dataclass
from pathlib import Path

from tests.infra.front_servers import SHIPPED_NGINX_CONF, Nginx
from tests.infra.processes import GUNICORN_CONF, Process, app_environ, start_gunicorn
from tests.infra.traffic import Clients, Tally, register_pair
from tests.local_servers import free_port

CLIENTS = 12
# After each step, wait longer than the upstream's fail_timeout (deploy/nginx/mentorhub.conf):
# nginx passes over a server that refused a connection for that long, and stopping the other
# server before nginx has taken the replacement back would leave it no server at all.
SETTLE_SECONDS = 6.0


@dataclass
class RestartRun:
    """What one rolling restart produced: the answers, and the logs to explain a failure."""

    tally: Tally
    nginx_errors: str
    server_logs: str
    exit_codes: list[int]


def rolling_restart(
    database_url: str,
    redis_url: str,
    log_dir: Path,
    gunicorn_conf: Path = GUNICORN_CONF,
    nginx_conf: Path = SHIPPED_NGINX_CONF,
) -> RestartRun:
    """Run the whole sequence once under load; return the answers and the logs.

    The configurations default to the shipped ones; others are for comparing, in bench/.
    """
    environ = app_environ(database_url, redis_url, TRUSTED_PROXY_HOPS="1")
    ports = [free_port(), free_port()]
    servers: list[Process] = []
    logs = [log_dir / f"server-{n}.log" for n in range(len(ports))]
    nginx = Nginx(ports, nginx_conf)
    exit_codes: list[int] = []
    try:
        servers = [
            start_gunicorn(environ, port, log, gunicorn_conf)
            for port, log in zip(ports, logs, strict=True)
        ]
        nginx.start()
        pairs = [register_pair(nginx.url) for _ in range(CLIENTS)]
        with Clients(nginx.url, pairs) as clients:
            time.sleep(SETTLE_SECONDS)
            for n, port in enumerate(ports):
                old = servers[n]
                old.signal(signal.SIGTERM)
                exit_codes.append(old.wait(timeout=40))
                servers[n] = start_gunicorn(environ, port, logs[n], gunicorn_conf)
                time.sleep(SETTLE_SECONDS)
            booted = servers[0].output().count("Booting worker")
            servers[0].signal(signal.SIGHUP)
            _wait_for(lambda: servers[0].output().count("Booting worker") >= booted + 2, 60)
            time.sleep(SETTLE_SECONDS)
        tally = clients.tally
    finally:
        for server in servers:
            server.stop()
        errors = nginx.log()
        nginx.stop()
    server_logs = "\n".join(log.read_text(errors="replace") for log in logs if log.exists())
    return RestartRun(tally, errors, server_logs, exit_codes)


def _wait_for(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)

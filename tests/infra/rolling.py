"""A rolling restart under load, as an operator does it, behind the shipped nginx configuration.

Two gunicorn servers (gunicorn.conf.py) behind nginx (deploy/nginx/mentorhub.conf); twelve
clients of mixed traffic. Each server in turn gets SIGTERM, is waited for, and is replaced by a
new one on its port; then one gets HUP (new workers, old ones stopped gracefully).
"""

from __future__ import annotations

import signal
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.infra.front_servers import SHIPPED_NGINX_CONF, Nginx
from tests.infra.processes import GUNICORN_CONF, start_gunicorn
from tests.infra.traffic import Clients, register_pair, rows_created
from tests.support.servers import ServerProcess, free_port
from tests.support.traffic import Tally
from tests.support.waiting import wait_until

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
    # Messages and sessions in the database, by the operation that created them.
    created: dict[str, int]


def rolling_restart(
    environ: Mapping[str, str],
    log_dir: Path,
    gunicorn_conf: Path = GUNICORN_CONF,
    nginx_conf: Path = SHIPPED_NGINX_CONF,
    with_keys: bool = True,
) -> RestartRun:
    """Run the whole sequence once under load, with production settings `environ` (on an
    empty, migrated database).

    The configurations default to the shipped ones, and POSTs carry Idempotency-Keys; other
    choices are for comparing, in bench/.
    """
    environ = {**environ, "TRUSTED_PROXY_HOPS": "1"}
    ports = [free_port(), free_port()]
    servers: list[ServerProcess] = []
    logs: list[Path] = []

    def start(n: int) -> ServerProcess:
        logs.append(log_dir / f"server-{n}-{len(logs)}.log")
        return start_gunicorn(environ, ports[n], logs[-1], gunicorn_conf)

    nginx = Nginx(ports, nginx_conf)
    exit_codes: list[int] = []
    try:
        servers = [start(n) for n in range(len(ports))]
        nginx.start()
        pairs = [register_pair(nginx.url) for _ in range(CLIENTS)]
        with Clients(nginx.url, pairs, with_keys=with_keys) as clients:
            time.sleep(SETTLE_SECONDS)
            for n in range(len(ports)):
                old = servers[n].process
                old.send_signal(signal.SIGTERM)
                exit_codes.append(old.wait(timeout=40))
                servers[n] = start(n)
                time.sleep(SETTLE_SECONDS)
            booted = servers[0].output().count("Booting worker")
            servers[0].process.send_signal(signal.SIGHUP)
            wait_until(
                lambda: servers[0].output().count("Booting worker") >= booted + 2,
                60,
                "new workers after HUP",
            )
            time.sleep(SETTLE_SECONDS)
        tally = clients.tally
    finally:
        for server in servers:
            server.stop()
        errors = nginx.log()
        nginx.stop()
    server_logs = "\n".join(log.read_text(errors="replace") for log in logs if log.exists())
    created = rows_created(environ["DATABASE_URL"])
    return RestartRun(tally, errors, server_logs, exit_codes, created)

"""MentorHub's own processes for the infrastructure tests: gunicorn servers and `flask worker`.

Each runs as production runs it (gunicorn.conf.py, production settings) with the environment
it is given, its output in a log file read afterwards. The benchmarks start them the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from tests.support.servers import ROOT, ServerProcess, flask_command, gunicorn_command, run_flask

GUNICORN_CONF = ROOT / "gunicorn.conf.py"
PUBLIC_BASE_URL = "https://mentorhub.example.com"


def start_gunicorn(
    environ: Mapping[str, str], port: int, log: Path, conf: Path = GUNICORN_CONF, workers: int = 2
) -> ServerProcess:
    """gunicorn with `conf` on 127.0.0.1:`port`, once it answers /health."""
    environ = {**environ, "WEB_CONCURRENCY": str(workers)}
    command = gunicorn_command(port, "-c", str(conf))
    server = ServerProcess(command, environ, log, name=f"gunicorn:{port}")
    return server.wait_for_http(f"http://127.0.0.1:{port}/health")


def start_worker(environ: Mapping[str, str], log: Path) -> ServerProcess:
    """A `flask worker` (the production notification worker)."""
    return ServerProcess(flask_command("worker"), environ, log)


def migrate(environ: Mapping[str, str]) -> None:
    """`flask db upgrade` as a deploy runs it; fails on a non-zero exit."""
    result = run_flask(environ, "db", "upgrade")
    assert result.returncode == 0, result.stdout + result.stderr

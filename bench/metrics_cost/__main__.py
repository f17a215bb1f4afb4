"""Benchmark: what metrics cost on /api/v1/stats/platform, full stack, metrics on vs off.

Two gunicorn servers (2 sync workers each, gunicorn.conf.py, rate limiting and the Redis cache
on) run side by side on one fresh database and a private redis-server; they differ only in
METRICS_ENABLED. wrk loads them in alternating short rounds, so a neighbour's load on a shared
machine hits both alike, and the report gives requests/s and the workers' CPU per request for
each, with the on/off ratios. Then `bench/metrics_cost/app_cost.py` measures the app's own CPU
per request, on against off, inside one process, which a busy machine disturbs far less.

    python -m bench.metrics_cost [--rounds 6] [--seconds 5] [--connections 16]
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common.production import production_environ
from bench.common.wrk import run_wrk
from tests.support.databases import Database
from tests.support.redis_server import PrivateRedis
from tests.support.servers import ROOT, ServerProcess, free_port, gunicorn_command, run_flask

PATH = "/api/v1/stats/platform"


def create_database(database: Database, environ: dict[str, str]) -> None:
    """Create the bench database and its tables through the app's own migrations."""
    database.create()
    done = run_flask(environ, "db", "upgrade")
    if done.returncode != 0:
        raise SystemExit(f"flask db upgrade failed:\n{done.stdout}{done.stderr}")


def start_server(
    environ: dict[str, str], metrics: bool, scratch: Path
) -> tuple[ServerProcess, str]:
    """gunicorn with gunicorn.conf.py, 2 sync workers, metrics on or off, once it answers."""
    port = free_port()
    variant = "on" if metrics else "off"
    env = {
        **environ,
        "METRICS_ENABLED": "true" if metrics else "false",
        "PROMETHEUS_MULTIPROC_DIR": str(scratch / f"metrics-{variant}-{port}"),
        "WEB_CONCURRENCY": "2",
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }
    # No recycling: a replaced worker would take its CPU time with it.
    command = gunicorn_command(port, "--access-logfile", "/dev/null", "--max-requests", "0")
    server = ServerProcess(command, env, scratch / f"gunicorn-{variant}-{port}.log")
    url = f"http://127.0.0.1:{port}{PATH}"
    return server.wait_for_http(url), url


def stop(servers: dict[str, tuple[ServerProcess, str]]) -> None:
    """Stop the servers and forget them."""
    for server, _ in servers.values():
        server.stop()
    servers.clear()


def load(server: tuple[ServerProcess, str], seconds: int, connections: int) -> dict:
    """One wrk round: requests, non-2xx answers, latency and the workers' CPU seconds."""
    process, url = server
    return run_wrk(process.pid, url, seconds, connections)


def report(results: dict[str, list[dict]]) -> str:
    """Requests/s and CPU per request for each variant, and the on/off ratios."""
    lines, figures = [], {}
    for variant, rounds in results.items():
        requests = sum(r["requests"] for r in rounds)
        rps = requests / sum(r["seconds"] for r in rounds)
        cpu_us = 1e6 * sum(r["cpu"] for r in rounds) / max(requests, 1)
        p99 = sorted(r["p99"] for r in rounds)[len(rounds) // 2]
        errors = sum(r["errors"] for r in rounds)
        figures[variant] = (rps, cpu_us)
        per_round = ", ".join(f"{r['requests'] / r['seconds']:.0f}" for r in rounds)
        lines.append(
            f"metrics {variant:3}: {rps:7.0f} req/s  {cpu_us:6.0f} us CPU/request  "
            f"median round p99 {p99:.1f} ms  non-2xx {errors}  (rounds: {per_round})"
        )
    (on_rps, on_cpu), (off_rps, off_cpu) = figures["on"], figures["off"]
    # Each round pairs an on and an off run taken back to back: their ratio shares the noise.
    rounds = zip(results["on"], results["off"], strict=True)
    paired = sorted(on["requests"] / off["requests"] for on, off in rounds)
    lines.append(
        f"throughput on/off: {on_rps / off_rps:.3f} overall, {paired[len(paired) // 2]:.3f} "
        f"median of paired rounds; CPU per request on/off: {on_cpu / off_cpu:.3f}"
    )
    return "\n".join(lines)


def main() -> None:
    """Serve both variants, load them in alternating rounds, report, then the in-process cost."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    name = f"mentorhub_bench_metrics_{secrets.token_hex(3)}"
    database = Database(f"postgresql://postgres@127.0.0.1:5432/{name}")
    redis_server = PrivateRedis().start()
    environ = production_environ(
        database.url,
        redis_server.url,
        RATE_LIMIT_ENABLED="true",
        # Limiting does its full work on every request, but never refuses one.
        RATE_LIMIT_REQUESTS="1000000000",
        LOG_LEVEL="WARNING",
    )
    servers: dict[str, tuple[ServerProcess, str]] = {}
    scratch = Path(tempfile.mkdtemp(prefix="bench-metrics-"))
    try:
        create_database(database, environ)
        print(f"load before: {Path('/proc/loadavg').read_text().strip()}")
        results: dict[str, list[dict]] = {"on": [], "off": []}
        # The server started first measured a few percent slower even with both off, so each
        # half of the rounds starts them in the other order.
        for first in ("on", "off"):
            for variant in (first, "off" if first == "on" else "on"):
                servers[variant] = start_server(environ, variant == "on", scratch)
            for round_no in range(args.rounds // 2):
                order = ["on", "off"] if round_no % 2 == 0 else ["off", "on"]
                for variant in order:
                    results[variant].append(load(servers[variant], args.seconds, args.connections))
            stop(servers)
        print(f"load after:  {Path('/proc/loadavg').read_text().strip()}")
        print(report(results))
        env = {**environ, "PROMETHEUS_MULTIPROC_DIR": str(scratch / "app")}
        os.makedirs(env["PROMETHEUS_MULTIPROC_DIR"])
        app_cost = [sys.executable, "-m", "bench.metrics_cost.app_cost"]
        done = subprocess.run(app_cost, cwd=ROOT, env=env, capture_output=True, text=True)
        print(done.stdout.strip())
    finally:
        stop(servers)
        redis_server.kill()
        database.drop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()

"""Benchmark: what metrics cost on /api/v1/stats/platform, full stack, metrics on vs off.

Two gunicorn servers (2 sync workers each, gunicorn.conf.py, rate limiting and the Redis cache
on) run side by side on one fresh database and a private redis-server; they differ only in
METRICS_ENABLED. wrk loads them in alternating short rounds, so a neighbour's load on a shared
machine hits both alike, and the report gives requests/s and the workers' CPU per request for
each, with the on/off ratios. Then `_metrics_app_cost.py` measures the app's own CPU per request,
on against off, inside one process, which a busy machine disturbs far less.

    python bench/metrics_cost.py [--rounds 6] [--seconds 5] [--connections 16]
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from _stats_load import free_port, wait_http  # noqa: E402
from limiter_load import workers_cpu_seconds  # noqa: E402

PATH = "/api/v1/stats/platform"
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SECRET = "bench-secret-key-that-is-long-enough-for-hs256"


def start_redis() -> tuple[subprocess.Popen, str]:
    """A private redis-server, so the bench never touches the shared one."""
    port = free_port()
    process = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(port), "--save", "",
         "--appendonly", "no", "--bind", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(0.5)
    return process, f"redis://127.0.0.1:{port}/0"


def create_database(name: str, environ: dict[str, str]) -> None:
    """Create the bench database and its tables through the app's own migrations."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    done = subprocess.run(
        [sys.executable, "-m", "flask", "db", "upgrade"],
        cwd=ROOT, env=environ, capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"flask db upgrade failed:\n{done.stdout}{done.stderr}")


def drop_database(name: str) -> None:
    """Drop the bench database."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_server(
    environ: dict[str, str], metrics: bool, metrics_dir: str
) -> tuple[subprocess.Popen, int]:
    """gunicorn with gunicorn.conf.py, 2 sync workers, metrics on or off."""
    port = free_port()
    env = {
        **environ,
        "METRICS_ENABLED": "true" if metrics else "false",
        "PROMETHEUS_MULTIPROC_DIR": metrics_dir,
        "WEB_CONCURRENCY": "2",
        "HOST": "127.0.0.1",
        "PORT": str(port),
    }
    process = subprocess.Popen(
        # No recycling: a replaced worker would take its CPU time with it.
        [sys.executable, "-m", "gunicorn", "--access-logfile", "/dev/null", "--max-requests", "0",
         "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    wait_http(port, PATH, process)
    return process, port


def stop(servers: dict[str, tuple[subprocess.Popen, int]]) -> None:
    """Stop the servers and forget them."""
    for process, _ in servers.values():
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)
    servers.clear()


def load(server: tuple[subprocess.Popen, int], seconds: int, connections: int) -> dict:
    """One wrk round: requests, non-2xx answers, latency and the workers' CPU seconds."""
    master, port = server
    cpu_before = workers_cpu_seconds(master)
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency",
         f"http://127.0.0.1:{port}{PATH}"],
        capture_output=True, text=True, check=True, timeout=seconds + 60,
    ).stdout  # fmt: skip
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    return {
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "seconds": seconds,
        "cpu": workers_cpu_seconds(master) - cpu_before,
        "errors": int(errors.group(1)) if errors else 0,
        "p99": float(p99.group(1)) * scale,
    }


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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    name = f"mentorhub_bench_metrics_{secrets.token_hex(3)}"
    redis_process, redis_url = start_redis()
    environ = {
        **os.environ,
        "FLASK_APP": "wsgi:app",
        "MENTORHUB_ENV": "production",
        "SECRET_KEY": SECRET,
        "PUBLIC_BASE_URL": "https://mentorhub.example.com",
        "EMAIL_BACKEND": "log",
        "DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{name}",
        "REDIS_URL": redis_url,
        "RATE_LIMIT_ENABLED": "true",
        # Limiting does its full work on every request, but never refuses one.
        "RATE_LIMIT_REQUESTS": "1000000000",
        "LOG_LEVEL": "WARNING",
    }
    servers: dict[str, tuple[subprocess.Popen, int]] = {}
    scratch = Path(tempfile.mkdtemp(prefix="bench-metrics-"))
    try:
        create_database(name, environ)
        print(f"load before: {Path('/proc/loadavg').read_text().strip()}")
        results: dict[str, list[dict]] = {"on": [], "off": []}
        # The server started first measured a few percent slower even with both off, so each
        # half of the rounds starts them in the other order.
        for half, first in enumerate(("on", "off")):
            for variant in (first, "off" if first == "on" else "on"):
                metrics_dir = str(scratch / f"{variant}-{half}")
                servers[variant] = start_server(environ, variant == "on", metrics_dir)
            for round_no in range(args.rounds // 2):
                order = ["on", "off"] if round_no % 2 == 0 else ["off", "on"]
                for variant in order:
                    results[variant].append(load(servers[variant], args.seconds, args.connections))
            stop(servers)
        print(f"load after:  {Path('/proc/loadavg').read_text().strip()}")
        print(report(results))
        env = {**environ, "PROMETHEUS_MULTIPROC_DIR": str(scratch / "app")}
        os.makedirs(env["PROMETHEUS_MULTIPROC_DIR"])
        app_cost = [sys.executable, str(ROOT / "bench" / "_metrics_app_cost.py")]
        print(subprocess.run(app_cost, env=env, capture_output=True, text=True).stdout.strip())
    finally:
        stop(servers)
        redis_process.kill()
        drop_database(name)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()

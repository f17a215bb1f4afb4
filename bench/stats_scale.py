"""Benchmark: the stats endpoints at 1,000,000 users and 2,000,000 sessions on PostgreSQL.

Seeds its own database with `flask seed-demo`, starts a private redis-server and gunicorn
(sync workers) serving `bench/_stats_app.py`, then loads each endpoint from 32 concurrent
clients. It prints requests/s and p50/p99 for /stats/platform and /stats/dashboard beside a bare
Flask JSON endpoint on the same server, the platform p99 inside the cache-expiry windows, and
the stats SQL statements that ran against how many would have run without the cache.

    python bench/stats_scale.py [--users 1000000] [--sessions 2000000] [--duration 30]
                                [--ttl 5] [--clients 32] [--workers 4] [--reuse]

BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/mentorhub_bench_stats) is
dropped and recreated unless --reuse finds it already seeded; no other database is touched.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:0] = [str(ROOT), str(BENCH_DIR)]

from _stats_load import free_port, run_load, summarize, wait_http  # noqa: E402

DEFAULT_DB = "postgresql://postgres@127.0.0.1:5432/mentorhub_bench_stats"


def admin_execute(url: str, *statements: str) -> list:
    """Run statements with autocommit (CREATE/DROP DATABASE, VACUUM); return the last rows."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows: list = []
        for statement in statements:
            cursor = conn.execute(statement)
            rows = cursor.fetchall() if cursor.description else []
        return rows


def prepare_database(url: str, env: dict, users: int, sessions: int, reuse: bool) -> str:
    """Create, migrate and seed the bench database; return what was done, for the report."""
    target = make_url(url)
    admin = target.set(database="postgres").render_as_string(hide_password=False)
    if reuse:
        try:
            count = admin_execute(url, "SELECT count(*) FROM users")[0][0]
        except psycopg.Error:
            count = 0
        if count >= users:
            return f"reused (already {count:,} users)"
    name = target.database
    admin_execute(
        admin,
        f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'",
        f'DROP DATABASE IF EXISTS "{name}"',
        f'CREATE DATABASE "{name}"',
    )
    create = "from mentorhub import create_app; from mentorhub.extensions import db\n"
    create += "with create_app().app_context(): db.create_all()"
    subprocess.run([sys.executable, "-c", create], cwd=ROOT, env=env, check=True)
    started = time.monotonic()
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "seed-demo"]
    subprocess.run(
        flask + ["--users", str(users), "--sessions", str(sessions)], cwd=ROOT, env=env, check=True
    )
    seeded = time.monotonic() - started
    # Sets the visibility map, so count queries can be index-only scans, as in steady state.
    admin_execute(url, "VACUUM (ANALYZE)")
    return f"seed-demo took {seeded:.0f} s, then VACUUM ANALYZE"


def start(command: list[str], env: dict) -> subprocess.Popen:
    """Start a server process whose output the benchmark does not need."""
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def mint_tokens(env: dict, count: int) -> list[str]:
    """Access tokens as login issues them (id and role claims) for random seeded users."""
    script = (
        "from sqlalchemy import func, select\n"
        "from mentorhub import create_app\n"
        "from mentorhub.extensions import db\n"
        "from mentorhub.models import User\n"
        "from mentorhub.auth import issue_tokens\n"
        "app = create_app()\n"
        "with app.test_request_context():\n"
        f"    users = db.session.scalars(select(User).order_by(func.random()).limit({count}))\n"
        "    print('\\n'.join(issue_tokens(u)['access_token'] for u in users))\n"
    )
    command = [sys.executable, "-c", script]
    run = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return run.stdout.split()


def main() -> None:
    """Seed, serve, load and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--sessions", type=int, default=2_000_000)
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per endpoint")
    parser.add_argument("--ttl", type=int, default=5, help="STATS_CACHE_TTL for the run")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    args = parser.parse_args()
    if args.duration < 2 * args.ttl + 2:
        parser.error("--duration must cover at least two cache expiries (2 x --ttl + 2)")

    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB)
    redis_port, http_port = free_port(), free_port()
    env = {
        **os.environ,
        "MENTORHUB_ENV": "production",
        "DATABASE_URL": url,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "SECRET_KEY": secrets.token_hex(32),
        "PUBLIC_BASE_URL": "https://mentorhub.example.com",
        "EMAIL_BACKEND": "log",
        "STATS_CACHE_TTL": str(args.ttl),
        # The bench measures the stats, not the limiter (bench/limiter.py does that).
        "RATE_LIMIT_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
    }
    redis_server = start(
        [shutil.which("redis-server"), "--port", str(redis_port), "--bind", "127.0.0.1"]
        + ["--save", "", "--appendonly", "no"],
        env,
    )
    gunicorn = None
    try:
        print(f"database: {prepare_database(url, env, args.users, args.sessions, args.reuse)}")
        gunicorn = start(
            [sys.executable, "-m", "gunicorn", "--workers", str(args.workers)]
            + ["--worker-class", "sync", "--bind", f"127.0.0.1:{http_port}", "--backlog", "2048"]
            + ["--pythonpath", f"{ROOT},{BENCH_DIR}", "--log-level", "warning", "_stats_app:app"],
            env,
        )
        wait_http(http_port, "/health", gunicorn)
        tokens = mint_tokens(env, 2000)
        plan = [
            ("bare", "/bench/bare", False, args.duration),
            ("platform", "/api/v1/stats/platform", False, args.duration),
            ("dashboard", "/api/v1/stats/dashboard", True, args.duration),
            ("platform, no cache", "/bench/platform-uncached", False, args.duration / 3),
            ("platform, COUNT(*)", "/bench/platform-count", False, args.duration / 3),
        ]
        for _, path, auth, _ in plan:  # warm every worker, connection pool and page cache
            run_load(http_port, path, tokens if auth else None, 2.0, args.clients)
        results = {}
        for name, path, auth, seconds in plan:
            print(f"loading {path} for {seconds:.0f} s from {args.clients} clients...", flush=True)
            results[name] = run_load(
                http_port, path, tokens if auth else None, seconds, args.clients
            )
        print()
        print(summarize(results, args, workers=args.workers))
    finally:
        for process in (gunicorn, redis_server):
            if process is not None:
                process.terminate()
                process.wait(timeout=30)


if __name__ == "__main__":
    main()

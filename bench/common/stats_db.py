"""The seeded database of the stats benchmarks: a million users and two million sessions.

BENCH_DATABASE_URL (default a `mentorhub_bench_stats` database on the local server) is dropped,
recreated and seeded with `flask seed-demo`, unless `reuse` finds it seeded already; no other
database is touched.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import psycopg

from tests.support.databases import Database
from tests.support.servers import ROOT, run_flask

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/mentorhub_bench_stats"
CREATE_TABLES = (
    "from mentorhub import create_app; from mentorhub.extensions import db\n"
    "with create_app().app_context(): db.create_all()"
)
MINT_TOKENS = """
from sqlalchemy import func, select
from mentorhub import create_app
from mentorhub.extensions import db
from mentorhub.models import User
from mentorhub.auth import issue_tokens
app = create_app()
with app.test_request_context():
    users = db.session.scalars(select(User).order_by(func.random()).limit({count}))
    print('\\n'.join(issue_tokens(u)['access_token'] for u in users))
"""


def database_url() -> str:
    """The benchmark database's URL."""
    return os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)


def prepare_database(url: str, env: dict, users: int, sessions: int, reuse: bool) -> str:
    """Create, migrate and seed the bench database; return what was done, for the report."""
    database = Database(url)
    if reuse:
        try:
            count = database.execute("SELECT count(*) FROM users")[0][0]
        except psycopg.Error:
            count = 0
        if count >= users:
            return f"reused (already {count:,} users)"
    database.create()
    subprocess.run([sys.executable, "-c", CREATE_TABLES], cwd=ROOT, env=env, check=True)
    started = time.monotonic()
    seed = ["--app", "wsgi", "seed-demo", "--users", str(users), "--sessions", str(sessions)]
    run_flask(env, *seed, timeout=None, capture=False).check_returncode()
    seeded = time.monotonic() - started
    # Sets the visibility map, so count queries can be index-only scans, as in steady state.
    database.execute("VACUUM (ANALYZE)")
    return f"seed-demo took {seeded:.0f} s, then VACUUM ANALYZE"


def mint_tokens(env: dict, count: int) -> list[str]:
    """Access tokens as login issues them (id and role claims) for random seeded users."""
    command = [sys.executable, "-c", MINT_TOKENS.format(count=count)]
    run = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, text=True)
    return run.stdout.split()

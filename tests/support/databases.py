"""PostgreSQL databases of a test run's or benchmark's own, on the shared server.

A `Database` is named by its URL: it can be created empty, dropped, queried on a connection of
its own, and have its connections cut. Only the databases named here are created or dropped;
the server itself is never stopped or reconfigured.
"""

from __future__ import annotations

from collections.abc import Sequence

import psycopg
from sqlalchemy.engine import make_url


def admin_url(url: str) -> str:
    """A libpq URL on the same server's `postgres` database, for CREATE and DROP DATABASE."""
    target = make_url(url).set(drivername="postgresql", database="postgres", query={})
    return target.render_as_string(hide_password=False)


class Database:
    """One database on a PostgreSQL server."""

    def __init__(self, url: str) -> None:
        target = make_url(url).set(drivername="postgresql")
        self.name = target.database
        self.url = target.render_as_string(hide_password=False)
        self.admin_url = admin_url(url)

    def admin(self) -> psycopg.Connection:
        """An autocommit connection to the server's maintenance database."""
        return psycopg.connect(self.admin_url, autocommit=True, connect_timeout=10)

    def create(self) -> Database:
        """Create it empty, dropping what was there and disconnecting whoever used it."""
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.name}"')
        return self

    def drop(self) -> None:
        """Drop it, disconnecting whoever is still connected."""
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def execute(self, *statements: str, params: Sequence = ()) -> list[tuple]:
        """Run statements on a connection of its own, in autocommit; the last one's rows."""
        with psycopg.connect(self.url, autocommit=True, connect_timeout=10) as conn:
            rows: list[tuple] = []
            for statement in statements:
                cursor = conn.execute(statement, params or None)
                rows = cursor.fetchall() if cursor.description else []
            return rows

    def terminate(self, application_names: Sequence[str] = (), pids: Sequence[int] = ()) -> int:
        """pg_terminate_backend the connections of these applications or pids; how many."""
        with self.admin() as conn:
            row = conn.execute(
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND (application_name = ANY(%s) OR pid = ANY(%s))) AS t",
                (self.name, list(application_names), list(pids)),
            ).fetchone()
        return row[0]


def drop_databases(server_url: str, prefix: str) -> None:
    """Drop every database on the server of `server_url` whose name starts with `prefix`."""
    with psycopg.connect(admin_url(server_url), autocommit=True) as conn:
        names = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            (prefix.replace("_", r"\_") + "%",),
        ).fetchall()
    for (name,) in names:
        Database(make_url(server_url).set(database=name).render_as_string(False)).drop()

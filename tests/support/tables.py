"""Emptying the test database between tests, as cheaply as the tables' sizes allow."""

from __future__ import annotations

from sqlalchemy import text

from mentorhub.extensions import db

# Beyond this many rows TRUNCATE beats DELETE; below it TRUNCATE's file swaps cost far more.
BIG_TABLE_ROWS = 5000


def empty_tables() -> None:
    """Empty every table and restart its ids at 1, inside an app context."""
    tables = db.metadata.sorted_tables
    probe = " UNION ALL ".join(
        f"SELECT '{t.name}' WHERE EXISTS (SELECT 1 FROM \"{t.name}\" OFFSET {BIG_TABLE_ROWS})"
        for t in tables
    )
    big = set(db.session.scalars(text(probe)))
    statements = []
    if big:
        names = ", ".join(f'"{name}"' for name in sorted(big))
        statements.append(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
    statements += [f'DELETE FROM "{t.name}"' for t in reversed(tables) if t.name not in big]
    sequences = db.session.scalars(
        text("SELECT quote_ident(sequencename) FROM pg_sequences WHERE schemaname = 'public'")
    )
    statements += [f"ALTER SEQUENCE {name} RESTART" for name in sequences]
    db.session.connection().exec_driver_sql("; ".join(statements))
    db.session.commit()

"""Counting the SQL an app sends, on every engine it has (the main pool and the reads pool)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event

from mentorhub.extensions import db


@contextmanager
def recorded_statements(app: Flask) -> Iterator[list[tuple[str, object]]]:
    """Every statement (and its parameters) the app's engines send inside the block."""
    statements: list[tuple[str, object]] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append((statement, parameters))

    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


@contextmanager
def statement_texts(app: Flask) -> Iterator[list[str]]:
    """The text of every statement the app's engines send inside the block."""
    with recorded_statements(app) as recorded:
        texts: list[str] = []
        yield texts
    texts.extend(statement for statement, _ in recorded)

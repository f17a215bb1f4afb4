"""Bulk loading for the demo seed: COPY on PostgreSQL, batched INSERTs elsewhere."""

from __future__ import annotations

from collections.abc import Iterable

import click
from sqlalchemy import insert

from mentorhub.batches import batched
from mentorhub.extensions import db

BATCH = 5000


class BulkWriter:
    """Streams row tuples into a table: COPY on PostgreSQL, batched INSERTs elsewhere."""

    def __init__(self) -> None:
        self.copy = db.session.get_bind().dialect.name == "postgresql"

    def write(
        self, model: type, columns: list[str], rows: Iterable[tuple], total: int, label: str
    ) -> None:
        """Insert `total` rows, showing a progress bar."""
        # COPY skips Python-side column defaults (timestamps...): fill them in once per batch.
        missing = [
            c
            for c in model.__table__.columns
            if c.name not in columns and c.default is not None and not c.default.is_sequence
        ]
        columns = columns + [c.name for c in missing]
        with click.progressbar(length=total, label=label.ljust(12)) as bar:
            for batch in batched(rows, BATCH):
                extra = tuple(_default_value(c) for c in missing)
                batch = [row + extra for row in batch] if extra else batch
                if self.copy:
                    self._copy(model.__tablename__, columns, batch)
                else:
                    params = [dict(zip(columns, row, strict=True)) for row in batch]
                    db.session.execute(insert(model), params)
                bar.update(len(batch))
        db.session.commit()

    def _copy(self, table: str, columns: list[str], batch: list[tuple]) -> None:
        # The session's own DBAPI connection, so COPY joins its transaction.
        raw = db.session.connection().connection.driver_connection
        with (
            raw.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in batch:
                copy.write_row(row)


def _default_value(column) -> object:
    default = column.default
    return default.arg(None) if default.is_callable else default.arg

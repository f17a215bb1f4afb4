"""Row ids from requests: the integer id columns hold nothing larger than MAX_ROW_ID."""

from __future__ import annotations

from typing import TypeVar

from mentorhub.extensions import db

MAX_ROW_ID = 2**31 - 1
Row = TypeVar("Row")


def fits_row_id(row_id: int) -> bool:
    """Whether a row could have this id (a larger one would be a database error, not a miss)."""
    return 1 <= row_id <= MAX_ROW_ID


def get_row(model: type[Row], row_id: int) -> Row | None:
    """The row of `model` with this id, or None, also for ids no row can have."""
    return db.session.get(model, row_id) if fits_row_id(row_id) else None

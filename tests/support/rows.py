"""Rows inserted in bulk, below the API, for a test or benchmark that needs many of them."""

from __future__ import annotations

from sqlalchemy import func, insert, select

from mentorhub.extensions import db
from mentorhub.models import User


def insert_users(emails: list[str]) -> list[str]:
    """One student per address ("User <n>", no usable password), in one statement, committed.

    Inside an app context; returns the addresses.
    """
    rows = [
        {"email": address, "name": f"User {n}", "password_hash": "x", "is_mentor": False}
        for n, address in enumerate(emails)
    ]
    db.session.execute(insert(User), rows)
    db.session.commit()
    return emails


def count_rows(model) -> int:
    """How many rows `model`'s table holds, read afresh (inside an app context)."""
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))

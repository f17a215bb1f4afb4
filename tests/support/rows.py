"""Rows inserted in bulk, below the API, for a test or benchmark that needs many of them."""

from __future__ import annotations

from sqlalchemy import insert

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

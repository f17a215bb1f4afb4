"""Offset pagination of a SELECT: one COUNT, one page of rows."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from mentorhub.extensions import db


def paginate(query: Select, page: int, per_page: int) -> dict:
    """Run `query` for one page; return the items with page, per_page, total and pages."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    items = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page)).all()
    return {
        "items": items,
        "page": page,
        "per_page": per_page,
        "total": total or 0,
        "pages": -(-(total or 0) // per_page),
    }

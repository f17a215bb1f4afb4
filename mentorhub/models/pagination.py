"""Offset pagination of a SELECT through Flask-SQLAlchemy's `db.paginate`."""

from __future__ import annotations

from sqlalchemy import Select

from mentorhub.extensions import db


def paginate(query: Select, page: int, per_page: int) -> dict:
    """Run `query` for one page; return the items with page, per_page, total and pages."""
    # The schemas already bound page and per_page, so out-of-range pages are an empty list
    # rather than Flask-SQLAlchemy's 404.
    result = db.paginate(query, page=page, per_page=per_page, max_per_page=None, error_out=False)
    return {
        "items": list(result.items),
        "page": result.page,
        "per_page": result.per_page,
        "total": result.total or 0,
        "pages": result.pages,
    }

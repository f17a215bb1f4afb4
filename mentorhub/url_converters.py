"""URL converters shared by every blueprint."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

from mentorhub.models.row_ids import MAX_ROW_ID


class RowIdConverter(IntegerConverter):
    """`<int:...>` in our routes: an id the id columns can hold; anything else is a 404.

    Without the bound, an id past the column's range reaches the database and fails there
    (a 500 on PostgreSQL) instead of simply matching no row.
    """

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ROW_ID)
        super().__init__(url_map, *args, **kwargs)


def row_id_parameter_schema(converter: RowIdConverter) -> dict:
    """How a row id path parameter appears in the OpenAPI document."""
    return {"type": "integer", "minimum": converter.min, "maximum": converter.max}

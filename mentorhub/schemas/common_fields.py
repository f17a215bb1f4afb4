"""Fields shared by the domain schemas: trimmed text, and ids that fit the database's integers."""

from __future__ import annotations

from marshmallow import ValidationError, fields, validate

from mentorhub.models.row_ids import MAX_ROW_ID


class TrimmedString(fields.String):
    """A string stripped of surrounding whitespace, at most `max_length` characters, not blank."""

    def __init__(self, max_length: int, **kwargs) -> None:
        # The pattern tells API clients that blank text is refused.
        kwargs["metadata"] = {"pattern": r"\S", **kwargs.get("metadata", {})}
        super().__init__(validate=validate.Length(max=max_length), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            raise ValidationError("Must not be blank.")
        return text


class RowId(fields.Integer):
    """A row id: a positive integer within the database's range (JSON strings refused)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(strict=True, validate=validate.Range(min=1, max=MAX_ROW_ID), **kwargs)


class QueryRowId(fields.Integer):
    """A row id in a query string, where every value arrives as text."""

    def __init__(self, **kwargs) -> None:
        super().__init__(validate=validate.Range(min=1, max=MAX_ROW_ID), **kwargs)

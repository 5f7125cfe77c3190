"""Shared pieces of the schemas: the base Schema, field helpers, limits and pagination."""

from collections.abc import Mapping
from datetime import date, timedelta

import marshmallow
from marshmallow import ValidationError, fields, pre_load, validate

from registry.queries import MAX_PAGE


def storable(value: object) -> bool:
    """False for text no database can keep: NUL characters or lone UTF-16 surrogates."""
    if isinstance(value, str):
        return "\x00" not in value and (value.isascii() or _encodes(value))
    if isinstance(value, list):
        return all(storable(item) for item in value)
    return True


def _encodes(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Schema(marshmallow.Schema):
    """Every schema refuses unstorable text up front (a 422 on the field, never a 500)."""

    @pre_load
    def _refuse_unstorable_text(self, data, **kwargs):
        if isinstance(data, Mapping):
            errors = {
                key: ["Must not contain NUL characters or invalid Unicode."]
                for key in data
                if not storable(data[key])
            }
            if errors:
                raise ValidationError(errors)
        return data


CODE = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$",
    error="Use 1 to 40 letters, digits, '-', '_' or '.', starting with a letter or digit.",
)
REFERENCE = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$",
    error="Use 1 to 60 letters, digits, '-', '_' or '.', starting with a letter or digit.",
)


def one_of(choices) -> validate.OneOf:
    return validate.OneOf(list(choices), error="Must be one of: {choices}.")


def text(max_length: int, **kwargs) -> fields.String:
    return fields.String(validate=validate.Length(max=max_length), **kwargs)


def required_text(max_length: int, **kwargs) -> fields.String:
    return fields.String(required=True, validate=validate.Length(min=1, max=max_length), **kwargs)


def code_list(choices, **kwargs) -> fields.List:
    return fields.List(fields.String(validate=one_of(choices)), **kwargs)


#: Query-string dates stop a day short of date.max: a window ends at the start of the day
#: after its `to`, which must exist (9999-12-31 gives a 422, not a 500).
QUERY_DATES = validate.Range(
    max=date.max - timedelta(days=1), error="Use a date on or before {max}."
)
#: Largest id in a path: ids are 32-bit integer columns; a larger one is simply not found.
MAX_ID = 2**31 - 1


class PageArgsSchema(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class PageSchema(Schema):
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()

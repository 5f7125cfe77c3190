"""Shared column helpers for the models."""

from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite keeps no offset, so naive values coming back are UTC by construction.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None


class CodeList(TypeDecorator):
    """A sorted list of vocabulary codes, stored as JSON."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return sorted(value) if value is not None else None

    def process_result_value(self, value, dialect):
        return list(value) if value is not None else None

"""Column types shared by the models: aware-UTC datetimes and string-valued enums."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import DateTime, Dialect, Enum
from sqlalchemy.types import TypeDecorator

from robotrace.clock import as_utc

#: Room for longer enum values added later, without altering the column.
ENUM_LENGTH = 32


class UTCDateTime(TypeDecorator[datetime]):
    """A ``datetime`` stored as UTC and always read back timezone-aware UTC.

    PostgreSQL keeps ``timestamp with time zone``; SQLite has no time zones, so the value
    is stored as naive UTC text (which also sorts correctly). A naive value written is
    taken to be UTC already, as :func:`robotrace.clock.as_utc` does.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        utc = as_utc(value)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def string_enum(enum_class: type[StrEnum], name: str) -> Enum:
    """A VARCHAR column holding the enum's values, guarded by a CHECK constraint ``name``.

    Values come back as members of ``enum_class`` (which, being a ``StrEnum``, also compare
    equal to their plain strings).
    """
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=ENUM_LENGTH,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )

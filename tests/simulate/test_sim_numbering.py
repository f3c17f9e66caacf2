"""Number and time spellings of the simulated providers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from robotrace.clock import parse_utc
from robotrace.numbers import normalize
from robotrace.simulate.numbering import (
    FOREIGN_NUMBER_FORMATS,
    NUMBER_FORMATS,
    TimeText,
    number_formatter,
)


@pytest.mark.parametrize("name", NUMBER_FORMATS)
def test_every_us_number_format_normalises_to_e164(name: str) -> None:
    assert normalize(number_formatter(name, "7A2B")("2025550143")) == "+12025550143"


def test_the_international_00_format_normalises_in_the_writers_country() -> None:
    assert "intl00" in FOREIGN_NUMBER_FORMATS
    assert normalize(number_formatter("intl00", "7A2B")("2025550143"), "DE") == "+12025550143"


def test_the_sip_format_names_the_providers_host() -> None:
    uri = number_formatter("sip", "7A2B")("2025550143")
    assert uri == "sip:+12025550143@7a2b.example;user=phone"


def test_both_time_formats_parse_back_to_the_same_millisecond() -> None:
    when = datetime(2020, 4, 1, 23, 59, 58, 123000, tzinfo=UTC)
    t_ms = int(when.timestamp() * 1000)
    times = TimeText()
    assert times.iso(t_ms) == "2020-04-01T23:59:58.123Z"
    assert parse_utc(times.iso(t_ms)) == when
    assert parse_utc(times.epoch(t_ms)) == when
    assert times.plain(t_ms) == "2020-04-01 23:59:58"

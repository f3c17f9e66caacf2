"""The business-day calendar (robotrace.calendar) against the rule and the published calendar.

The holiday dates below are written out by hand from the U.S. Office of Personnel
Management's federal holiday tables (opm.gov, "Federal Holidays", 2020-2024): when a holiday
falls on a Saturday it is observed on the Friday before, on a Sunday the Monday after. Each
expected time is worked out by hand from the rule (47 CFR 64.1200(n)(1)): outside business
hours a request is deemed received at 8:00 on the next business day, in the provider's zone,
and it is due 24 hours after that.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from robotrace.calendar import BusinessCalendar
from robotrace.settings import SettingError, Settings
from robotrace.timezones import ZoneError, parse_clock_time, zone_info

NEW_YORK, LOS_ANGELES, HONOLULU = "America/New_York", "America/Los_Angeles", "Pacific/Honolulu"
CALENDAR = BusinessCalendar()  # 08:00 to 17:00, New York by default, due times roll on
LITERAL = BusinessCalendar(rolls_to_business_day=False)  # the rule as written

#: OPM's observed dates of the holidays these tests cross (the legal date in the comment).
OBSERVED = {
    date(2020, 7, 3): "Independence Day (Saturday 4 July 2020)",
    date(2021, 7, 5): "Independence Day (Sunday 4 July 2021)",
    date(2021, 12, 24): "Christmas Day (Saturday 25 December 2021)",
    date(2021, 12, 31): "New Year's Day (Saturday 1 January 2022)",
    date(2022, 6, 20): "Juneteenth (Sunday 19 June 2022)",
    date(2022, 12, 26): "Christmas Day (Sunday 25 December 2022)",
    date(2023, 11, 10): "Veterans Day (Saturday 11 November 2023)",
    date(2024, 12, 25): "Christmas Day (Wednesday)",
}


def at(zone: str, *fields: int) -> datetime:
    """A wall time in ``zone``."""
    return datetime(*fields, tzinfo=ZoneInfo(zone))  # type: ignore[misc]


def utc(*fields: int) -> datetime:
    return datetime(*fields, tzinfo=UTC)  # type: ignore[misc]


# --- The holidays: observed dates are not business days, the legal weekend dates neither ---


@pytest.mark.parametrize("day", sorted(OBSERVED))
def test_opms_observed_holidays_are_not_business_days(day):
    assert not CALENDAR.is_business_day(day), OBSERVED[day]


@pytest.mark.parametrize(
    "day",
    [date(2020, 7, 2), date(2021, 7, 6), date(2021, 12, 23), date(2021, 12, 30), date(2022, 1, 3)],
)
def test_the_days_around_them_are(day):
    assert CALENDAR.is_business_day(day)


# --- Deemed receipt and due time, by hand --------------------------------------------------


@pytest.mark.parametrize(
    ("received", "deemed", "due"),
    [
        # Tuesday 10:00, in business hours: received then, due 24 hours later.
        (at(NEW_YORK, 2021, 6, 8, 10), at(NEW_YORK, 2021, 6, 8, 10), at(NEW_YORK, 2021, 6, 9, 10)),
        # Friday 18:00 before the Sunday 4 July 2021, observed Monday 5 July: Tuesday 08:00.
        (at(NEW_YORK, 2021, 7, 2, 18), at(NEW_YORK, 2021, 7, 6, 8), at(NEW_YORK, 2021, 7, 7, 8)),
        # Thursday 17:30 before Saturday 4 July 2020, observed Friday 3 July: Monday 08:00.
        (
            at(NEW_YORK, 2020, 7, 2, 17, 30),
            at(NEW_YORK, 2020, 7, 6, 8),
            at(NEW_YORK, 2020, 7, 7, 8),
        ),
        # Thursday 17:00 sharp (the end of the day is outside), before Friday 31 December
        # 2021, New Year's Day 2022 observed: Monday 3 January 2022.
        (
            at(NEW_YORK, 2021, 12, 30, 17),
            at(NEW_YORK, 2022, 1, 3, 8),
            at(NEW_YORK, 2022, 1, 4, 8),
        ),
        # Christmas Eve 2021 (Christmas observed) at noon: Monday 27 December.
        (
            at(NEW_YORK, 2021, 12, 24, 12),
            at(NEW_YORK, 2021, 12, 27, 8),
            at(NEW_YORK, 2021, 12, 28, 8),
        ),
        # Monday 06:00, before the day starts: 08:00 that day.
        (at(NEW_YORK, 2021, 6, 7, 6), at(NEW_YORK, 2021, 6, 7, 8), at(NEW_YORK, 2021, 6, 8, 8)),
        # 08:00 sharp is inside.
        (at(NEW_YORK, 2021, 6, 7, 8), at(NEW_YORK, 2021, 6, 7, 8), at(NEW_YORK, 2021, 6, 8, 8)),
    ],
)
def test_a_request_is_deemed_received_and_due_by_the_rule(received, deemed, due):
    found = CALENDAR.due(received, NEW_YORK)
    assert (found.received, found.deemed_received, found.due) == (received, deemed, due)


@pytest.mark.parametrize(
    ("received", "rolled", "literal"),
    [
        # Friday 15:00 + 24 h is Saturday 15:00: robotrace moves it to Monday 08:00.
        (
            at(NEW_YORK, 2021, 6, 11, 15),
            at(NEW_YORK, 2021, 6, 14, 8),
            at(NEW_YORK, 2021, 6, 12, 15),
        ),
        # Thursday 10:00 + 24 h is Friday 3 July 2020, Independence Day observed.
        (at(NEW_YORK, 2020, 7, 2, 10), at(NEW_YORK, 2020, 7, 6, 8), at(NEW_YORK, 2020, 7, 3, 10)),
        # Thursday 23 December 2021 16:00 + 24 h is Christmas observed: Monday 27th.
        (
            at(NEW_YORK, 2021, 12, 23, 16),
            at(NEW_YORK, 2021, 12, 27, 8),
            at(NEW_YORK, 2021, 12, 24, 16),
        ),
        # Tuesday 24 December 2024 10:00 + 24 h is Christmas Day itself: Thursday 08:00.
        (
            at(NEW_YORK, 2024, 12, 24, 10),
            at(NEW_YORK, 2024, 12, 26, 8),
            at(NEW_YORK, 2024, 12, 25, 10),
        ),
    ],
)
def test_a_due_time_off_business_hours_rolls_on_unless_the_setting_says_literal(
    received, rolled, literal
):
    assert CALENDAR.due(received, NEW_YORK).due == rolled
    assert LITERAL.due(received, NEW_YORK).due == literal


# --- Zones -----------------------------------------------------------------------------------


def test_one_instant_is_read_in_each_providers_own_zone():
    sent = utc(2021, 3, 9, 14, 30)  # a Tuesday: 09:30 EST, 06:30 PST, 04:30 HST
    assert CALENDAR.deemed_received(sent, NEW_YORK) == sent
    assert CALENDAR.deemed_received(sent, LOS_ANGELES) == utc(2021, 3, 9, 16)  # 08:00 PST
    assert CALENDAR.deemed_received(sent, HONOLULU) == utc(2021, 3, 9, 18)  # 08:00 HST
    assert CALENDAR.due(sent, HONOLULU).due == utc(2021, 3, 10, 18)


def test_friday_afternoon_in_honolulu_is_saturday_in_utc_and_due_monday():
    sent = at(HONOLULU, 2021, 3, 12, 16)  # Saturday 02:00 UTC
    found = CALENDAR.due(sent, HONOLULU)
    assert found.deemed_received == sent
    assert found.due == at(HONOLULU, 2021, 3, 15, 8) == utc(2021, 3, 15, 18)


def test_the_calendars_own_zone_is_the_default():
    tokyo = BusinessCalendar(zone="Asia/Tokyo")
    sent = utc(2021, 6, 8, 23)  # Wednesday 08:00 in Tokyo, Tuesday 19:00 in New York
    assert tokyo.deemed_received(sent) == sent
    assert CALENDAR.deemed_received(sent) == at(NEW_YORK, 2021, 6, 9, 8)


# --- Daylight saving time --------------------------------------------------------------------


def test_the_next_business_morning_after_a_spring_change_is_an_hour_earlier_in_utc():
    # Clocks went forward on Sunday 14 March 2021: Monday 08:00 is EDT (UTC-4).
    assert CALENDAR.deemed_received(at(NEW_YORK, 2021, 3, 13, 12), NEW_YORK) == utc(2021, 3, 15, 12)
    assert CALENDAR.deemed_received(at(NEW_YORK, 2021, 3, 6, 12), NEW_YORK) == utc(2021, 3, 8, 13)


def test_the_next_business_morning_after_an_autumn_change_is_an_hour_later_in_utc():
    # Clocks went back on Sunday 7 November 2021: Monday 08:00 is EST (UTC-5).
    assert CALENDAR.deemed_received(at(NEW_YORK, 2021, 11, 6, 12), NEW_YORK) == utc(2021, 11, 8, 13)
    assert CALENDAR.deemed_received(at(NEW_YORK, 2021, 10, 30, 12), NEW_YORK) == utc(
        2021, 11, 1, 12
    )


def test_honolulu_keeps_no_daylight_saving_time():
    assert CALENDAR.deemed_received(utc(2021, 3, 13, 22), HONOLULU) == utc(2021, 3, 15, 18)
    assert CALENDAR.deemed_received(utc(2021, 11, 6, 22), HONOLULU) == utc(2021, 11, 8, 18)


def test_due_hours_are_elapsed_time_so_the_wall_clock_moves_across_a_change():
    # 72 real hours from Friday 10:00 EST cross the spring change: Monday 11:00 EDT.
    spring = LITERAL.due(at(NEW_YORK, 2021, 3, 12, 10), NEW_YORK, hours=72).due
    assert spring == utc(2021, 3, 15, 15) and spring.hour == 11
    # ... and from Friday 10:00 EDT the autumn change: Monday 09:00 EST.
    autumn = LITERAL.due(at(NEW_YORK, 2021, 11, 5, 10), NEW_YORK, hours=72).due
    assert autumn == utc(2021, 11, 8, 14) and autumn.hour == 9


# --- Properties ------------------------------------------------------------------------------

ZONES = st.sampled_from(
    [NEW_YORK, "America/Chicago", "America/Denver", "America/Phoenix", LOS_ANGELES,
     "America/Anchorage", HONOLULU, "America/Puerto_Rico", "Pacific/Guam"]
)  # fmt: skip
INSTANTS = st.datetimes(
    min_value=datetime(2019, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


def business_hours_on(day: date) -> bool:
    """Whether ``day`` has business hours: Monday to Friday and not a holiday, read from
    the holidays package directly."""
    import holidays

    return day.weekday() < 5 and day not in holidays.US(observed=True)


@settings(max_examples=300, deadline=None)
@given(INSTANTS, ZONES)
def test_a_request_is_deemed_received_at_the_first_business_moment_from_its_sending(sent, zone):
    deemed = CALENDAR.deemed_received(sent, zone)
    local_sent = sent.astimezone(ZoneInfo(zone))
    assert deemed >= sent and deemed.tzinfo == ZoneInfo(zone)
    assert business_hours_on(deemed.date()) and time(8) <= deemed.time() < time(17)
    if deemed != sent:
        assert deemed.time() == time(8)
        # No business hours were open between sending and the deemed receipt.
        day = local_sent.date()
        while day < deemed.date():
            assert not business_hours_on(day) or (
                day == local_sent.date() and local_sent.time() >= time(17)
            )
            day += timedelta(days=1)
        if day == local_sent.date():
            assert local_sent.time() < time(8)


@settings(max_examples=300, deadline=None)
@given(INSTANTS, ZONES)
def test_a_due_time_is_never_outside_business_hours_and_never_before_the_24_hours(sent, zone):
    found = CALENDAR.due(sent, zone)
    literal = found.deemed_received + timedelta(hours=24)
    assert found.due >= literal
    assert business_hours_on(found.due.date()) and time(8) <= found.due.time() < time(17)
    if found.due != literal:  # moved on only when the rule's own due time was off hours
        assert not CALENDAR.in_business_hours(literal, zone)
        assert found.due == CALENDAR.deemed_received(literal, zone)


@settings(max_examples=300, deadline=None)
@given(INSTANTS, ZONES)
def test_the_literal_rule_is_exactly_24_hours_after_the_deemed_receipt(sent, zone):
    found = LITERAL.due(sent, zone)
    assert found.due - found.deemed_received == timedelta(hours=24)


@settings(max_examples=300, deadline=None)
@given(
    st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31)),
    st.times(min_value=time(8), max_value=time(16, 59, 59, 999999)),
    ZONES,
)
def test_a_request_in_business_hours_on_a_tuesday_is_due_24_hours_later(day, clock, zone):
    tuesday = day - timedelta(days=(day.weekday() - 1) % 7)
    sent = datetime.combine(tuesday, clock, ZoneInfo(zone))
    assert LITERAL.due(sent, zone).due - sent == timedelta(hours=24) or not business_hours_on(
        tuesday
    )
    if business_hours_on(tuesday) and business_hours_on(tuesday + timedelta(days=1)):
        assert CALENDAR.due(sent, zone).due - sent == timedelta(hours=24)


# --- Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../etc/passwd", "America", " UTC"])
def test_a_name_that_is_not_an_iana_zone_is_refused_by_name(name):
    with pytest.raises(ZoneError, match="time zone"):
        zone_info(name)
    with pytest.raises(ZoneError):
        CALENDAR.due(utc(2021, 6, 8, 14), name or "x/y")


@pytest.mark.parametrize("text", ["8", "8:0", "24:00", "12:60", "08:00:00", "eight", "٠٨:٠٠"])
def test_a_time_of_day_must_be_hh_mm(text):
    with pytest.raises(ValueError, match="HH:MM"):
        parse_clock_time(text)


def test_business_hours_must_end_after_they_start():
    with pytest.raises(ValueError, match="end after they start"):
        BusinessCalendar(day_start=time(17), day_end=time(8))


def test_negative_hours_are_refused():
    with pytest.raises(ValueError, match="negative"):
        CALENDAR.due(utc(2021, 6, 8, 14), NEW_YORK, hours=-1)


# --- Settings --------------------------------------------------------------------------------


def test_the_settings_describe_the_calendar(monkeypatch):
    monkeypatch.setenv("ROBOTRACE_BUSINESS_DAY_START", "9:30")
    monkeypatch.setenv("ROBOTRACE_BUSINESS_DAY_END", "18:00")
    monkeypatch.setenv("ROBOTRACE_BUSINESS_ZONE", "America/Chicago")
    monkeypatch.setenv("ROBOTRACE_DUE_ROLLS_TO_BUSINESS_DAY", "0")
    calendar = BusinessCalendar.from_settings(Settings.from_environ())
    assert (calendar.day_start, calendar.day_end) == (time(9, 30), time(18))
    # Saturday: Monday 09:30 in Chicago (CDT), and the literal rule's Tuesday 09:30.
    found = calendar.due(utc(2021, 6, 12, 12))
    assert found.deemed_received == utc(2021, 6, 14, 14, 30)
    assert found.due == utc(2021, 6, 15, 14, 30)


def test_the_defaults_are_eight_to_five_in_new_york_rolling_on():
    default = BusinessCalendar.from_settings(Settings.from_environ())
    assert (default.day_start, default.day_end, default.zone) == (time(8), time(17), NEW_YORK)
    assert default.rolls_to_business_day


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("ROBOTRACE_BUSINESS_DAY_START", "25:00", "ROBOTRACE_BUSINESS_DAY_START='25:00'"),
        ("ROBOTRACE_BUSINESS_ZONE", "Eastern", "ROBOTRACE_BUSINESS_ZONE='Eastern'"),
        ("ROBOTRACE_BUSINESS_DAY_END", "07:00", "ROBOTRACE_BUSINESS_DAY_END (07:00) must be"),
    ],
)
def test_a_bad_setting_is_an_error_that_names_its_variable(monkeypatch, variable, value, said):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingError) as caught:
        BusinessCalendar.from_settings(Settings.from_environ())
    assert said in str(caught.value)

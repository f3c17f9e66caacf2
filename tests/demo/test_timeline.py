"""When the demo's world is told the letters and the notification go out."""

from __future__ import annotations

from datetime import timedelta

from robotrace.demo.timeline import enforcement_params, mandatory_min_days
from robotrace.settings import Settings
from robotrace.simulate.runner import SimulationParams

HOUR = timedelta(hours=1)


def times_to_act() -> tuple[float, float]:
    """The letters' and the notification's times to act, as the settings give them."""
    settings = Settings.from_environ()
    return settings.mitigate_hours, settings.notification_response_days


def test_a_month_fits_both_ladders_with_two_days_of_calls_after_the_respond_by():
    params, notes = enforcement_params(SimulationParams(seed=1, days=30), *times_to_act())
    assert notes == []
    assert params.letters_at == params.start + timedelta(days=9)
    assert params.notifications_at == params.letters_at + 48 * HOUR + timedelta(days=3)
    assert params.respond_by == params.notifications_at + timedelta(days=14)
    assert params.end - params.respond_by == timedelta(days=2)
    params.check()


def test_the_fewest_days_for_both_ladders_leave_four_days_before_the_letters():
    assert mandatory_min_days(*times_to_act()) == 4 + 2 + 3 + 14 + 2
    params, notes = enforcement_params(
        SimulationParams(seed=1, days=25, calls=20_000), *times_to_act()
    )
    assert notes == []
    assert params.letters_at == params.start + timedelta(days=4)
    params.check()


def test_ten_days_hold_the_letters_sixty_percent_in_but_no_notification():
    params, notes = enforcement_params(SimulationParams(seed=1, days=10), *times_to_act())
    assert params.letters_at == params.start + timedelta(days=6)
    assert params.notifications_at is None
    assert len(notes) == 1 and "--days 25 or more" in notes[0]


def test_too_few_days_for_any_enforcement_leave_the_world_as_it_was():
    given = SimulationParams(seed=1, days=5)
    params, notes = enforcement_params(given, *times_to_act())
    assert params == given
    assert "--days 8 or more" in notes[0]

"""When the demo's letters and notification go out, in the simulated world's days.

The world is told in advance (``SimulationParams.letters_at`` and ``notifications_at``) so
that its providers can react. The permissive (K4) part needs the 48 hours and a day of calls
after them; the mandatory part follows it: the notification goes out three days after the
letters' deadline (past the grace period, the post-deadline traces and the authorizations),
gives its provider robotrace's ``notification_response_days``, and two days of calls follow
its respond-by, for the tracebacks that check it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from robotrace.simulate.runner import SimulationParams

#: Letters go out 60% into the world; the 48-hour deadline plus a day of calls must fit after.
ENFORCEMENT_MIN_DAYS = 8.0
NOTICE_AFTER_DEADLINE = timedelta(days=3)
AFTER_RESPOND_BY = timedelta(days=2)
#: The letters go out no earlier than this: two days of evidence, traced two days ahead.
EARLIEST_LETTERS = timedelta(days=4)


def mandatory_span(mitigation_hours: float, notification_days: float) -> timedelta:
    """From the letters to the end of the world, when the mandatory part follows them."""
    return (
        timedelta(hours=mitigation_hours)
        + NOTICE_AFTER_DEADLINE
        + timedelta(days=notification_days)
        + AFTER_RESPOND_BY
    )


def mandatory_min_days(mitigate_hours: float, notification_response_days: float) -> float:
    """The fewest ``--days`` that leave room for the mandatory part, with the letters' and
    the notification's times to act (the ``mitigate_hours`` and
    ``notification_response_days`` settings)."""
    span = mandatory_span(mitigate_hours, notification_response_days)
    return (EARLIEST_LETTERS + span) / timedelta(days=1)


def enforcement_params(
    params: SimulationParams, mitigate_hours: float, notification_response_days: float
) -> tuple[SimulationParams, list[str]]:
    """``params`` with the letters (and, when the days allow, the notification) scheduled
    with the settings' times to act, and notes on the parts left out."""
    if params.days < ENFORCEMENT_MIN_DAYS:
        return params, [
            f"the enforcement part needs --days {ENFORCEMENT_MIN_DAYS:g} or more (evidence, "
            "48 hours, then calls after the deadline); skipped"
        ]
    hours, days = mitigate_hours, notification_response_days
    world = timedelta(days=params.days)
    fewest = mandatory_min_days(hours, days)
    if params.days < fewest:
        letters = params.start + world * 0.6
        note = (
            f"the mandatory part needs --days {fewest:g} or more (letters, "
            f"a notification {NOTICE_AFTER_DEADLINE.days} days after their deadline, "
            f"{days:g} days to respond, then calls after it); skipped"
        )
        return replace(params, letters_at=letters, mitigation_hours=hours), [note]
    letters = params.start + min(world * 0.6, world - mandatory_span(hours, days))
    notice = letters + timedelta(hours=hours) + NOTICE_AFTER_DEADLINE
    scheduled = replace(
        params,
        letters_at=letters,
        mitigation_hours=hours,
        notifications_at=notice,
        notification_days=days,
    )
    return scheduled, []

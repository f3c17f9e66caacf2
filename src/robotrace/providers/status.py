"""A provider's standing in the Robocall Mitigation Database, as plain functions of data.

- ``listed``: a filing of it is in the latest imported export;
- ``not_in_export``: it has filings, but the latest export has none of them (the FCC may
  have removed them, or the export may lag: robotrace says so and blocks nothing for it);
- ``removed``: a regulator entered the FCC's removal order and no reinstatement since
  (47 CFR 64.6305: no US provider may accept its traffic directly);
- ``unlisted``: no imported export ever held a filing of it.

Filers must recertify every year by a date (``rmd_recertification_due``, 1 March): a listed
provider whose last recertification is before the last such date passed is overdue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

STATUSES = ("listed", "not_in_export", "removed", "unlisted")


@dataclass(frozen=True)
class RmdStatus:
    status: str
    listed_numbers: tuple[str, ...] = ()
    filed_numbers: tuple[str, ...] = ()
    removal_order: str | None = None
    removed_at: datetime | None = None
    last_recertified: str = ""
    recertification_due: date | None = None
    #: None when the export did not say when it last recertified.
    recertification_overdue: bool | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "status": self.status,
            "listed_numbers": list(self.listed_numbers),
            "filed_numbers": list(self.filed_numbers),
            "removal_order": self.removal_order,
            "removed_at": self.removed_at.isoformat() if self.removed_at else None,
            "last_recertified": self.last_recertified or None,
            "recertification_due": self.recertification_due.isoformat()
            if self.recertification_due
            else None,
            "recertification_overdue": self.recertification_overdue,
        }


def recertification_due_date(text: str) -> tuple[int, int]:
    """The yearly due date ``text``, ``MM-DD`` (the setting ``rmd_recertification_due``)."""
    month, day = (int(part) for part in text.split("-"))
    date(2024, month, day)  # a real day of the year (2024 has 29 February)
    return month, day


def last_due_date(today: date, due: tuple[int, int]) -> date:
    """The most recent yearly due date on or before ``today`` (29 February → 28th in other
    years)."""
    month, day = due
    for year in (today.year, today.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = date(year, month, day - 1)
        if candidate <= today:
            return candidate
    raise AssertionError("unreachable: last year's date is always before today")


def recertification_overdue(
    last_recertified: str, today: date, due: tuple[int, int]
) -> bool | None:
    """Whether a filer that last recertified on ``last_recertified`` (ISO date, or "") is
    late at ``today``; None when the date is not known."""
    if not last_recertified:
        return None
    try:
        recertified = date.fromisoformat(last_recertified[:10])
    except ValueError:
        return None
    return recertified < last_due_date(today, due)


def rmd_status(
    *,
    listed_numbers: Sequence[str],
    filed_numbers: Sequence[str],
    removal: tuple[str, datetime] | None,
    last_recertified: str,
    today: date,
    due: tuple[int, int],
) -> RmdStatus:
    """The status of a provider with these filings on ``today``, recertifying yearly by
    ``due`` (month, day) (see the module's docstring)."""
    if removal is not None:
        status = "removed"
    elif listed_numbers:
        status = "listed"
    elif filed_numbers:
        status = "not_in_export"
    else:
        status = "unlisted"
    overdue = recertification_overdue(last_recertified, today, due) if status == "listed" else None
    return RmdStatus(
        status=status,
        listed_numbers=tuple(sorted(listed_numbers)),
        filed_numbers=tuple(sorted(filed_numbers)),
        removal_order=removal[0] if removal else None,
        removed_at=removal[1] if removal else None,
        last_recertified=last_recertified,
        recertification_due=last_due_date(today, due),
        recertification_overdue=overdue,
    )

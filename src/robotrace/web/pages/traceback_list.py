"""The traceback list's query parameters: search by number (any spelling) and by provider
(name or OCN), filters (status, outcome, campaign, opened dates) and the page, checked where
they enter — one that is not right is a 422 page that says which and why, never a 500 and
never a silently ignored filter. The list itself is read by :mod:`robotrace.traceback.lists`.
"""

from __future__ import annotations

from datetime import date

from fastapi.exceptions import RequestValidationError

from robotrace.numbers import InvalidNumber, caller_id
from robotrace.traceback.lists import ListFilters
from robotrace.traceback.model import Outcome, Status

SEARCH_LENGTH = 100
LAST_PAGE = 10_000


def _problem(field: str, message: str) -> RequestValidationError:
    return RequestValidationError(
        [{"loc": ("query", field), "msg": message, "type": "value_error"}]
    )


def _text(field: str, value: str) -> str:
    text = value.strip()
    if len(text) > SEARCH_LENGTH:
        raise _problem(field, f"longer than {SEARCH_LENGTH} characters")
    return text


def _choice(field: str, value: str, allowed: list[str]) -> str:
    text = value.strip()
    if text and text not in allowed:
        raise _problem(field, f"{text[:40]!r} is none of {', '.join(allowed)}")
    return text


def _date(field: str, value: str) -> date | None:
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _problem(field, f"{text[:40]!r} is not a date (YYYY-MM-DD)") from None


def _number_key(value: str) -> str:
    if not value:
        return ""
    try:
        return caller_id(value)
    except InvalidNumber as exc:
        raise _problem("number", str(exc)) from None


def _page(value: str) -> int:
    text = value.strip() or "1"
    if not text.isdigit() or not 1 <= int(text) <= LAST_PAGE:
        raise _problem("page", f"a page number from 1 to {LAST_PAGE}, not {text[:20]!r}")
    return int(text)


def list_filters(
    number: str = "",
    provider: str = "",
    status: str = "",
    outcome: str = "",
    campaign: str = "",
    opened_from: str = "",
    opened_to: str = "",
    page: str = "",
) -> ListFilters:
    """The list's query parameters, checked (a FastAPI dependency): RequestValidationError,
    shown as a 422 page, for any that is not right."""
    number = _text("number", number)
    found = ListFilters(
        number=number,
        number_key=_number_key(number),
        provider=_text("provider", provider),
        status=_choice("status", status, [s.value for s in Status]),
        outcome=_choice("outcome", outcome, [o.value for o in Outcome]),
        campaign=_text("campaign", campaign),
        opened_from=_date("opened_from", opened_from),
        opened_to=_date("opened_to", opened_to),
        page=_page(page),
    )
    if found.opened_from and found.opened_to and found.opened_from > found.opened_to:
        raise _problem("opened_to", "the range ends before it starts")
    return found

"""Reports as a person types them into the page, and as an app sends them to the API."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.campaigns.service import update_campaigns
from robotrace.clock import Clock
from robotrace.store import models
from tests.campaigns.builders import rendered

#: The clock of the report tests: reports are received at this moment (a Friday in May).
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
SCRIPT = (
    "This is an important message from the Social Security Administration. Your social "
    "security number has been suspended because of suspicious activity. Press 1 now to "
    "speak with an officer, or call 888-555-0143."
)


def page_form(**changes: str) -> dict[str, str]:
    """A report as a person fills the page in: a call yesterday at 2:15 PM Eastern (daylight
    saving time, UTC-4), so at 18:15 UTC."""
    fields = {
        "calling_number": "(202) 555-0143",
        "call_date": "2026-04-30",
        "call_time": "14:15",
        "time_zone": "America/New_York",
        "called_number": "312-555-0199",
        "recorded_message": "yes",
        "subject": "Imposters",
        "transcript": SCRIPT,
        "name": "Jane Q. Reporter",
        "email": "jane.reporter@example.net",
        "state": "Illinois",
        "website": "",
    }
    fields.update(changes)
    return fields


def api_body(**changes: Any) -> dict[str, Any]:
    """The same call as :func:`page_form`, as JSON."""
    body: dict[str, Any] = {
        "calling_number": "+12025550143",
        "called_at": "2026-04-30T14:15:00-04:00",
        "called_number": "3125550199",
        "recorded_message": True,
        "subject": "Imposters",
        "transcript": SCRIPT,
        "name": "Jane Q. Reporter",
        "email": "jane.reporter@example.net",
        "state": "Illinois",
    }
    body.update(changes)
    return body


#: What :func:`page_form` and :func:`api_body` say about the call, worked out by hand.
CALL_TIME_UTC = datetime(2026, 4, 30, 18, 15, tzinfo=UTC)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def send_page(client: TestClient, **changes: str) -> Any:
    """Open the form (for its CSRF token and cookie) and send it, not following redirects."""
    token = csrf_of(client.get("/report").text)
    return client.post("/report", data={**page_form(**changes), "csrf_token": token},
                       follow_redirects=False)  # fmt: skip


def minutes(n: int) -> timedelta:
    return timedelta(minutes=n)


SSA_NUMBER = "8885550143"
SSA_CALLS = 12
#: What a person types after hearing one of the SSA campaign's calls: the script of
#: robotrace.simulate.scripts (template 0), from memory, a word here and there different.
HEARD = (
    "This call is from the Department of Social Security Administration. The reason you "
    "received this call is to inform you that we suspended your social security number "
    "because we found suspicious activity in the state of Texas. To speak with an officer, "
    "call us back at 888-555-0143. Thank you."
)


def ssa_campaign(session: Session, clock: Clock) -> str:
    """An SSA campaign of twelve honeypot calls three days before ``clock`` (caller IDs of
    their own, call-back number :data:`SSA_NUMBER`), grouped as ``robotrace campaigns
    update`` groups them; its id. The caller commits."""
    now = clock.now()
    for n, text in enumerate(rendered("ssa_suspension", SSA_CALLS, SSA_NUMBER)):
        session.add(
            models.Call(
                source="honeypot",
                source_ref=f"hp-{n}",
                calling_number=f"+1713555{n:04d}",
                calling_e164=f"+1713555{n:04d}",
                called_number="+13125550100",
                called_e164="+13125550100",
                call_time=now - timedelta(days=3, minutes=n),
                transcript=text,
                imported_at=now,
            )
        )
    session.flush()
    update_campaigns(session, clock)
    (campaign_id,) = session.scalars(select(models.Campaign.id))
    return campaign_id

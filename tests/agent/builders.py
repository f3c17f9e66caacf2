"""A five-provider path and each provider's own CDRs, written as raw CSV files.

ORGN's customer places the call; it runs ORGN → WHS1 → WHS2 → WHS3 → TERM. Each provider
writes only its own leg (with its own clock skew and number format), plus unrelated legs.

:func:`portal_http` gives the agent's HTTP client on a scripted portal (no server).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from robotrace.cdr.schema import CDR_COLUMNS
from robotrace.providers.registry import Provider

PATH = ("ORGN", "WHS1", "WHS2", "WHS3", "TERM")  # origin first, as truth.json lists paths
CUSTOMER = "Acme Outreach Ltd"
CALLING, CALLED = "+12025550143", "+13125550199"
TRUE_TIME = datetime(2020, 4, 30, 15, 4, 5, 250000, tzinfo=UTC)
SKEW_S = {"ORGN": 1.2, "WHS1": -2.0, "WHS2": 3.1, "WHS3": -0.7, "TERM": 0.4}
FORMATS = {
    "ORGN": lambda n: n,
    "WHS1": lambda n: n[2:],  # national
    "WHS2": lambda n: f"1-{n[2:5]}-{n[5:8]}-{n[8:]}",  # dashed
    "WHS3": lambda n: f"tel:{n}",
    "TERM": lambda n: n[1:],  # 11 digits
}
PROVIDERS = [
    Provider(ocn, f"{ocn} Telecom", ocns=(ocn,), contact_email=f"noc@{ocn.lower()}.example")
    for ocn in PATH
]


def _leg(ocn: str, when: datetime, calling: str, called: str, **fields: str) -> dict[str, str]:
    fmt = FORMATS[ocn]
    return {
        "provider": ocn,
        "call_time": (when + timedelta(seconds=SKEW_S[ocn])).isoformat().replace("+00:00", "Z"),
        "calling_number": fmt(calling),
        "called_number": fmt(called),
        "from_provider": "",
        "to_provider": "",
        "customer": "",
        "duration_s": "31",
        "disposition": "ANSWERED",
        "identity": "",
        "sip_call_id": f"{fields.pop('tag', 'c1')}@{ocn.lower()}.example",
        **fields,
    }


def legs_of(ocn: str) -> list[dict[str, str]]:
    """``ocn``'s own records: the traced call's leg and a few unrelated ones."""
    at = PATH.index(ocn)
    upstream = {"from_provider": PATH[at - 1]} if at else {"customer": CUSTOMER}
    downstream = PATH[at + 1] if at + 1 < len(PATH) else ""
    when = TRUE_TIME + timedelta(milliseconds=20 * at)
    traced = _leg(ocn, when, CALLING, CALLED, to_provider=downstream, **upstream)
    later = _leg(ocn, when + timedelta(seconds=40), CALLING, CALLED, tag="c2", customer="Other Co")
    other = _leg(ocn, when, "+14155550100", "+16175550123", tag="c3", customer="Third Co")
    return [other, traced, later]


def write_cdrs(folder: Path) -> Path:
    """One ``<OCN>.csv`` per provider in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for ocn in PATH:
        with (folder / f"{ocn}.csv").open("w", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=list(CDR_COLUMNS))
            writer.writeheader()
            writer.writerows(legs_of(ocn))
    return folder


def portal_http(handler: Callable[[httpx.Request], httpx.Response]) -> httpx.Client:
    """An HTTP client on the portal's API (``http://portal/api/v1``) whose requests
    ``handler`` answers: a scripted portal, no server."""
    return httpx.Client(base_url="http://portal/api/v1", transport=httpx.MockTransport(handler))

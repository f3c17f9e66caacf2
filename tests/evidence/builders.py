"""Small builders of evidence files, written as the agencies, honeypots and captures write them."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

from sqlalchemy import func, select

from robotrace.evidence.columns import FTC_COMPLAINT_COLUMNS, HONEYPOT_COLUMNS
from robotrace.evidence.imports import (
    ImportOptions,
    ImportSummary,
    evidence_files,
    import_evidence,
)
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.store import models

FCC_COLUMNS = (
    "id",
    "ticket_created",
    "issue_date",
    "issue_time",
    "issue_type",
    "method",
    "issue",
    "caller_id_number",
    "type_of_call_or_messge",
    "advertiser_business_phone_number",
    "city",
    "state",
    "zip",
    "location_1",
)
#: The same columns as the portal's CSV download names them.
FCC_DISPLAY_COLUMNS = (
    "Ticket ID",
    "Ticket Created",
    "Date of Issue",
    "Time of Issue",
    "Form",
    "Method",
    "Issue",
    "Caller ID Number",
    "Type of Call or Messge",
    "Advertiser Business Number",
    "City",
    "State",
    "Zip",
    "Location (Center point of the Zip Code)",
)


def ftc_row(**fields: str) -> dict[str, str]:
    row = {
        "Company_Phone_Number": "202-555-0143",
        "Created_Date": "2020-04-02 10:00:00",
        "Violation_Date": "2020-04-01 17:14:02",
        "Consumer_City": "Springfield",
        "Consumer_State": "Illinois",
        "Consumer_Area_Code": "217",
        "Subject": "Warranties & protection plans",
        "Recorded_Message_Or_Robocall": "Y",
    }
    return row | fields


def fcc_row(**fields: str) -> dict[str, str]:
    row = {
        "id": "1234567",
        "ticket_created": "2021-03-15T10:35:00.000",
        "issue_date": "2021-03-15T00:00:00.000",
        "issue_time": "10:30 a.m.",
        "issue_type": "Phone",
        "method": "Wireless (cell phone/other mobile device)",
        "issue": "Unwanted Calls",
        "caller_id_number": "866-410-0458",
        "type_of_call_or_messge": "Prerecorded Voice",
        "advertiser_business_phone_number": "",
        "city": "Plantation",
        "state": "FL",
        "zip": "33324",
        "location_1": "POINT (-80.26 26.12)",
    }
    return row | fields


def honeypot_row(call_id: str = "hp-1", **fields: str) -> dict[str, str]:
    row = {
        "call_id": call_id,
        "calling_number": "+12025550143",
        "called_number": "+13125550199",
        "call_time": "2020-05-01T12:00:00Z",
        "terminating_provider": "TERM",
        "transcript": "Your car's extended warranty is about to expire.",
        "identity": "",
        "recording": "",
    }
    return row | fields


def write_csv(
    path: Path, columns: Sequence[str], rows: Iterable[dict[str, str] | Sequence[str]]
) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns] if isinstance(row, dict) else row)
    return path


def ftc_csv(path: Path, *rows: dict[str, str]) -> Path:
    return write_csv(path, FTC_COMPLAINT_COLUMNS, rows)


def fcc_csv(path: Path, *rows: dict[str, str], columns: Sequence[str] = FCC_COLUMNS) -> Path:
    return write_csv(path, columns, rows)


def fiscal_year_complaints(folder: Path) -> tuple[Path, Path]:
    """An FTC and an FCC file in ``folder``: FY2025 holds three Illinois complaints (two FTC,
    one FCC "IL") and two Florida ones (FCC "FL", one about the consumer's own number being
    spoofed); FY2024 one (FTC, Illinois)."""
    ftc = ftc_csv(
        folder / "ftc.csv",
        ftc_row(Created_Date="2024-09-30 23:59:59"),  # FY2024, Illinois
        ftc_row(Created_Date="2024-10-01 00:00:00"),
        ftc_row(Created_Date="2025-09-30 23:59:59"),
    )
    fcc = fcc_csv(
        folder / "fcc.csv",
        fcc_row(id="1", ticket_created="2025-01-02T10:00:00.000", state="IL"),
        fcc_row(
            id="2", ticket_created="2025-01-03T10:00:00.000", type_of_call_or_messge="Robocall"
        ),
        fcc_row(
            id="3",
            ticket_created="2025-01-04T10:00:00.000",
            issue="My own number is being spoofed",
            caller_id_number="305-555-0100",
        ),
    )
    return ftc, fcc


def honeypot_csv(path: Path, *rows: dict[str, str]) -> Path:
    return write_csv(path, HONEYPOT_COLUMNS, rows)


IDENTITY = (
    "eyJhbGciOiJFUzI1NiIsInBwdCI6InNoYWtlbiIsInR5cCI6InBhc3Nwb3J0In0.eyJhdHRlc3QiOiJBIn0.c2ln;"
    "info=<https://cert.example.net/sp.pem>;alg=ES256;ppt=shaken"
)


def invite(
    called: str = "+13125550199",
    calling: str = "+12025550143",
    date: str | None = "Fri, 01 May 2020 12:00:00 GMT",
    extra: Sequence[str] = (),
    call_id: str = "a84b4c76e66710@pc33.example.com",
    method: str = "INVITE",
) -> str:
    """A SIP request as a text capture shows it, with an SDP body."""
    headers = [
        f"{method} sip:{called}@sbc.example.net;user=phone SIP/2.0",
        "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds",
        "Max-Forwards: 70",
        f'From: "Warranty Dept" <sip:{calling}@carrier.example.com;user=phone>;tag=1928301774',
        f"To: <sip:{called}@sbc.example.net;user=phone>",
        f"Call-ID: {call_id}",
        "CSeq: 314159 INVITE",
        "Contact: <sip:192.0.2.10:5060>",
        *([f"Date: {date}"] if date else []),
        *extra,
        "Content-Type: application/sdp",
        "Content-Length: 57",
    ]
    body = ["v=0", "o=- 0 0 IN IP4 192.0.2.10", "s=-", "c=IN IP4 192.0.2.10", "t=0 0"]
    return "\r\n".join([*headers, "", *body]) + "\r\n"


def sip_file(path: Path, *messages: str) -> Path:
    path.write_text("\r\n".join(messages), encoding="utf-8", newline="")
    return path


def with_providers(session) -> None:
    upsert_providers(session, [Provider("TERM", "Terminating Co"), Provider("T2", "Other Co")])
    session.flush()


def count_calls(session) -> int:
    return session.scalar(select(func.count()).select_from(models.Call)) or 0


def listing(folder: Path, folders: bool = True) -> dict[str, tuple[int, int]]:
    """Everything under ``folder`` (itself included): path → (size, modification time in ns);
    a folder's size is -1. Without ``folders``, files only."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder.parent)): (
            -1 if p.is_dir() else p.stat().st_size,
            p.stat().st_mtime_ns,
        )
        for p in [folder, *sorted(folder.rglob("*"))]
        if folders or p.is_file()
    }


def import_files(
    store: Path, *paths: Path, format_name: str | None = None, session=None, **options
) -> ImportSummary:
    files = evidence_files(list(paths), format_name)
    return import_evidence(files, store, session, ImportOptions(**options))

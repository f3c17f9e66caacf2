"""What the report page and the report API share: the request body read under a size limit,
the client's key for the rate limits, and filing a report so that it becomes evidence right
after the answer is sent."""

from __future__ import annotations

from fastapi import BackgroundTasks, Request
from sqlalchemy.orm import Session

from robotrace.reports.checks import CallReport
from robotrace.reports.evidence import into_evidence
from robotrace.reports.filing import client_key, file_report
from robotrace.store import models
from robotrace.web.deps import get_settings
from robotrace.web.evidence_uploads import analytics_dir

#: Room for the fields other than what the caller said, URL- or JSON-encoded.
_OTHER_FIELDS_BYTES = 16 * 1024


class BodyTooLarge(Exception):
    """The request body is over :func:`body_limit`; the message tells the person what to do."""

    def __init__(self, max_text_chars: int) -> None:
        super().__init__(
            "Your report is too long for us to take: shorten what the caller said to "
            f"{max_text_chars:,} characters or fewer and send it again."
        )


def body_limit(max_text_chars: int) -> int:
    """The longest body: every character of the text (``report_max_text_chars``) at its
    longest encoding (12 bytes, ``%XX`` × 4) and the other fields."""
    return 12 * max_text_chars + _OTHER_FIELDS_BYTES


async def read_body(request: Request) -> bytes:
    """The body, refused (:class:`BodyTooLarge`) as soon as it is known to be too long for
    the portal's ``report_max_text_chars``."""
    max_text_chars = get_settings(request).report_max_text_chars
    limit = body_limit(max_text_chars)
    declared = request.headers.get("content-length", "")
    if declared.isascii() and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(max_text_chars)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge(max_text_chars)
    return bytes(body)


def client_of(request: Request) -> str:
    """The rate-limit key of the client's address (uvicorn takes it from X-Forwarded-For
    only when the proxy is trusted: FORWARDED_ALLOW_IPS), keyed with the portal's secret key."""
    address = request.client.host if request.client else "-"
    return client_key(address, get_settings(request).secret_key)


def file_as_evidence(
    request: Request, db: Session, report: CallReport, via: str, background: BackgroundTasks
) -> models.ConsumerReport:
    """File the report in the request's transaction (:class:`~robotrace.reports.filing.Refused`
    when the abuse rules say no, by the portal's settings); once the answer is sent it
    becomes evidence."""
    clock = request.app.state.clock
    row = file_report(db, report, client_of(request), via, clock, get_settings(request))
    # A filed report names its call (file_report stores both); the model's column allows none.
    call_id = row.call_id
    background.add_task(
        into_evidence,
        request.app.state.sessions,
        call_id,  # type: ignore[arg-type]
        analytics_dir(request),
        clock,
    )
    return row

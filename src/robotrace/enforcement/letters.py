"""Warning letters: their deadlines, their content, and the HTML and PDF documents.

The letter is rendered from a Jinja2 template: the one shipped in ``templates/`` or the file
the ``letter_template`` setting names (the same variables; see docs/enforcement.md). The
HTML is stored with the letter; the PDF is made from that stored HTML with WeasyPrint on
request, so the PDF always shows exactly what was issued.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jinja2

from robotrace import settings
from robotrace.calendar import for_people
from robotrace.clock import as_utc
from robotrace.enforcement.evidence import ORIGINATING, EvidenceRow

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Deadlines:
    mitigate_by: datetime
    report_by: datetime


def deadlines_for(issued_at: datetime, mitigate_hours: float, report_days: float) -> Deadlines:
    """``mitigate_by`` and ``report_by`` of a letter issued at ``issued_at``."""
    issued_at = as_utc(issued_at)
    return Deadlines(
        issued_at + timedelta(hours=mitigate_hours), issued_at + timedelta(days=report_days)
    )


def deadlines_from_settings(issued_at: datetime) -> Deadlines:
    return deadlines_for(issued_at, settings.get("mitigate_hours"), settings.get("report_days"))


def agencies_from_settings() -> list[str]:
    return [a.strip() for a in str(settings.get("letter_agencies")).split(";") if a.strip()]


@dataclass(frozen=True)
class ProviderAddress:
    """How a letter addresses the provider (from the registry)."""

    key: str
    name: str
    ocn: str = ""
    frn: str = ""
    rmd_number: str = ""
    country: str = ""
    contact_email: str = ""


@dataclass(frozen=True)
class LetterContent:
    reference: str
    provider: ProviderAddress
    agencies: Sequence[str]
    issued_at: datetime
    deadlines: Deadlines
    campaigns: Sequence[str]
    originators: Sequence[str]
    rows: Sequence[EvidenceRow]


def when(moment: datetime, seconds: bool = False) -> str:
    """Times in documents, written for people: ``3 May 2020, 08:00 EDT`` in the
    ``display_zone`` setting's zone (:func:`robotrace.calendar.for_people`); ``seconds`` for
    a call's time, which the provider looks up in its records."""
    return for_people(moment, seconds=seconds)


def finding_of(row: EvidenceRow) -> str:
    """The row's finding as a document writes it ("no response by 3 May 2020, 08:00 EDT")."""
    return row.finding.written(when) if row.finding else ""


def _roles_text(rows: Sequence[EvidenceRow]) -> str:
    roles = {role for row in rows for role in row.roles}
    if ORIGINATING in roles and "gateway" in roles:
        return "the originating or gateway provider"
    if "gateway" in roles:
        return "the gateway provider (point of entry into the United States)"
    if ORIGINATING in roles:
        return "the originating provider"
    return "a provider in the path"


def _row_view(row: EvidenceRow) -> dict[str, Any]:
    return {
        "traceback_id": row.traceback_id,
        "campaign": row.campaign,
        "call_time": when(row.call_time, seconds=True),
        "caller_id": row.caller_id,
        "called_number": row.called_number,
        "role": row.role,
        "finding": finding_of(row),
    }


def letter_context(content: LetterContent) -> dict[str, Any]:
    """The variables a letter template gets (documented in docs/enforcement.md)."""
    return {
        "letter": {
            "reference": content.reference,
            "issued_at": when(content.issued_at),
            "mitigate_by": when(content.deadlines.mitigate_by),
            "report_by": when(content.deadlines.report_by),
        },
        "provider": vars(content.provider),
        "agencies": list(content.agencies),
        "campaigns": list(content.campaigns),
        "originators": list(content.originators),
        "rows": [_row_view(row) for row in content.rows],
        "roles_text": _roles_text(content.rows),
    }


def template_source(override: str, shipped: str) -> str:
    """The template text: the file ``override`` names, or the shipped ``shipped``."""
    path = Path(override) if override else TEMPLATES / shipped
    return path.read_text(encoding="utf-8")


def render_template(source: str, context: dict[str, Any]) -> str:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(source).render(**context)


def render_letter_html(content: LetterContent, template: str | None = None) -> str:
    """The letter as HTML; ``template`` is template text (default: from the settings)."""
    source = template or template_source(settings.get("letter_template"), "warning_letter.html")
    return render_template(source, letter_context(content))


def html_to_pdf(html: str) -> bytes:
    """A PDF of ``html`` (WeasyPrint; imported here because it loads Pango)."""
    import weasyprint

    return bytes(weasyprint.HTML(string=html).write_pdf())

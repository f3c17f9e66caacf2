"""Warning letters: their deadlines, their content, and the HTML and PDF documents.

The letter is rendered from a Jinja2 template: the one shipped in ``templates/`` or the file
the ``letter_template`` setting names (the same variables; see docs/enforcement.md). The
HTML is stored with the letter; the PDF is made from that stored HTML with WeasyPrint on
request, so the PDF always shows exactly what was issued.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from robotrace.calendar import DEFAULT_ZONE, for_people, in_zone
from robotrace.clock import as_utc
from robotrace.enforcement.errors import EnforcementError
from robotrace.enforcement.evidence import ORIGINATING, EvidenceRow
from robotrace.settings import SettingError

if TYPE_CHECKING:
    from robotrace.settings import Settings

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


def deadlines_from_settings(issued_at: datetime, settings: Settings) -> Deadlines:
    return deadlines_for(issued_at, settings.mitigate_hours, settings.report_days)


def agencies_from_settings(settings: Settings) -> list[str]:
    return [a.strip() for a in settings.letter_agencies.split(";") if a.strip()]


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
    #: The postal address and the robocall mitigation contact the registry (RMD) gives.
    address: str = ""
    contact_name: str = ""
    contact_title: str = ""


@dataclass(frozen=True)
class Sender:
    """Who sends the letter (the letterhead): the ``operator_*`` settings, else the first
    agency of ``letter_agencies``."""

    name: str
    address: str = ""
    email: str = ""


@dataclass(frozen=True)
class Signatory:
    """Who signs: ``letter_signatory`` and ``letter_signatory_title``, else the issuing
    regulator's account."""

    name: str
    title: str = ""


@dataclass(frozen=True)
class CampaignSummary:
    """A named campaign as a letter describes it: its name and what its calls said."""

    id: str
    name: str
    excerpt: str = ""
    calls: int = 0


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
    campaign_details: Sequence[CampaignSummary] = ()
    sender: Sender | None = None
    signatory: Signatory | None = None
    #: Whom the provider asks about the letter (one line: name, telephone, e-mail).
    contact: str = ""


def when(moment: datetime, zone: str, seconds: bool = False) -> str:
    """Times in documents, written for people: ``3 May 2020, 08:00 EDT`` in ``zone`` (the
    ``display_zone`` setting; :func:`robotrace.calendar.for_people`); ``seconds`` for a
    call's time, which the provider looks up in its records."""
    return for_people(moment, zone, seconds=seconds)


def finding_of(row: EvidenceRow, zone: str) -> str:
    """The row's finding as a document writes it ("no response by 3 May 2020, 08:00 EDT")."""
    return row.finding.written(partial(when, zone=zone)) if row.finding else ""


def _roles_text(rows: Sequence[EvidenceRow]) -> str:
    roles = {role for row in rows for role in row.roles}
    if ORIGINATING in roles and "gateway" in roles:
        return "the originating or gateway provider"
    if "gateway" in roles:
        return "the gateway provider (point of entry into the United States)"
    if ORIGINATING in roles:
        return "the originating provider"
    return "a provider in the path"


def _row_view(row: EvidenceRow, zone: str) -> dict[str, Any]:
    return {
        "traceback_id": row.traceback_id,
        "campaign": row.campaign,
        "call_time": when(row.call_time, zone, seconds=True),
        "caller_id": row.caller_id,
        "called_number": row.called_number,
        "role": row.role,
        "finding": finding_of(row, zone),
    }


def date_for_people(moment: datetime, zone: str) -> str:
    """``3 May 2020``: a letter's date, on ``zone``'s calendar (the ``display_zone``
    setting)."""
    local = in_zone(moment, zone)
    return f"{local.day} {local:%B %Y}"


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:g} hour{'' if hours == 1 else 's'}"


def excerpt(text: str, limit: int = 280) -> str:
    """The start of a transcript, cut at a word and marked when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",.;:") + " …"


def salutation(provider: ProviderAddress) -> str:
    name = provider.contact_name.strip()
    return f"Dear {name}:" if name else "Dear Compliance Officer:"


def _summary(rows: Sequence[EvidenceRow], zone: str) -> dict[str, Any]:
    """How many tracebacks, over which dates, in which roles (for the letter's prose)."""
    times = sorted(row.call_time for row in rows)
    roles: dict[str, int] = {}
    for row in rows:
        roles[row.role] = roles.get(row.role, 0) + 1
    return {
        "tracebacks": len(rows),
        "first_call": date_for_people(times[0], zone) if times else "",
        "last_call": date_for_people(times[-1], zone) if times else "",
        "roles": roles,
    }


def letter_context(content: LetterContent, zone: str) -> dict[str, Any]:
    """The variables a letter template gets (documented in docs/enforcement.md), its times
    written in ``zone``."""
    agencies = list(content.agencies)
    sender = content.sender or Sender(agencies[0] if agencies else "")
    signatory = content.signatory or Signatory(sender.name)
    mitigate_in = content.deadlines.mitigate_by - as_utc(content.issued_at)
    named = {c.id: c for c in content.campaign_details}
    details = [named.get(c) or CampaignSummary(c, c) for c in content.campaigns]
    return {
        "letter": {
            "reference": content.reference,
            "date": date_for_people(content.issued_at, zone),
            "issued_at": when(content.issued_at, zone),
            "mitigate_by": when(content.deadlines.mitigate_by, zone),
            "mitigate_within": _hours(mitigate_in),
            "report_by": when(content.deadlines.report_by, zone),
        },
        "provider": vars(content.provider),
        "salutation": salutation(content.provider),
        "sender": vars(sender),
        "signatory": vars(signatory),
        "contact": content.contact or sender.email,
        "agencies": agencies,
        "campaigns": list(content.campaigns),
        "campaign_details": [vars(d) for d in details],
        "originators": list(content.originators),
        "rows": [_row_view(row, zone) for row in content.rows],
        "summary": _summary(content.rows, zone),
        "roles_text": _roles_text(content.rows),
    }


#: A letter as the template check renders it: every variable, with made-up values.
SAMPLE = LetterContent(
    "WL-000001",
    ProviderAddress("XXXX", "Example Telecom", address="1 Main St, Springfield, IL 62701"),
    ["Federal Communications Commission, Enforcement Bureau"],
    datetime(2020, 5, 1, 12, tzinfo=UTC),
    deadlines_for(datetime(2020, 5, 1, 12, tzinfo=UTC), 48, 14),
    ["example-campaign"],
    ["Example Customer"],
    [],
    (CampaignSummary("example-campaign", "Example campaign", "Your car warranty …", 10),),
)


def check_template(path: str) -> str:
    """``path`` when it names a letter template that loads and renders (every variable it
    uses exists); else ValueError saying what is wrong and where."""
    if not path.strip():
        return ""
    try:
        source = Path(path.strip()).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read the letter template: {exc}") from None
    try:
        render_template(source, letter_context(SAMPLE, DEFAULT_ZONE))
    except jinja2.TemplateSyntaxError as exc:
        raise ValueError(f"the letter template, line {exc.lineno}: {exc.message}") from None
    except jinja2.TemplateError as exc:
        raise ValueError(f"the letter template does not render: {exc}") from None
    return path.strip()


def letter_template_setting(letter_template: str) -> str:
    """The ``letter_template`` setting's path, checked with :func:`check_template`: a
    template that does not load is a :class:`~robotrace.settings.SettingError` naming the
    variable."""
    try:
        return check_template(letter_template)
    except ValueError as exc:
        raise SettingError.refusing("letter_template", letter_template, exc) from None


def template_source(override: str, shipped: str) -> str:
    """The template text: the file ``override`` names, or the shipped ``shipped``."""
    path = Path(override) if override else TEMPLATES / shipped
    return path.read_text(encoding="utf-8")


def render_template(source: str, context: dict[str, Any]) -> str:
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    return env.from_string(source).render(**context)


def render_letter_html(
    content: LetterContent, settings: Settings, template: str | None = None
) -> str:
    """The letter as HTML, its times in the ``display_zone``; ``template`` is template text
    (default: the ``letter_template`` setting's, whose check refuses a template that does not
    load: the step is refused, saying why)."""
    try:
        override = letter_template_setting(settings.letter_template)
    except SettingError as exc:
        raise EnforcementError(str(exc)) from None
    source = template or template_source(override, "warning_letter.html")
    return render_template(source, letter_context(content, settings.display_zone))


def html_to_pdf(html: str) -> bytes:
    """A PDF of ``html`` (WeasyPrint; imported here because it loads Pango)."""
    import weasyprint

    return bytes(weasyprint.HTML(string=html).write_pdf())

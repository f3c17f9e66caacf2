"""The hop answer form: its fields, and the :class:`Reply` they make (or why they make none).

Five ways to answer: ``upstream`` (a provider in the directory, found by search),
``new_provider`` (an upstream not in the directory yet, named with its details), ``origin``
(the customer who placed the call), ``not_found`` (with an explanation) and ``refused`` (with
a reason).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import Form

from robotrace.traceback.model import Answer, ProviderInfo
from robotrace.traceback.workflow import Reply
from robotrace.web.pages.common import form_text

KINDS = ("upstream", "new_provider", "origin", "not_found", "refused")
OCN_PATTERN = re.compile(r"^[A-Z0-9]{1,16}$")


@dataclass(frozen=True)
class AnswerForm:
    """The fields as typed, kept to fill the form again after an error."""

    kind: str = ""
    upstream_ocn: str = ""
    new_ocn: str = ""
    new_name: str = ""
    new_country: str = ""
    new_foreign: bool = False
    new_contact_email: str = ""
    customer: str = ""
    customer_details: str = ""
    explanation: str = ""
    reason: str = ""


def answer_form(
    kind: str = Form(""),
    upstream_ocn: str = Form(""),
    new_ocn: str = Form(""),
    new_name: str = Form(""),
    new_country: str = Form(""),
    new_foreign: str = Form(""),
    new_contact_email: str = Form(""),
    customer: str = Form(""),
    customer_details: str = Form(""),
    explanation: str = Form(""),
    reason: str = Form(""),
) -> AnswerForm:
    """The dependency that reads the form."""
    return AnswerForm(
        kind=kind,
        upstream_ocn=upstream_ocn,
        new_ocn=new_ocn,
        new_name=new_name,
        new_country=new_country,
        new_foreign=new_foreign.lower() in ("on", "yes", "true", "1"),
        new_contact_email=new_contact_email,
        customer=customer,
        customer_details=customer_details,
        explanation=explanation,
        reason=reason,
    )


def ocn_of(text: str) -> str:
    ocn = text.strip().upper()
    if not OCN_PATTERN.match(ocn):
        raise ValueError(f"an OCN is 1 to 16 letters or digits, not {text.strip()!r}")
    return ocn


def _required(text: str, what: str, limit: int = 4000) -> str:
    value = form_text(text, limit)
    if not value:
        raise ValueError(f"{what} is required")
    return value


def _new_provider(form: AnswerForm) -> ProviderInfo:
    email = form_text(form.new_contact_email, 200)
    if email and "@" not in email:
        raise ValueError(f"not an e-mail address: {email!r}")
    return ProviderInfo(
        ocn=ocn_of(form.new_ocn),
        name=_required(form.new_name, "the new provider's name", 200),
        country=form_text(form.new_country, 100) or "United States",
        foreign=form.new_foreign,
        contact_email=email,
    )


def reply_of(form: AnswerForm) -> Reply:
    """The :class:`Reply` the form says, or ValueError with what is missing or wrong."""
    if form.kind == "upstream":
        return Reply(Answer.UPSTREAM, upstream=ocn_of(form.upstream_ocn))
    if form.kind == "new_provider":
        named = _new_provider(form)
        return Reply(Answer.UPSTREAM, upstream=named.ocn, new_provider=named)
    if form.kind == "origin":
        customer = _required(form.customer, "the customer's name", 200)
        return Reply(Answer.ORIGIN, customer=customer, note=form_text(form.customer_details, 4000))
    if form.kind == "not_found":
        return Reply(Answer.NOT_FOUND, note=_required(form.explanation, "an explanation"))
    if form.kind == "refused":
        return Reply(Answer.REFUSED, note=_required(form.reason, "a reason"))
    raise ValueError("choose one of the answers")

"""The hop answer form: its fields, and the :class:`Reply` they make (or why they make none).

Five ways to answer: ``upstream`` (a provider in the directory, found by search),
``new_provider`` (an upstream not in the directory yet, named with its details), ``origin``
(the customer who placed the call), ``not_found`` (with an explanation) and ``refused`` (with
a reason).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Form

from robotrace.providers.identity import readings_of
from robotrace.providers.registry import Provider, named_provider
from robotrace.traceback.model import Answer
from robotrace.traceback.workflow import Reply
from robotrace.web.pages.common import form_text

KINDS = ("upstream", "new_provider", "origin", "not_found", "refused")


@dataclass(frozen=True)
class AnswerForm:
    """The fields as typed, kept to fill the form again after an error."""

    kind: str = ""
    upstream_key: str = ""
    new_name: str = ""
    new_country: str = ""
    new_foreign: bool = False
    new_contact_email: str = ""
    new_contact_phone: str = ""
    new_ocn: str = ""
    new_rmd_number: str = ""
    new_frn: str = ""
    customer: str = ""
    customer_details: str = ""
    explanation: str = ""
    reason: str = ""


def answer_form(
    kind: str = Form(""),
    upstream_key: str = Form(""),
    new_name: str = Form(""),
    new_country: str = Form(""),
    new_foreign: str = Form(""),
    new_contact_email: str = Form(""),
    new_contact_phone: str = Form(""),
    new_ocn: str = Form(""),
    new_rmd_number: str = Form(""),
    new_frn: str = Form(""),
    customer: str = Form(""),
    customer_details: str = Form(""),
    explanation: str = Form(""),
    reason: str = Form(""),
) -> AnswerForm:
    """The dependency that reads the form."""
    return AnswerForm(
        kind=kind,
        upstream_key=upstream_key,
        new_name=new_name,
        new_country=new_country,
        new_foreign=new_foreign.lower() in ("on", "yes", "true", "1"),
        new_contact_email=new_contact_email,
        new_contact_phone=new_contact_phone,
        new_ocn=new_ocn,
        new_rmd_number=new_rmd_number,
        new_frn=new_frn,
        customer=customer,
        customer_details=customer_details,
        explanation=explanation,
        reason=reason,
    )


def upstream_of(text: str) -> str:
    """The upstream as typed: a key, OCN, RMD number or FRN (the service finds which)."""
    value = text.strip()
    if not readings_of(value):
        raise ValueError(
            f"{value[:40]!r} is no provider's key, OCN, RMD number or FRN: choose one from "
            "the search, or name a provider not in the directory"
        )
    return value


def _required(text: str, what: str, limit: int = 4000) -> str:
    value = form_text(text, limit)
    if not value:
        raise ValueError(f"{what} is required")
    return value


def named_of(form: AnswerForm) -> Provider | None:
    """The provider the form names as new, checked as the API checks it."""
    if form.kind != "new_provider":
        return None
    return named_provider(
        form.new_name,
        country=form.new_country,
        foreign=form.new_foreign,
        contact_email=form.new_contact_email,
        contact_phone=form.new_contact_phone,
        ocn=form.new_ocn,
        rmd_number=form.new_rmd_number,
        frn=form.new_frn,
    )


def reply_of(form: AnswerForm) -> Reply:
    """The :class:`Reply` the form says, or ValueError with what is missing or wrong."""
    if form.kind == "upstream":
        return Reply(Answer.UPSTREAM, upstream=upstream_of(form.upstream_key))
    if form.kind == "new_provider":
        named_of(form)  # checked here, so that a bad field is said before anything is stored
        return Reply(Answer.UPSTREAM)
    if form.kind == "origin":
        customer = _required(form.customer, "the customer's name", 200)
        return Reply(Answer.ORIGIN, customer=customer, note=form_text(form.customer_details, 4000))
    if form.kind == "not_found":
        return Reply(Answer.NOT_FOUND, note=_required(form.explanation, "an explanation"))
    if form.kind == "refused":
        return Reply(Answer.REFUSED, note=_required(form.reason, "a reason"))
    raise ValueError("choose one of the answers")

"""The hop answer form: its fields, and the :class:`Reply` they make (or why they make none).

Five ways to answer: ``upstream`` (a provider in the directory, named in one field by its
exact name, key, OCN, RMD number or FRN, found by search as it is typed),
``new_provider`` (an upstream not in the directory yet, named with its details), ``origin``
(the customer who placed the call), ``not_found`` (with an explanation) and ``refused`` (with
a reason).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from fastapi import Form
from sqlalchemy.orm import Session

from robotrace.providers.identity import readings_of
from robotrace.providers.registry import Provider, named_provider
from robotrace.providers.store import resolve_key
from robotrace.traceback.model import Answer, OriginAction
from robotrace.traceback.workflow import Reply
from robotrace.web.access import DirectoryEntry, search_directory
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
    origin_action: str = ""
    received_attest: str = ""
    received_signer: str = ""


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
    origin_action: str = Form(""),
    received_attest: str = Form(""),
    received_signer: str = Form(""),
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
        origin_action=origin_action,
        received_attest=received_attest,
        received_signer=received_signer,
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


#: How many matches an upstream that names no provider exactly is shown with.
CHOICES_SHOWN = 8


class UnclearUpstream(ValueError):
    """The upstream field names no provider exactly; ``choices`` are the providers it could
    mean (none: nothing in the directory matches)."""

    def __init__(self, text: str, choices: list[DirectoryEntry]) -> None:
        self.choices = choices
        if choices:
            said = (
                f"{text[:40]!r} is not the exact name, key, OCN, RMD number or FRN of a provider "
                "in the directory: choose the one you mean from the list below"
            )
        else:
            said = (
                f"no provider in the directory is called or numbered {text[:40]!r}: check the "
                "spelling, or name it as a provider not in the directory"
            )
        super().__init__(said)


def chosen_upstream(db: Session, text: str) -> str:
    """What the one upstream field names, for the service to resolve: an identifier as typed
    (a key, OCN, RMD number or FRN), or the key of the one provider whose name is exactly
    ``text`` (case and spacing aside). A part of a name is never taken for a provider — the
    answer cannot be changed once sent — so it raises :class:`UnclearUpstream` with the
    providers it could mean."""
    value = form_text(text, 200)
    if not value:
        raise ValueError(
            "name the provider you received the call from: its name, OCN, RMD number or FRN"
        )
    if readings_of(value) and resolve_key(db, value) is not None:
        return value  # an identifier a provider holds: the service resolves it alike
    spaced = " ".join(value.split())
    found = search_directory(db, spaced, CHOICES_SHOWN)
    wanted = spaced.casefold()
    exact = [e for e in found if " ".join(e.name.split()).casefold() == wanted]
    if len(exact) == 1:
        return exact[0].key
    if readings_of(value) and not found:
        return value  # shaped like an identifier: the service says it is unknown
    raise UnclearUpstream(value, exact or found)


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


def origin_action_of(form: AnswerForm) -> OriginAction:
    """The hop form's origin action: required there, as the consortium asks an origin."""
    try:
        return OriginAction(form.origin_action)
    except ValueError:
        raise ValueError("the action taken with the customer is required") from None


def received_of(form: AnswerForm, reply: Reply) -> Reply:
    """``reply`` with what the form says the call arrived with of STIR/SHAKEN (blank: not
    said); the workflow checks the values."""
    attest = form.received_attest.strip() or None
    signer = form.received_signer.strip() or None
    return replace(reply, received_attest=attest, received_signer=signer)


def hop_reply_of(form: AnswerForm, upstream: str | None = None) -> Reply:
    """The hop form's :class:`Reply`: :func:`reply_of` plus what the call arrived with and,
    for origin, the action taken with the customer."""
    reply = received_of(form, reply_of(form, upstream))
    if reply.answer is Answer.ORIGIN:
        reply = replace(reply, origin_action=origin_action_of(form))
    return reply


def reply_of(form: AnswerForm, upstream: str | None = None) -> Reply:
    """The :class:`Reply` the form says, or ValueError with what is missing or wrong;
    ``upstream``: the field as :func:`chosen_upstream` read it."""
    if form.kind == "upstream":
        return Reply(Answer.UPSTREAM, upstream=upstream_of(upstream or form.upstream_key))
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

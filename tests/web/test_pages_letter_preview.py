"""Issue 22: a letter (or a notification) never goes out on one click. The regulator sees the
exact letter first and sends it, saves it as a draft the provider never sees, or cancels;
the desk marks the providers already warned, notified or blocked."""

from __future__ import annotations

import re

from robotrace.store import models
from robotrace.store.db import transaction

from .test_pages_enforcement import (  # noqa: F401 - fixtures
    ALPHA,
    REGULATOR,
    count,
    evidence,
    letter_id,
    post,
)

PREVIEW = "/enforcement/providers/AAAA/preview"


def audited(engine, action: str) -> int:
    with transaction(engine) as session:
        return session.query(models.AuditEvent).filter_by(action=action).count()


def test_the_evidence_form_previews_instead_of_issuing(world, evidence, client_for):  # noqa: F811
    page = client_for(REGULATOR).get("/enforcement/providers/AAAA").text
    assert f'action="{PREVIEW}"' in page and "Preview the letter" in page
    assert 'action="/enforcement/providers/AAAA/letters"' not in page


def test_a_preview_shows_the_exact_letter_and_stores_and_sends_nothing(
    world,
    evidence,  # noqa: F811
    client_for,
    engine,
):
    regulator = client_for(REGULATOR)
    shown = post(regulator, PREVIEW, kind="warning_letter", campaigns="covid-test-kits")
    assert shown.status_code == 200
    assert "WL-000001" in shown.text and "sandbox srcdoc=" in shown.text
    assert "Send the letter" in shown.text and "Save as draft" in shown.text
    assert 'value="covid-test-kits"' in shown.text  # carried to Send
    assert count(engine, models.EnforcementAction) == 0
    assert count(engine, models.Notification) == 0
    assert audited(engine, "letter.issued") == 0
    # Sending takes the preview's fields and issues the same letter number.
    sent = post(regulator, "/enforcement/providers/AAAA/letters", campaigns="covid-test-kits")
    assert sent.status_code == 303
    with transaction(engine) as session:
        [letter] = session.query(models.EnforcementAction).all()
        assert letter.number == 1 and letter.named_campaigns == ["covid-test-kits"]


def test_a_notification_is_previewed_the_same_way(world, evidence, client_for, engine):  # noqa: F811
    shown = post(client_for(REGULATOR), PREVIEW, kind="notification", campaigns="covid-test-kits")
    assert shown.status_code == 200 and "NSIT-000001" in shown.text
    assert "Send the notification" in shown.text
    assert count(engine, models.EnforcementAction) == 0


def test_a_preview_naming_nothing_shows_the_form_again_with_the_reason(world, evidence, client_for):  # noqa: F811
    refused = post(client_for(REGULATOR), PREVIEW, kind="warning_letter")
    assert refused.status_code == 422 and "No letter to preview" in refused.text
    assert post(client_for(REGULATOR), PREVIEW, kind="revocation").status_code == 422


def save_draft(client, **named):
    saved = post(client, "/enforcement/drafts", provider="AAAA", kind="warning_letter", **named)
    assert saved.status_code == 303, saved.text
    match = re.fullmatch(r"/enforcement/drafts/(\d+)", saved.headers["location"])
    assert match
    return int(match.group(1))


def test_a_draft_is_kept_unsent_and_unseen_by_the_provider(world, evidence, client_for, engine):  # noqa: F811
    regulator = client_for(REGULATOR)
    draft = save_draft(regulator, campaigns="covid-test-kits")
    assert count(engine, models.EnforcementAction) == 0
    assert count(engine, models.Notification) == 0
    page = regulator.get(f"/enforcement/drafts/{draft}")
    assert page.status_code == 200 and "WL-000001" in page.text and "Discard" in page.text
    assert f"/enforcement/drafts/{draft}" in regulator.get("/enforcement").text
    assert f"/enforcement/drafts/{draft}" in regulator.get("/enforcement/providers/AAAA").text
    alpha = client_for(ALPHA)
    assert alpha.get(f"/enforcement/drafts/{draft}").status_code == 403
    assert "covid" not in alpha.get("/letters").text


def test_a_draft_is_edited_then_sent_and_is_gone(world, evidence, client_for, engine):  # noqa: F811
    regulator = client_for(REGULATOR)
    draft = save_draft(regulator, campaigns="covid-test-kits")
    editing = regulator.get(f"/enforcement/providers/AAAA?draft={draft}").text
    assert f'name="draft_id" value="{draft}"' in editing
    assert re.search(r'value="covid-test-kits" checked', editing)
    assert save_draft(regulator, campaigns="auto-warranty", draft_id=draft) == draft
    with transaction(engine) as session:
        assert session.get(models.EnforcementDraft, draft).named_campaigns == ["auto-warranty"]
    sent = post(
        regulator, "/enforcement/providers/AAAA/letters", campaigns="auto-warranty", draft_id=draft
    )
    assert sent.status_code == 303
    assert count(engine, models.EnforcementDraft) == 0
    assert count(engine, models.EnforcementAction) == 1
    assert regulator.get(f"/enforcement/drafts/{draft}").status_code == 404


def test_a_discarded_draft_leaves_nothing(world, evidence, client_for, engine):  # noqa: F811
    regulator = client_for(REGULATOR)
    draft = save_draft(regulator, campaigns="covid-test-kits")
    gone = post(regulator, f"/enforcement/drafts/{draft}/discard")
    assert gone.status_code == 303 and gone.headers["location"] == "/enforcement/providers/AAAA"
    assert count(engine, models.EnforcementDraft) == 0
    assert count(engine, models.EnforcementAction) == 0
    assert audited(engine, "draft.discarded") == 1


def test_the_desk_marks_a_warned_provider_with_a_link_to_its_letter(world, letter_id, client_for):  # noqa: F811
    regulator = client_for(REGULATOR)
    desk = regulator.get("/enforcement").text
    candidates = desk.split("Candidates for a letter")[1].split("</table>")[0]
    assert f'href="/letters/{letter_id}"' in candidates and "warned" in candidates
    assert "WL-000001" in candidates
    page = regulator.get("/enforcement/providers/AAAA").text
    already = page.split('class="marks"')[1].split("</p>")[0]
    assert f'href="/letters/{letter_id}"' in already and "warned" in already

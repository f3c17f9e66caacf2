"""Issue 22 in Debian's chromium against `robotrace serve`: the regulator sees the exact letter
before it goes out, keeps it as a draft the provider never sees, edits and sends it; the desk
then marks the provider warned, with a link to the letter. Screenshots at desktop and phone
width are kept in test-artifacts/browser/."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser.conftest import screenshot, served, signed_in
from tests.browser.test_letter_flow import seed_evidence

PHONE = {"width": 390, "height": 844}
SETTINGS = {
    "ROBOTRACE_OPERATOR_NAME": "FCC Enforcement Bureau",
    "ROBOTRACE_OPERATOR_ADDRESS": "45 L Street NE, Washington, DC 20554",
    "ROBOTRACE_LETTER_SIGNATORY": "Loyaan A. Egal",
    "ROBOTRACE_LETTER_SIGNATORY_TITLE": "Chief, Enforcement Bureau",
}


@pytest.fixture(scope="module")
def drafts_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(tmp_path_factory.mktemp("drafts"), seed_evidence, SETTINGS) as base:
        yield base


def document_text(page) -> str:
    """The text of the letter in the preview's sandboxed frame."""
    frame = page.frame_locator("iframe.preview-document")
    return " ".join(frame.locator("body").inner_text().split())


def test_a_letter_is_previewed_kept_as_a_draft_edited_and_sent(browser, drafts_portal):
    regulator = signed_in(browser, drafts_portal, "fcc@example.org")
    regulator.goto(f"{drafts_portal}/enforcement/providers/AAAA")
    regulator.check("input[name=campaigns][value=covid-test-kits]")
    regulator.click("form.letter-form button.issue-letter")
    regulator.wait_for_url(re.compile(r".*/enforcement/providers/AAAA/preview$"))
    assert "not sent" in regulator.inner_text("h1")
    letter = document_text(regulator)
    assert letter.startswith("FCC Enforcement Bureau")
    assert "Dear Compliance Officer:" in letter and "covid-test-kits" in letter
    assert "Sincerely, Loyaan A. Egal Chief, Enforcement Bureau" in letter
    assert re.search(r"within 48 hours of this letter, that is by \d+ \w+ \d{4}, \d\d:\d\d", letter)
    screenshot(regulator, "letter-preview-desktop")
    regulator.set_viewport_size(PHONE)
    width = regulator.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    screenshot(regulator, "letter-preview-phone")
    regulator.set_viewport_size({"width": 1280, "height": 900})

    regulator.click("form.preview-actions button.save-draft")
    regulator.wait_for_url(re.compile(r".*/enforcement/drafts/\d+$"))
    draft_url = regulator.url
    assert "Draft" in regulator.inner_text("h1")

    # The provider sees no letter, and cannot open the draft.
    alpha = signed_in(browser, drafts_portal, "noc@aaaa.example")
    alpha.goto(f"{drafts_portal}/letters")
    assert "No warning letters." in alpha.inner_text("main")
    assert alpha.goto(draft_url).status == 403

    # Edit: the evidence page ticks the draft's choice; add the other campaign and send.
    regulator.click("a.edit")
    regulator.wait_for_url(re.compile(r".*/enforcement/providers/AAAA\?draft=\d+.*"))
    assert regulator.is_checked("input[name=campaigns][value=covid-test-kits]")
    regulator.check("input[name=campaigns][value=ssa]")
    regulator.click("form.letter-form button.issue-letter")
    assert "ssa" in document_text(regulator)
    regulator.click("form.preview-actions button.send")
    regulator.wait_for_url(re.compile(r".*/letters/\d+$"))
    letter_path = regulator.url.removeprefix(drafts_portal)
    assert "WL-000001" in regulator.inner_text("h1")
    assert regulator.goto(draft_url).status == 404  # sent: the draft is gone

    # The desk marks AAAA as warned, linking the letter.
    regulator.goto(f"{drafts_portal}/enforcement")
    row = regulator.locator("table.candidates tr", has_text="AAAA")
    mark = row.locator("a.mark-warned")
    assert mark.inner_text().split() == ["warned", "WL-000001"]
    assert mark.get_attribute("href") == letter_path
    screenshot(regulator, "enforcement-desk-marks-desktop")
    regulator.set_viewport_size(PHONE)
    screenshot(regulator, "enforcement-desk-marks-phone")
    alpha.goto(f"{drafts_portal}/letters")
    assert "WL-000001" in alpha.inner_text("main")

"""A provider answers its hop requests in Debian's chromium against `robotrace serve`: it
finds the call by the spellings of its numbers and its time on its own clock, names the
upstream in one field that searches as it is typed (and without JavaScript by the exact
name), sees what was recorded and goes on to the next open request; its own page lists its
letters and authorizations and where it stands on the block list — at desktop width and on
a phone (390 px)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from robotrace.clock import SystemClock
from robotrace.enforcement.service import publish_blocklist
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.db import transaction
from robotrace.traceback import service
from robotrace.traceback.model import CallUnderTrace
from tests.browser.conftest import screenshot, seed_portal, served, signed_in
from tests.browser.test_provider_registry import DESKTOP, PHONE, sideways_overflow
from tests.support import settings_policy

#: The world's call (tests.web.conftest.CALL) and two more, all first at AAAA.
CALLS = [
    CallUnderTrace("+17135551234", "+13125550101", datetime(2020, 4, 30, 16, 0, tzinfo=UTC)),
    CallUnderTrace("+17135551234", "+13125550102", datetime(2020, 4, 30, 17, 0, tzinfo=UTC)),
]


def seed_answers(engine: Engine) -> None:
    """The world, two more requests at AAAA, a letter and an active authorization against
    AAAA, and the block list published."""
    seed_portal(engine)
    clock = SystemClock()
    with transaction(engine) as session:
        for call in CALLS:
            service.open_traceback(
                session,
                call,
                "AAAA",
                "coordinator:coord@example.org",
                clock,
                policy=settings_policy(),
            )
        aaaa = session.scalar(select(models.Provider.id).where(models.Provider.key == "AAAA"))
        now = clock.now()
        session.add_all(
            [
                models.EnforcementAction(
                    provider_id=aaaa, kind="warning_letter", status="issued",
                    issued_at=now - timedelta(days=3), mitigate_by=now - timedelta(days=1),
                    report_by=now + timedelta(days=11),
                ),
                models.EnforcementAction(
                    provider_id=aaaa, kind="block_authorization", status="active",
                    scope="provider", issued_at=now - timedelta(days=1),
                    effective_at=now - timedelta(hours=20), reason="still carrying the traffic",
                ),
            ]
        )  # fmt: skip
        session.flush()
        publish_blocklist(session, clock, Settings.from_environ())


@pytest.fixture(scope="module")
def answers_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(tmp_path_factory.mktemp("answers"), seed_answers) as base:
        yield base


def first_open_request(page, portal: str) -> str:
    page.goto(f"{portal}/inbox")
    page.locator("table a[href^='/inbox/']").first.click()
    page.wait_for_url(re.compile(r".*/inbox/\d+$"))
    return page.url


def test_a_provider_finds_the_call_names_its_upstream_and_goes_on_to_the_next(
    browser, answers_portal
):
    alpha = signed_in(browser, answers_portal, "noc@aaaa.example", DESKTOP)
    first = first_open_request(alpha, answers_portal)
    # The world's call: +12025550143 → +13125550199 at 2020-04-30 15:04:05 UTC.
    assert "(202) 555-0143" in alpha.inner_text("dd.spellings.calling")
    assert "312-555-0199" in alpha.inner_text("dd.spellings.called")
    assert "30 Apr 2020, 11:04:05 EDT" in alpha.inner_text("dd.call-time-local")
    assert alpha.locator("form.answer-form input[name=q]").count() == 0  # one upstream field

    alpha.fill("#upstream_key", "Bravo")
    alpha.locator("#search-results button.choose", has_text="BBBB").click()
    assert alpha.input_value("#upstream_key") == "BBBB"
    assert alpha.is_checked("#kind-upstream")
    screenshot(alpha, "provider-answer-1-upstream-chosen-1280")
    alpha.click("form.answer-form button[type=submit]")
    alpha.wait_for_url(re.compile(r".*/inbox/\d+\?recorded=1$"))
    said = " ".join(alpha.inner_text("#recorded").split())
    assert "Your answer is recorded" in said
    assert "you received the call from BBBB Bravo Wholesale" in said
    screenshot(alpha, "provider-answer-2-recorded-1280")

    alpha.click("a[rel=next]")
    alpha.wait_for_url(re.compile(r".*/inbox/\d+$"))
    assert alpha.url != first
    assert "(713) 555-1234" in alpha.inner_text("dd.spellings.calling")


def test_without_javascript_the_exact_name_names_the_upstream_and_a_part_offers_choices(
    browser, answers_portal
):
    phone = signed_in(browser, answers_portal, "noc@aaaa.example", PHONE, javascript=False)
    first_open_request(phone, answers_portal)
    assert sideways_overflow(phone) == 0
    screenshot(phone, "provider-answer-3-request-390")
    phone.check("#kind-upstream")
    phone.fill("#upstream_key", "Charlie")
    phone.click("form.answer-form button[type=submit]")
    phone.wait_for_load_state()
    assert "choose the one you mean" in phone.inner_text("#answer-error")
    assert "CCCC" in phone.inner_text("#search-results")
    assert sideways_overflow(phone) == 0
    screenshot(phone, "provider-answer-4-choices-390")

    phone.fill("#upstream_key", "charlie gateway")
    phone.click("form.answer-form button[type=submit]")
    phone.wait_for_url(re.compile(r".*\?recorded=1$"))
    assert "CCCC Charlie Gateway" in phone.inner_text("#recorded")
    assert sideways_overflow(phone) == 0
    screenshot(phone, "provider-answer-5-recorded-390")


@pytest.mark.parametrize(
    ("email", "who"), [("noc@aaaa.example", "provider"), ("coord@example.org", "coordinator")]
)
def test_the_provider_page_shows_its_letters_authorizations_and_block_list_standing(
    browser, answers_portal, email, who
):
    for viewport, width in ((DESKTOP, 1280), (PHONE, 390)):
        page = signed_in(browser, answers_portal, email, viewport)
        page.goto(f"{answers_portal}/providers/AAAA")
        record = page.locator("section.enforcement-record")
        assert record.locator("a", has_text="WL-").count() == 1
        assert record.locator("a", has_text="BA-").count() == 1
        assert "On the current block list (version 1" in page.inner_text("p.block-list-standing")
        reference = page.inner_text("section.blocked td.reference")
        assert reference.startswith("BA-") and reference in page.inner_text("p.block-list-standing")
        assert sideways_overflow(page) == 0
        screenshot(page, f"provider-page-{who}-{width}")

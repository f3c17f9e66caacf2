"""A provider reads what a hop request is about in Debian's chromium: the campaign, what its
calls say and the recording — and no traceback id anywhere on the page."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from robotrace.clock import SystemClock
from tests.browser.conftest import screenshot, seed_portal, served, signed_in
from tests.web.test_hop_request_asked import RECORDING, traced_campaign_call


def seed(engine: Engine) -> None:
    seed_portal(engine)
    traced_campaign_call(engine, SystemClock())


@pytest.fixture(scope="module")
def asked_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(tmp_path_factory.mktemp("asked"), seed) as base:
        yield base


def test_a_provider_reads_what_its_request_is_about(browser, asked_portal):
    page = signed_in(browser, asked_portal, "noc@aaaa.example")
    page.goto(f"{asked_portal}/inbox")
    page.locator("a", has_text=re.compile(r"^#?\d+$")).last.click()
    page.wait_for_url(re.compile(r".*/inbox/\d+$"))
    section = page.locator("section.asked")
    assert "IRS arrest warrant" in section.inner_text()
    assert "A warrant has been issued for your arrest" in section.inner_text()
    links = section.locator("a").evaluate_all("els => els.map(e => e.href)")
    assert RECORDING in links or "other call" in section.inner_text()
    assert "TB-" not in page.inner_text("main")
    screenshot(page, "hop-request-asked")

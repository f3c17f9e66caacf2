"""In Debian's chromium: a provider's answer says the STIR/SHAKEN attestation and signer the
call arrived with, the originating provider says what it did with its customer, and the
coordinator's traceback page shows the attestation along the chain and the action at the
origin (issue 23 items 2 and 3) — at desktop width and on a phone (390 px)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from robotrace.clock import SystemClock
from tests.browser.conftest import screenshot, served, signed_in
from tests.browser.test_provider_answer_form import first_open_request
from tests.browser.test_provider_registry import DESKTOP, PHONE, sideways_overflow
from tests.web.conftest import seed_world

SEEDED: dict[str, str] = {}


def _seed(engine: Engine) -> None:
    SEEDED["traceback"] = seed_world(engine, SystemClock())


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(tmp_path_factory.mktemp("shaken-hops"), _seed) as base:
        yield base


def _send(page) -> None:
    page.click("form.answer-form button[type=submit]")
    page.wait_for_load_state()


def test_the_chain_shows_what_each_hop_received_and_the_origins_action(browser, portal):
    alpha = signed_in(browser, portal, "noc@aaaa.example", DESKTOP)
    first_open_request(alpha, portal)
    alpha.check("#kind-upstream")
    alpha.fill("#upstream_key", "BBBB")
    alpha.select_option("#received_attest", "C")
    alpha.fill("#received_signer", "CCCC")
    screenshot(alpha, "hop-shaken-1-received-1280")
    _send(alpha)
    assert "Your answer is recorded" in alpha.inner_text("#recorded")

    bravo = signed_in(browser, portal, "noc@bbbb.example", PHONE)
    first_open_request(bravo, portal)
    bravo.check("#kind-origin")
    bravo.fill("input[name=customer]", "Dialer LLC")
    _send(bravo)  # no action chosen: said, and nothing recorded
    assert "the action taken with the customer is required" in bravo.inner_text("#answer-error")
    assert bravo.input_value("input[name=customer]") == "Dialer LLC"  # the form is kept
    bravo.select_option("#origin_action", "terminated")
    bravo.select_option("#received_attest", "none")
    assert sideways_overflow(bravo) == 0
    screenshot(bravo, "hop-shaken-2-origin-action-390")
    _send(bravo)
    assert "Your answer is recorded" in bravo.inner_text("#recorded")

    for viewport, width in ((DESKTOP, 1280), (PHONE, 390)):
        coord = signed_in(browser, portal, "coord@example.org", viewport)
        coord.goto(f"{portal}/tracebacks/{SEEDED['traceback']}")
        chain = [" ".join(t.split()) for t in coord.locator("ol.chain li.hop").all_inner_texts()]
        assert "received: C signed by CCCC" in chain[0] and "received: unsigned" in chain[1]
        cells = coord.locator("td.received-shaken").all_inner_texts()
        assert [c.strip() for c in cells] == ["C by CCCC", "unsigned"]
        assert "action with the customer: terminated" in coord.inner_text("span.origin-action")
        assert width == 1280 or sideways_overflow(coord) == 0
        screenshot(coord, f"hop-shaken-3-traceback-chain-{width}")
    assert re.search(r"outcome-origin_identified", coord.content())

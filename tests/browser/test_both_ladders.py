"""Both enforcement ladders worked by people in Debian's chromium, on a portal whose clock the
test moves (the portal runs in this process, on a :class:`SimulatedClock`, so that deadlines
pass in seconds; the worker's proposals come from
:func:`robotrace.enforcement.worker.decide_due_letters`, called here as the worker would).

- K4: the regulator warns the gateway provider AAAA; after the 48 hours and the grace period
  the worker proposes noncompliant (a call came through after the deadline); the regulator
  accepts the proposal and authorizes blocking; the downstream provider BBBB declares that it
  blocks under the authorization, and its notice to the FCC is a PDF.
- 64.1200(n): the regulator notifies AAAA; AAAA answers that it is not the carrier and names
  FFFF, which is notified and stays silent; the worker proposes no_response; the regulator
  decides it, issues the initial order, and 14 days later the final order: the public block
  list has a mandatory ``final_order`` entry naming AAAA as the provider that must block.

Each new page is also looked at 390 px wide: nothing may make the page scroll sideways.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from robotrace.clock import SimulatedClock
from robotrace.enforcement.worker import decide_due_letters
from robotrace.settings import Settings
from robotrace.store.db import make_engine, transaction, upgrade
from robotrace.traceback.store import save_traceback
from robotrace.web.app import create_app
from tests.browser.conftest import screenshot, signed_in
from tests.support import free_port
from tests.web.conftest import seed_world
from tests.web.test_pages_enforcement import through_alpha

T0 = datetime(2020, 5, 1, 12, 0, tzinfo=UTC)
GRACE = timedelta(hours=24)  # compliance_grace_hours' default
FOURTEEN_DAYS = timedelta(days=14)  # a notification's and an initial order's time to respond
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@contextmanager
def served_on(
    folder: Path, seed: Callable[[Engine], object], clock: SimulatedClock
) -> Iterator[tuple[str, Engine]]:
    """The portal on a SQLite store in ``folder`` that ``seed`` filled, under uvicorn in a
    thread of this process, reading ``clock``; its base URL and the store's engine."""
    import uvicorn

    url = f"sqlite:///{folder / 'robotrace.db'}"
    engine = make_engine(url)
    upgrade(engine)
    seed(engine)
    app = create_app(url, clock)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the portal did not start")
            time.sleep(0.05)
        yield base, engine
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        app.state.engine.dispose()
        engine.dispose()


def seed_ladders(engine: Engine) -> None:
    """The web tests' world at T0, and two recent tracebacks in which AAAA let in FFFF's
    calls (BBBB ← AAAA ← FFFF)."""
    seed_world(engine, SimulatedClock(T0))
    with transaction(engine) as session:
        save_traceback(session, through_alpha(T0 - timedelta(days=2), "TB-000101"))
        save_traceback(session, through_alpha(T0 - timedelta(days=3), "TB-000102", "ssa"))


@pytest.fixture(scope="module")
def clock() -> SimulatedClock:
    return SimulatedClock(T0)


@pytest.fixture(scope="module")
def ladders(tmp_path_factory: pytest.TempPathFactory, clock) -> Iterator[tuple[str, Engine]]:
    with served_on(tmp_path_factory.mktemp("ladders"), seed_ladders, clock) as served:
        yield served


def sideways_overflow(page) -> int:
    """How many pixels the page is wider than the window (0: it fits)."""
    return int(
        page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    )


def fits_a_phone(browser, portal: str, email: str, paths: list[str], name: str) -> None:
    phone = signed_in(browser, portal, email, PHONE)
    for n, path in enumerate(paths, start=1):
        phone.goto(portal + path)
        screenshot(phone, f"{name}-{n}-390")
        assert sideways_overflow(phone) == 0, path
    phone.context.close()


def test_a_regulator_works_both_ladders_end_to_end(browser, ladders, clock):
    portal, engine = ladders

    # --- K4: the letter, its 48 hours, the proposal, the decision, the authorization ---
    regulator = signed_in(browser, portal, "fcc@example.org", DESKTOP)
    regulator.goto(f"{portal}/enforcement")
    regulator.locator("table.candidates a", has_text="AAAA").click()
    regulator.wait_for_url(re.compile(r".*/enforcement/providers/AAAA$"))
    regulator.check("input[name=campaigns][value=covid-test-kits]")
    regulator.click("form.letter-form button.issue-letter")
    regulator.click("form.preview-actions button.send")  # after the preview
    regulator.wait_for_url(re.compile(r".*/letters/\d+$"))
    letter_path = regulator.url.removeprefix(portal)
    assert "2020-05-03 12:00:00 UTC — 2 d 0 h left" in regulator.inner_text("dl.deadlines")

    with transaction(engine) as session:  # the gateway let a named call in after the deadline
        save_traceback(session, through_alpha(T0 + timedelta(hours=49), "TB-000103"))
    clock.advance(timedelta(hours=48) + GRACE + timedelta(seconds=1))
    assert decide_due_letters(engine, clock, Settings.from_environ()) == 1

    regulator.goto(f"{portal}/enforcement")
    k4 = regulator.locator("section.ladder-k4")
    assert "decide (proposal: noncompliant)" in k4.locator("tr.awaiting").first.inner_text()
    regulator.goto(portal + letter_path)
    proposal = regulator.inner_text("section.proposal")
    assert "noncompliant" in proposal and "TB-000103" in proposal
    screenshot(regulator, "ladders-1-letter-proposal")
    assert regulator.is_checked("form.decide-form input[name=status][value=noncompliant]")
    regulator.click("form.decide-form button[type=submit]")
    regulator.wait_for_load_state()
    assert "noncompliant" in regulator.inner_text("h1 .status")
    regulator.click("form.authorize-form button[type=submit]")
    regulator.wait_for_url(re.compile(r".*/authorizations/\d+$"))
    authorization_path = regulator.url.removeprefix(portal)

    bravo = signed_in(browser, portal, "noc@bbbb.example", DESKTOP)
    bravo.click("header nav a:has-text('Blocking')")
    bravo.locator("table.authorizations a", has_text="BA-").first.click()
    bravo.wait_for_url(re.compile(r".*/authorizations/\d+$"))
    assert bravo.url.removeprefix(portal) == authorization_path
    bravo.fill("form.blocking-form input[name=calls_blocked]", "40")
    bravo.click("form.blocking-form button[type=submit]")
    bravo.wait_for_load_state()
    notices = bravo.inner_text("table.notices")
    assert "BBBB" in notices and "40" in notices and "late notice" not in notices
    screenshot(bravo, "ladders-2-provider-blocks-under-the-authorization")
    pdf = bravo.request.get(portal + bravo.get_attribute("a.notice-pdf", "href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    fits_a_phone(
        browser, portal, "noc@bbbb.example", [authorization_path, "/authorizations"], "ladders-k4"
    )

    # --- 64.1200(n): notification, referral upstream, silence, orders ---
    regulator.goto(f"{portal}/enforcement/providers/AAAA")
    regulator.check("input[name=campaigns][value=covid-test-kits]")
    regulator.click("form.letter-form button.issue-notification")
    regulator.click("form.preview-actions button.send")  # after the preview
    regulator.wait_for_url(re.compile(r".*/orders/\d+$"))
    assert "14 d 0 h left" in regulator.inner_text("dl.deadlines")

    alpha = signed_in(browser, portal, "noc@aaaa.example", DESKTOP)
    alpha.locator("section.open-orders a", has_text="NSIT-").first.click()
    alpha.wait_for_url(re.compile(r".*/orders/\d+$"))
    notification_path = alpha.url.removeprefix(portal)
    alpha.fill("form.not-carrier-form input[name=q]", "Foxtrot")
    alpha.locator("#search-results button.choose", has_text="FFFF").click()
    assert alpha.input_value("form.not-carrier-form input[name=upstreams]") == "FFFF"
    alpha.fill("form.not-carrier-form textarea[name=text]", "Foxtrot Intl handed us these calls.")
    screenshot(alpha, "ladders-3-provider-names-its-upstream")
    alpha.click("form.not-carrier-form button[type=submit]")
    alpha.wait_for_load_state()
    assert "referred" in alpha.inner_text("h1 .status")
    assert "named FFFF" in alpha.inner_text("section.responses")
    fits_a_phone(browser, portal, "noc@aaaa.example", [notification_path, "/orders"], "ladders-n")

    clock.advance(FOURTEEN_DAYS + GRACE + timedelta(seconds=1))  # FFFF says nothing
    assert (
        decide_due_letters(engine, clock, Settings.from_environ()) == 1
    )  # FFFF's; AAAA's was referred

    regulator = signed_in(browser, portal, "fcc@example.org", DESKTOP)
    regulator.goto(f"{portal}/enforcement")
    awaiting = regulator.locator("section.ladder-n tr.awaiting").first
    assert "FFFF" in awaiting.inner_text() and "no response" in awaiting.inner_text()
    screenshot(regulator, "ladders-4-desk-with-the-proposal-first")
    awaiting.locator("a", has_text="NSIT-").click()
    regulator.wait_for_url(re.compile(r".*/orders/\d+$"))
    assert regulator.is_checked("form.decide-form input[name=status][value=no_response]")
    regulator.click("form.decide-form button[type=submit]")
    regulator.wait_for_load_state()
    assert "no response" in regulator.inner_text("h1 .status")
    regulator.click("form.initial-order-form button[type=submit]")
    regulator.wait_for_url(re.compile(r".*/orders/\d+$"))
    assert "Initial Determination Order" in regulator.inner_text("h1")
    initial_path = regulator.url.removeprefix(portal)

    clock.advance(FOURTEEN_DAYS + timedelta(seconds=1))  # FFFF's window to respond passes
    regulator = signed_in(browser, portal, "fcc@example.org", DESKTOP)
    regulator.goto(portal + initial_path)
    regulator.fill("form.final-order-form input[name=block_days]", "0")
    regulator.click("form.final-order-form button[type=submit]")
    regulator.wait_for_url(re.compile(r".*/orders/\d+$"))
    assert "Final Determination Order" in regulator.inner_text("h1")
    assert regulator.inner_text("dd.downstream") == "AAAA"
    final_path = regulator.url.removeprefix(portal)
    screenshot(regulator, "ladders-5-final-order")

    entries = httpx.get(f"{portal}/api/v1/blocklist").json()["entries"]
    mandatory = [e for e in entries if e["reason_code"] == "final_order"]
    assert [(e["provider"], e["obligation"], e["downstream"]) for e in mandatory] == [
        ("FFFF", "mandatory", ["AAAA"])
    ]
    fits_a_phone(
        browser,
        portal,
        "fcc@example.org",
        ["/enforcement", letter_path, final_path, "/orders", "/enforcement/providers/AAAA"],
        "ladders-regulator",
    )

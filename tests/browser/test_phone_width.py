"""Every main page of every role fits a phone: at 390 px the page never scrolls sideways
(``document.documentElement.scrollWidth`` is at most the window's width), in Debian's
chromium against `robotrace serve` on a demo world — its letters, orders, authorizations,
campaigns and tracebacks, served on the world's clock, so every table is full. Each page is
kept as a screenshot at 390 and 1280 px in ``test-artifacts/browser/pages/``."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from robotrace.accounts.users import create_user
from robotrace.clock import FileClock, SimulatedClock, write_clock_file
from robotrace.demo.live import world_time
from robotrace.demo.story import analytics_dir_of
from robotrace.store import models
from robotrace.store.db import make_engine, transaction
from robotrace.traceback import service
from robotrace.traceback.model import CallUnderTrace
from tests.browser.conftest import ARTIFACTS, served, signed_in
from tests.support import settings_policy
from tests.web.conftest import PASSWORD

#: The smallest demo world with the whole enforcement story (letters, authorizations, a
#: notification and both orders: robotrace.demo.timeline).
WORLD = ["--seed", "3", "--providers", "20", "--days", "25", "--calls", "4000"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = ARTIFACTS / "pages"
#: Every Vega chart has drawn its SVG (statistics.js draws them after the page loads).
CHARTS_DRAWN = "[...document.querySelectorAll('.vega')].every(e => e.querySelector('svg'))"
STAFF = {
    "admin": "admin@phone.example",
    "coordinator": "coordinator@phone.example",
    "regulator": "regulator@phone.example",
}

#: (who, page); ``{name}`` is filled from the world (:class:`World`).
PAGES = [
    ("public", "/login"),
    ("public", "/report"),
    ("public", "/statistics"),
    ("public", "/password-reset"),
    ("coordinator", "/"),
    ("coordinator", "/campaigns"),
    ("coordinator", "/campaigns/{campaign}"),
    ("coordinator", "/tracebacks"),
    ("coordinator", "/tracebacks/{traceback}"),
    ("coordinator", "/tracebacks/{open_traceback}"),
    ("coordinator", "/tracebacks/new"),
    ("coordinator", "/providers"),
    ("coordinator", "/providers/{warned}"),
    ("coordinator", "/evidence"),
    ("coordinator", "/statistics"),
    ("coordinator", "/report"),
    ("coordinator", "/account"),
    ("regulator", "/"),
    ("regulator", "/enforcement"),
    ("regulator", "/enforcement/providers/{warned}"),
    ("regulator", "/letters"),
    ("regulator", "/letters/{letter}"),
    ("regulator", "/orders"),
    ("regulator", "/orders/{order}"),
    ("regulator", "/authorizations"),
    ("regulator", "/authorizations/{authorization}"),
    ("regulator", "/scorecards"),
    ("regulator", "/period-report"),
    ("regulator", "/statistics"),
    ("regulator", "/campaigns"),
    ("regulator", "/tracebacks"),
    ("regulator", "/providers"),
    ("admin", "/"),
    ("admin", "/admin/users"),
    ("admin", "/account"),
    ("notified", "/inbox"),
    ("notified", "/inbox/{hop}"),
    ("notified", "/history"),
    ("notified", "/letters"),
    ("notified", "/letters/{notified_letter}"),
    ("notified", "/orders"),
    ("notified", "/orders/{order}"),
    ("notified", "/authorizations"),
    ("notified", "/authorizations/{authorization}"),
    ("notified", "/providers/{notified}"),
    ("notified", "/account"),
    ("notified", "/statistics"),
]


@dataclass(frozen=True)
class World:
    base: str
    names: dict[str, str]  # placeholder → id or key
    logins: dict[str, str]  # who → e-mail ("public": none)


def _first(session: object, statement: object) -> object:
    value = session.scalars(statement).first()  # type: ignore[attr-defined]
    assert value is not None, f"the demo world has none: {statement}"
    return value


def _names(engine: Engine) -> dict[str, str]:
    """The ids and keys the pages name, read from the demo world's store."""
    action = models.EnforcementAction
    with transaction(engine) as session:
        order = _first(session, select(action).where(action.kind == "notification"))
        notified = session.get(models.Provider, order.provider_id)  # type: ignore[attr-defined]
        letter = _first(
            session,
            select(action).where(action.kind == "warning_letter").order_by(action.id),
        )
        own_letter = _first(
            session,
            select(action.id).where(
                action.kind == "warning_letter",
                action.provider_id == notified.id,  # type: ignore[union-attr]
            ),
        )
        warned = session.get(models.Provider, letter.provider_id)  # type: ignore[attr-defined]
        return {
            "campaign": str(_first(session, select(models.Campaign.id).order_by("id"))),
            "traceback": str(_first(session, select(models.Traceback.id).order_by("id"))),
            "letter": str(letter.id),  # type: ignore[attr-defined]
            "order": str(order.id),  # type: ignore[attr-defined]
            "authorization": str(
                _first(session, select(action.id).where(action.kind == "block_authorization"))
            ),
            "warned": warned.key,  # type: ignore[union-attr]
            "notified": notified.key,  # type: ignore[union-attr]
            "notified_letter": str(own_letter),
        }


def _seed(engine: Engine, notified: str, clock: FileClock) -> dict[str, str]:
    """The staff and the notified provider's user; a traceback left open at that provider."""
    with transaction(engine) as session:
        for role, email in STAFF.items():
            create_user(session, email, role, PASSWORD, None, role, clock)
        create_user(session, "noc@notified.example", "provider", PASSWORD, notified, "noc", clock)
        call = _first(session, select(models.Call).order_by(models.Call.id.desc()))
        opened = service.open_traceback(
            session,
            CallUnderTrace(call.calling_number, call.called_number, call.call_time),  # type: ignore[attr-defined]
            notified,
            "coordinator:coordinator@phone.example",
            SimulatedClock(clock.now()),
            policy=settings_policy(),
        )
        hop = _first(
            session,
            select(models.Hop.id).join(models.Traceback).where(models.Traceback.id == opened.id),
        )
    return {"open_traceback": opened.id, "hop": str(hop)}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("phone")
    # In its own process: the story verifies signatures with asyncio, and Playwright's sync
    # API holds an event loop in this one.
    subprocess.run([sys.executable, "-m", "robotrace.cli", "demo", *WORLD, "--out", str(folder)],
                   capture_output=True, check=False)  # fmt: skip
    assert (folder / "robotrace.db").exists(), "robotrace demo made no world"
    engine = make_engine(f"sqlite:///{folder / 'robotrace.db'}")
    clock_file = folder / "clock.json"
    write_clock_file(clock_file, world_time(engine))
    names = _names(engine)
    names |= _seed(engine, names["notified"], FileClock(clock_file))
    engine.dispose()
    settings = {
        "ROBOTRACE_CLOCK_FILE": str(clock_file),
        "ROBOTRACE_ANALYTICS_DIR": str(analytics_dir_of(folder)),
    }
    with served(folder, lambda _engine: None, settings) as base:
        yield World(base, names, {**STAFF, "notified": "noc@notified.example"})


@pytest.fixture(scope="module")
def pages(browser, world: World) -> Iterator[dict[tuple[str, str], object]]:
    """One browser page per (who, width), signed in once."""
    opened: dict[tuple[str, str], object] = {}

    def page_for(who: str, size: str) -> object:
        if (who, size) not in opened:
            viewport = PHONE if size == "390" else DESKTOP
            if who == "public":
                page = browser.new_context(viewport=viewport).new_page()  # type: ignore[attr-defined]
            else:
                page = signed_in(browser, world.base, world.logins[who], viewport)
            opened[(who, size)] = page
        return opened[(who, size)]

    yield page_for  # type: ignore[misc]
    for page in opened.values():
        page.context.close()  # type: ignore[attr-defined]


def overflow(page: object) -> dict[str, object]:
    """How wide the document is against the window, and the widest elements past its edge."""
    return page.evaluate(  # type: ignore[attr-defined, no-any-return]
        """() => {
          const width = window.innerWidth;
          const past = [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 0.5)
            .filter(e => !e.closest('.table-scroll, .scroll'))
            .slice(0, 5)
            .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                      + ' ' + Math.round(e.getBoundingClientRect().right));
          return {scroll: document.documentElement.scrollWidth, width, past};
        }"""
    )


def shot_name(who: str, path: str, size: str) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
    return SHOTS / f"{who}-{slug}-{size}.png"


@pytest.mark.parametrize(("who", "path"), PAGES, ids=[f"{w}:{p}" for w, p in PAGES])
def test_the_page_fits_a_phone_and_is_kept_at_both_widths(pages, world, who, path):
    url = world.base + path.format(**world.names)
    SHOTS.mkdir(parents=True, exist_ok=True)
    wider = {}
    for size in ("1280", "390"):
        page = pages(who, size)
        response = page.goto(url)  # type: ignore[attr-defined]
        assert response is not None and response.status == 200, (
            f"{url}: {response and response.status}"
        )
        page.wait_for_function(CHARTS_DRAWN)  # type: ignore[attr-defined]
        page.screenshot(path=str(shot_name(who, path, size)), full_page=True)  # type: ignore[attr-defined]
        measured = overflow(page)
        if measured["scroll"] > measured["width"]:
            wider[size] = measured
    assert not wider, f"{path} scrolls sideways: {wider}"

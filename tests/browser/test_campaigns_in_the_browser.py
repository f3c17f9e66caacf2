"""A coordinator finds the COVID-19 campaigns, opens one, reads its chart and samples, and
opens tracebacks for sample calls — in Debian's chromium, against `robotrace serve`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from tests.browser.conftest import screenshot, seed_portal, served, signed_in
from tests.web.test_campaign_pages import add_calls, add_campaign

KITS = [
    "Hello, this is Amanda about your free COVID-19 test kit. Press 1 to have it shipped today.",
    "Important notice: Medicare will cover four COVID-19 test kits for you. Press 1 now.",
]


def seed_campaigns(engine: Engine) -> None:
    """The world, two COVID-19 campaigns and one other, with calls over the last days."""
    seed_portal(engine)
    now = datetime.now(UTC).replace(microsecond=0)
    times = [now - timedelta(days=6) + timedelta(hours=17 * i) for i in range(9)]
    add_campaign(
        engine,
        "covid-test-kits",
        "COVID-19 test kits",
        ["covid-19", "health"],
        priority=9.5,
        representative=KITS[0],
        callback_numbers=["+18005550199"],
        call_count=len(times),
        first_seen_at=times[0],
        last_seen_at=times[-1],
    )
    add_calls(engine, "covid-test-kits", times, KITS, ["+12025550101", "+12025550102"])
    add_campaign(engine, "covid-masks", "N95 masks in stock", ["COVID-19"], priority=4.0)
    add_campaign(engine, "ssa-suspended", "Social Security suspended", ["government"], priority=7)
    add_campaign(engine, "pharmacy-refills", "Your prescription is ready", ["health"], priority=8)


@pytest.fixture(scope="module")
def campaign_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(tmp_path_factory.mktemp("campaigns"), seed_campaigns) as base:
        yield base


def test_a_coordinator_opens_tracebacks_for_a_covid_campaign(browser, campaign_portal):
    page = signed_in(browser, campaign_portal, "coord@example.org")
    page.click("header nav a:has-text('Campaigns')")
    page.wait_for_url(re.compile(r".*/campaigns$"))
    assert "Social Security suspended" in page.inner_text("table.campaigns")
    page.click("a.tag-filter:has-text('COVID-19')")
    page.wait_for_url(re.compile(r".*/campaigns\?tag=covid-19$"))
    names = page.locator("table.campaigns td:first-child > a").all_inner_texts()
    assert names == ["COVID-19 test kits", "N95 masks in stock"]  # by priority
    screenshot(page, "campaigns-1-covid-filter")

    page.click("table.campaigns a:has-text('COVID-19 test kits')")
    page.wait_for_url(re.compile(r".*/campaigns/covid-test-kits$"))
    assert page.locator("svg.bar-chart rect.bar").count() >= 6  # a bar per day
    assert "Medicare will cover four" in page.inner_text("ol.samples")
    page.fill("input[name=samples]", "3")
    page.click("form.open-samples button[type=submit]")
    page.wait_for_url(re.compile(r".*/campaigns/covid-test-kits\?opened=.+"))
    message = page.inner_text("p.message")
    assert "Opened 3 tracebacks for sample calls" in message
    assert len(re.findall(r"TB-\d+", message)) == 3
    assert page.locator("table.campaign-tracebacks tr").count() == 4  # header and three
    screenshot(page, "campaigns-2-tracebacks-opened")

    page.locator("p.message a").first.click()
    page.wait_for_url(re.compile(r".*/tracebacks/TB-\d+$"))
    assert "covid-test-kits" in page.inner_text("main")


def test_a_coordinator_marks_a_pharmacys_reminders_not_illegal_and_puts_them_back(
    browser, campaign_portal
):
    page = signed_in(browser, campaign_portal, "coord@example.org")
    page.goto(f"{campaign_portal}/campaigns")
    page.click("table.campaigns a:has-text('Your prescription is ready')")
    page.wait_for_url(re.compile(r".*/campaigns/pharmacy-refills$"))
    page.fill("#not-illegal-reason", "Refill reminders its customers signed up for.")
    page.click("button:has-text('Mark not illegal')")
    page.wait_for_selector("section.not-illegal")
    said = page.inner_text("section.not-illegal")
    assert "coordinator:coord@example.org" in said and "signed up for" in said
    assert page.locator("form.open-samples").count() == 0  # not traced while marked
    screenshot(page, "campaigns-3-not-illegal")

    page.goto(f"{campaign_portal}/campaigns")
    names = page.locator("table.campaigns td:first-child > a").all_inner_texts()
    assert "Your prescription is ready" not in names  # out of the queue
    page.select_option("select[name=status]", "not_illegal")
    page.click("form.campaign-filters button[type=submit]")
    page.wait_for_url(re.compile(r".*status=not_illegal.*"))
    names = page.locator("table.campaigns td:first-child > a").all_inner_texts()
    assert names == ["Your prescription is ready"]
    screenshot(page, "campaigns-4-not-illegal-filter")

    page.click("table.campaigns a:has-text('Your prescription is ready')")
    page.click("button:has-text('Put back in the queue')")
    page.wait_for_url(re.compile(r".*/campaigns/pharmacy-refills$"))
    assert page.locator("section.not-illegal").count() == 0
    page.goto(f"{campaign_portal}/campaigns")
    assert "Your prescription is ready" in page.inner_text("table.campaigns")

"""Trace Forward in Debian's chromium against `robotrace serve`: an admin imports NANPA's
central office code records, a coordinator asks the carrier of a campaign's call-back number,
the carrier's user answers from its inbox, and the campaign page shows whose number it is."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.browser.conftest import screenshot, seed_portal, served, signed_in
from tests.numbering.test_number_blocks import codes_file
from tests.web.test_campaign_pages import add_campaign

CALLBACK = "+17133421000"


def seed_campaign(engine: Engine) -> None:
    seed_portal(engine)
    add_campaign(
        engine,
        "irs-warrant",
        "IRS arrest warrant",
        ["government"],
        priority=8.0,
        representative="This is the IRS. A warrant is out for your arrest. Call 713-342-1000.",
        callback_numbers=[CALLBACK],
    )


@pytest.fixture(scope="module")
def forward_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(tmp_path_factory.mktemp("trace-forward"), seed_campaign) as base:
        yield base


def test_a_call_back_number_is_traced_forward_to_the_carriers_customer(
    browser, forward_portal, tmp_path: Path
):
    report = codes_file(
        tmp_path / "allutlzd.txt", ("TX", "713-342", "BBBB", "Bravo Wholesale", "AS")
    )
    admin = signed_in(browser, forward_portal, "admin@example.org")
    admin.click("details.admin-pages summary")  # the admin's own pages: under "Admin"
    admin.click("details.admin-pages a:has-text('Number blocks')")
    admin.wait_for_url(re.compile(r".*/admin/number-blocks$"))
    admin.set_input_files("input[name=report]", str(report))
    admin.click("form[enctype] button[type=submit]")
    assert "1 added" in admin.inner_text("p.message")
    admin.fill("input[name=number]", "(713) 342-1000")
    admin.click("button:has-text('Look up')")
    assert "Bravo Wholesale" in admin.inner_text("dl.lookup-result")
    screenshot(admin, "trace-forward-1-number-blocks")

    coordinator = signed_in(browser, forward_portal, "coord@example.org")
    coordinator.goto(f"{forward_portal}/campaigns/irs-warrant")
    section = coordinator.locator("#trace-forward")
    assert "Bravo Wholesale" in section.inner_text()
    section.locator("button:has-text('Ask the carrier')").click()
    coordinator.wait_for_url(re.compile(r".*/campaigns/irs-warrant\?tf_asked=\d+"))
    assert f"whose customer {CALLBACK} is" in coordinator.inner_text("#trace-forward p.message")
    assert "asked, waiting" in coordinator.inner_text("#trace-forward")
    screenshot(coordinator, "trace-forward-2-asked")

    carrier = signed_in(browser, forward_portal, "noc@bbbb.example")
    carrier.goto(f"{forward_portal}/inbox")
    carrier.click("ul.trace-forward-open a")
    carrier.wait_for_url(re.compile(r".*/inbox/trace-forward/\d+$"))
    assert "(713) 342-1000" in carrier.inner_text("main")
    carrier.check("input[name=answer][value=assigned]")
    carrier.click("form.answer-form button[type=submit]")
    assert "name the customer" in carrier.inner_text("#answer-error")
    carrier.check("input[name=answer][value=assigned]")
    carrier.fill("input[name=customer]", "Dialer Ops LLC")
    carrier.fill("textarea[name=customer_contact]", "12 Main St, Austin TX")
    carrier.click("form.answer-form button[type=submit]")
    carrier.wait_for_url(re.compile(r".*\?recorded=1$"))
    assert "Your answer was recorded" in carrier.inner_text("p.message")
    screenshot(carrier, "trace-forward-3-answered")

    coordinator.goto(f"{forward_portal}/campaigns/irs-warrant")
    answers = coordinator.inner_text("table.trace-forward-requests")
    assert "Dialer Ops LLC" in answers and "12 Main St, Austin TX" in answers

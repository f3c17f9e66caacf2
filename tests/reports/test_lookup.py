"""A report's reference, looked up: typed as people type it, answered with the report's
progress and nothing else, and guessing stopped by a limit on references not found."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from robotrace.reports.lookup import MissLimit, typed_reference
from robotrace.store import models
from robotrace.store.db import transaction

from .builders import HEARD, send_page, ssa_campaign


@pytest.mark.parametrize(
    "typed",
    ["RT-7KQ2-M9XD", "rt-7kq2-m9xd", " RT 7KQ2 M9XD ", "7KQ2M9XD", "rt7kq2-m9xd", "RT-7KQ2-M9XD\n"],
)
def test_a_reference_is_read_in_any_case_spacing_and_with_or_without_rt(typed):
    assert typed_reference(typed) == "RT-7KQ2-M9XD"


def test_letters_read_for_digits_are_taken_as_crockford_says():
    assert typed_reference("RT-OIL0-1234") == "RT-0110-1234"


@pytest.mark.parametrize("typed", ["", "RT-7KQ2-M9X", "RT-7KQ2-M9XDD", "RT-UUUU-0000", "<script>"])
def test_what_cannot_be_a_reference_is_none(typed):
    assert typed_reference(typed) is None


def test_the_miss_limit_counts_the_last_hour_only():
    limit, t0 = MissLimit(), datetime(2026, 5, 1, 12, tzinfo=UTC)
    for minute in range(3):
        limit.missed("a", t0 + timedelta(minutes=minute))
    assert limit.refused_until("a", t0 + timedelta(minutes=5), 3) == t0 + timedelta(hours=1)
    assert limit.refused_until("b", t0 + timedelta(minutes=5), 3) is None  # per client
    assert limit.refused_until("a", t0 + timedelta(hours=1), 3) is None  # the first expired


def reference_of(sent) -> str:
    return sent.headers["location"].removeprefix("/report/")


def test_the_report_page_looks_up_a_reference_as_typed(portal):
    client = portal.client()
    reference = reference_of(send_page(client))
    typed = reference.lower().replace("-", " ")
    found = client.get("/report/lookup", params={"reference": typed}, follow_redirects=False)
    assert (found.status_code, found.headers["location"]) == (303, f"/report/{reference}")
    page = client.get("/report").text
    assert '<form method="get" action="/report/lookup"' in page
    assert re.search(r'<label for="reference">', page)


def test_a_typed_reference_that_cannot_be_one_is_said_next_to_the_field(portal):
    wrong = portal.client().get("/report/lookup", params={"reference": "RT-12"})
    assert wrong.status_code == 400
    field = wrong.text.split('id="lookup"')[1]
    assert "That is not a report reference" in field.split('id="reference"')[0]
    assert 'value="RT-12"' in field and 'aria-invalid="true"' in field
    empty = portal.client().get("/report/lookup", params={"reference": " "})
    assert "Type the reference you were given" in empty.text


def test_the_reports_page_links_itself_and_says_how_far_it_has_come(portal, engine):
    with transaction(engine) as session:
        ssa_campaign(session, portal.clock)
    client = portal.client()
    reference = reference_of(send_page(client, transcript=HEARD))
    page = client.get(f"/report/{reference}").text
    assert f'<a href="http://testserver/report/{reference}">' in page
    status = page.split('class="report-status')[1].split("</dl>")[0]
    assert "1 May 2026, 08:00 EDT" in status  # received at NOW, 12:00 UTC, display_zone
    assert "statistics</a></dt>\n  <dd>Yes</dd>" in status
    assert "it joined the calls that say the same thing" in status


def test_a_report_not_yet_fed_nor_grouped_says_not_yet(portal, engine):
    client = portal.client()
    reference = reference_of(send_page(client))
    with transaction(engine) as session:
        report = session.scalar(
            select(models.ConsumerReport).where(models.ConsumerReport.reference == reference)
        )
        report.fed_at = None
        session.execute(
            update(models.Call).where(models.Call.id == report.call_id).values(campaign_id=None)
        )
    status = client.get(f"/report/{reference}").text.split('class="report-status')[1]
    assert "Not yet: it is added within minutes" in status
    assert "Not yet: reports are grouped" in status


def test_the_page_shows_nothing_of_the_report_nor_of_its_campaign(portal, engine):
    with transaction(engine) as session:
        campaign_id = ssa_campaign(session, portal.clock)
        name = session.get(models.Campaign, campaign_id).name
    client = portal.client()
    reference = reference_of(send_page(client, transcript=HEARD))
    page = client.get(f"/report/{reference}").text
    for secret in ("Jane", "jane@", "555-0143", "5550143", campaign_id, name, "Social Security"):
        assert secret not in page


def test_too_many_references_not_found_stop_every_lookup_from_that_address(portal):
    portal.set_settings(report_lookup_misses_per_hour=3)
    guesser, reporter = portal.client("192.0.2.66"), portal.client()
    reference = reference_of(send_page(reporter))
    for guess in ("RT-0000-0000", "RT-0000-0001", "RT-0000-0002"):
        assert guesser.get(f"/report/{guess}").status_code == 404
    refused = guesser.get(f"/report/{reference}")  # a real one: refused all the same
    assert refused.status_code == 429
    assert "<h1>Too many lookups</h1>" in refused.text and "Report not found" not in refused.text
    assert refused.headers["Retry-After"] == "3600"  # the first miss was at NOW
    assert "Try again after 1 May 2026, 13:00 UTC" in refused.text
    assert reference not in refused.text
    assert reporter.get(f"/report/{reference}").status_code == 200  # another address
    portal.clock.advance(timedelta(hours=1))
    assert guesser.get(f"/report/{reference}").status_code == 200


def test_a_malformed_reference_is_the_same_404_and_costs_no_try(portal):
    portal.set_settings(report_lookup_misses_per_hour=1)
    client = portal.client()
    malformed = client.get("/report/not-a-reference")
    missing = client.get("/report/RT-0000-0000")
    assert malformed.status_code == missing.status_code == 404
    assert malformed.text == missing.text

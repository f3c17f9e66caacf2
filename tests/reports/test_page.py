"""The public page, as a browser without JavaScript uses it: a report goes in and gets its
reference; every refusal keeps what was typed and says, next to the field, what to do."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

from sqlalchemy import func, select

from robotrace.stats.complaints import complaint_stats
from robotrace.store import models
from robotrace.store.db import transaction

from .builders import HEARD, SSA_CALLS, csrf_of, page_form, send_page, ssa_campaign


class Elements(HTMLParser):
    """Every element with an id: its tag and attributes; and the text of each id'd element."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.by_id: dict[str, dict[str, str | None]] = {}
        self.text: dict[str, str] = {}
        self._open: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.by_id[str(found["id"])] = {"tag": tag, **found}
            if tag in ("p", "textarea"):
                self._open.append(str(found["id"]))
                self.text[str(found["id"])] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "textarea") and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for element in self._open:
            self.text[element] += data


def reports_stored(engine) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(models.ConsumerReport)) or 0


def test_the_form_labels_every_field_and_describes_it_by_its_hint(portal):
    html = portal.client().get("/report").text
    page = Elements(html)
    labelled = set(re.findall(r'<label for="([^"]+)"', html))
    fields = {i for i, e in page.by_id.items() if e["tag"] in ("input", "select", "textarea")}
    assert fields - {"recorded_message", "recorded_message-no"} <= labelled
    assert page.by_id["calling_number"]["aria-describedby"] == "calling_number-hint"
    assert "aria-invalid" not in page.by_id["calling_number"]
    assert page.by_id["website"]["tabindex"] == "-1"  # the honeypot: out of the keyboard's way


def test_a_person_reports_a_call_and_reads_its_reference(portal, engine):
    client = portal.client()
    sent = send_page(client)
    assert sent.status_code == 303
    reference = sent.headers["location"].removeprefix("/report/")
    assert re.fullmatch(r"RT-\w{4}-\w{4}", reference)
    confirmation = client.get(sent.headers["location"])
    assert confirmation.status_code == 200
    assert f"Your reference number is <strong>{reference}</strong>" in confirmation.text
    assert "Jane" not in confirmation.text and "555-0143" not in confirmation.text
    assert reports_stored(engine) == 1


def test_a_wrong_field_comes_back_with_its_error_next_to_it(portal, engine):
    sent = send_page(portal.client(), calling_number="call me", email="nope")
    assert sent.status_code == 422
    page = Elements(sent.text)
    field = page.by_id["calling_number"]
    assert field["aria-invalid"] == "true"
    assert field["aria-describedby"] == "calling_number-hint calling_number-error"
    assert "is not a phone number we can read" in page.text["calling_number-error"]
    assert page.by_id["email"]["aria-describedby"] == "email-error"
    assert 'href="#calling_number"' in sent.text and 'href="#email"' in sent.text  # the summary
    assert page.by_id["transcript"] and page_form()["transcript"] in sent.text  # kept
    assert "<title>Error: Report an unwanted call" in sent.text
    assert reports_stored(engine) == 0


def test_a_missing_answer_to_the_yes_no_question_marks_its_group(portal):
    sent = send_page(portal.client(), recorded_message="")
    page = Elements(sent.text)
    assert page.by_id["recorded_message"]["aria-invalid"] == "true"
    assert "choose Yes or No" in page.text["recorded_message-error"]


def test_the_honeypot_filled_in_sends_nothing_and_shows_itself(portal, engine):
    sent = send_page(portal.client(), website="http://cheap-pills.example")
    assert sent.status_code == 422
    page = Elements(sent.text)
    assert "must stay empty" in page.text["website-error"]
    assert "tabindex" not in page.by_id["website"]  # reachable now, to be cleared
    assert 'class="field trap shown"' in sent.text
    assert reports_stored(engine) == 0


def test_a_form_without_its_cookie_is_sent_again_with_what_was_typed(portal, engine):
    client = portal.client()
    token = csrf_of(client.get("/report").text)
    client.cookies.clear()
    sent = client.post("/report", data={**page_form(), "csrf_token": token})
    assert sent.status_code == 403
    assert "press “Send report” again" in sent.text
    assert 'value="(202) 555-0143"' in sent.text
    assert reports_stored(engine) == 0


def test_too_many_reports_from_one_address_are_refused_with_a_time_to_come_back(portal, engine):
    client = portal.client()
    for hour in range(5):
        assert send_page(client, call_time=f"0{hour}:30").status_code == 303
    sent = send_page(client, call_time="06:30")
    assert sent.status_code == 429
    assert "Please send this report again after 2026-05-01 13:00 UTC" in sent.text
    assert 'value="06:30"' in sent.text
    assert send_page(portal.client("192.0.2.44"), call_time="06:30").status_code == 303
    assert reports_stored(engine) == 6


def test_the_same_call_sent_twice_points_to_the_first_report(portal, engine):
    first = send_page(portal.client())
    again = send_page(portal.client("192.0.2.44"))
    assert again.status_code == 409
    assert f'<a href="{first.headers["location"]}">' in again.text
    assert "no need to report it again" in again.text
    assert reports_stored(engine) == 1


def test_a_body_over_the_limit_is_refused_unread(portal, engine):
    portal.set_settings(report_max_text_chars=100)
    client = portal.client()
    token = csrf_of(client.get("/report").text)
    sent = client.post("/report", data={**page_form(transcript="x" * 20_000), "csrf_token": token})
    assert sent.status_code == 413
    assert "shorten what the caller said to 100 characters or fewer" in sent.text
    assert reports_stored(engine) == 0


def test_text_over_the_limit_but_in_a_small_body_is_a_field_error(portal):
    portal.set_settings(report_max_text_chars=100)
    sent = send_page(portal.client(), transcript="x" * 101)
    assert sent.status_code == 422
    assert "aria-invalid" in Elements(sent.text).by_id["transcript"]


def test_an_unknown_reference_has_no_confirmation(portal):
    assert portal.client().get("/report/RT-0000-0000").status_code == 404
    assert portal.client().get("/report/<script>").status_code == 404


def test_a_report_typed_into_the_page_is_in_its_campaign_and_the_statistics(portal, engine):
    with transaction(engine) as session:
        campaign_id = ssa_campaign(session, portal.clock)
    sent = send_page(portal.client(), transcript=HEARD)  # caller ID (202) 555-0143, spoofed
    assert sent.status_code == 303
    reference = sent.headers["location"].removeprefix("/report/")
    # The evidence is made once the answer is sent (TestClient waits for it).
    stats = complaint_stats(portal.analytics, date(2026, 5, 1), date(2026, 5, 2))
    assert (stats.complaints, stats.robocalls.yes) == (1, 1)
    coordinator = portal.signed_in("coord@example.org")
    campaign = coordinator.get(f"/api/v1/campaigns/{campaign_id}").json()
    assert (campaign["calls"], campaign["complaints"]) == (SSA_CALLS + 1, 1)
    with transaction(engine) as session:
        call = session.scalar(select(models.Call).where(models.Call.source_ref == reference))
        assert call.campaign_id == campaign_id

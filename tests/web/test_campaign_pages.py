"""Campaign pages: the ranked list and its filters, a campaign's page (samples, numbers, the
calls-per-day chart, tracebacks) and opening tracebacks for sample calls."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from html import unescape

from sqlalchemy import func, select

from robotrace.evidence.imports import evidence_files, import_evidence
from robotrace.store import models
from robotrace.store.db import transaction
from robotrace.traceback import service
from robotrace.traceback.model import Answer, CallUnderTrace
from robotrace.traceback.workflow import Reply
from tests.evidence.builders import ftc_csv, ftc_row
from tests.support import settings_policy

from .conftest import T0

COORD, ADMIN, REGULATOR = "coord@example.org", "admin@example.org", "fcc@example.org"
DAY0 = datetime(2020, 4, 1, 9, 0, tzinfo=UTC)
SVG = "{http://www.w3.org/2000/svg}"
CALL_ONLY = CallUnderTrace("+12025550999", "+13125550999", T0 - timedelta(days=1))


# --- Builders -------------------------------------------------------------------------------


def add_campaign(
    engine,
    campaign_id: str,
    name: str = "",
    tags: Sequence[str] = (),
    priority: float = 0.0,
    **fields: object,
) -> str:
    with transaction(engine) as session:
        session.add(
            models.Campaign(
                id=campaign_id,
                name=name or campaign_id.replace("-", " ").title(),
                tags=list(tags),
                priority=priority,
                created_at=T0,
                **fields,
            )
        )
    return campaign_id


def add_calls(
    engine,
    campaign_id: str,
    times: Sequence[datetime],
    transcripts: Sequence[str] = ("Your free test kit is waiting.",),
    callers: Sequence[str] = ("+12025550100",),
    terminating: str | None = "AAAA",
) -> list[int]:
    """One call per time; transcripts and caller IDs taken in turn."""
    with transaction(engine) as session:
        provider = session.scalar(
            select(models.Provider.id).where(models.Provider.key == terminating)
        )
        rows = [
            models.Call(
                source="honeypot",
                source_ref=f"{campaign_id}-{i}-{at.isoformat()}",
                calling_number=callers[i % len(callers)],
                called_number=f"+1312555{i:04d}",
                call_time=at,
                terminating_provider_id=provider,
                transcript=transcripts[i % len(transcripts)],
                campaign_id=campaign_id,
                imported_at=T0,
            )
            for i, at in enumerate(times)
        ]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def hours(count: int, start: datetime = DAY0) -> list[datetime]:
    return [start + timedelta(hours=i) for i in range(count)]


def post(client, path: str, **fields: str):
    return client.post(path, data={"csrf_token": client.csrf, **fields}, follow_redirects=False)


def listed_ids(html: str) -> list[str]:
    table = html.split('<table class="campaigns">', 1)[-1].split("</table>", 1)[0]
    return re.findall(r'<a href="/campaigns/([^"?]+)">', table)


def tracebacks_of_calls(engine, call_ids: Sequence[int]) -> Counter[int]:
    with transaction(engine) as session:
        rows = session.scalars(
            select(models.Traceback.call_id).where(models.Traceback.call_id.in_(call_ids))
        )
        return Counter(rows)


# --- The list -------------------------------------------------------------------------------

TAGGED = {
    "covid-kits": ["covid-19", "health"],
    "covid-shouting": ["COVID-19"],
    "ssa-suspended": ["government"],
    "covid-lookalike": ["covid-19-vaccine", "covid"],
    "untagged": [],
}


def test_the_list_ranks_campaigns_by_priority(world, client_for, engine):
    priorities = {"low": 0.2, "top": 0.9, "middle": 0.5, "second": 0.7}
    for campaign_id, priority in priorities.items():
        add_campaign(engine, campaign_id, priority=priority)
    page = client_for(COORD).get("/campaigns")
    assert page.status_code == 200
    assert listed_ids(page.text) == sorted(priorities, key=priorities.__getitem__, reverse=True)


def test_the_covid_filter_shows_exactly_the_campaigns_tagged_covid_19(world, client_for, engine):
    for campaign_id, tags in TAGGED.items():
        add_campaign(engine, campaign_id, tags=tags)
    expected = {c for c, tags in TAGGED.items() if "covid-19" in [t.lower() for t in tags]}
    coordinator = client_for(COORD)
    everything = coordinator.get("/campaigns").text
    link = re.search(r'<a class="tag-filter[^"]*" href="([^"]+)">COVID-19</a>', everything)
    assert link, "no one-click COVID-19 filter"
    filtered = coordinator.get(unescape(link.group(1))).text
    assert set(listed_ids(filtered)) == expected and len(listed_ids(filtered)) == len(expected)
    assert f'<span class="count">{len(expected)}</span>' in filtered
    assert set(listed_ids(coordinator.get("/campaigns?tag=COVID-19").text)) == expected


def test_a_tag_filter_and_the_name_search_combine(world, client_for, engine):
    add_campaign(engine, "a", "Auto warranty final notice", ["auto-warranty"])
    add_campaign(engine, "b", "Extended WARRANTY on your car", ["auto-warranty", "covid-19"])
    add_campaign(engine, "c", "Amazon order 100% refund", ["amazon"])
    add_campaign(engine, "d", "Amazon order refund", ["amazon"])
    coordinator = client_for(COORD)
    assert set(listed_ids(coordinator.get("/campaigns?q=warranty").text)) == {"a", "b"}
    assert listed_ids(coordinator.get("/campaigns?q=warranty&tag=covid-19").text) == ["b"]
    assert listed_ids(coordinator.get("/campaigns?q=100%25").text) == ["c"]  # % is no wildcard
    assert "No campaign matches these filters" in coordinator.get("/campaigns?q=zzz").text


def test_the_list_comes_in_pages_that_keep_the_filters(world, client_for, engine, monkeypatch):
    monkeypatch.setattr("robotrace.web.pages.campaigns.PAGE_SIZE", 2)
    for i in range(5):
        add_campaign(engine, f"kit-{i}", tags=["covid-19"], priority=10 - i)
    add_campaign(engine, "other", priority=100)
    coordinator = client_for(COORD)
    first = coordinator.get("/campaigns?tag=covid-19").text
    assert listed_ids(first) == ["kit-0", "kit-1"] and "page 1 of 3" in first
    assert 'href="/campaigns?tag=covid-19&amp;page=2" rel="next"' in first
    last = coordinator.get("/campaigns?tag=covid-19&page=3").text
    assert listed_ids(last) == ["kit-4"] and 'rel="next"' not in last and 'rel="prev"' in last


def test_the_list_counts_each_campaigns_open_and_closed_tracebacks(world, client_for, engine):
    add_campaign(engine, "kits", tags=["covid-19"], call_count=3)
    call_ids = add_calls(engine, "kits", hours(3))
    with transaction(engine) as session:
        first, _ = (
            service.open_traceback_for_call(
                session, call_id, "test", world.clock, policy=settings_policy()
            )
            for call_id in call_ids[:2]
        )
        reply = Reply(Answer.ORIGIN, customer="Acme Outreach")
        service.answer_hop(
            session, first.id, "AAAA", reply, "test", world.clock, policy=settings_policy()
        )
    row = client_for(COORD).get("/campaigns").text.split('href="/campaigns/kits"')[1]
    cells = re.findall(r'<td class="number">([^<]+)</td>', row.split("</tr>")[0])
    assert cells == [
        "3",
        "0",
        "1",
        "1",
        "0.00",
    ]  # calls, complaints, open and closed tracebacks, priority


def test_providers_see_no_campaigns(world, client_for, engine):
    add_campaign(engine, "kits", tags=["covid-19"])
    alpha = client_for("noc@aaaa.example")
    assert alpha.get("/campaigns").status_code == 403
    assert alpha.get("/campaigns/kits").status_code == 403
    assert alpha.get("/campaigns/no-such").status_code == 403  # the same: nothing is told
    assert 'href="/campaigns"' not in alpha.get("/inbox").text
    for reader in (COORD, ADMIN, REGULATOR):
        assert 'href="/campaigns">Campaigns</a>' in client_for(reader).get("/").text


# --- A campaign's page ------------------------------------------------------------------------


def test_the_page_shows_the_campaign_its_transcript_and_numbers(world, client_for, engine):
    add_campaign(
        engine,
        "kits",
        "COVID-19 test kits",
        ["covid-19", "health"],
        priority=3.25,
        representative="Hello, this is Amanda about your free COVID-19 test kit.",
        callback_numbers=["+18005550199", "+18885550123"],
    )
    callers = ["+12025550101"] * 5 + ["+12025550102"] * 3 + ["+12025550103"] + [""]
    add_calls(engine, "kits", hours(len(callers)), callers=callers)
    page = client_for(REGULATOR).get("/campaigns/kits")
    assert page.status_code == 200
    text = page.text
    assert "COVID-19 test kits" in text and "3.25" in text
    assert 'class="tag" href="/campaigns?tag=covid-19">covid-19</a>' in text
    assert "Hello, this is Amanda about your free COVID-19 test kit." in text
    assert "+18005550199" in text and "+18885550123" in text
    table = text.split('<table class="caller-ids">')[1].split("</table>")[0]
    rows = re.findall(r"<td>([^<]+)</td><td class=\"number\">(\d+)</td>", table)
    assert rows == [("+12025550101", "5"), ("+12025550102", "3"), ("+12025550103", "1")]
    assert "3 distinct" in text  # the withheld caller ID is not one


def test_sample_transcripts_are_different_texts_spread_over_time(world, client_for, engine):
    add_campaign(engine, "ssa")
    scripts = [f"Script {n}: your Social Security number is suspended." for n in "ABCDE"]
    # 20 calls: the first half all script A, then B, C, D and E in turn.
    texts = [scripts[0]] * 10 + [scripts[1 + i % 4] for i in range(10)]
    add_calls(engine, "ssa", hours(20), transcripts=texts)
    page = client_for(COORD).get("/campaigns/ssa").text
    samples = page.split('<ol class="samples">')[1].split("</ol>")[0]
    shown = re.findall(r"Script (\w)", samples)
    assert len(shown) == len(set(shown)) >= 3  # no text twice, several of them
    assert shown[0] == "A"  # the first call's text, then later ones
    times = re.findall(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC · call", samples)
    assert times == sorted(times) and times[0] == "2020-04-01 09:00:00"
    assert times[-1] >= "2020-04-01 21:00:00"  # reaches into the last part of the calls


def svg_bars(html: str) -> dict[str, int]:
    svg = re.search(r"<svg .*?</svg>", html, re.DOTALL)
    assert svg, "no inline SVG chart"
    root = ET.fromstring(svg.group(0))  # well-formed SVG, or this fails
    assert root.find(f"{SVG}title") is not None and root.find(f"{SVG}desc") is not None
    bars = root.findall(f"{SVG}rect")
    heights = {bar.get("data-label"): float(bar.get("height", "")) for bar in bars}
    values = {bar.get("data-label"): int(bar.get("data-value", "")) for bar in bars}
    peak, tallest = max(values.values()), max(heights.values())
    for label, value in values.items():  # each bar in proportion to its count
        assert abs(heights[label] - tallest * value / peak) < 0.1
    return {str(label): value for label, value in values.items()}


def test_the_chart_has_a_bar_per_day_equal_to_the_calls_that_day(world, client_for, engine):
    add_campaign(engine, "kits")
    days = {0: 3, 2: 5, 3: 1, 6: 2}  # day offset → calls; days 1, 4 and 5 have none
    times = [
        DAY0 + timedelta(days=offset, hours=h * 2) for offset, n in days.items() for h in range(n)
    ]
    times.append(DAY0.replace(hour=23, minute=59, second=59))  # late on day 0, still day 0
    add_calls(engine, "kits", times)
    built = Counter(at.astimezone(UTC).date().isoformat() for at in times)
    page = client_for(COORD).get("/campaigns/kits").text
    bars = svg_bars(page)
    assert {day: n for day, n in bars.items() if n} == dict(built)
    assert len(bars) == 7 and sum(bars.values()) == len(times)  # zero days drawn as 0
    table = page.split('<table class="per-day">')[1].split("</table>")[0]
    rows = re.findall(r"<td>([\d-]+)</td><td class=\"number\">(\d+)</td>", table)
    assert {day: int(n) for day, n in rows} == dict(built)
    assert f"{len(times)} calls from 2020-04-01 to 2020-04-07" in page  # the <desc>


def test_the_page_lists_the_campaigns_tracebacks_with_what_they_found(world, client_for, engine):
    add_campaign(engine, "kits")
    call_ids = add_calls(engine, "kits", hours(3))
    with transaction(engine) as session:
        origin, gateway = (
            service.open_traceback_for_call(
                session, call_id, "test", world.clock, policy=settings_policy()
            )
            for call_id in call_ids[:2]
        )
        named = service.open_traceback(
            session, CALL_ONLY, "BBBB", "test", world.clock, None, None, "kits"
        )
        service.answer_hop(
            session,
            origin.id,
            "AAAA",
            Reply(Answer.ORIGIN, customer="Acme"),
            "test",
            world.clock,
            policy=settings_policy(),
        )
        upstream = Reply(Answer.UPSTREAM, upstream="FFFF")
        service.answer_hop(
            session, gateway.id, "AAAA", upstream, "test", world.clock, policy=settings_policy()
        )
    page = client_for(COORD).get("/campaigns/kits").text
    table = page.split('<table class="campaign-tracebacks">')[1].split("</table>")[0]
    rows = {
        m.group(1): m.group(0)
        for m in re.finditer(r'href="/tracebacks/(TB-\d+)".*?</tr>', table, re.DOTALL)
    }
    assert set(rows) == {origin.id, gateway.id, named.id}  # not the world's TB-000001
    assert "origin_identified" in rows[origin.id] and "customer Acme" in rows[origin.id]
    assert 'href="/providers/AAAA">AAAA</a>' in rows[origin.id]
    gateway_cell = rows[gateway.id].split("</td>")[-2]
    assert 'href="/providers/AAAA">AAAA</a>' in gateway_cell  # AAAA took it from FFFF
    with transaction(engine) as session:
        statuses = Counter(
            session.scalars(
                select(models.Traceback.status).where(models.Traceback.id != world.traceback_id)
            )
        )
    assert f"{statuses['open']} open, {statuses['closed']} closed" in page


def test_a_missing_campaign_is_404(world, client_for):
    assert client_for(COORD).get("/campaigns/no-such-campaign").status_code == 404


# --- Opening tracebacks for sample calls ---------------------------------------------------


def test_a_coordinator_opens_tracebacks_for_the_first_middle_and_last_call(
    world, client_for, engine
):
    add_campaign(engine, "kits", tags=["covid-19"])
    call_ids = add_calls(engine, "kits", hours(7))
    coordinator = client_for(COORD)
    assert 'name="samples" value="3"' in coordinator.get("/campaigns/kits").text
    response = post(coordinator, "/campaigns/kits/tracebacks")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/campaigns/kits?opened=")
    traced = tracebacks_of_calls(engine, call_ids)
    assert set(traced) == {call_ids[0], call_ids[3], call_ids[6]} and set(traced.values()) == {1}
    with transaction(engine) as session:
        opened = session.execute(
            select(models.Traceback.id, models.Traceback.campaign_id).where(
                models.Traceback.call_id.in_(call_ids)
            )
        ).all()
    assert {campaign for _, campaign in opened} == {"kits"}
    page = coordinator.get(response.headers["location"]).text
    message = page.split('<p class="message" role="status">')[1].split("</p>")[0]
    assert "Opened 3 tracebacks for sample calls" in message
    named = re.findall(r'<a href="/tracebacks/(TB-\d+)">', message)
    assert sorted(named) == sorted(tb_id for tb_id, _ in opened)


def test_opening_again_never_traces_a_call_twice(world, client_for, engine):
    add_campaign(engine, "kits")
    call_ids = add_calls(engine, "kits", hours(7))
    coordinator = client_for(COORD)
    assert post(coordinator, "/campaigns/kits/tracebacks").status_code == 303
    assert post(coordinator, "/campaigns/kits/tracebacks").status_code == 303
    traced = tracebacks_of_calls(engine, call_ids)
    # the second time, from the four left (1, 2, 4, 5): the first, the middle, the last
    assert set(traced) == {call_ids[i] for i in (0, 3, 6, 1, 4, 5)}
    assert post(coordinator, "/campaigns/kits/tracebacks", samples="5").status_code == 303
    refused = post(coordinator, "/campaigns/kits/tracebacks")
    assert refused.status_code == 409 and "Nothing opened" in refused.text
    traced = tracebacks_of_calls(engine, call_ids)
    assert set(traced) == set(call_ids) and set(traced.values()) == {1}


def test_calls_traced_elsewhere_or_without_a_terminating_provider_are_skipped(
    world, client_for, engine
):
    add_campaign(engine, "kits")
    call_ids = add_calls(engine, "kits", hours(5))
    unknown = add_calls(engine, "kits", [DAY0 + timedelta(days=9)], terminating=None)
    coordinator = client_for(COORD)
    post(coordinator, "/tracebacks/new/from-call", call_id=str(call_ids[4]))
    assert post(coordinator, "/campaigns/kits/tracebacks", samples="2").status_code == 303
    traced = tracebacks_of_calls(engine, call_ids + unknown)
    assert set(traced) == {call_ids[0], call_ids[3], call_ids[4]} and set(traced.values()) == {1}


def test_the_number_of_samples_is_checked(world, client_for, engine):
    add_campaign(engine, "kits")
    call_ids = add_calls(engine, "kits", hours(3))
    coordinator = client_for(COORD)
    for bad in ("0", "21"):
        response = post(coordinator, "/campaigns/kits/tracebacks", samples=bad)
        assert response.status_code == 400 and "between 1 and 20" in response.text
    assert post(coordinator, "/campaigns/kits/tracebacks", samples="1").status_code == 303
    assert set(tracebacks_of_calls(engine, call_ids)) == {call_ids[-1]}  # one: the latest


def test_opening_needs_the_csrf_token(world, client_for, engine):
    add_campaign(engine, "kits")
    call_ids = add_calls(engine, "kits", hours(3))
    coordinator = client_for(COORD)
    response = coordinator.post("/campaigns/kits/tracebacks", data={"samples": "3"})
    assert response.status_code == 403
    wrong = coordinator.post(
        "/campaigns/kits/tracebacks", data={"samples": "3", "csrf_token": "forged"}
    )
    assert wrong.status_code == 403
    assert tracebacks_of_calls(engine, call_ids) == Counter()


def test_a_regulator_reads_the_campaign_but_cannot_open_tracebacks(world, client_for, engine):
    add_campaign(engine, "kits")
    call_ids = add_calls(engine, "kits", hours(3))
    regulator = client_for(REGULATOR)
    page = regulator.get("/campaigns/kits").text
    assert "Sample transcripts" in page and 'action="/campaigns/kits/tracebacks"' not in page
    assert post(regulator, "/campaigns/kits/tracebacks").status_code == 403
    assert post(client_for(ADMIN), "/campaigns/kits/tracebacks").status_code == 303
    assert len(tracebacks_of_calls(engine, call_ids)) == 3


def test_the_message_names_only_this_campaigns_tracebacks(world, client_for, engine):
    add_campaign(engine, "kits")
    page = client_for(COORD).get(f"/campaigns/kits?opened={world.traceback_id},<b>x</b>").text
    assert 'class="message"' not in page and "<b>x</b>" not in page
    with transaction(engine) as session:
        count = session.scalar(select(func.count()).select_from(models.Traceback))
    assert count == 1


def test_the_list_and_the_page_count_complaints_naming_the_campaigns_numbers(
    world, client_for, engine, tmp_path
):
    world.app.state.analytics_dir = tmp_path / "analytics"
    add_campaign(engine, "kits", callback_numbers=["+18005550199"], call_count=2)
    add_calls(engine, "kits", hours(2), callers=["+12025550101"])
    complaints = ["800-555-0199", "(202) 555-0101", "202", "3125550100", "1 800 555 0199"]
    path = ftc_csv(
        tmp_path / "ftc.csv",
        *(ftc_row(Company_Phone_Number=n, Created_Date=f"2020-04-02 10:00:{i:02d}")
          for i, n in enumerate(complaints)),
    )  # fmt: skip
    import_evidence(evidence_files([path], "ftc"), tmp_path / "analytics")
    naming = sum(
        "".join(c for c in n if c.isdigit()).removeprefix("1") in ("8005550199", "2025550101")
        for n in complaints
    )
    client = client_for(COORD)
    listed = client.get("/campaigns").text.split('<a href="/campaigns/kits">', 1)[1]
    cells = re.findall(r'<td class="number">(\d+)</td>', listed.split("</tr>", 1)[0])
    assert cells[:2] == ["2", str(naming)]  # calls, then complaints
    assert f"<dt>Complaints</dt><dd>{naming} " in client.get("/campaigns/kits").text

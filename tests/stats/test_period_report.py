"""The period report against figures worked out by hand from the scorecards' scenario
(tests/stats/test_scorecards.py: five tracebacks opened 1–5 May, one on 6 May, letters and
authorizations later in May), on SQLite and PostgreSQL; its HTML and PDF read back with the
standard library's parser and poppler's pdftotext."""

from __future__ import annotations

import json
import subprocess
from datetime import UTC, date, datetime, timedelta

import pytest
from click.testing import CliRunner

from robotrace.cli import main
from robotrace.settings import Settings
from robotrace.stats.period import period_report, report_html, report_pdf
from robotrace.store.db import make_engine, transaction, upgrade
from tests.enforcement.test_letters import poppler_or_skip
from tests.stats.test_scorecards import CHAINS, REASON, build
from tests.web.test_statistics import Tables

NOW = datetime(2020, 7, 1, tzinfo=UTC)
WEEK = timedelta(days=7)
FIRST_FIVE = (date(2020, 5, 1), date(2020, 5, 6))  # TB 1–5, opened on 1–5 May


def test_the_report_of_the_first_five_tracebacks_counts_endings_and_providers(session, tmp_path):
    build(session)
    report = period_report(session, tmp_path, *FIRST_FIVE, NOW, WEEK)
    assert report.tracebacks == len(CHAINS) == 5
    # TB 1 ends at GATE naming FOR (foreign, not followed); TB 2 at ORIG's origin; TB 3 at
    # MID's refusal; TB 5 at GATE's silence. TB 4 waits on ORIG.
    assert report.closed == 4
    assert report.outcomes == {
        "origin_identified": 1,
        "foreign_origin": 1,
        "non_responsive": 2,
        "not_found": 0,
        "loop": 0,
    }
    # TERM, MID, GATE, ORIG asked; FOR named by GATE. Nothing was opened before May.
    assert (report.providers_identified, report.new_providers) == (5, 5)
    assert report.returning_providers == 0
    # MID was marked no_response in TB 4: its late answer does not undo the missed deadline.
    assert report.non_responsive_providers == ["GATE", "MID"]
    assert report.refusing_providers == ["MID"]
    assert report.average_hops == (3 + 2 + 2 + 2) / 4
    assert report.ending_foreign.as_dict() == {"count": 1, "of": 4, "share": 0.25}
    assert report.origin_identified.as_dict() == {"count": 1, "of": 4, "share": 0.25}
    assert [(c.id, c.tracebacks) for c in report.top_campaigns] == [("c1", 5)]
    # Letters and authorizations come after 6 May.
    assert set(report.enforcement.values()) == {0} and report.effects == []


def test_refusals_and_silences_are_listed_per_provider_with_their_reasons(session, tmp_path):
    build(session)
    report = period_report(session, tmp_path, *FIRST_FIVE, NOW, WEEK)
    # Worked out by hand (tests/stats/test_scorecards.py FINDINGS): MID refused in TB 3 and
    # was silent in TB 4 (then answered late), GATE was silent in TB 5. Most findings first.
    listed = report.as_dict()["refusals_and_silences"]
    assert [(p["key"], p["name"], p["refused"], p["no_response"]) for p in listed] == [
        ("MID", "Middle Wholesale", 1, 1),
        ("GATE", "Gateway Voice", 0, 1),
    ]
    reasons = {p["key"]: [(f["traceback_id"], f["reason"]) for f in p["findings"]] for p in listed}
    assert reasons == {
        "MID": [("TB-000003", REASON), ("TB-000004", "no answer by 2020-05-05 10:00 UTC")],
        "GATE": [("TB-000005", "no answer by 2020-05-06 01:00 UTC")],
    }
    table = Tables(report_html(report, Settings.from_environ().display_zone)).tables[
        "table-findings"
    ]
    assert table[1][:4] == ["MID", "Middle Wholesale", "1", "1"]
    assert f"TB-000003: refused: {REASON}" in table[1][4]
    # the report writes times for people, in New York: 10:00 UTC is 06:00 EDT
    assert "TB-000004: no response by 5 May 2020, 06:00 EDT (answered late" in table[1][4]
    # Tracebacks count by their opening: TB 3 (opened 3 May) is outside 4-6 May.
    later = period_report(session, tmp_path, date(2020, 5, 4), date(2020, 5, 6), NOW, WEEK)
    found = [(p.key, p.refusals, p.silences) for p in later.refusals_and_silences]
    assert found == [("GATE", 0, 1), ("MID", 0, 1)]  # equal counts: by key


def test_may_to_june_counts_returning_providers_and_every_step(session, tmp_path):
    build(session)
    report = period_report(session, tmp_path, date(2020, 5, 6), date(2020, 6, 1), NOW, WEEK)
    assert report.tracebacks == 1  # TB 6: TERM ← ORIG, origin identified
    assert (report.providers_identified, report.new_providers) == (2, 0)
    assert report.returning_providers == 2
    assert report.origin_identified.share == 1 and report.average_hops == 2
    assert report.enforcement == {
        "letters_issued": 2,  # GATE, 10 May
        "letters_complied": 1,  # decided 20 May
        "letters_noncompliant": 0,
        "authorizations_issued": 2,  # ORIG 21 May, MID 22 May
        "authorizations_lifted": 1,  # MID, 23 May
    }
    kinds = [(e.kind, e.key, e.campaigns) for e in report.effects]
    assert kinds == [
        ("warning_letter", "GATE", ("c1",)),
        ("warning_letter", "GATE", ("c1",)),
        ("block_authorization", "ORIG", ()),
        ("block_authorization", "MID", ()),
    ]
    document = report.as_dict()
    assert json.loads(json.dumps(document)) == document


def test_the_period_must_not_end_before_it_starts(session, tmp_path):
    with pytest.raises(ValueError, match="before it starts"):
        period_report(session, tmp_path, date(2020, 5, 6), date(2020, 5, 6), NOW, WEEK)


def test_html_and_pdf_show_the_figures(session, tmp_path):
    build(session)
    report = period_report(session, tmp_path, *FIRST_FIVE, NOW, WEEK)
    html = Tables(report_html(report, Settings.from_environ().display_zone))

    assert html.texts["fig-tracebacks"].startswith("5tracebacks opened (4 closed)")
    assert html.texts["fig-providers"].startswith("5providers identified (5 new, 0 returning)")
    assert html.texts["fig-hops"].startswith("2.2average hops")  # 2.25 to one decimal
    assert html.texts["fig-foreign"].startswith("25 %ending with a foreign provider (1 of 4)")
    assert ["c1", "c1", "5"] in html.tables["table-campaigns"]
    poppler_or_skip()
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(report_pdf(report, Settings.from_environ().display_zone))
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    text = " ".join(done.stdout.split())
    assert "2020-05-01 to 2020-05-06" in text
    assert "tracebacks opened (4 closed)" in text
    assert "non-responsive providers (1 refused)" in text
    assert "Non-responsive: GATE, MID." in text
    assert "Providers that refused or did not answer, with their reasons" in text
    assert f"TB-000003: refused: {REASON}" in text


def test_the_command_writes_json_html_and_pdf(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with transaction(engine) as session:
        build(session)
    engine.dispose()
    out = tmp_path / "out"
    out.mkdir()
    arguments = ["period-report", "--from", "2020-05-01", "--to", "2020-05-06", "--json"]
    arguments += ["--database-url", url, "--analytics-dir", str(tmp_path / "a")]
    arguments += ["--html", str(out / "r.html"), "--pdf", str(out / "r.pdf")]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert (document["tracebacks"], document["closed"], document["average_hops"]) == (5, 4, 2.25)
    assert (out / "r.pdf").read_bytes().startswith(b"%PDF-")
    assert 'id="fig-tracebacks"' in (out / "r.html").read_text()
    assert sorted(p.name for p in out.iterdir()) == ["r.html", "r.pdf"]  # no leftovers
    backwards = CliRunner().invoke(
        main, ["period-report", "--from", "2020-05-06", "--to", "2020-05-01"]
    )
    assert backwards.exit_code == 2 and "must be after" in backwards.output

"""``robotrace stats``: the same figures as the functions, as JSON or a short summary."""

from __future__ import annotations

import json
from datetime import date

from click.testing import CliRunner

from robotrace.cli import main
from robotrace.stats.complaints import complaint_stats
from robotrace.store.db import session_factory
from tests.evidence.builders import ftc_csv, ftc_row
from tests.stats.test_complaints import complaints_csv, stored
from tests.stats.test_covid import campaign


def test_json_prints_the_statistics_of_the_period_as_one_object(tmp_path):
    analytics = stored(tmp_path, complaints_csv(tmp_path / "ftc.csv", count=60))
    arguments = ["--from", "2020-04-01", "--to", "2020-04-15", "--top", "2"]
    result = CliRunner().invoke(
        main, ["stats", "complaints", "--json", "--analytics-dir", str(analytics), *arguments]
    )
    assert result.exit_code == 0, result.output
    want = complaint_stats(analytics, date(2020, 4, 1), date(2020, 4, 15), top=2)
    assert json.loads(result.output) == want.as_dict()


def test_the_summary_names_the_count_the_change_and_the_top_subjects(tmp_path):
    analytics = stored(tmp_path, complaints_csv(tmp_path / "ftc.csv", count=60))
    result = CliRunner().invoke(main, ["stats", "complaints", "--analytics-dir", str(analytics)])
    assert result.exit_code == 0, result.output
    assert "60 complaints filed 2020-03-" in result.output
    assert "robocall share:" in result.output and "Warranties & protection plans" in result.output


def test_an_empty_store_says_so(tmp_path):
    result = CliRunner().invoke(
        main, ["stats", "complaints", "--analytics-dir", str(tmp_path / "none")]
    )
    assert result.exit_code == 0 and "no complaints stored" in result.output


def test_a_period_ending_before_it_starts_is_a_usage_error(tmp_path):
    arguments = ["stats", "complaints", "--analytics-dir", str(tmp_path), "--from", "2020-04-02"]
    result = CliRunner().invoke(main, [*arguments, "--to", "2020-04-01"])
    assert result.exit_code == 2 and "before --from" in result.output


def test_with_a_database_the_numbers_of_covid_19_campaigns_count(engine, db_url, tmp_path):
    with session_factory(engine)() as session:
        campaign(session, "C-KITS", ["covid-19"], ["+18885550100"], "+12025550101")
        session.commit()
    path = ftc_csv(tmp_path / "ftc.csv", ftc_row(Company_Phone_Number="888-555-0100"))
    arguments = ["stats", "complaints", "--json", "--analytics-dir", str(stored(tmp_path, path))]
    without = json.loads(CliRunner().invoke(main, arguments).output)
    result = CliRunner().invoke(main, [*arguments, "--database-url", db_url])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["covid"] == {
        "complaints": 1, "by_subject": 0, "by_campaign_only": 1, "campaign_rule": True
    }  # fmt: skip
    assert without["covid"]["complaints"] == 0 and not without["covid"]["campaign_rule"]


def test_a_database_without_the_schema_is_a_usage_error(tmp_path):
    (tmp_path / "empty.db").touch()  # a SQLite database with no tables (a missing file: NoStore)
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = CliRunner().invoke(
        main, ["stats", "complaints", "--analytics-dir", str(tmp_path), "--database-url", url]
    )
    assert result.exit_code == 2 and "robotrace db upgrade" in result.output


# --- The flags of earlier releases ---------------------------------------------------------


def test_the_old_flags_print_what_the_subcommand_prints_and_name_it_on_stderr(tmp_path):
    analytics = stored(tmp_path, complaints_csv(tmp_path / "ftc.csv", count=60))
    arguments = ["--json", "--analytics-dir", str(analytics), "--top", "2"]
    new = CliRunner().invoke(main, ["stats", "complaints", *arguments])
    old = CliRunner().invoke(main, ["stats", *arguments])
    assert old.exit_code == 0, old.output
    assert old.stdout == new.stdout and new.stderr == ""
    assert "deprecated" in old.stderr and "use robotrace stats complaints" in old.stderr
    both = CliRunner().invoke(main, ["stats", "--effects", "--scorecards"])
    assert both.exit_code == 2 and "separate reports: pick one" in both.stderr


def test_options_before_the_subcommand_are_refused(tmp_path):
    result = CliRunner().invoke(main, ["stats", "--json", "complaints"])
    assert result.exit_code == 2 and "options go after the subcommand" in result.output

"""The FTC's published robocall transcripts (../shared/data): skipped where absent."""

from __future__ import annotations

import importlib.util
from collections import defaultdict
from pathlib import Path

import pytest

from robotrace.campaigns.grouping import Grouping, group_texts

from .builders import real_rows


@pytest.fixture(scope="module")
def real() -> tuple[list[dict[str, str]], Grouping]:
    rows = real_rows()
    return rows, group_texts(row["transcript"] for row in rows)


def campaigns_of_rows_saying(real, phrase: str) -> set[str]:
    rows, grouping = real
    found = {
        grouping.campaign_of(i).id for i, row in enumerate(rows) if phrase in row["transcript"]
    }
    assert found, f"no transcript says {phrase!r}"
    return found


def test_identical_transcripts_always_share_a_campaign(real):
    rows, grouping = real
    by_text: dict[str, set[str | None]] = defaultdict(set)
    for i, row in enumerate(rows):
        found = grouping.campaign_of(i)
        by_text[row["transcript"]].add(found.id if found else None)
    assert all(len(ids) == 1 for ids in by_text.values())
    assert sum(len(ids) for ids in by_text.values()) < len(rows) * 0.7


@pytest.mark.parametrize(
    "phrase",
    [
        "order placed for Apple iPhone 11 Pro using your Amazon account",
        "Officer Amanda Barnes",
        "The court has issued a suspension notice along with a warrant",
        "Mary Marcello regarding your COVID-19",
        "已派送两次无人签收",
    ],
)
def test_recordings_of_one_script_share_a_campaign(real, phrase):
    assert len(campaigns_of_rows_saying(real, phrase)) == 1


def test_different_scripts_of_one_topic_stay_apart(real):
    amazon_iphone = campaigns_of_rows_saying(real, "authorize a payment of $999")
    amazon_macbook = campaigns_of_rows_saying(real, "pre-authorized purchase of an Apple MacBook")
    assert amazon_iphone.isdisjoint(amazon_macbook)


@pytest.mark.parametrize(
    ("phrase", "tag"),
    [
        ("using your Amazon account", "amazon"),
        ("Social Security Administration", "government-impersonation"),
        ("car's extended warranty", "auto-warranty"),
        ("COVID-19 relief payment", "covid-19"),
        ("Disconnection Department", "utility-disconnection"),
        ("federal student loan", "student-loans"),
        ("0% interest rate", "credit-card-interest"),
        ("Apple Support", "apple"),
    ],
)
def test_tagging_finds_the_known_topics(real, phrase, tag):
    rows, grouping = real
    tagged = [
        tag in grouping.campaign_of(i).tags
        for i, row in enumerate(rows)
        if phrase in row["transcript"]
    ]
    assert tagged and sum(tagged) >= 0.8 * len(tagged)


def test_most_calls_are_in_campaigns_of_several_calls(real):
    rows, grouping = real
    in_bigger = sum(c.calls for c in grouping.campaigns if c.calls >= 3)
    assert in_bigger >= 0.9 * len(rows)


def test_the_real_data_report_in_the_docs_is_up_to_date(real):
    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("report", root / "scripts/campaigns_report.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows, _grouping = real
    assert (root / "docs/campaigns-real-data.md").read_text(encoding="utf-8") == module.report(
        rows
    ), "run: .venv/bin/python scripts/campaigns_report.py"

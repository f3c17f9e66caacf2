import csv
from pathlib import Path

import pytest

from robotrace.campaigns.grouping import campaign_name, group_transcripts, jaccard, shingles

WARRANTY = [
    "We are calling about your car's extended warranty. Press 1 to speak to a specialist now.",
    "We're calling about your vehicle's extended warranty. Press 1 to speak to a specialist now.",
    "We are calling about your car's extended warranty. Press one to speak to a specialist today.",
]
SSA = [
    "This is the Social Security Administration. Your social security number has been suspended.",
    "This is the Social Security Administration. Your social security number was suspended today.",
]


def test_variants_of_one_script_share_a_group_and_other_scripts_do_not():
    items = [(f"w{i}", t) for i, t in enumerate(WARRANTY)] + [
        (f"s{i}", t) for i, t in enumerate(SSA)
    ]
    groups = group_transcripts(items)
    assert [set(g.members) for g in groups] == [{"w0", "w1", "w2"}, {"s0", "s1"}]


def test_the_name_comes_from_the_most_typical_transcript():
    groups = group_transcripts([(str(i), t) for i, t in enumerate(WARRANTY)])
    assert groups[0].representative == WARRANTY[0]
    assert groups[0].name == "We are calling about your car's extended warranty…"


def test_short_texts_still_have_a_signature_and_empty_ones_match_nothing():
    assert shingles("hello there") == frozenset(["hello there"])
    assert jaccard(shingles(""), shingles("")) == 0.0


def test_campaign_name_keeps_short_texts_whole():
    assert campaign_name("Press one now.") == "Press one now"


SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "ftc-robocall-transcripts.csv"


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/data is not present on this machine")
def test_exact_duplicate_real_transcripts_always_land_in_one_group():
    with open(SHARED, newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["language"].lower().startswith("en")][:300]
    groups = group_transcripts((r["file_name"], r["transcript"]) for r in rows)
    group_of = {member: i for i, g in enumerate(groups) for member in g.members}
    by_text: dict[str, set[int]] = {}
    for row in rows:
        if row["transcript"].strip():
            by_text.setdefault(row["transcript"], set()).add(group_of[row["file_name"]])
    assert all(len(found) == 1 for found in by_text.values())
    assert len(groups) < len(rows)

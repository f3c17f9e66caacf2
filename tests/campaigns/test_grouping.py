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


def test_spoken_call_back_numbers_are_found_in_any_spelling():
    from robotrace.campaigns.grouping import spoken_numbers

    text = "Call 8 3 3 7 7 3 8 0 0 4 or 1-888-555-0199, or (202) 555.0143. Press 1. Ref 12345."
    assert spoken_numbers(text) == {"8337738004", "8885550199", "2025550143"}
    assert spoken_numbers("Press 1 now, your code is 0123456789") == frozenset()


def test_groups_that_read_out_the_same_call_back_number_are_joined():
    from robotrace.campaigns.grouping import join_by_callback

    texts = {
        "a": "Your Apple ID is locked. Call 844 995 6986 right away.",
        "b": "Apple security notice: suspicious purchase, call 8 4 4 9 9 5 6 9 8 6 now.",
        "c": "Your electric bill is past due, call 877 489 0963.",
    }
    groups = group_transcripts(texts.items())
    assert len(groups) == 3
    joined = join_by_callback(groups, texts)
    assert [set(g.members) for g in joined] == [{"a", "b"}, {"c"}]

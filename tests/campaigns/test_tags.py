from pathlib import Path

import pytest

from robotrace.campaigns.tags import TAG_RULES, TAG_WEIGHTS, tag_weight, tags_of


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("Your free COVID-19 test kit is ready", "covid-19"),
        ("due to the coronavirus pandemic", "covid-19"),
        ("This call is from the Social Security Administration", "government-impersonation"),
        (
            "a warrant against your name from U.S. Customs and Border Protection",
            "government-impersonation",
        ),
        ("the IRS will file a lawsuit", "government-impersonation"),
        ("Medicare will cover two kits", "government-impersonation"),
        ("an order placed for Apple iPhone 11 Pro using your Amazon account", "amazon"),
        ("suspicious activity on your iCloud account", "apple"),
        ("your service will be disconnected within 30 minutes", "utility-disconnection"),
        ("your outstanding federal student loan balance", "student-loans"),
        ("a 0% interest rate on all your credit card accounts", "credit-card-interest"),
        ("your car's extended warranty", "auto-warranty"),
        ("affordable health insurance plans", "health-insurance"),
        ("this call is from Microsoft, your computer has a virus", "tech-support"),
        ("a complimentary stay at Marriott Hotels", "travel-prize"),
        ("您有一个快件已派送两次无人签收", "parcel-delivery"),
    ],
)
def test_each_topic_is_recognised(text, tag):
    assert tag in tags_of([text], [1])


def test_a_warrant_is_not_a_warranty_and_a_script_without_topic_has_no_tag():
    assert "auto-warranty" not in tags_of(["a warrant against your name"], [1])
    assert tags_of(["Hey, just calling to check in, call me back."], [1]) == []


def test_a_tag_needs_a_share_of_the_calls_not_one_stray_transcript():
    texts = ["your car's extended warranty", "your social security number was suspended"]
    assert tags_of(texts, [9, 1]) == ["auto-warranty"]
    assert tags_of(texts, [6, 4]) == ["government-impersonation", "auto-warranty"]


def test_covid_and_government_impersonation_weigh_most():
    heaviest = max(TAG_WEIGHTS.values())
    assert TAG_WEIGHTS["covid-19"] == TAG_WEIGHTS["government-impersonation"] == heaviest
    assert tag_weight(["auto-warranty", "covid-19"]) == heaviest
    assert tag_weight([]) == 1.0


def test_tags_are_lower_case_slugs_and_unique():
    slugs = [rule.tag for rule in TAG_RULES]
    assert len(slugs) == len(set(slugs))
    assert all(slug == slug.lower() and " " not in slug for slug in slugs)


def test_every_tag_is_documented_with_its_weight():
    docs = (Path(__file__).resolve().parents[2] / "docs" / "campaigns.md").read_text()
    for rule in TAG_RULES:
        assert f"| `{rule.tag}` |" in docs, f"docs/campaigns.md does not list {rule.tag}"
        row = next(line for line in docs.splitlines() if line.startswith(f"| `{rule.tag}` |"))
        assert f"| {rule.weight:g} |" in row, f"docs/campaigns.md gives {rule.tag} another weight"

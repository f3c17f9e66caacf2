import random

from robotrace.campaigns.clusters import Thresholds
from robotrace.campaigns.grouping import group_texts

from .builders import rendered

SSA = "8885550143"
WARRANTY = "8335550199"


def campaigns_of(grouping, labels):
    """The found campaign of each item, keyed by the item's label."""
    return {label: grouping.campaign_of(row).id for row, label in enumerate(labels)}


def test_renderings_of_one_script_form_one_campaign_and_other_scripts_another():
    texts = rendered("ssa_suspension", 30, SSA) + rendered("auto_warranty", 30, WARRANTY)
    grouping = group_texts(texts)
    assert [c.calls for c in grouping.campaigns] == [30, 30]
    found = [grouping.campaign_of(row).id for row in range(60)]
    assert len(set(found[:30])) == len(set(found[30:])) == 1
    assert found[0] != found[30]


def test_two_different_scripts_that_read_out_one_number_are_one_campaign():
    main = rendered("amazon_order", 20, "8445550101", template=0)
    other = rendered("amazon_order", 20, "8445550101", template=1)
    assert len(group_texts(main + other).campaigns) == 1


def test_the_same_two_scripts_with_different_numbers_stay_apart():
    main = rendered("amazon_order", 20, "8445550101", template=0)
    other = rendered("amazon_order", 20, "8665550177", template=1)
    assert len(group_texts(main + other).campaigns) == 2


def test_a_recording_cut_short_joins_its_script():
    script = (
        "This is an important call regarding a legal enforcement action being executed under "
        "your name for suspicious and fraudulent activities carried out using your identity. "
        "The court has issued a suspension notice along with a warrant against your name. "
        "Ignoring this message will be an intentional second attempt to avoid initial "
        "appearance before a magistrate judge or grand jury for a federal criminal offense."
    )
    words = script.split()
    texts = [script] * 5 + [" ".join(words[20:])] * 2
    grouping = group_texts(texts)
    assert len(grouping.campaigns) == 1


def test_a_shared_caller_id_alone_does_not_join_different_scripts():
    covid, loans = (
        rendered("covid_test_kits", 5, "8005550100"),
        rendered("student_loans", 5, "8005550122"),
    )
    texts = covid + loans
    callers = ["+12025550143"] * 10
    assert len(group_texts(texts, callers).campaigns) == 2


def test_a_shared_caller_id_lowers_the_bar_for_texts_that_look_alike():
    base = "your account is qualified for fifty percent off press one to speak with an agent"
    texts = [base, base.replace("fifty percent off", "a discount today on your monthly bill")]
    strict = Thresholds(variant=0.9, near_duplicate=0.95, shared_caller=0.2)
    assert len(group_texts(texts, thresholds=strict).campaigns) == 2
    joined = group_texts(texts, ["+12025550143", "+12025550143"], thresholds=strict)
    assert len(joined.campaigns) == 1


def test_rows_without_words_belong_to_no_campaign():
    grouping = group_texts(["", "  ", "Press 1 to renew your warranty."])
    assert grouping.campaign_of(0) is None and grouping.campaign_of(1) is None
    assert grouping.campaign_of(2) is not None
    assert grouping.members() == [[2]]


def test_grouping_the_same_input_again_gives_the_same_campaigns_and_ids():
    texts = rendered("ssa_suspension", 40, SSA) + rendered("utility_disconnection", 40, WARRANTY)
    random.Random(5).shuffle(texts)
    first, second = group_texts(texts), group_texts(texts)
    assert first.campaigns == second.campaigns
    assert (first.row_campaign == second.row_campaign).all()


def test_a_campaign_is_described_by_its_typical_call():
    texts = [*rendered("utility_disconnection", 25, "8775550123"), "Unrelated words here."]
    campaign = group_texts(texts).campaigns[0]
    assert campaign.calls == 25
    assert campaign.representative in texts[:25]
    assert campaign.samples[0] == campaign.representative and len(campaign.samples) == 2
    assert campaign.callback_numbers == ("+18775550123",)
    assert campaign.tags == ("utility-disconnection",)
    assert campaign.name and campaign.name in campaign.representative

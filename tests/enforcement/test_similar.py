"""Substantially similar traffic: a provider that stops the named campaign but carries its
variant (the same call-back number, a script alike, the same customer or caller IDs) is still
noncompliant; traffic unlike the named is not held against it."""

from datetime import timedelta

from robotrace.enforcement.compliance import COMPLIED, NONCOMPLIANT, NamedTraffic, decide
from robotrace.enforcement.evidence import evidence_rows
from robotrace.enforcement.similar import (
    CampaignFacts,
    family_of,
    npa_nxx,
    profile_of,
    similarity,
    transcript_jaccard,
)
from robotrace.settings import Settings

from .builders import DIRECTORY, T0, through

DEADLINE = T0 + timedelta(hours=48)
AFTER = DEADLINE + timedelta(hours=1)
NAMED = NamedTraffic(campaigns=("covid-test-kits",))
KITS = (
    "This is an urgent message about your free covid test kits. Press one now to claim your "
    "kits before they run out, or call us back at 8 3 3 5 5 5 0 1 9 9."
)
FACTS = {
    "covid-test-kits": CampaignFacts(("+18335550199",), KITS),
    # Another script, the same number to call back: the scam's second wording.
    "covid-kits-2": CampaignFacts(("+18335550199",), "Your Medicare card needs renewing today."),
    # A near copy of the script with a few words changed, another call-back number.
    "covid-kits-3": CampaignFacts(
        ("+18335550777",),
        "This is an urgent message about your free covid test kits. Press one now to claim "
        "your kits before they are gone, or call us back at 8 3 3 5 5 5 0 7 7 7.",
    ),
    "auto-warranty": CampaignFacts(
        ("+18885550100",),
        "We have been trying to reach you about your car's extended warranty. Press two.",
    ),
}


def identified_rows(customer="Voice Are Us Ltd", callers=("+12025550143",)):
    tbs = [
        through("CCCC", T0 - timedelta(days=n + 1), f"TB-00000{n}", customer=customer, caller_id=c)
        for n, c in enumerate(callers)
    ]
    return evidence_rows(tbs, DIRECTORY, "CCCC")


def later(campaign, tb_id="TB-000100", customer="Someone Else LLC", caller_id="+14155550123"):
    tb = through("CCCC", AFTER, tb_id, campaign=campaign, customer=customer, caller_id=caller_id)
    return evidence_rows([tb], DIRECTORY, "CCCC")


def judged(rows_after, identified=None, originators=()):
    identified = identified if identified is not None else identified_rows()
    named = NamedTraffic(NAMED.campaigns, tuple(originators))
    profile = profile_of(identified, named.campaigns, named.originators, FACTS)
    return decide(
        [*identified, *rows_after], named, DEADLINE, Settings.from_environ().display_zone, profile
    )


def test_a_campaign_reading_out_the_named_call_back_number_is_the_same_family():
    family = family_of(["covid-test-kits"], FACTS)
    assert family["covid-kits-2"] == "the same call-back number +18335550199"
    assert "auto-warranty" not in family


def test_a_near_copy_of_the_script_is_the_same_family_and_an_unrelated_one_is_not():
    assert transcript_jaccard(KITS, FACTS["covid-kits-3"].transcript) >= 0.2
    assert transcript_jaccard(KITS, FACTS["auto-warranty"].transcript) < 0.2
    assert "covid-kits-3" in family_of(["covid-test-kits"], FACTS)


def test_stopping_the_named_campaign_but_carrying_its_variant_is_noncompliant():
    decision = judged(later("covid-kits-2"))
    assert decision.status == NONCOMPLIANT
    assert "call-back number +18335550199" in decision.reasons["TB-000100"]
    assert "substantially similar" in decision.text


def test_carrying_unrelated_traffic_after_the_deadline_is_not_held_against_the_provider():
    assert judged(later("auto-warranty")).status == COMPLIED


def test_the_same_originating_customer_is_similar_traffic_whatever_the_campaign():
    decision = judged(later("auto-warranty", customer="  voice are US ltd "))
    assert decision.status == NONCOMPLIANT
    assert "originating customer" in decision.reasons["TB-000100"]


def test_a_caller_id_of_an_identified_call_is_similar_traffic():
    decision = judged(later(None, caller_id="+12025550143"))
    assert decision.status == NONCOMPLIANT
    assert "+12025550143" in decision.reasons["TB-000100"]


def test_an_npa_nxx_block_counts_only_when_three_identified_caller_ids_share_it():
    three = identified_rows(callers=("+12025550143", "+12025550144", "+12025550145"))
    two = identified_rows(callers=("+12025550143", "+12025550144"))
    row = later(None, caller_id="+12025550999")
    assert judged(row, three).status == NONCOMPLIANT
    assert "202555" in judged(row, three).reasons["TB-000100"]
    assert judged(row, two).status == COMPLIED


def test_npa_nxx_is_the_six_digits_after_plus_one_and_nothing_for_other_numbers():
    assert npa_nxx("+12025550143") == "202555"
    assert npa_nxx("+442071234567") is None
    assert npa_nxx("2025550143") is None


def test_a_row_of_the_named_campaign_is_identified_not_similar():
    rows = later("covid-test-kits")
    profile = profile_of(identified_rows(), ("covid-test-kits",), (), FACTS)
    assert similarity(rows[0], profile) is None
    assert judged(rows).reasons["TB-000100"] == "the identified traffic"

from robotrace.demo.scoring import (
    RIGHT,
    STOPPED,
    WRONG,
    family_of,
    score_campaign,
    tally,
    true_downstream,
    true_upstreams,
)

CAMPAIGN = {"id": "c01", "originating_provider": "ORIG", "gateway_provider": "GATE"}
PATH = ["ORIG", "FOR1", "GATE", "MID", "TERM"]


def summary(tb_id: str, asked: list[str], answers: list[str], originating=None, gateway=None):
    hops = [{"provider": p, "answer": a} for p, a in zip(asked, answers, strict=True)]
    non_coop = [h["provider"] for h in hops if h["answer"] in ("refused", "no_response")]
    return {
        "id": tb_id,
        "hops": hops,
        "originating_provider": originating,
        "gateway_provider": gateway,
        "non_cooperative": non_coop,
    }


FULL = summary("T1", list(reversed(PATH)), ["upstream"] * 4 + ["origin"], "ORIG", "GATE")


def test_a_campaign_traced_to_its_true_providers_is_right():
    score = score_campaign(CAMPAIGN, "c01", [FULL], {"T1": PATH})
    assert (score.originating, score.gateway) == (RIGHT, RIGHT)
    assert score.chains_on_true_path == 1


def test_a_chain_stopped_by_a_silent_provider_on_the_true_path_is_stopped_and_named():
    stopped = summary("T2", ["TERM", "MID"], ["upstream", "no_response"])
    score = score_campaign(CAMPAIGN, "c01", [stopped], {"T2": PATH})
    assert (score.originating, score.gateway) == (STOPPED, STOPPED)
    assert score.non_cooperative == ("MID",)


def test_a_silent_provider_off_the_true_path_does_not_excuse_the_miss():
    astray = summary("T3", ["TERM", "ELSE"], ["upstream", "refused"])
    score = score_campaign(CAMPAIGN, "c01", [astray], {"T3": PATH})
    assert score.originating == WRONG
    assert score.chains_on_true_path == 0


def test_naming_a_wrong_provider_is_wrong_even_beside_the_right_one():
    other = summary("T4", list(reversed(PATH)), ["upstream"] * 4 + ["origin"], "OTHER", "GATE")
    score = score_campaign(CAMPAIGN, "c01", [FULL, other], {"T1": PATH, "T4": PATH})
    assert score.originating == WRONG and score.gateway == RIGHT
    assert tally([score], "originating") == {RIGHT: 0, STOPPED: 0, WRONG: 1}


def test_a_domestic_campaign_is_right_only_when_no_gateway_is_named():
    domestic = {**CAMPAIGN, "gateway_provider": None}
    path = ["ORIG", "MID", "TERM"]
    clean = summary("T5", list(reversed(path)), ["upstream", "upstream", "origin"], "ORIG")
    assert score_campaign(domestic, "c", [clean], {"T5": path}).gateway == RIGHT
    odd = {**clean, "gateway_provider": "MID"}
    assert score_campaign(domestic, "c", [odd], {"T5": path}).gateway == WRONG


def test_the_providers_truly_downstream_are_the_next_ones_on_each_path():
    paths = [PATH, ["ORIG", "FOR2", "GATE", "MID2", "TERM"], ["X", "MID", "TERM"]]
    assert true_downstream(paths, "GATE") == {"MID", "MID2"}
    assert true_downstream(paths, "TERM") == set()
    assert true_upstreams(paths, "GATE") == {"FOR1", "FOR2"}
    assert true_upstreams(paths, "MID") == {"GATE", "X"}
    assert true_upstreams(paths, "ORIG") == set()


def test_a_second_script_counts_as_the_campaign_it_varies():
    campaigns = [
        {"id": "c01", "variant_of": None},
        {"id": "c02"},
        {"id": "c09", "variant_of": "c01"},
    ]
    assert family_of(campaigns) == {"c01": "c01", "c02": "c02", "c09": "c01"}

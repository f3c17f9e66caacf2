from robotrace.campaigns.naming import (
    campaign_id,
    campaign_name,
    core_of,
    shingle_shares,
    typical_index,
)


def test_the_core_is_what_at_least_half_of_the_calls_say():
    texts = ["a b c d", "a b c e", "x y z"]
    shares = shingle_shares(texts, [2, 1, 1])
    assert shares["a b c"] == 0.75
    assert core_of(shares) == {"a b c", "b c d"}


def test_the_id_depends_on_the_commonest_wording_only():
    shares = {"press # to": 0.9, "your car's warranty": 0.9, "rare words here": 0.1}
    same_script_more_calls = {"press # to": 0.92, "your car's warranty": 0.88, "new": 0.2}
    other_script = {"social security number": 0.9, "press # to": 0.9}
    assert campaign_id(shares) == campaign_id(same_script_more_calls)
    assert campaign_id(shares) != campaign_id(other_script)
    assert campaign_id(shares).startswith("C-") and len(campaign_id(shares)) == 10


def test_the_typical_transcript_covers_the_core_and_is_the_commonest():
    texts = ["b c d e", "a b c d e", "a b c d e f g"]  # a fragment, two whole transcripts
    core = {"a b c", "b c d", "c d e"}
    raw = ["B C D E", "A B C D E", "A B C D E F G"]
    assert typical_index(texts, [9, 3, 1], core, raw) == 1


def test_the_typical_transcript_starts_like_a_sentence_when_one_does():
    texts = ["a b c d", "a b c d e"]
    core = {"a b c", "b c d"}
    assert typical_index(texts, [5, 1], core, ["and so a b c d", "Hello a b c d e"]) == 1


def test_a_name_is_the_most_telling_stretch_of_the_opening_sentences():
    text = (
        "Hello, this is Amazon. This call is to authorize a payment of $999. We would like to "
        "inform you that there is an order placed for Apple iPhone 11 Pro using your Amazon "
        "account. If you do not authorize this order, press 1."
    )
    assert campaign_name(text) == "Order placed for Apple iPhone 11 Pro using your Amazon"


def test_people_and_greetings_do_not_name_a_campaign():
    text = "Hi, this is Daniel Smith from the Social Security Administration. Press 1."
    assert campaign_name(text) == "Social Security Administration"


def test_a_mandarin_transcript_is_named_by_its_opening_characters():
    text = "这是DHL国际快递最后语音通知 您有一份重要快件派送均无人签收 了解详情请按9"
    assert campaign_name(text) == "这是DHL国际快递最后语音通知"
    assert campaign_name("") == ""

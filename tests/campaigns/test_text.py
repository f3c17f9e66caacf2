from robotrace.campaigns.text import normalize, shingles, spoken_numbers, tokens


def test_numbers_in_any_spelling_become_one_mask():
    spelled = normalize("Call 8 3 3 7 7 3 8 0 0 4 now, press one.")
    dashed = normalize("Call 833-555-0143 now, press 1.")
    assert spelled == dashed == "call # now press #"


def test_amounts_dates_and_order_numbers_are_masked():
    assert normalize("Charged $1,537.35 on 01/19/2023 for order AMZ0987") == (
        "charged # on # for order amz #"
    )


def test_first_names_and_their_surnames_are_masked_but_brands_are_not():
    assert normalize("Hi, this is Daniel from Amazon.") == "hi this is @ from amazon"
    assert normalize("This is Mary Fletcher, State Number Agent") == (
        "this is @ state number agent"
    )


def test_a_capitalised_word_after_officer_is_a_name():
    assert normalize("My name is Officer Amanda Barnes and") == "my name is officer @ and"
    assert normalize("This is officer Schulz calling") == "this is officer @ calling"


def test_text_without_spaces_is_one_token_per_character():
    assert tokens("您有一个快件 请按9") == ["您", "有", "一", "个", "快", "件", "请", "按", "#"]
    assert tokens("这是DHL国际快递") == ["这", "是", "dhl", "国", "际", "快", "递"]


def test_empty_and_punctuation_only_texts_have_no_tokens():
    assert normalize("") == normalize(" ... ") == ""


def test_shingles_are_word_trigrams_and_a_short_text_is_one_shingle():
    assert shingles(["press", "#", "to", "speak", "now"]) == [
        "press # to",
        "# to speak",
        "to speak now",
    ]
    assert shingles(["press", "#"]) == ["press #"]
    assert shingles([]) == []


def test_spoken_call_back_numbers_are_found_in_any_spelling():
    text = "Call 8 3 3 7 7 3 8 0 0 4 or 1-888-555-0199, or (202) 555.0143. Press 1. Ref 12345."
    assert spoken_numbers(text) == {"8337738004", "8885550199", "2025550143"}


def test_a_number_run_into_a_menu_option_is_still_found():
    assert spoken_numbers("press 2. 8 3 3 5 5 5 0 1 4 3 thank you") == {"8335550143"}


def test_codes_that_cannot_be_numbers_are_not_call_back_numbers():
    assert spoken_numbers("Press 1 now, your code is 0123456789") == frozenset()
    assert spoken_numbers("reference 12345 and 1 2 3") == frozenset()

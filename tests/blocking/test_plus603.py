"""The 603+ Reason header against ATIS-1000099's shape, as vendors' implementations read it
(a ``SIP`` reason with cause 603, ``text`` beginning ``v=analytics1;``, at least one of
``url``/``tel``/``email``, an optional ``id`` of at most 64 letters, digits, ``_``, ``-``, and an
RFC 8606 ``location``) — checked here with an independent pattern, not with the builder."""

import re

import pytest

from robotrace.blocking.plus603 import Redress, reason_value
from robotrace.redress import InvalidRedress, check_location, check_url_template

#: RFC 3326 reason-value with ATIS-1000099's text, written out from the standard's rules.
SHAPE = re.compile(
    r'^SIP;cause=603;text="v=analytics1'
    r"(?:;url=https://[^\";\s]+)?(?:;tel=\+[1-9][0-9]{6,14})?(?:;email=[^\";\s@]+@[^\";\s@]+)?"
    r'(?:;id=[A-Za-z0-9_-]{1,64})?";location=(?:U|LPN|LN|TN|RLN|RPN)$'
)


def test_every_way_and_the_id_in_the_standards_order_and_shape():
    redress = Redress.checked("https://redress.example/r", "+12025550100", "desk@example.org")
    value = reason_value(redress, "BA-000012", "RLN")
    assert SHAPE.match(value)
    assert value == (
        'SIP;cause=603;text="v=analytics1;url=https://redress.example/r;tel=+12025550100;'
        'email=desk@example.org;id=BA-000012";location=RLN'
    )


@pytest.mark.parametrize("reference", ["DA 25-694", "FDO-000007", "x" * 80, "déjà vu"])
def test_a_reference_becomes_a_valid_id_or_is_left_out(reference):
    value = reason_value(Redress(tel="+12025550100"), reference, "TN")
    assert SHAPE.match(value), value


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("url", "http://redress.example/"),  # must be HTTPS
        ("url", 'https://x.example/";location=LN'),  # would end the text
        ("url", "https://x.example/a b"),
        ("url", "https:///no-host"),
        ("tel", "202-555-0100"),  # must be global E.164
        ("tel", "+1202555010;x"),
        ("email", "not an address"),
        ("email", 'a"b@example.org'),
    ],
)
def test_a_value_that_could_break_the_header_is_refused_where_it_enters(field, value):
    with pytest.raises(InvalidRedress, match=field):
        Redress.checked(**{field: value})


def test_only_rfc_8606_locations_are_taken():
    assert check_location("TN") == "TN"
    with pytest.raises(InvalidRedress):
        check_location("XX")


def test_a_url_template_is_checked_with_a_reference_in_place():
    assert check_url_template("https://r.example/{reference}") == "https://r.example/{reference}"
    with pytest.raises(InvalidRedress):
        check_url_template("ftp://r.example/{reference}")

from datetime import timedelta

from robotrace.enforcement.blocklist import (
    InForce,
    content_hash,
    csv_body,
    entries_of,
    etag_matches,
    etag_of,
    json_body,
)

from .builders import T0


def auth(id_, scope="provider", numbers=(), effective=T0, ocn="CCCC") -> InForce:
    return InForce(id_, scope, numbers, effective, "noncompliant", ocn, "Charlie", "noc@c.example")


def test_a_provider_authorization_is_one_provider_entry():
    [entry] = entries_of([auth(5)], T0)
    assert entry == {
        "kind": "provider",
        "scope": "provider",
        "ocn": "CCCC",
        "name": "Charlie",
        "number": None,
        "authorization_id": 5,
        "effective_at": "2020-05-01T12:00:00Z",
        "reason": "noncompliant",
        "contact": "noc@c.example",
    }


def test_a_numbers_authorization_is_one_entry_per_number():
    entries = entries_of([auth(6, "numbers", ("+12025550143", "+12025550144"))], T0)
    assert [(e["kind"], e["number"]) for e in entries] == [
        ("number", "+12025550143"),
        ("number", "+12025550144"),
    ]


def test_an_authorization_takes_effect_at_its_effective_time_not_before():
    later = auth(7, effective=T0 + timedelta(seconds=1))
    assert entries_of([later], T0) == []
    assert len(entries_of([later], T0 + timedelta(seconds=1))) == 1


def test_the_same_authorizations_in_any_order_give_the_same_content():
    a, b = auth(1, ocn="BBBB"), auth(2, ocn="CCCC")
    assert content_hash(entries_of([a, b], T0)) == content_hash(entries_of([b, a], T0))


def test_the_json_body_is_canonical():
    body = json_body(3, T0, entries_of([auth(1)], T0))
    assert body.startswith(b'{"entries":[{"authorization_id":1,')
    assert body.endswith(b'"generated_at":"2020-05-01T12:00:00Z","version":3}')
    assert b" " not in body.replace(b"noc@c.example", b"")


def test_the_csv_has_a_header_and_a_row_per_entry():
    lines = csv_body(entries_of([auth(1)], T0)).decode().splitlines()
    assert lines[0] == "kind,scope,ocn,name,number,authorization_id,effective_at,reason,contact"
    assert (
        lines[1]
        == "provider,provider,CCCC,Charlie,,1,2020-05-01T12:00:00Z,noncompliant,noc@c.example"
    )


def test_if_none_match_compares_strong_weak_lists_and_star():
    tag = etag_of(b"body")
    assert etag_matches(tag, tag)
    assert etag_matches(f'"other", W/{tag}', tag)
    assert etag_matches("*", tag)
    assert not etag_matches('"other"', tag)
    assert not etag_matches(None, tag)

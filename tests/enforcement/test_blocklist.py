import csv
import io
from datetime import timedelta

from robotrace.enforcement.blocklist import (
    RMD_REMOVED,
    InForce,
    ListRedress,
    content_hash,
    csv_body,
    entries_of,
    etag_matches,
    etag_of,
    json_body,
)

from .builders import T0


def auth(id_, scope="provider", numbers=(), effective=T0, key="CCCC", ocns=("CCCC",)) -> InForce:
    return InForce(
        id_, scope, numbers, effective, "noncompliant", key, "Charlie", "noc@c.example", ocns
    )


def removal(key="RMD0001234", order="DA 25-694", effective=T0) -> InForce:
    reason = f"removed from the Robocall Mitigation Database ({order})"
    return InForce(
        None, "no_direct_traffic", (), effective, reason, key, "Echo Resale", "",
        reason_code=RMD_REMOVED, rmd_order=order,
    )  # fmt: skip


def test_a_provider_authorization_is_one_provider_entry():
    [entry] = entries_of([auth(5)], T0)
    assert entry == {
        "kind": "provider",
        "scope": "provider",
        "provider": "CCCC",
        "ocns": ["CCCC"],
        "name": "Charlie",
        "number": None,
        "reason_code": "authorization",
        "authorization_id": 5,
        "rmd_order": None,
        "order_id": None,
        "obligation": "permissive",
        "downstream": [],
        "effective_at": "2020-05-01T12:00:00Z",
        "reason": "noncompliant",
        "contact": "noc@c.example",
        "reference": "BA-000005",
        "redress": None,
    }


def test_a_numbers_authorization_is_one_entry_per_number():
    entries = entries_of([auth(6, "numbers", ("+12025550143", "+12025550144"))], T0)
    assert [(e["kind"], e["number"]) for e in entries] == [
        ("number", "+12025550143"),
        ("number", "+12025550144"),
    ]


def test_every_entry_names_the_list_redress_with_its_own_reference_in_the_url():
    redress = ListRedress("https://redress.example/blocks/{reference}", "+12025550100", "")
    entries = entries_of([auth(6, "numbers", ("+12025550143",)), removal("CCCC")], T0, redress)
    assert [e["redress"] for e in entries] == [
        {"url": "https://redress.example/blocks/DA%2025-694", "tel": "+12025550100"},
        {"url": "https://redress.example/blocks/BA-000006", "tel": "+12025550100"},
    ]


def test_an_authorization_takes_effect_at_its_effective_time_not_before():
    later = auth(7, effective=T0 + timedelta(seconds=1))
    assert entries_of([later], T0) == []
    assert len(entries_of([later], T0 + timedelta(seconds=1))) == 1


def test_the_same_authorizations_in_any_order_give_the_same_content():
    a, b, c = auth(1, key="BBBB"), auth(2, key="CCCC"), removal("CCCC")
    assert content_hash(entries_of([a, b, c], T0)) == content_hash(entries_of([c, b, a], T0))


def test_an_rmd_removal_is_a_no_direct_traffic_entry_without_an_authorization():
    [entry] = entries_of([removal()], T0)
    assert entry == {
        "kind": "provider",
        "scope": "no_direct_traffic",
        "provider": "RMD0001234",
        "ocns": [],
        "name": "Echo Resale",
        "number": None,
        "reason_code": "rmd_removed",
        "authorization_id": None,
        "rmd_order": "DA 25-694",
        "order_id": None,
        "obligation": "mandatory",
        "downstream": [],
        "effective_at": "2020-05-01T12:00:00Z",
        "reason": "removed from the Robocall Mitigation Database (DA 25-694)",
        "contact": "",
        "reference": "DA 25-694",
        "redress": None,
    }


def test_an_rmd_removal_takes_effect_at_the_removal_date_not_before():
    later = removal(effective=T0 + timedelta(days=1))
    assert entries_of([later], T0) == []
    assert len(entries_of([later], T0 + timedelta(days=1))) == 1


def test_the_json_body_is_canonical():
    body = json_body(3, T0, entries_of([auth(1)], T0))
    assert body.startswith(b'{"entries":[{"authorization_id":1,')
    assert body.endswith(b'"generated_at":"2020-05-01T12:00:00Z","version":3}')
    assert b" " not in body.replace(b"noc@c.example", b"")


def test_the_csv_has_a_header_and_a_row_per_entry():
    lines = csv_body(entries_of([auth(1)], T0)).decode().splitlines()
    assert lines[0] == (
        "kind,scope,provider,ocns,name,number,reason_code,authorization_id,rmd_order,"
        "order_id,obligation,downstream,effective_at,reason,contact,reference,redress"
    )
    assert lines[1] == (
        "provider,provider,CCCC,CCCC,Charlie,,authorization,1,,,permissive,,"
        "2020-05-01T12:00:00Z,noncompliant,noc@c.example,BA-000001,"
    )


def test_the_csv_lists_several_ocns_in_one_cell_and_an_rmd_removal_without_authorization():
    rows = entries_of([auth(1, key="CCCC", ocns=("CCCC", "CCC2")), removal()], T0)
    lines = csv_body(rows).decode().splitlines()
    assert lines[1].startswith("provider,provider,CCCC,CCCC CCC2,Charlie,,authorization,1,,")
    assert lines[2] == (
        "provider,no_direct_traffic,RMD0001234,,Echo Resale,,rmd_removed,,DA 25-694,,mandatory,,"
        "2020-05-01T12:00:00Z,removed from the Robocall Mitigation Database (DA 25-694),"
        ",DA 25-694,"
    )


def test_a_formula_in_a_provider_written_cell_is_defused_and_numbers_stay_e164():
    # issue 24: a provider writes its own name; "=…" ran as a formula in a spreadsheet
    hostile = InForce(
        8, "numbers", ("+12025550143",), T0, "@SUM(1+9)*cmd|' /C calc'!A0", "CCCC",
        '=HYPERLINK("http://evil.example","Charlie")', "-2+3+cmd|' /C calc'!A0", ("CCCC",),
    )  # fmt: skip
    [header, row] = list(csv.reader(io.StringIO(csv_body(entries_of([hostile], T0)).decode())))
    cells = dict(zip(header, row, strict=True))
    assert cells["name"] == '\'=HYPERLINK("http://evil.example","Charlie")'
    assert cells["reason"] == "'@SUM(1+9)*cmd|' /C calc'!A0"
    assert cells["contact"] == "'-2+3+cmd|' /C calc'!A0"
    assert cells["number"] == "+12025550143"  # an E.164 number is left as it is
    # the JSON carries the values as written: JSON is not read by spreadsheets
    [entry] = entries_of([hostile], T0)
    assert entry["name"].startswith("=HYPERLINK")


def test_if_none_match_compares_strong_weak_lists_and_star():
    tag = etag_of(b"body")
    assert etag_matches(tag, tag)
    assert etag_matches(f'"other", W/{tag}', tag)
    assert etag_matches("*", tag)
    assert not etag_matches('"other"', tag)
    assert not etag_matches(None, tag)

"""Every crash the fuzzers found (fuzz/, tests/fuzz/test_openapi.py), as the input that found
it: each parser now answers it or refuses it with its own error. The inputs also stay in the
harnesses' seeds as ``fuzz/corpus/<harness>/crash-*``."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from fuzz.run import CORPUS

from robotrace.blocking.sip.server import respond
from robotrace.csvlines import CSV_FIELD_LIMIT, MAX_FIELD_CHARS
from robotrace.evidence.registry import recognise
from robotrace.paths.calls import read_calls
from robotrace.providers.registry import read_providers_csv, write_providers_csv
from robotrace.rows import BadRowsError
from tests.blocking.sip.builders import CALLED, invite, service
from tests.evidence.builders import fcc_csv, fcc_row
from tests.web.conftest import PROVIDERS, api_for, cheap_password_hashing, world  # noqa: F401 (fixtures)

SOURCE = ("192.0.2.7", 5062)


def test_an_invite_to_a_number_that_is_not_utf8_is_redirected_byte_for_byte():
    # fuzz/corpus/sip_messages/crash-not-utf8-called-number: quote() could not encode it.
    data = invite(uri=f"sip:{CALLED}X@192.0.2.1").replace(b"X@", b"\xd6@")
    answered = respond(service(), data, SOURCE, framed=False)
    assert answered is not None
    _request, wire = answered
    assert wire.startswith(b"SIP/2.0 302 ")
    assert f"Contact: <sip:{CALLED}%D6@10.0.0.9:5060>".encode() in wire


def test_the_crashing_sip_capture_gets_an_answer():
    data = (CORPUS / "sip_messages" / "crash-not-utf8-called-number").read_bytes()
    assert respond(service(), data, SOURCE, framed=False) is not None


def test_a_calls_file_with_an_epoch_time_too_large_names_the_row(tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text(
        "call_id,called_number,calling_number,call_time,terminating_provider\n"
        "c1,+13125550199,,99999999999999999999,TERM\n"
        "c2,+13125550199,,1588334400,TERM\n"
    )
    with pytest.raises(BadRowsError) as refused:
        read_calls(path)
    [error] = refused.value.errors
    assert (error.line, error.reason) == (2, "call_time is not a time: 99999999999999999999")


def test_a_calls_parquet_file_whose_pages_cannot_be_read_is_refused_at_line_1(tmp_path):
    # fuzz/corpus/calls_files/crash-unreadable-parquet-page.parquet: a readable footer over
    # broken pages made DuckDB raise "Out of buffer" past the footer check.
    crash = CORPUS / "calls_files" / "crash-unreadable-parquet-page.parquet"
    path = tmp_path / "calls.parquet"
    path.write_bytes(crash.read_bytes())
    with pytest.raises(BadRowsError) as refused:
        read_calls(path)
    [error] = refused.value.errors
    assert error.line == 1 and error.reason.startswith("not a readable Parquet file")


def test_a_calls_file_whose_header_leaves_a_quote_open_is_refused_at_line_1(tmp_path):
    # fuzz/corpus/calls_files/crash-open-quote-in-header.csv: the quote swallowed every row,
    # pyarrow skipped them, the csv pass found none to name: a BadRowsError naming no row.
    path = tmp_path / "calls.csv"
    path.write_bytes((CORPUS / "calls_files" / "crash-open-quote-in-header.csv").read_bytes())
    with pytest.raises(BadRowsError) as refused:
        read_calls(path)
    [error] = refused.value.errors
    assert (error.line, error.reason) == (1, "cannot read the header: unexpected end of data")


def test_a_header_ended_by_a_lone_cr_is_recognised(tmp_path):
    # fuzz/corpus/fcc_complaints/crash-cr-in-header: csv.reader refused the CR inside the line.
    path = fcc_csv(tmp_path / "complaints.csv", fcc_row())
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    found = recognise(path)
    assert found is not None and found.name == "fcc"


def test_the_crashing_complaint_header_is_not_recognised(tmp_path):
    path = tmp_path / "complaints.csv"
    path.write_bytes((CORPUS / "fcc_complaints" / "crash-cr-in-header").read_bytes())
    assert recognise(path) is None


def test_a_report_body_that_is_not_utf8_is_answered_422(world):  # noqa: F811
    # fuzz/corpus/api_bodies/crash-report-not-utf8: the 422 echoed the raw bytes as its
    # input, and writing that response failed (500).
    body = b'{"calling_number": "202-555-0143", "called_at\xde\xc5": 1}'
    response = TestClient(world.app).post(
        "/api/v1/reports", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["type"] == "json_invalid" and "\ufffd" in error["input"]


def test_a_providers_file_that_is_not_utf8_is_refused_at_its_line(tmp_path):
    # fuzz/corpus/rmd_providers/crash-not-utf8: UnicodeDecodeError escaped the reader.
    path = tmp_path / "providers.csv"
    write_providers_csv(path, PROVIDERS)
    path.write_bytes(path.read_bytes().replace(b"Bravo", b"Br\xffvo"))
    with pytest.raises(BadRowsError) as refused:
        read_providers_csv(path)
    [error] = refused.value.errors
    assert (error.line, error.reason) == (3, "not a UTF-8 CSV file: this line is not valid UTF-8")


def test_a_providers_file_with_a_field_past_the_csv_limit_is_refused_at_its_line(tmp_path):
    # Found reading the reader for its harness: csv.Error is no ValueError, so the portal's
    # and the API's provider import answered 500. Since issue 17 fields of real exports'
    # length read (CSV_FIELD_LIMIT); one past even that is still refused at its line.
    path = tmp_path / "providers.csv"
    write_providers_csv(path, PROVIDERS[:1])
    path.write_text(path.read_text() + "BIG," + "x" * (CSV_FIELD_LIMIT + 1) + "\n")
    with pytest.raises(BadRowsError) as refused:
        read_providers_csv(path)
    [error] = refused.value.errors
    assert error.line == 3 and error.reason.startswith("not a CSV file: field larger")


def test_a_providers_row_with_a_field_past_the_row_limit_is_refused_at_its_line(tmp_path):
    path = tmp_path / "providers.csv"
    write_providers_csv(path, PROVIDERS[:1])
    long_name = "x" * (MAX_FIELD_CHARS + 1)
    path.write_text(path.read_text() + f"RMD0000099,,{long_name},No\n")
    with pytest.raises(BadRowsError) as refused:
        read_providers_csv(path)
    [error] = refused.value.errors
    assert error.line == 3 and "1,000,001 characters" in error.reason


def test_a_providers_file_with_free_text_as_long_as_real_exports_reads(tmp_path):
    path = tmp_path / "providers.csv"
    path.write_text("ocn,business_name\nBIG," + "x" * 200_000 + "\n")
    [provider] = read_providers_csv(path)
    assert len(provider.business_name) == 200_000


def test_the_api_refuses_a_providers_file_past_the_field_limit_with_422(api_for):  # noqa: F811
    upload = (
        "providers.csv",
        b"ocn,business_name\nBIG," + b"x" * (MAX_FIELD_CHARS + 1) + b"\n",
    )
    response = api_for("coord@example.org").post("/api/v1/providers/import", files={"file": upload})
    assert response.status_code == 422
    assert response.json()["detail"][0].startswith("providers.csv:2: business_name has")


# tests/fuzz/test_openapi.py found these: ids and offsets past what the database holds made
# SQLite raise OverflowError (past 64 bits) and PostgreSQL DataError (past 32 bits): 500.
TOO_LARGE = 2**31


@pytest.mark.parametrize(
    ("sender", "url"),
    [
        ("noc@aaaa.example", f"/api/v1/hop-requests?offset={2**63}"),
        ("noc@aaaa.example", f"/api/v1/hop-requests/{TOO_LARGE}"),
        ("noc@aaaa.example", f"/api/v1/signer-requests/{2**63}"),
        ("coord@example.org", f"/api/v1/tracebacks?offset={2**63}"),
        ("coord@example.org", f"/api/v1/campaigns?offset={2**63}"),
        ("coord@example.org", f"/api/v1/blocklist/versions/{2**63}"),
        ("coord@example.org", "/api/v1/blocklist/versions/-3428114213479781434224607411818201088"),
        ("fcc@example.org", f"/api/v1/letters/{TOO_LARGE}"),
    ],
)
def test_an_id_or_offset_past_the_database_s_integers_is_answered_422(api_for, sender, url):  # noqa: F811
    assert api_for(sender).get(url).status_code == 422


def test_a_mitigation_report_for_a_negative_letter_id_is_answered_422(api_for):  # noqa: F811
    response = api_for("noc@aaaa.example").post(
        "/api/v1/letters/-100000000000000/mitigation-report", json={"text": "we stopped them"}
    )
    assert response.status_code == 422


def test_an_evidence_upload_with_a_bad_query_value_answers_422_as_documented(world, api_for):  # noqa: F811
    # The 422 was documented as the import summary only; a bad query value answers
    # FastAPI's list of problems, which the description now allows too.
    response = api_for("coord@example.org").post(
        "/api/v1/evidence/sip?default_time=not-a-time", content=b"INVITE"
    )
    assert response.status_code == 422 and response.json()["detail"][0]["loc"][-1] == "default_time"
    spec = TestClient(world.app).get("/api/v1/openapi.json").json()
    said = spec["paths"]["/api/v1/evidence/{format}"]["post"]["responses"]["422"]
    shapes = said["content"]["application/json"]["schema"]["anyOf"]
    assert {"$ref": "#/components/schemas/Problem"} in shapes

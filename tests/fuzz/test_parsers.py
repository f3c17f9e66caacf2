"""Every parser on arbitrary input (hypothesis): it answers, or refuses with its own
documented error — never another exception. Each crash found here stays as an example."""

from __future__ import annotations

import base64
import contextlib
import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from robotrace.blocking.sip.message import parse_request
from robotrace.cdr.duck import connect
from robotrace.clock import parse_utc
from robotrace.numbers import InvalidNumber, digits_key, digits_key_sql, normalize
from robotrace.shaken.codes import ShakenFailure
from robotrace.shaken.identity import parse_identity_header
from robotrace.shaken.passport import decode_passport

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INVITE = (
    b"INVITE sip:+12025550143@192.0.2.1 SIP/2.0\r\n"
    b"Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK776asdhds\r\n"
    b"From: <sip:+13125550199@192.0.2.9>;tag=1928301774\r\n"
    b"To: <sip:+12025550143@192.0.2.1>\r\n"
    b"Call-ID: a84b4c76e66710\r\nCSeq: 314159 INVITE\r\nContent-Length: 4\r\n\r\nv=0\n"
)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@FUZZ
@given(st.binary(max_size=600) | st.binary(max_size=80).map(lambda tail: INVITE + tail))
@example(INVITE.replace(b"Content-Length: 4", "Content-Length: \u00b2".encode()))
@example(INVITE.replace(b"Content-Length: 4", "Content-Length: \u0663".encode()))
def test_sip_requests_never_raise(data):
    request = parse_request(data)
    assert isinstance(request.problems, list)


@FUZZ
@given(st.text(max_size=300))
def test_identity_headers_parse_or_fail_with_a_code(text):
    with contextlib.suppress(ShakenFailure):
        parse_identity_header(text)


@FUZZ
@given(json_values, json_values, st.binary(max_size=80))
def test_passports_decode_or_fail_with_a_code(header, claims, signature):
    token = ".".join(
        [b64(json.dumps(header).encode()), b64(json.dumps(claims).encode()), b64(signature)]
    )
    for candidate in (token, token[: len(token) // 2], token.replace(".", "")):
        with contextlib.suppress(ShakenFailure):
            decode_passport(candidate)


@FUZZ
@given(st.text(max_size=40) | st.from_regex(r"-?[0-9]{1,25}(\.[0-9]{0,6})?", fullmatch=True))
@example("\u00b2")
@example("99999999999999999999")
def test_times_parse_or_raise_value_error(text):
    with contextlib.suppress(ValueError):
        assert parse_utc(text).tzinfo is not None


@FUZZ
@given(st.text(max_size=40))
def test_numbers_normalise_or_refuse(text):
    with contextlib.suppress(InvalidNumber):
        assert normalize(text).startswith("+")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=1, max_size=40))
def test_the_sql_digits_key_equals_the_python_one(texts):
    connection = connect()
    try:
        rows = connection.execute(
            f"SELECT {digits_key_sql('t')} FROM (SELECT unnest($1::VARCHAR[]) AS t)", [texts]
        ).fetchall()
    finally:
        connection.close()
    assert [key for (key,) in rows] == [digits_key(t) for t in texts]


cells = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=25)


def csv_text(header: tuple[str, ...], rows: list[list[str]], raw_tail: str) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue() + raw_tail


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(["ftc", "fcc"]),
    st.lists(st.lists(cells, min_size=0, max_size=16), max_size=6),
    st.text(max_size=60),
)
def test_complaint_files_import_or_list_their_bad_rows(format_name, rows, raw_tail):
    import tempfile
    from pathlib import Path

    from robotrace.evidence.columns import FTC_COMPLAINT_COLUMNS
    from robotrace.evidence.imports import evidence_files, import_evidence
    from tests.evidence.builders import FCC_COLUMNS

    header = FTC_COMPLAINT_COLUMNS if format_name == "ftc" else FCC_COLUMNS
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "complaints.csv"
        path.write_text(csv_text(tuple(header), rows, raw_tail), encoding="utf-8")
        summary = import_evidence(evidence_files([path], format_name), Path(folder) / "store")
        assert summary.written or any(f.errors for f in summary.files)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(cells, min_size=0, max_size=7), max_size=6), st.text(max_size=60))
def test_calls_files_read_or_name_their_bad_rows(rows, raw_tail):
    import tempfile
    from pathlib import Path

    from robotrace.paths.calls import REQUIRED, read_calls
    from robotrace.rows import BadRowsError

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "calls.csv"
        path.write_text(csv_text((*REQUIRED, "campaign"), rows, raw_tail), encoding="utf-8")
        try:
            read_calls(path)
        except BadRowsError as exc:
            assert exc.errors and all(e.line >= 1 for e in exc.errors)


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=300))
def test_a_calls_file_of_any_bytes_is_read_or_refused(data):
    import tempfile
    from pathlib import Path

    from robotrace.paths.calls import read_calls
    from robotrace.rows import BadRowsError

    with tempfile.TemporaryDirectory() as folder:
        for name in ("calls.csv", "calls.parquet"):
            path = Path(folder) / name
            path.write_bytes(data)
            with contextlib.suppress(BadRowsError):
                read_calls(path)

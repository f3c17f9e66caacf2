"""Imports are all-or-nothing per call, idempotent, and with --skip-bad-rows keep the good rows.

The corpus of malformed files: each one is refused with its file, line and reason, and the
stores are exactly as before — the same SQL row counts, the same analytics folder listing.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from robotrace.evidence.columns import FTC_COMPLAINT_COLUMNS
from robotrace.simulate.runner import SimulationParams, simulate

from .builders import (
    FCC_COLUMNS,
    count_calls,
    fcc_csv,
    fcc_row,
    ftc_csv,
    ftc_row,
    honeypot_csv,
    honeypot_row,
    import_files,
    invite,
    listing,
    sip_file,
    with_providers,
    write_csv,
)
from .stored import complaint_count

FTC_HEADER = ",".join(FTC_COMPLAINT_COLUMNS)
GOOD_FTC = ",".join(ftc_row().values())


def _text(name: str, content: str) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        (folder / name).write_text(content, encoding="utf-8")
        return folder / name

    return write


def _bytes(name: str, content: bytes) -> Callable[[Path], Path]:
    def write(folder: Path) -> Path:
        (folder / name).write_bytes(content)
        return folder / name

    return write


#: name → (writes the file into a folder, format given or None, line, start of the reason)
CORPUS: dict[str, tuple[Callable[[Path], Path], str | None, int, str]] = {
    "ftc-empty-file": (_text("a.csv", ""), "ftc", 1, "no header line (empty file)"),
    "ftc-wrong-header": (
        _text("a.csv", "Phone,Date\n202,2020-04-02\n"),
        "ftc",
        1,
        "not an FTC Do Not Call complaint file: missing column(s) Company_Phone_Number",
    ),
    "ftc-extra-column": (
        _text("a.csv", f"{FTC_HEADER},Notes\n{GOOD_FTC},x\n"),
        "ftc",
        1,
        "unexpected column(s) for FTC data: Notes",
    ),
    "ftc-duplicate-column": (
        _text("a.csv", f"{FTC_HEADER},Subject\n{GOOD_FTC},x\n"),
        "ftc",
        1,
        "duplicate column(s): subject",
    ),
    "ftc-bad-created-date": (
        _text("a.csv", f"{FTC_HEADER}\n{GOOD_FTC}\n{GOOD_FTC.replace('2020-04-02', '04/02/20')}\n"),
        None,
        3,
        "Created_Date '04/02/20 10:00:00' is not a time YYYY-MM-DD HH:MM:SS",
    ),
    "ftc-too-few-fields": (
        _text("a.csv", f"{FTC_HEADER}\n{GOOD_FTC}\n202,2020-04-02 10:00:00\n"),
        None,
        3,
        "has 2 fields, the header has 8",
    ),
    "ftc-too-many-fields": (
        _text("a.csv", f"{FTC_HEADER}\n{GOOD_FTC},extra\n"),
        None,
        2,
        "has 9 fields, the header has 8",
    ),
    "ftc-not-utf8": (
        _bytes("a.csv", f"{FTC_HEADER}\n{GOOD_FTC}\n".encode() + b"Caf\xe9,x\n"),
        None,
        3,
        "line is not valid UTF-8",
    ),
    "ftc-robocall-not-y-or-n": (
        _text("a.csv", f"{FTC_HEADER}\n{GOOD_FTC[:-1]}Yes\n"),
        None,
        2,
        "Recorded_Message_Or_Robocall 'Yes' is not Y or N",
    ),
    "fcc-missing-caller-id": (
        _text("a.csv", "id,issue_date,issue_time,issue,type_of_call_or_messge\n1,,,,\n"),
        "fcc",
        1,
        "not FCC consumer complaint data: missing column(s) caller_id_number",
    ),
    "fcc-bad-issue-date": (
        lambda folder: fcc_csv(folder / "a.csv", fcc_row(), fcc_row(issue_date="2021-02-30")),
        None,
        3,
        "issue_date '2021-02-30' is not a date",
    ),
    "fcc-bad-issue-time": (
        lambda folder: fcc_csv(folder / "a.csv", fcc_row(issue_time="25:61")),
        None,
        2,
        "issue_time '25:61' is not a time of day",
    ),
    "honeypot-missing-columns": (
        _text("a.csv", "call_id,calling_number\nhp-1,+12025550143\n"),
        "honeypot",
        1,
        "missing column(s): called_number",
    ),
    "honeypot-bad-called-number": (
        lambda folder: honeypot_csv(
            folder / "a.csv", honeypot_row(), honeypot_row("b", called_number="12")
        ),
        None,
        3,
        "called_number",
    ),
    "honeypot-unknown-provider": (
        lambda folder: honeypot_csv(folder / "a.csv", honeypot_row(terminating_provider="ZZZZ")),
        None,
        2,
        "terminating_provider ZZZZ is not a known provider",
    ),
    "honeypot-short-row": (
        _text(
            "a.csv",
            "call_id,calling_number,called_number,call_time,terminating_provider,"
            "transcript,identity,recording\nhp-9,+12025550143\n",
        ),
        None,
        2,
        "fewer fields than columns",
    ),
    "sip-no-date": (
        lambda folder: sip_file(folder / "a.sip", invite(date=None)),
        None,
        1,
        "no Date header",
    ),
    "sip-bad-date": (
        lambda folder: sip_file(folder / "a.sip", invite(date="tomorrow")),
        None,
        1,
        "Date 'tomorrow' is not an RFC 1123 date",
    ),
    "sip-a-response": (
        _text("a.sip", "SIP/2.0 200 OK\r\nCall-ID: x\r\n"),
        None,
        1,
        "a SIP response (200 OK), not an INVITE",
    ),
    "sip-junk-before-the-invite": (
        lambda folder: sip_file(folder / "a.sip", "2020/05/01 12:00 192.0.2.1 > .2", invite()),
        "sip",
        1,
        "not a SIP start line",
    ),
    "sip-header-without-colon": (
        lambda folder: sip_file(folder / "a.sip", invite(extra=["Garbage line"])),
        None,
        1,
        "line 10 is not a header: 'Garbage line'",
    ),
    "sip-empty-capture": (_text("a.sip", "\r\n\r\n"), None, 1, "no SIP message in the file"),
    "unknown-format": (
        _text("a.csv", "name,age\nBob,3\n"),
        None,
        1,
        "cannot tell the evidence format from the first line",
    ),
}


@pytest.fixture
def stores(session, tmp_path) -> Path:
    """Stores that hold something already: a call and a complaint file."""
    with_providers(session)
    store = tmp_path / "analytics"
    seed = tmp_path / "seed"
    seed.mkdir()
    import_files(store, ftc_csv(seed / "dnc.csv", ftc_row()), session=session)
    import_files(store, honeypot_csv(seed / "hp.csv", honeypot_row("seed")), session=session)
    session.commit()
    return store


@pytest.mark.parametrize("case", list(CORPUS))
def test_each_malformed_file_is_refused_with_file_line_and_reason_and_changes_nothing(
    case, session, stores, tmp_path
):
    write, format_name, line, reason = CORPUS[case]
    folder = tmp_path / "corpus"
    folder.mkdir()
    path = write(folder)
    before = (count_calls(session), listing(stores))
    summary = import_files(stores, path, format_name=format_name, session=session)
    session.commit()
    assert not summary.written or summary.files[0].rejected
    assert summary.rejected
    assert [(e.file, e.line) for e in summary.errors] == [(str(path), line)]
    assert summary.errors[0].reason.startswith(reason), summary.errors[0].reason
    assert (count_calls(session), listing(stores)) == before
    assert summary.added == 0


def test_one_bad_file_among_good_ones_imports_nothing_at_all(session, stores, tmp_path):
    good_calls = honeypot_csv(tmp_path / "hp.csv", honeypot_row("new-1"))
    good_complaints = ftc_csv(tmp_path / "dnc.csv", ftc_row(Subject="Imposters"))
    bad = ftc_csv(tmp_path / "bad.csv", ftc_row(Created_Date="soon"))
    before = (count_calls(session), listing(stores))
    summary = import_files(stores, good_calls, good_complaints, bad, session=session)
    session.commit()
    assert not summary.written and summary.added == 0
    assert [(e.file, e.line) for e in summary.errors] == [(str(bad), 2)]
    assert (count_calls(session), listing(stores)) == before


def test_skip_bad_rows_keeps_the_good_rows_and_lists_every_bad_one(session, stores, tmp_path):
    complaints = ftc_csv(
        tmp_path / "dnc.csv",
        ftc_row(Subject="Imposters"),
        ftc_row(Created_Date="soon"),
        ftc_row(Subject="Other"),
        ftc_row(Consumer_Area_Code="1"),
    )
    calls = honeypot_csv(
        tmp_path / "hp.csv", honeypot_row("new-1"), honeypot_row("new-2", call_time="?")
    )
    refused = write_csv(tmp_path / "fcc.csv", ["id"], [["1"]])
    summary = import_files(stores, complaints, calls, refused, session=session, skip_bad_rows=True)
    assert summary.written and summary.rejected  # the FCC file was refused as a whole
    assert [(e.file, e.line) for e in summary.errors] == [
        (str(complaints), 3),
        (str(complaints), 5),
        (str(calls), 3),
        (str(refused), 1),
    ]
    assert [(f.added, f.skipped, f.bad_rows) for f in summary.files] == [
        (2, 0, 2),
        (1, 0, 1),
        (0, 0, 0),
    ]
    assert complaint_count(stores) == 1 + 2 and count_calls(session) == 1 + 1


def test_importing_the_same_files_twice_adds_nothing(session, stores, tmp_path):
    complaints = ftc_csv(tmp_path / "dnc.csv", ftc_row(Subject="Imposters"), ftc_row())
    fcc = fcc_csv(tmp_path / "fcc.csv", fcc_row(id="1"), fcc_row(id="2"))
    calls = honeypot_csv(tmp_path / "hp.csv", honeypot_row("new-1"), honeypot_row("seed"))
    first = import_files(stores, complaints, fcc, calls, session=session)
    session.commit()
    after_first = (count_calls(session), listing(stores, folders=False))
    again = import_files(stores, complaints, fcc, calls, session=session)
    session.commit()
    assert [(f.added, f.skipped) for f in first.files] == [(1, 1), (2, 0), (1, 1)]
    assert [(f.added, f.skipped) for f in again.files] == [(0, 2), (0, 2), (0, 2)]
    # the same files with the same bytes and times (a folder's time may move: an empty
    # temporary file came and went)
    assert (count_calls(session), listing(stores, folders=False)) == after_first


def test_a_row_in_two_files_of_one_import_is_added_once(tmp_path):
    a = ftc_csv(tmp_path / "a.csv", ftc_row(), ftc_row(Subject="Imposters"))
    b = ftc_csv(tmp_path / "b.csv", ftc_row(Subject="Imposters"), ftc_row(Subject="Other"))
    summary = import_files(tmp_path / "store", a, b)
    assert [(f.added, f.skipped) for f in summary.files] == [(2, 0), (1, 1)]
    assert complaint_count(tmp_path / "store") == 3


def test_the_simulators_complaints_are_all_imported(tmp_path):
    params = SimulationParams(seed=3, providers=20, days=1.0, calls=30_000)
    simulate(params, tmp_path / "world")
    path = tmp_path / "world" / "complaints.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    distinct = {
        tuple(value.replace("  &", " &") for value in row.values()) for row in rows
    }  # the import counts a complaint once, whatever its spelling of "&"
    assert len(rows) > 100
    summary = import_files(tmp_path / "store", path)
    assert summary.errors == []
    assert summary.files[0].rows == len(rows)
    assert (summary.added, summary.skipped) == (len(distinct), len(rows) - len(distinct))
    assert complaint_count(tmp_path / "store") == len(distinct)


def test_fcc_columns_exported_by_the_builders_are_the_datasets():
    assert {"issue_date", "issue_time", "caller_id_number", "type_of_call_or_messge"} <= set(
        FCC_COLUMNS
    )


def test_progress_reports_every_byte_read_of_each_file(session, tmp_path):
    with_providers(session)
    complaints = ftc_csv(tmp_path / "dnc.csv", *(ftc_row(Subject=f"S{n}") for n in range(500)))
    calls = honeypot_csv(tmp_path / "hp.csv", *(honeypot_row(f"hp-{n}") for n in range(500)))
    seen: dict[str, tuple[int, int]] = {}

    def progress(file: str, done: int, total: int) -> None:
        seen[file] = (done, total)

    import_files(tmp_path / "store", complaints, calls, session=session, progress=progress)
    sizes = {str(p): p.stat().st_size for p in (complaints, calls)}
    assert seen == {name: (size, size) for name, size in sizes.items()}

"""The FTC Do Not Call complaint CSV: its quirks kept or normalised, its bad rows named."""

from __future__ import annotations

from datetime import UTC, datetime

from robotrace.evidence.ftc import columns_of
from robotrace.rows import RowError

from .builders import ftc_csv, ftc_row, import_files, write_csv
from .stored import complaints

HEADER = ",".join(ftc_row())


def test_a_complaint_is_stored_with_its_values_in_the_canonical_columns(tmp_path):
    path = ftc_csv(tmp_path / "dnc.csv", ftc_row())
    summary = import_files(tmp_path / "store", path)
    assert (summary.written, summary.added, summary.errors) == (True, 1, [])
    (stored,) = complaints(tmp_path / "store")
    assert stored["source"] == "ftc" and len(stored["row_key"]) == 32
    assert (stored["company_phone_number"], stored["company_key"]) == ("202-555-0143", "2025550143")
    assert stored["created_at"] == datetime(2020, 4, 2, 10, 0, tzinfo=UTC)
    assert stored["violation_at"] == datetime(2020, 4, 1, 17, 14, 2, tzinfo=UTC)
    assert (stored["city"], stored["state"], stored["area_code"]) == (
        "Springfield",
        "Illinois",
        "217",
    )
    assert (stored["subject"], stored["robocall"]) == ("Warranties & protection plans", True)
    assert (stored["complaint_id"], stored["zip"], stored["call_type"]) == (None, None, None)


def test_empty_and_fragment_numbers_are_kept_as_typed_not_refused(tmp_path):
    path = ftc_csv(
        tmp_path / "dnc.csv",
        ftc_row(Company_Phone_Number="", Created_Date="2020-04-02 10:00:01"),
        ftc_row(Company_Phone_Number="202", Created_Date="2020-04-02 10:00:02"),
        ftc_row(Company_Phone_Number="1 (202) 555-01", Created_Date="2020-04-02 10:00:03"),
    )
    assert import_files(tmp_path / "store", path).added == 3
    numbers = [
        (c["company_phone_number"], c["company_key"]) for c in complaints(tmp_path / "store")
    ]
    assert numbers == [("", ""), ("202", "202"), ("1 (202) 555-01", "120255501")]


def test_a_double_space_before_an_ampersand_becomes_one(tmp_path):
    path = ftc_csv(tmp_path / "dnc.csv", ftc_row(Subject="Medical  & prescriptions"))
    import_files(tmp_path / "store", path)
    assert complaints(tmp_path / "store")[0]["subject"] == "Medical & prescriptions"


def test_the_two_spellings_of_a_subject_are_one_complaint(tmp_path):
    import_files(tmp_path / "store", ftc_csv(tmp_path / "a.csv", ftc_row(Subject="A  & B")))
    again = import_files(tmp_path / "store", ftc_csv(tmp_path / "b.csv", ftc_row(Subject="A & B")))
    assert (again.added, again.skipped) == (0, 1)


def test_no_subject_provided_means_no_subject(tmp_path):
    path = ftc_csv(tmp_path / "dnc.csv", ftc_row(Subject="No Subject Provided"))
    import_files(tmp_path / "store", path)
    assert complaints(tmp_path / "store")[0]["subject"] is None


def test_recorded_message_y_and_n_become_true_and_false_and_empty_unknown(tmp_path):
    rows = [
        ftc_row(Recorded_Message_Or_Robocall=yes_no, Created_Date=f"2020-04-02 10:00:0{n}")
        for n, yes_no in enumerate(["Y", "N", "", "y"])
    ]
    import_files(tmp_path / "store", ftc_csv(tmp_path / "dnc.csv", *rows))
    assert [c["robocall"] for c in complaints(tmp_path / "store")] == [True, False, None, True]


def test_an_empty_violation_date_is_stored_as_unknown(tmp_path):
    import_files(tmp_path / "store", ftc_csv(tmp_path / "dnc.csv", ftc_row(Violation_Date="")))
    assert complaints(tmp_path / "store")[0]["violation_at"] is None


def test_every_bad_row_is_named_with_its_line_and_all_its_problems(tmp_path):
    path = ftc_csv(
        tmp_path / "dnc.csv",
        ftc_row(),
        ftc_row(Created_Date="2020-13-01 00:00:00", Consumer_Area_Code="21"),
        ftc_row(Created_Date=""),
        ftc_row(Violation_Date="yesterday", Recorded_Message_Or_Robocall="maybe"),
        ftc_row(Created_Date="9999-12-31 00:00:00"),
    )
    summary = import_files(tmp_path / "store", path)
    assert not summary.written
    assert summary.errors == [
        RowError(
            str(path),
            3,
            "Created_Date '2020-13-01 00:00:00' is not a time YYYY-MM-DD HH:MM:SS between 1970 "
            "and 2099; Consumer_Area_Code '21' is not 3 digits",
        ),
        RowError(str(path), 4, "Created_Date is empty"),
        RowError(
            str(path),
            5,
            "Violation_Date 'yesterday' is not a time YYYY-MM-DD HH:MM:SS between 1970 and "
            "2099; Recorded_Message_Or_Robocall 'maybe' is not Y or N",
        ),
        RowError(
            str(path),
            6,
            "Created_Date '9999-12-31 00:00:00' is not a time YYYY-MM-DD HH:MM:SS between 1970 "
            "and 2099",
        ),
    ]
    assert complaints(tmp_path / "store") == []


def test_lines_stay_right_after_a_subject_that_spans_lines_and_a_short_row(tmp_path):
    path = tmp_path / "dnc.csv"
    good = ",".join(ftc_row().values())
    path.write_text(
        f"{HEADER}\n"
        f'202,2020-04-02 10:00:00,,A,B,217,"Two\nline subject",N\n'
        "202,2020-04-02 10:00:00,,A\n"
        "\n"
        f"{good.replace('2020-04-02 10:00:00', 'soon')}\n",
        encoding="utf-8",
    )
    summary = import_files(tmp_path / "store", path)
    assert [(e.line, e.reason.split(" ")[0]) for e in summary.errors] == [
        (4, "has"),
        (6, "Created_Date"),
    ]
    assert summary.errors[0].reason == "has 4 fields, the header has 8"


def test_the_header_must_be_the_ftc_columns_and_no_others():
    columns = list(ftc_row())
    assert columns_of([c.upper() for c in columns])  # names match without regard to case
    for header, said in [
        (columns[:-1], "missing column(s) Recorded_Message_Or_Robocall"),
        ([*columns, "Notes"], "unexpected column(s) for FTC data: Notes"),
    ]:
        try:
            columns_of(header)
        except ValueError as problem:
            assert said in str(problem)
        else:
            raise AssertionError(f"{header} was accepted")


def test_a_file_with_a_wrong_header_is_refused_at_line_1(tmp_path):
    path = write_csv(tmp_path / "dnc.csv", ["Phone", "Date"], [["202", "2020-04-02"]])
    summary = import_files(tmp_path / "store", path, format_name="ftc")
    assert summary.files[0].rejected
    assert [(e.line, e.reason.split(":")[0]) for e in summary.errors] == [
        (1, "not an FTC Do Not Call complaint file")
    ]

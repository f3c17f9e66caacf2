"""The FCC's unwanted-call complaint open data, as the API exports it and as the portal's
CSV download names its columns."""

from __future__ import annotations

from datetime import UTC, datetime

from .builders import FCC_COLUMNS, FCC_DISPLAY_COLUMNS, fcc_csv, fcc_row, import_files, write_csv
from .stored import complaints


def test_a_complaint_of_the_api_export_is_stored_with_its_fcc_fields(tmp_path):
    path = fcc_csv(tmp_path / "fcc.csv", fcc_row(advertiser_business_phone_number="8005550100"))
    assert import_files(tmp_path / "store", path).added == 1
    (stored,) = complaints(tmp_path / "store")
    assert (stored["source"], stored["complaint_id"]) == ("fcc", "1234567")
    assert (stored["company_phone_number"], stored["company_key"]) == ("866-410-0458", "8664100458")
    assert stored["violation_at"] == datetime(2021, 3, 15, 10, 30, tzinfo=UTC)
    assert stored["created_at"] == datetime(2021, 3, 15, 10, 35, tzinfo=UTC)
    assert (stored["city"], stored["state"], stored["zip"]) == ("Plantation", "FL", "33324")
    assert (stored["subject"], stored["call_type"], stored["robocall"]) == (
        "Unwanted Calls",
        "Prerecorded Voice",
        True,
    )
    assert (stored["advertiser_number"], stored["advertiser_key"]) == ("8005550100", "8005550100")
    assert stored["area_code"] is None


def test_the_portal_download_with_display_names_and_us_dates_reads_the_same(tmp_path):
    values = list(fcc_row(issue_date="03/15/2021", ticket_created="").values())
    path = write_csv(tmp_path / "download.csv", FCC_DISPLAY_COLUMNS, [values])
    assert import_files(tmp_path / "store", path).added == 1
    (stored,) = complaints(tmp_path / "store")
    assert stored["complaint_id"] == "1234567"
    assert stored["violation_at"] == datetime(2021, 3, 15, 10, 30, tzinfo=UTC)
    assert stored["created_at"] == stored["violation_at"]  # no creation time: the call's


def test_times_of_day_are_read_the_ways_consumers_write_them(tmp_path):
    said = {"10:30 a.m.": (10, 30), "1:00 pm": (13, 0), "8:08 PM": (20, 8), "12:00 am": (0, 0),
            "14:05": (14, 5), "": (0, 0)}  # fmt: skip
    rows = [fcc_row(id=str(n), issue_time=text) for n, text in enumerate(said)]
    import_files(tmp_path / "store", fcc_csv(tmp_path / "fcc.csv", *rows))
    stored = complaints(tmp_path / "store", order="complaint_id")
    assert [(c["violation_at"].hour, c["violation_at"].minute) for c in stored] == list(
        said.values()
    )


def test_only_prerecorded_and_autodialed_calls_are_robocalls(tmp_path):
    types = ["Prerecorded Voice", "Autodialed Live Voice Call", "Live Voice", "Text Message", ""]
    rows = [fcc_row(id=str(n), type_of_call_or_messge=t) for n, t in enumerate(types)]
    import_files(tmp_path / "store", fcc_csv(tmp_path / "fcc.csv", *rows))
    stored = complaints(tmp_path / "store", order="complaint_id")
    assert [c["robocall"] for c in stored] == [True, True, False, False, None]


def test_every_call_type_the_open_data_uses_is_read_in_full(tmp_path):
    # The current complaint form says "Robocall"; older rows say how the call was made.
    said = {
        "Robocall": True,
        "ROBOCALL": True,
        "Prerecorded Voice": True,
        "Autodialed Live Voice Call": True,
        "Live Voice": False,
        "Text Message": False,
        "Abandoned Calls": False,
        "Email": False,
        "Carrier pigeon": None,  # a value never seen: not said, rather than "not a robocall"
        "": None,
    }
    rows = [fcc_row(id=f"{n:02d}", type_of_call_or_messge=t) for n, t in enumerate(said)]
    import_files(tmp_path / "store", fcc_csv(tmp_path / "fcc.csv", *rows))
    stored = complaints(tmp_path / "store", order="complaint_id")
    assert [(c["call_type"], c["robocall"]) for c in stored] == [
        (t or None, robocall) for t, robocall in said.items()
    ]


def test_columns_the_import_does_not_use_may_be_missing_or_extra(tmp_path):
    columns = [c for c in FCC_COLUMNS if c not in ("ticket_created", "location_1", "method")]
    path = fcc_csv(tmp_path / "fcc.csv", fcc_row(), columns=[*columns, "something_new"])
    assert import_files(tmp_path / "store", path).added == 1


def test_a_file_without_a_column_it_uses_is_refused(tmp_path):
    columns = [c for c in FCC_COLUMNS if c != "zip"]
    path = fcc_csv(tmp_path / "fcc.csv", fcc_row(), columns=columns)
    summary = import_files(tmp_path / "store", path, format_name="fcc")
    assert summary.files[0].rejected
    assert summary.errors[0].line == 1
    assert summary.errors[0].reason == "not FCC consumer complaint data: missing column(s) zip"


def test_bad_dates_placeholders_and_times_are_bad_rows(tmp_path):
    path = fcc_csv(
        tmp_path / "fcc.csv",
        fcc_row(id="1"),
        fcc_row(id="2", issue_date=""),
        fcc_row(id="3", issue_date="9999-12-31T00:00:00.000"),
        fcc_row(id="4", issue_time="half past ten"),
        fcc_row(id="", ticket_created="last week"),
    )
    summary = import_files(tmp_path / "store", path)
    assert [(e.line, e.reason) for e in summary.errors] == [
        (3, "issue_date is empty"),
        (
            4,
            "issue_date '9999-12-31T00:00:00.000' is not a date like 2021-03-15T00:00:00.000, "
            "2021-03-15 or 03/15/2021 between 1970 and 2099",
        ),
        (5, "issue_time 'half past ten' is not a time of day like 10:30 a.m. or 14:05"),
        (
            6,
            "id is empty; ticket_created 'last week' is not a time like "
            "2021-03-15T10:35:00.000 or 03/15/2021 10:35:00 AM between 1970 and 2099",
        ),
    ]
    assert summary.bad_rows == 4 and not summary.written

"""The FCC's Robocall Mitigation Database export, read as published: the real sample (where
``../shared/data`` is present), and small local files for every rule and every bad row."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import importlib.util
import json
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from robotrace.providers.rmd import (
    FCC_IMPLEMENTATIONS,
    RMD_EXPORT_COLUMNS,
    RmdContact,
    RmdFiling,
    is_rmd_export,
    read_rmd_export,
    write_rmd_export,
)
from robotrace.rows import BadRowsError, RowError

SAMPLE = Path(__file__).resolve().parents[3] / "shared" / "data" / "rmd-sample.csv"
GENERATOR = Path(__file__).resolve().parents[2] / "benchmarks" / "rmd_export.py"
SAMPLE_COLUMNS = RMD_EXPORT_COLUMNS[:-1]
LONG_PARTIAL = FCC_IMPLEMENTATIONS["partial"]


# --- Builders -----------------------------------------------------------------------------


def good_row(**values: str) -> dict[str, str]:
    """A filing as the export writes it; keyword arguments replace its values."""
    row = {
        "number": "RMD0001234",
        "frn": "1700905",
        "business_name": "Central Oklahoma Telephone Co., LLC",
        "foreign_voice_provider": "No",
        "country": "United States of America",
        "implementation": "Partial",
        "voice_service_provider_choice": "Yes",
        "gateway_provider_choice": "No",
        "intermediate_provider_choice": "No",
        "last_updated": "2024-02-23",
    }
    return row | values


def export_csv(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
    columns = columns or list(RMD_EXPORT_COLUMNS)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.DictWriter(stream, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def raw_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


def refused(path: Path) -> list[RowError]:
    with pytest.raises(BadRowsError) as raised:
        read_rmd_export(path)
    return raised.value.errors


def read_one(path: Path) -> RmdFiling:
    (filing,) = read_rmd_export(path).filings
    return filing


def a_filing(**values: object) -> RmdFiling:
    filing = RmdFiling(line=0, number="RMD0001234", frn="0001700905", business_name="Acme")
    return replace(filing, **values)


@pytest.fixture
def sample() -> Path:
    if not SAMPLE.exists():
        pytest.skip(f"the real RMD sample is not here ({SAMPLE}): ../shared/data is absent")
    return SAMPLE


def sample_rows(sample: Path) -> list[dict[str, str]]:
    with sample.open(newline="", encoding="utf-8-sig") as stream:
        return list(csv.DictReader(stream))


# --- The real sample ----------------------------------------------------------------------


def test_it_reads_the_real_sample_without_a_refused_row(sample):
    export = read_rmd_export(sample)
    assert len(export.filings) == len(sample_rows(sample)) == 250
    assert export.refused == ()
    assert export.columns == SAMPLE_COLUMNS
    assert export.sha256 == hashlib.sha256(sample.read_bytes()).hexdigest()


def test_every_frn_of_the_real_sample_is_ten_digits_of_the_same_number(sample):
    export = read_rmd_export(sample)
    for filing, row in zip(export.filings, sample_rows(sample), strict=True):
        assert len(filing.frn) == 10 and filing.frn.isdigit()
        assert int(filing.frn) == int(row["frn"])
        assert all(len(frn) == 10 and frn.isdigit() for frn in filing.other_frns)


def test_implementation_levels_of_the_real_sample_match_its_yes_partial_no_counts(sample):
    written = Counter(row["implementation"] for row in sample_rows(sample))
    levels = Counter(f.implementation_level for f in read_rmd_export(sample).filings)
    assert levels == {
        "complete": written["Yes"],
        "partial": written["Partial"],
        "none": written["No"],
    }


def test_yes_no_columns_of_the_real_sample_count_as_the_csv_module_reads_them(sample):
    rows, filings = sample_rows(sample), read_rmd_export(sample).filings
    for column, attribute in [
        ("foreign_voice_provider", "foreign"),
        ("voice_service_provider_choice", "voice_service_provider"),
        ("gateway_provider_choice", "gateway_provider"),
        ("intermediate_provider_choice", "intermediate_provider"),
    ]:
        expected = sum(row[column] == "Yes" for row in rows)
        assert sum(getattr(filing, attribute) for filing in filings) == expected, column


def test_filings_of_the_real_sample_carry_their_lines_numbers_and_dates(sample):
    with sample.open(newline="", encoding="utf-8-sig") as stream:
        reader = csv.reader(stream)
        next(reader)
        lines = []
        for _ in reader:
            lines.append(reader.line_num)
    rows, filings = sample_rows(sample), read_rmd_export(sample).filings
    assert [f.line for f in filings] == lines
    assert [f.number for f in filings] == [row["number"] for row in rows]
    assert [f.last_updated.isoformat() if f.last_updated else "" for f in filings] == [
        row["last_updated"] for row in rows
    ]


def test_none_in_the_real_sample_free_text_gives_no_names_and_no_frns(sample):
    for filing, row in zip(read_rmd_export(sample).filings, sample_rows(sample), strict=True):
        if row["other_dba_names"].strip().lower() in {"", "none", "'-"}:
            assert filing.other_dba_names == ()
        if not any(ch.isdigit() for ch in row["other_frns"]):
            assert filing.other_frns == ()


def test_the_real_sample_reads_back_the_same_after_writing_it(sample, tmp_path):
    filings = read_rmd_export(sample).filings
    write_rmd_export(tmp_path / "again.csv", filings)
    again = read_rmd_export(tmp_path / "again.csv").filings
    assert [f.content() for f in again] == [f.content() for f in filings]


# --- Columns ------------------------------------------------------------------------------


def test_columns_in_any_order_and_case_read_with_unknown_columns_kept_in_extra(tmp_path):
    columns = ["OCN", " Business_Name ", "Number", "Frn", "note"]
    path = raw_csv(tmp_path / "x.csv", f"{','.join(columns)}\r\n1234,Acme,rmd0004008 ,42, hi \r\n")
    filing = read_one(path)
    assert (filing.number, filing.frn, filing.business_name) == ("RMD0004008", "0000000042", "Acme")
    assert filing.extra == {"OCN": "1234", "note": " hi "}


def test_a_byte_order_mark_before_the_header_is_fine(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfnumber,business_name\r\nRMD0000001,Acme\r\n")
    assert read_one(path).number == "RMD0000001"
    assert is_rmd_export(["\ufeffNumber", "BUSINESS_NAME "])


def test_the_old_providers_header_is_not_an_rmd_export():
    assert not is_rmd_export(["rmd_number", "frn", "business_name", "ocn"])
    assert is_rmd_export(list(SAMPLE_COLUMNS))


def test_a_missing_number_or_business_name_column_refuses_the_file_at_line_one(tmp_path):
    path = raw_csv(tmp_path / "x.csv", "frn,country\r\n42,Germany\r\n")
    assert refused(path) == [RowError(str(path), 1, "missing column(s): number, business_name")]


def test_a_column_named_twice_refuses_the_file(tmp_path):
    path = raw_csv(tmp_path / "x.csv", "number,business_name,Number\r\nRMD0000001,A,x\r\n")
    assert refused(path) == [RowError(str(path), 1, "column(s) named twice: 'number'")]


# --- Values -------------------------------------------------------------------------------


def test_the_fcc_long_implementation_strings_give_their_levels(tmp_path):
    rows = [
        good_row(number=f"RMD000000{i}", implementation=text)
        for i, text in enumerate(FCC_IMPLEMENTATIONS.values())
    ]
    filings = read_rmd_export(export_csv(tmp_path / "x.csv", rows)).filings
    assert [f.implementation_level for f in filings] == ["complete", "partial", "none"]
    assert [f.implementation for f in filings] == list(FCC_IMPLEMENTATIONS.values())
    assert len(LONG_PARTIAL) == 67


def test_an_unknown_implementation_is_kept_without_a_level(tmp_path):
    path = export_csv(tmp_path / "x.csv", [good_row(implementation=" In progress (Q3) ")])
    filing = read_one(path)
    assert (filing.implementation, filing.implementation_level) == ("In progress (Q3)", "")


def test_dates_read_in_the_spellings_of_the_export_and_of_spreadsheets(tmp_path):
    spellings = ["2024-02-23", "2024-02-23 10:11:12", "2/23/2024", "02/23/2024"]
    rows = [
        good_row(number=f"RMD000000{i}", last_recertified=text, last_updated="")
        for i, text in enumerate(spellings)
    ]
    filings = read_rmd_export(export_csv(tmp_path / "x.csv", rows)).filings
    assert {f.last_recertified for f in filings} == {date(2024, 2, 23)}
    assert {f.last_updated for f in filings} == {None}


def test_yes_no_columns_take_the_usual_spellings_and_empty_is_no(tmp_path):
    rows = [
        good_row(number="RMD0000001", foreign_voice_provider="y", gateway_provider_choice="TRUE"),
        good_row(number="RMD0000002", foreign_voice_provider="0", voice_service_provider_choice=""),
    ]
    first, second = read_rmd_export(export_csv(tmp_path / "x.csv", rows)).filings
    assert (first.foreign, first.gateway_provider) == (True, True)
    assert (second.foreign, second.voice_service_provider) == (False, False)


def test_frns_in_free_text_are_found_and_zero_padded(tmp_path):
    text = "0013169313 - Hardy Telecommunications, CLEC 2008043;7564826:7564826 12345678901"
    filing = read_one(export_csv(tmp_path / "x.csv", [good_row(other_frns=text)]))
    assert filing.other_frns == ("0013169313", "0002008043", "0007564826")


def test_dba_names_split_on_semicolons_and_new_lines_but_not_on_commas(tmp_path):
    text = "Acme, Inc.;  Acme Voice\nAcme, Inc.;;\r\nBeta LLC"
    row = good_row(other_dba_names=text, previous_dba_names="NONE", other_frns="N/A")
    filing = read_one(export_csv(tmp_path / "x.csv", [row]))
    assert filing.other_dba_names == ("Acme, Inc.", "Acme Voice", "Beta LLC")
    assert (filing.previous_dba_names, filing.other_frns) == ((), ())


def test_placeholders_for_no_name_give_no_names(tmp_path):
    rows = [
        good_row(number=f"RMD000000{i}", other_dba_names=text, previous_dba_names=text)
        for i, text in enumerate(["none", "NONE", "N/A", "-", "'-"])
    ]
    filings = read_rmd_export(export_csv(tmp_path / "x.csv", rows)).filings
    assert {(f.other_dba_names, f.previous_dba_names) for f in filings} == {((), ())}


def test_fields_of_twenty_thousand_characters_in_any_script_read_whole(tmp_path):
    names = "; ".join(f"Télécom Ünïon 電信 {i}" for i in range(1200))
    frns = " ".join(str(1_000_000 + i) for i in range(2600))
    assert min(len(names), len(frns)) > 20_000
    row = good_row(previous_dba_names=names, other_frns=frns, business_name="Télécom Ünïon 電信")
    filing = read_one(export_csv(tmp_path / "x.csv", [row]))
    assert len(filing.previous_dba_names) == 1200
    assert filing.previous_dba_names[-1] == "Télécom Ünïon 電信 1199"
    assert len(filing.other_frns) == 2600
    assert filing.business_name == "Télécom Ünïon 電信"


def test_the_contact_is_read_from_its_columns(tmp_path):
    row = good_row(
        robocall_mitigation_contact_name="Steve Guest",
        contact_telephone_number="'+1 978 853 5187",
        contact_phone_extension="Opt 2",
    )
    contact = read_one(export_csv(tmp_path / "x.csv", [row])).contact
    expected = RmdContact(name="Steve Guest", telephone="'+1 978 853 5187", extension="Opt 2")
    assert contact == expected


def test_blank_lines_and_rows_of_empty_fields_are_not_filings(tmp_path):
    header = ",".join(RMD_EXPORT_COLUMNS[:3])
    path = raw_csv(tmp_path / "x.csv", f"{header}\r\n\r\n,,\r\nRMD0000001,42,Acme\r\n")
    assert [(f.line, f.number) for f in read_rmd_export(path).filings] == [(4, "RMD0000001")]


# --- Bad rows -----------------------------------------------------------------------------


BAD_ROWS = [
    ({"number": ""}, "number is empty"),
    ({"number": "RMD12"}, "number 'RMD12' is not an RMD number (RMD and 7 digits)"),
    ({"frn": "abc"}, "malformed FRN 'abc'"),
    ({"frn": "12345678901"}, "malformed FRN '12345678901'"),
    ({"business_name": " "}, "business_name is empty"),
    ({"foreign_voice_provider": "maybe"}, "foreign_voice_provider must be Yes or No, not 'maybe'"),
    ({"gateway_provider_choice": "Si"}, "gateway_provider_choice must be Yes or No, not 'Si'"),
    ({"last_updated": "2024-13-45"}, "last_updated '2024-13-45' is not a date"),
    ({"last_recertified": "23.02.2024"}, "last_recertified '23.02.2024' is not a date"),
]


@pytest.mark.parametrize(("values", "reason"), BAD_ROWS)
def test_each_kind_of_bad_row_is_reported_at_its_line(tmp_path, values, reason):
    rows = [good_row(number="RMD0000001"), good_row(**values)]
    path = export_csv(tmp_path / "x.csv", rows)
    assert refused(path) == [RowError(str(path), 3, reason)]


def test_all_problems_of_a_row_are_reported_on_one_line(tmp_path):
    path = export_csv(tmp_path / "x.csv", [good_row(frn="x1", last_updated="soon")])
    assert refused(path) == [
        RowError(str(path), 2, "malformed FRN 'x1'; last_updated 'soon' is not a date")
    ]


def test_a_bad_row_after_a_multi_line_field_is_reported_at_its_physical_line(tmp_path):
    rows = [
        good_row(number="RMD0000001", previous_dba_names="Old One\nOld Two\nOld Three"),
        good_row(number="RMD0000002", frn="12-34"),
    ]
    path = export_csv(tmp_path / "x.csv", rows)
    assert refused(path) == [RowError(str(path), 5, "malformed FRN '12-34'")]


def test_the_same_rmd_number_twice_is_a_bad_row_naming_the_first(tmp_path):
    rows = [good_row(number="RMD0001234"), good_row(), good_row(number=" rmd0001234")]
    path = export_csv(tmp_path / "x.csv", rows)
    assert refused(path) == [
        RowError(str(path), 3, "RMD0001234 repeats line 2"),
        RowError(str(path), 4, "RMD0001234 repeats line 2"),
    ]


def test_a_number_repeating_a_bad_row_is_reported_too(tmp_path):
    rows = [good_row(last_updated="yesterday"), good_row()]
    path = export_csv(tmp_path / "x.csv", rows)
    export = read_rmd_export(path, skip_bad_rows=True)
    assert export.filings == ()
    assert [(e.line, e.reason) for e in export.refused] == [
        (2, "last_updated 'yesterday' is not a date"),
        (3, "RMD0001234 repeats line 2"),
    ]


def test_a_row_of_another_width_is_a_bad_row(tmp_path):
    path = raw_csv(tmp_path / "x.csv", "number,business_name\r\nRMD0000001,Acme,extra\r\n")
    assert refused(path) == [RowError(str(path), 2, "has 3 fields, the header has 2")]


def test_with_skip_bad_rows_the_good_filings_are_returned_and_the_bad_ones_listed(tmp_path):
    rows = [good_row(number="RMD0000001"), good_row(number="RMD1"), good_row(number="RMD0000003")]
    path = export_csv(tmp_path / "x.csv", rows)
    export = read_rmd_export(path, skip_bad_rows=True)
    assert [f.number for f in export.filings] == ["RMD0000001", "RMD0000003"]
    assert export.refused == (
        RowError(str(path), 3, "number 'RMD1' is not an RMD number (RMD and 7 digits)"),
    )


# --- Files that are not an export ---------------------------------------------------------


def test_a_file_that_is_not_utf8_is_refused_at_its_first_bad_line(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        "number,business_name\nRMD0000001,Acme\nRMD0000002,Télécom\n".encode("latin-1")
    )
    assert refused(path) == [
        RowError(str(path), 3, "not a UTF-8 CSV file: this line is not valid UTF-8")
    ]


def test_an_empty_file_is_refused_at_line_one(tmp_path):
    path = raw_csv(tmp_path / "x.csv", "")
    assert refused(path) == [RowError(str(path), 1, "empty file: no header")]


def test_a_blank_first_line_refuses_the_file_at_line_one(tmp_path):
    path = raw_csv(tmp_path / "x.csv", "\r\nnumber,business_name\r\nRMD0000001,Acme\r\n")
    assert refused(path) == [RowError(str(path), 1, "line 1 is blank: the header must be on it")]


def test_a_stray_quote_is_a_csv_error_at_its_line(tmp_path):
    text = 'number,business_name\r\nRMD0000001,Acme\r\nRMD0000002,"Beta"x\r\n'
    path = raw_csv(tmp_path / "x.csv", text)
    (error,) = refused(path)
    assert error.line == 3 and error.reason.startswith("not a CSV file: ")


def test_a_quote_that_never_ends_names_the_line_its_record_starts_on(tmp_path):
    text = 'number,business_name\r\nRMD0000001,"Acme\r\nRMD0000002,Beta\r\n'
    path = raw_csv(tmp_path / "x.csv", text)
    (error,) = refused(path)
    assert error.line == 3
    assert error.reason.endswith("(in the record that starts on line 2)")


# --- Hostile values -----------------------------------------------------------------------


def test_an_rmd_number_with_a_cyrillic_look_alike_letter_is_refused(tmp_path):
    path = export_csv(tmp_path / "x.csv", [good_row(number="RМD0001234")])  # Cyrillic М
    assert refused(path) == [
        RowError(str(path), 2, "number 'RМD0001234' is not an RMD number (RMD and 7 digits)")
    ]


def test_digits_of_other_scripts_are_not_an_frn(tmp_path):
    path = export_csv(tmp_path / "x.csv", [good_row(frn="١٧٠٠٩٠٥")])
    assert refused(path) == [RowError(str(path), 2, "malformed FRN '١٧٠٠٩٠٥'")]


def test_markup_in_names_is_kept_as_text(tmp_path):
    name = '<script>alert("x")</script> & <b>Co</b>'
    filing = read_one(export_csv(tmp_path / "x.csv", [good_row(business_name=name)]))
    assert filing.business_name == name


def test_nul_bytes_are_dropped(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"number,business_name\r\nRMD0000001,Ac\x00me\x00\r\n")
    assert read_one(path).business_name == "Acme"


def test_a_field_over_a_million_characters_is_a_bad_row_not_a_crash(tmp_path):
    rows = [good_row(number="RMD0000001", other_dba_names="x" * 1_000_001), good_row()]
    path = export_csv(tmp_path / "x.csv", rows)
    export = read_rmd_export(path, skip_bad_rows=True)
    assert [f.number for f in export.filings] == ["RMD0001234"]
    assert export.refused == (
        RowError(str(path), 2, "other_dba_names has 1,000,001 characters, more than 1,000,000"),
    )


def test_a_row_of_hundreds_of_fields_is_a_bad_row(tmp_path):
    path = raw_csv(tmp_path / "x.csv", "number,business_name\r\n" + "x," * 300 + "x\r\n")
    assert refused(path) == [
        RowError(str(path), 2, "has 301 fields, more than 200 (the header has 2)")
    ]


def test_a_header_of_hundreds_of_columns_refuses_the_file(tmp_path):
    header = ",".join(["number", "business_name", *(f"c{i}" for i in range(250))])
    path = raw_csv(tmp_path / "x.csv", header + "\r\n")
    assert refused(path) == [RowError(str(path), 1, "the header has 252 columns, more than 200")]


# --- Writing and content ------------------------------------------------------------------


def test_written_filings_read_back_equal_but_for_their_lines(tmp_path):
    filings = [
        a_filing(
            business_name="Télécom Ünïon 電信",
            foreign=True,
            country="Canada",
            other_frns=("0000000042", "0018535682"),
            other_dba_names=("Acme, Inc.", "Acme Voice"),
            previous_dba_names=("Line\tOne",),
            contact=RmdContact(name="Ann Lee", telephone="256-638-2144", extension="x1"),
            implementation=LONG_PARTIAL,
            implementation_level="partial",
            gateway_provider=True,
            last_updated=date(2024, 2, 23),
            last_recertified=date(2025, 1, 9),
            filing_url="https://fccprod.servicenowservices.com/rmd?id=rmd_form&sys_id=ac58",
            extra={"ocn": "1234", "Note": ""},
        ),
        a_filing(number="RMD0000002", frn="", extra={"ocn": "", "Note": "second"}),
    ]
    path = tmp_path / "out.csv"
    write_rmd_export(path, filings)
    export = read_rmd_export(path)
    assert [replace(f, line=0) for f in export.filings] == filings
    assert export.columns == (*RMD_EXPORT_COLUMNS, "Note", "ocn")


def test_the_written_export_spells_values_as_the_fcc_does(tmp_path):
    filing = a_filing(implementation_level="none", voice_service_provider=True)
    write_rmd_export(tmp_path / "out.csv", [filing])
    with (tmp_path / "out.csv").open(newline="", encoding="utf-8") as stream:
        (row,) = csv.DictReader(stream)
    assert (row["frn"], row["implementation"]) == ("1700905", "No")
    assert (row["voice_service_provider_choice"], row["foreign_voice_provider"]) == ("Yes", "No")


def test_an_extra_column_named_like_a_known_one_is_not_written(tmp_path):
    with pytest.raises(ValueError, match="would not read back"):
        write_rmd_export(tmp_path / "out.csv", [a_filing(extra={"FRN": "1"})])


def test_content_is_json_and_its_hash_is_stable_and_ignores_the_line():
    filing = a_filing(last_updated=date(2024, 2, 23), other_frns=("0000000042",))
    content = json.loads(json.dumps(filing.content()))
    assert "line" not in content
    assert (content["last_updated"], content["other_frns"]) == ("2024-02-23", ["0000000042"])
    assert content["contact"]["name"] == ""
    assert replace(filing, line=99).content_hash() == filing.content_hash()
    assert replace(filing, business_name="Acme2").content_hash() != filing.content_hash()


printable = st.characters(blacklist_categories=["C", "Zl", "Zp"])
names = st.text(alphabet=printable, min_size=1, max_size=40).map(str.strip).filter(bool)
dba_names = names.filter(
    lambda n: ";" not in n and n.lstrip("'").strip().lower() not in {"none", "n/a", "-"}
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(names, st.lists(dba_names, max_size=6, unique=True))
def test_any_printable_business_name_and_dba_list_survives_write_and_read(
    tmp_path_factory, business_name, dba
):
    path = tmp_path_factory.mktemp("property") / "out.csv"
    filing = a_filing(business_name=business_name, other_dba_names=tuple(dba))
    write_rmd_export(path, [filing])
    assert replace(read_one(path), line=0) == filing


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.binary(max_size=300)
    | st.text(alphabet='RMD0123,"\n\r;x é\x00', max_size=200).map(
        lambda text: ("number,business_name,frn\r\n" + text).encode()
    )
)
def test_any_bytes_read_or_are_refused_and_what_reads_writes_back_the_same(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "in.csv").write_bytes(data)
    with contextlib.suppress(BadRowsError):
        filings = read_rmd_export(folder / "in.csv", skip_bad_rows=True).filings
        write_rmd_export(folder / "out.csv", filings)
        again = read_rmd_export(folder / "out.csv").filings
        assert [f.content_hash() for f in again] == [f.content_hash() for f in filings]


# --- The benchmark's generator ------------------------------------------------------------


def test_the_benchmark_generator_writes_an_export_read_without_a_refused_row(tmp_path):
    spec = importlib.util.spec_from_file_location("rmd_export", GENERATOR)
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    generator.generate_export(tmp_path / "a.csv", rows=600, seed=3, long_field=21_000)
    generator.generate_export(tmp_path / "b.csv", rows=600, seed=3, long_field=21_000)
    export = read_rmd_export(tmp_path / "a.csv")
    assert len(export.filings) == 600 and export.refused == ()
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    with (tmp_path / "a.csv").open(newline="", encoding="utf-8") as stream:
        longest = max(len(row["previous_dba_names"]) for row in csv.DictReader(stream))
    assert 20_000 < longest <= 21_000
    assert {f.implementation for f in export.filings} == set(FCC_IMPLEMENTATIONS.values())
    assert any(f.foreign and f.country != "United States of America" for f in export.filings)
    assert max(Counter(f.frn for f in export.filings).values()) > 1

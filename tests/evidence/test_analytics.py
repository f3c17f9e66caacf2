"""The analytics store: files only added, a relation over all of them, empty when none."""

from __future__ import annotations

from robotrace.cdr.duck import connect
from robotrace.evidence.analytics import complaint_files, complaints_relation
from robotrace.evidence.complaints import COMPLAINT_COLUMNS

from .builders import fcc_csv, fcc_row, ftc_csv, ftc_row, import_files


def columns_of(relation: str) -> list[tuple[str, str]]:
    connection = connect()
    try:
        rows = connection.sql(f"DESCRIBE SELECT * FROM {relation}").fetchall()
    finally:
        connection.close()
    return [(name, kind) for name, kind, *_ in rows]


def test_an_empty_store_is_an_empty_relation_with_the_canonical_columns(tmp_path):
    relation = complaints_relation(tmp_path / "nothing-here")
    expected = [(c, "TIMESTAMP WITH TIME ZONE" if t == "TIMESTAMPTZ" else t)
                for c, t in COMPLAINT_COLUMNS.items()]  # fmt: skip
    assert columns_of(relation) == expected
    connection = connect()
    assert connection.sql(f"SELECT count(*) FROM {relation}").fetchone() == (0,)
    connection.close()


def test_stored_files_have_the_same_columns_as_the_empty_relation(tmp_path):
    import_files(tmp_path / "store", ftc_csv(tmp_path / "a.csv", ftc_row()))
    import_files(tmp_path / "store", fcc_csv(tmp_path / "b.csv", fcc_row()))
    assert len(complaint_files(tmp_path / "store")) == 2
    stored = complaints_relation(tmp_path / "store")
    assert columns_of(stored) == columns_of(complaints_relation(tmp_path / "nothing-here"))


def test_each_input_file_becomes_one_store_file_and_nothing_is_left_behind(tmp_path):
    a = ftc_csv(tmp_path / "a.csv", ftc_row())
    b = fcc_csv(tmp_path / "b.csv", fcc_row())
    import_files(tmp_path / "store", a, b)
    import_files(tmp_path / "store", a, b)  # nothing new: no file
    names = sorted(p.name for p in (tmp_path / "store" / "complaints").iterdir())
    assert len(names) == 2 and all(n.endswith(".parquet") and n[0] != "." for n in names)


def test_statistics_can_count_complaints_per_source_and_day(tmp_path):
    import_files(
        tmp_path / "store",
        ftc_csv(tmp_path / "a.csv", ftc_row(), ftc_row(Created_Date="2020-04-03 01:00:00")),
        fcc_csv(tmp_path / "b.csv", fcc_row()),
    )
    connection = connect()
    rows = connection.sql(
        f"SELECT source, CAST(created_at AS DATE)::VARCHAR AS day, count(*) "
        f"FROM {complaints_relation(tmp_path / 'store')} GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    connection.close()
    assert rows == [("fcc", "2021-03-15", 1), ("ftc", "2020-04-02", 1), ("ftc", "2020-04-03", 1)]


def test_number_keys_of_complaints_are_the_digits_keys_of_every_spelling():
    from robotrace.evidence.complaints import key_of
    from robotrace.numbers import digits_key

    spellings = ["", "202", "2025550143", "12025550143", "(202) 555-0143", "1-202-555-0143",
                 "0012025550143", "011442071234567", "0201234", "+1 202 555 0143", "12345678901",
                 "sip:+12025550143@host;user=phone", "anonymous", "9", "0"]  # fmt: skip
    connection = connect()
    try:
        found = connection.sql(
            f"SELECT n, {key_of('n')} FROM (SELECT unnest(?::VARCHAR[]) AS n)", params=[spellings]
        ).fetchall()
    finally:
        connection.close()
    assert dict(found) == {n: digits_key(n) for n in spellings}

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from robotrace.cli import main
from robotrace.store import models
from robotrace.store.db import make_engine, transaction, upgrade

from .builders import rendered


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["campaigns", *args])
    return result.exit_code, result.output


def write_transcripts(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_group_prints_one_json_line_per_row_in_input_order(tmp_path: Path):
    covid, warranty = (
        rendered("covid_test_kits", 4, "8335550199"),
        rendered("auto_warranty", 3, "8005550100"),
    )
    texts = [*covid, "", *warranty]
    path = write_transcripts(
        tmp_path / "t.csv", [{"id": f"r{i}", "transcript": t} for i, t in enumerate(texts)]
    )
    code, output = run("group", "--transcripts", str(path), "--json")
    lines = [json.loads(line) for line in output.splitlines()]
    assert code == 0
    assert [line["id"] for line in lines] == [f"r{i}" for i in range(8)]
    assert all(set(line) == {"id", "campaign", "name", "tags"} for line in lines)
    assert len({line["campaign"] for line in lines[:4]}) == 1
    assert lines[4] == {"id": "r4", "campaign": None, "name": "", "tags": []}
    assert lines[0]["tags"] == ["covid-19"] and lines[5]["tags"] == ["auto-warranty"]
    assert lines[0]["campaign"] != lines[5]["campaign"]


def test_group_takes_file_name_as_the_id_and_prints_a_table_without_json(tmp_path: Path):
    texts = rendered("student_loans", 3, "8665550123")
    path = write_transcripts(
        tmp_path / "t.csv",
        [
            {"file_name": f"a{i}.wav", "language": "en", "transcript": t}
            for i, t in enumerate(texts)
        ],
    )
    code, output = run("group", "--transcripts", str(path))
    assert code == 0
    assert "student-loans" in output
    assert "3 transcripts in 1 campaigns (0 of a single call); 0 without words" in output


def test_group_refuses_a_file_without_the_columns_it_needs(tmp_path: Path):
    path = write_transcripts(tmp_path / "t.csv", [{"id": "1", "text": "hello"}])
    code, output = run("group", "--transcripts", str(path))
    assert code == 2
    assert "needs the columns `transcript` and `id` or `file_name` (found: id, text)" in output


def test_group_refuses_a_file_that_is_not_utf8(tmp_path: Path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"id,transcript\n1,caf\xe9\n")
    code, output = run("group", "--transcripts", str(path))
    assert code == 2 and "not UTF-8 text" in output


def test_update_groups_the_calls_of_the_store_and_prints_a_summary(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'robotrace.db'}"
    engine = make_engine(url)
    upgrade(engine)
    when = datetime(2020, 4, 1, tzinfo=UTC)
    with transaction(engine) as session:
        for i, text in enumerate(rendered("amazon_order", 5, "8445550101")):
            session.add(
                models.Call(
                    source="honeypot", source_ref=f"hp-{i}", calling_number="123",
                    called_number="+13125550100", call_time=when, transcript=text,
                    imported_at=when,
                )
            )  # fmt: skip
    engine.dispose()
    code, output = run("update", "--database-url", url, "--json")
    assert code == 0
    summary = json.loads(output)
    assert (summary["grouped"], summary["new_campaigns"], summary["ranked"]) == (5, 1, 1)
    code, output = run("update", "--database-url", url)
    assert code == 0
    assert output.startswith("0 call(s) grouped") and "1 campaign(s) ranked" in output

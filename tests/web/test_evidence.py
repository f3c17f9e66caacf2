"""Evidence uploads in the portal and over the API: coordinators and admins only, the same
import as the command line, every bad row shown with its line and reason."""

from __future__ import annotations

import html
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select

from robotrace.evidence.columns import FTC_COMPLAINT_COLUMNS, HONEYPOT_COLUMNS
from robotrace.store import models
from robotrace.store.db import transaction

from ..evidence.builders import ftc_row, honeypot_row, invite
from ..evidence.stored import complaint_count


def csv_bytes(columns, *rows: dict[str, str]) -> bytes:
    lines = [",".join(columns), *(",".join(row[c] for c in columns) for row in rows)]
    return ("\n".join(lines) + "\n").encode()


FTC = csv_bytes(FTC_COMPLAINT_COLUMNS, ftc_row(), ftc_row(Subject="Imposters"))
BAD_FTC = csv_bytes(
    FTC_COMPLAINT_COLUMNS, ftc_row(), ftc_row(Created_Date="later"), ftc_row(Violation_Date="x")
)


@pytest.fixture
def store(world, tmp_path) -> Path:
    world.app.state.analytics_dir = tmp_path / "analytics"
    return tmp_path / "analytics"


def call_count(engine) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(models.Call)) or 0


def upload(client, content: bytes, name: str = "dnc.csv", **fields: str):
    return client.post(
        "/evidence",
        data={"csrf_token": client.csrf, **fields},
        files={"file": (name, content, "text/csv")},
    )


def test_a_coordinator_uploads_complaints_and_reads_what_was_added(client_for, store):
    coord = client_for("coord@example.org")
    assert "Import evidence" in coord.get("/evidence").text
    page = upload(coord, FTC)
    assert page.status_code == 200
    assert "Imported: 2 added, 0 skipped" in page.text
    assert complaint_count(store) == 2
    again = upload(coord, FTC)
    assert "Imported: 0 added, 2 skipped" in again.text and complaint_count(store) == 2


def test_a_file_with_bad_rows_shows_each_with_its_line_and_writes_nothing(client_for, store):
    page = upload(client_for("admin@example.org"), BAD_FTC)
    assert page.status_code == 400
    text = html.unescape(page.text)
    assert "Nothing was imported" in text
    assert "dnc.csv:3: Created_Date 'later' is not a time YYYY-MM-DD HH:MM:SS" in text
    assert "dnc.csv:4: Violation_Date 'x' is not a time" in text
    assert complaint_count(store) == 0 and not store.exists()


def test_skipping_bad_rows_imports_the_good_ones(client_for, store):
    page = upload(client_for("coord@example.org"), BAD_FTC, skip_bad_rows="true")
    assert page.status_code == 200 and "2 bad row(s) left out" in page.text
    assert complaint_count(store) == 1


def test_honeypot_calls_uploaded_in_the_portal_are_stored(client_for, engine, store):
    content = csv_bytes(HONEYPOT_COLUMNS, honeypot_row("up-1", terminating_provider="AAAA"))
    before = call_count(engine)
    page = upload(client_for("coord@example.org"), content, "hp.csv", format="honeypot")
    assert page.status_code == 200, page.text
    assert call_count(engine) == before + 1


def test_a_page_upload_without_the_csrf_token_is_refused(client_for, store):
    coord = client_for("coord@example.org")
    response = coord.post("/evidence", files={"file": ("dnc.csv", FTC, "text/csv")})
    assert response.status_code == 403 and complaint_count(store) == 0


@pytest.mark.parametrize("email", ["fcc@example.org", "noc@aaaa.example"])
def test_regulators_and_providers_may_not_upload(client_for, store, email):
    client = client_for(email)
    assert client.get("/evidence").status_code == 403
    assert upload(client, FTC).status_code == 403
    assert "/evidence" not in client.get("/account").text
    assert complaint_count(store) == 0


def test_the_api_takes_the_file_as_the_raw_body(api_for, store):
    response = api_for("coord@example.org").post(
        "/api/v1/evidence/ftc?filename=dnc.csv", content=FTC, headers={"Content-Type": "text/csv"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["written"], body["added"], body["skipped"], body["bad_rows"]) == (True, 2, 0, 0)
    assert body["files"][0]["file"] == "dnc.csv" and body["files"][0]["target"] == "complaints"
    assert complaint_count(store) == 2


def test_the_api_answers_422_with_every_bad_row_and_writes_nothing(api_for, store):
    response = api_for("admin@example.org").post("/api/v1/evidence/ftc", content=BAD_FTC)
    assert response.status_code == 422
    errors = response.json()["files"][0]["errors"]
    assert [(e["file"], e["line"]) for e in errors] == [("upload.csv", 3), ("upload.csv", 4)]
    assert complaint_count(store) == 0


def test_the_api_imports_sip_captures_with_a_default_time(api_for, engine, store):
    before = call_count(engine)
    response = api_for("coord@example.org").post(
        "/api/v1/evidence/sip?default_time=2020-05-01T12:00:00Z&terminating_provider=AAAA",
        content=invite(date=None).encode(),
    )
    assert response.status_code == 200, response.text
    assert response.json()["added"] == 1 and call_count(engine) == before + 1


def test_the_api_writes_the_body_to_a_temporary_file_first(api_for, store, tmp_path, monkeypatch):
    rows = (",".join(ftc_row(Created_Date=f"2020-04-02 10:{n // 60:02d}:{n % 60:02d}").values())
            for n in range(3000))  # fmt: skip
    body = ("\n".join([",".join(FTC_COMPLAINT_COLUMNS), *rows]) + "\n").encode()
    kept = tmp_path / "upload"
    kept.mkdir()

    @contextmanager
    def folder_kept():
        yield kept

    monkeypatch.setattr("robotrace.web.api.evidence.upload_folder", folder_kept)
    response = api_for("coord@example.org").post("/api/v1/evidence/ftc", content=body)
    assert response.status_code == 200 and response.json()["added"] == 3000
    assert (kept / "upload.csv").read_bytes() == body


def test_the_api_refuses_unknown_formats_forms_and_read_only_tokens(api_for, store):
    coord = api_for("coord@example.org")
    assert coord.post("/api/v1/evidence/xls", content=FTC).status_code == 404
    form = coord.post("/api/v1/evidence/ftc", files={"file": ("dnc.csv", FTC)})
    assert form.status_code == 415
    read_only = api_for("coord@example.org", write=False)
    assert read_only.post("/api/v1/evidence/ftc", content=FTC).status_code == 403
    assert api_for("noc@aaaa.example").post("/api/v1/evidence/ftc", content=FTC).status_code == 403
    assert complaint_count(store) == 0

"""An uploaded file's name is the sender's word (issue 24, item 11): ``..``, NUL, control
characters, names too long for a file system or not UTF-8 are refused with a message that
says so — 400 on the page, 422 in the API — and never reach the file system; the file is
saved under a name of robotrace's own."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from robotrace.web.evidence_uploads import (
    BadFileName,
    save_stream,
    upload_folder,
    upload_name,
    upload_path,
)

from .test_evidence import FTC, complaint_count, store  # noqa: F401 (the store fixture)

BAD_NAMES = [
    ("..", "is not a file name"),
    ("uploads/..", "is not a file name"),
    ("..\\..", "is not a file name"),
    (".", "is not a file name"),
    ("dnc\x00.csv", "control character"),
    ("dnc\r\n.csv", "control character"),
    ("d" * 300 + ".csv", "longer than 255 bytes"),
    ("é" * 130 + ".csv", "longer than 255 bytes"),  # 130 characters, 264 bytes
    ("dnc\udcff.csv", "not valid UTF-8"),  # an undecodable byte, as Python reads one
]


@pytest.mark.parametrize(("name", "said"), BAD_NAMES)
def test_a_bad_name_is_refused_with_what_is_wrong(name, said):
    with pytest.raises(BadFileName, match=said):
        upload_name(name, None)


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("dnc.csv", "dnc.csv"),
        ("C:\\Users\\ann\\dnc.csv", "dnc.csv"),  # an old browser's full path
        ("../../etc/passwd", "passwd"),
        ("", "upload.csv"),
        (None, "upload.csv"),
        ("folder/", "upload.csv"),
        ("  ", "upload.csv"),
    ],
)
def test_folders_are_dropped_and_a_missing_name_gets_a_default(sent, shown):
    assert upload_name(sent, None) == shown


def test_the_saved_file_is_named_by_robotrace_keeping_a_plain_suffix(tmp_path):
    assert upload_path(tmp_path, "dnc.csv") == tmp_path / "upload.csv"
    assert upload_path(tmp_path, "capture.SIP") == tmp_path / "upload.SIP"
    assert upload_path(tmp_path, "weird.c$v") == tmp_path / "upload"
    assert upload_path(tmp_path, "noext") == tmp_path / "upload"


#: Names as a browser or a client could send them (no lone surrogates: those cannot be sent).
PIECES = ["..", ".", "/", "\\", "\x00", "\r", "dnc", "é", ".csv"]
SENT_NAMES = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
    st.text(st.sampled_from("aé/"), min_size=200, max_size=400),
)
#: And names with undecodable bytes, as Python reads them from a file system.
NAMES = st.one_of(
    SENT_NAMES, st.binary(max_size=300).map(lambda b: b.decode("utf-8", "surrogateescape"))
)


@settings(max_examples=400, deadline=None)
@given(NAMES)
def test_any_name_is_refused_or_saved_inside_the_upload_folder(name):
    try:
        shown = upload_name(name, None)
    except BadFileName as refused:
        assert "file name" in str(refused)
        return
    assert not set(shown) & {"/", "\\", "\x00"} and shown not in (".", "..")
    assert len(shown.encode("utf-8")) <= 255
    with upload_folder() as folder:
        path = upload_path(folder, shown)
        assert path.parent == folder
        save_stream(io.BytesIO(b"data"), path)
        assert path.read_bytes() == b"data"


# --- Through the page and the API ---------------------------------------------------------


def raw_upload(client, filename: bytes, content: bytes):
    """A multipart form written by hand, so the name's bytes arrive as sent (a client library
    would escape a NUL)."""
    boundary = "robotrace-boundary"
    head = f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
    body = head.encode() + client.csrf.encode() + b"\r\n"
    body += f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="'.encode()
    body += filename + b'"\r\nContent-Type: text/csv\r\n\r\n' + content + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    return client.post("/evidence", content=body, headers=headers)


@pytest.mark.parametrize("filename", [b"..", b"dnc\x00.csv", b"x" * 300 + b".csv"])
def test_the_page_says_the_name_is_bad_and_stores_nothing(client_for, store, filename):  # noqa: F811
    response = raw_upload(client_for("coord@example.org"), filename, FTC)
    assert response.status_code == 400, response.text
    assert "Not imported: the file name" in response.text
    assert complaint_count(store) == 0


def test_the_page_still_takes_a_good_name_sent_the_same_way(client_for, store):  # noqa: F811
    response = raw_upload(client_for("coord@example.org"), b"dnc.csv", FTC)
    assert response.status_code == 200 and complaint_count(store) == 2


@pytest.mark.parametrize("filename", ["..", "dnc\x00.csv", "x" * 300])
def test_the_api_answers_422_naming_the_file_name(api_for, store, filename):  # noqa: F811
    response = api_for("coord@example.org").post(
        "/api/v1/evidence/ftc", params={"filename": filename}, content=FTC
    )
    assert response.status_code == 422, response.text
    assert "file name" in response.json()["detail"]
    assert complaint_count(store) == 0


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(name=SENT_NAMES)
def test_no_file_name_gives_a_server_error(api_for, store, name):  # noqa: F811
    response = api_for("coord@example.org").post(
        "/api/v1/evidence/ftc", params={"filename": name}, content=FTC
    )
    assert response.status_code in (200, 422), (name, response.status_code, response.text)
    if response.status_code == 200:
        assert not set(response.json()["files"][0]["file"]) & {"/", "\\", "\x00"}


# --- The provider registry's upload takes the same rule --------------------------------


@pytest.mark.parametrize("name", ["..", "r" * 300 + ".csv"])
def test_a_registry_upload_with_a_bad_name_imports_nothing(world, client_for, api_for, name):
    from .test_pages_providers import BRAVO_FILING, export

    coord = api_for("coord@example.org")
    before = coord.get("/api/v1/providers").json()
    sent = coord.post("/api/v1/providers/import", files={"file": (name, export(BRAVO_FILING))})
    assert sent.status_code == 422 and "the file name" in str(sent.json()["detail"])
    signed_in = client_for("coord@example.org")
    page = signed_in.post(
        "/providers/import",
        data={"csrf_token": signed_in.csrf},
        files={"file": (name, export(BRAVO_FILING), "text/csv")},
    )
    assert page.status_code == 400 and "Not imported: the file name" in page.text
    assert coord.get("/api/v1/providers").json() == before

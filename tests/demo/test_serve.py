"""``robotrace demo --serve``: the demo's world in a real portal, traced live by agents."""

from __future__ import annotations

import csv
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

ARGS = ["--providers", "20", "--days", "1", "--calls", "4000", "--seed", "3"]
READY = "Ctrl-C stops the portal"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def read_until_ready(process: subprocess.Popen[str], seconds: float = 120) -> str:
    assert process.stdout is not None
    deadline, seen = time.monotonic() + seconds, []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if READY in line:
            return "".join(seen)
    raise AssertionError("demo --serve never got ready:\n" + "".join(seen))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    out, port = tmp_path_factory.mktemp("demo-serve"), free_port()
    command = [sys.executable, "-m", "robotrace.cli", "demo", *ARGS, "--out", str(out)]
    process = subprocess.Popen(
        [*command, "--serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield f"http://127.0.0.1:{port}", read_until_ready(process), out
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)


def password_of(output: str, email: str) -> str:
    match = re.search(rf"^\s+{re.escape(email)}\s+(\S+)\s+\(", output, flags=re.MULTILINE)
    assert match, f"no password printed for {email}"
    return match.group(1)


def sign_in(url: str, email: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=10)
    form = client.get("/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert csrf
    data = {"email": email, "password": password, "csrf_token": csrf.group(1)}
    assert client.post("/login", data=data).status_code == 303
    # The portal answers 303 before its request's transaction commits (the session
    # dependency ends after the response), so the new session may take a moment to count.
    for _ in range(20):
        if client.get("/api/v1/me").status_code == 200:
            break
        time.sleep(0.1)
    return client


def test_agents_trace_a_sample_call_live_to_its_origin(served):
    _url, output, _out = served
    assert re.search(r"Live traceback TB-\d+ \(\d+ agents\): origin_identified; chain ", output)


def test_each_role_signs_in_with_its_printed_password(served):
    url, output, _out = served
    for email in ("admin@demo.example", "coordinator@demo.example", "regulator@demo.example"):
        client = sign_in(url, email, password_of(output, email))
        me = client.get("/api/v1/me")
        assert me.status_code == 200, me.text
        assert me.json()["email"] == email
        client.close()


def test_a_provider_finds_the_traceback_left_waiting_for_it(served):
    url, output, _out = served
    waiting = re.search(r"Waiting for a person: (TB-\d+) at provider (\w+)", output)
    assert waiting
    email = f"noc-{waiting.group(2).lower()}@demo.example"
    client = sign_in(url, email, password_of(output, email))
    inbox = client.get("/api/v1/hop-requests").json()
    client.close()
    assert len(inbox) == 1 and inbox[0]["open"]


def test_the_database_and_the_accounts_stay_in_the_out_folder(served):
    _url, _output, out = served
    assert (out / "robotrace.db").exists()
    assert (out / "demo-accounts.json").stat().st_mode & 0o777 == 0o600


def test_the_public_statistics_count_the_worlds_complaints(served):
    url, _output, out = served
    with (out / "complaints.csv").open(newline="", encoding="utf-8") as handle:
        days = sorted(row["Created_Date"][:10] for row in csv.DictReader(handle))
    after_last = (date.fromisoformat(days[-1]) + timedelta(days=1)).isoformat()
    figures = httpx.get(f"{url}/api/v1/statistics?from={days[0]}&to={after_last}").json()
    assert figures["complaints"] == len(days) > 0
    page = httpx.get(f"{url}/statistics?from={days[0]}&to={after_last}")
    assert page.status_code == 200 and f'id="fig-complaints">{len(days)}<' in page.text

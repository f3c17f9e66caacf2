"""``robotrace demo --serve``: the demo's world in a real portal, traced live by agents."""

from __future__ import annotations

import csv
import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from robotrace.cli import main
from robotrace.clock import parse_utc
from tests.support import free_port

ARGS = ["--providers", "20", "--days", "1", "--calls", "4000", "--seed", "3"]
READY = "Ctrl-C stops the portal"


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


def last_honeypot_call(out: Path) -> datetime:
    """The world's last honeypot call, read from the simulator's own file."""
    with (out / "honeypot.csv").open(newline="", encoding="utf-8") as handle:
        return max(parse_utc(row["call_time"]) for row in csv.DictReader(handle))


def test_the_portal_runs_on_the_worlds_clock_not_the_real_one(served):
    url, output, out = served
    coordinator = sign_in(
        url, "coordinator@demo.example", password_of(output, "coordinator@demo.example")
    )
    live = re.search(r"Live traceback (TB-\d+)", output)
    assert live
    opened = parse_utc(coordinator.get(f"/api/v1/tracebacks/{live.group(1)}").json()["opened_at"])
    coordinator.close()
    # Opened "now" on the portal's clock: after the world's last call, in the world's days
    # (the story's steps end within days of it), never in the real present.
    last_call = last_honeypot_call(out)
    assert last_call < opened < last_call + timedelta(days=7)


def test_the_regulators_desk_shows_candidates_on_the_worlds_clock(served):
    url, output, _out = served
    regulator = sign_in(
        url, "regulator@demo.example", password_of(output, "regulator@demo.example")
    )
    candidates = regulator.get("/api/v1/enforcement/candidates").json()
    desk = regulator.get("/enforcement").text
    regulator.close()
    # The world's originating and gateway providers carried its robocalls within the evidence
    # window of the world's "now" (on the real clock the window held none of them).
    assert candidates and all(c["tracebacks"] > 0 for c in candidates)
    shown = re.search(r'Candidates for a letter <span class="count">(\d+)<', desk)
    assert shown and int(shown.group(1)) == len(candidates)


def test_every_provider_on_a_traced_chain_has_a_login(served):
    url, output, _out = served
    coordinator = sign_in(
        url, "coordinator@demo.example", password_of(output, "coordinator@demo.example")
    )
    tracebacks = coordinator.get("/api/v1/tracebacks", params={"limit": 500}).json()
    named = {hop["upstream"] for tb in tracebacks for hop in tb["hops"] if hop["upstream"]}
    on_chains = {hop["provider"] for tb in tracebacks for hop in tb["hops"]}
    on_chains |= {tb["signer"]["provider"] for tb in tracebacks if tb.get("signer")}
    # an upstream named by an answer is on the chain too, where the registry knows it
    on_chains |= {k for k in named if coordinator.get(f"/api/v1/providers/{k}").status_code == 200}
    coordinator.close()
    assert len(tracebacks) > 10 and len(on_chains) > 12  # more than the 12 that had logins
    for key in sorted(on_chains):
        email = f"noc-{key.lower()}@demo.example"
        client = sign_in(url, email, password_of(output, email))
        me = client.get("/api/v1/me").json()
        client.close()
        assert me["provider_key"] == key


def test_the_printed_database_url_reaches_the_demos_store_from_any_folder(
    served, tmp_path, monkeypatch
):
    _url, output, out = served
    printed = re.search(r"use it with --database-url (\S+) \(and --analytics-dir (\S+)\)", output)
    assert printed and printed.group(2) == str((out / "analytics").resolve())
    monkeypatch.chdir(tmp_path)
    first = last_honeypot_call(out).date()  # the world is a day long
    period = ["--from", str(first - timedelta(days=2)), "--to", str(first + timedelta(days=2))]
    args = ["period-report", *period, "--json", "--database-url", printed.group(1)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["tracebacks"] > 0
    assert list(tmp_path.iterdir()) == []


def robotrace(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "robotrace.cli", *args], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


def test_moving_the_worlds_clock_on_makes_the_waiting_hop_overdue(served):
    """Last in the module: it moves the served world's clock on for good."""
    url, output, out = served
    waiting = re.search(r"Waiting for a person: (TB-\d+) at provider (\w+)", output)
    assert waiting and f"robotrace clock advance 1d --file {out / 'clock.json'}" in output
    email = f"noc-{waiting.group(2).lower()}@demo.example"
    client = sign_in(url, email, password_of(output, email))
    due = parse_utc(client.get("/api/v1/hop-requests").json()[0]["due_at"])
    assert 'class="overdue"' not in client.get("/inbox").text
    now = parse_utc(robotrace("clock", "show", "--file", str(out / "clock.json")))
    span = (due - now + timedelta(hours=1)).total_seconds()
    moved = parse_utc(
        robotrace("clock", "advance", f"{span:.0f}s", "--file", str(out / "clock.json"))
    )
    assert moved > due
    inbox = client.get("/inbox").text  # the running portal follows the file
    client.close()
    assert 'class="overdue"' in inbox

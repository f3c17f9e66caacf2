"""Done when: an agent answers from its Kamailio acc records through its trunk map, and a call
that came in on an unmapped trunk gives a clear report, never an answer.

``robotrace serve`` runs as a subprocess; TERM's agent (``robotrace agent --once``, another
subprocess) reads a db_text ``acc`` file in the shape Kamailio writes it (docs/formats.md,
"Kamailio acc") and the trunk map below. Three tracebacks start at TERM: one call came in from
a mapped address (answered upstream, by OCN), one from an address mapped to an upstream known
by name only (the portal registers it), one from an address no entry maps (left open).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from robotrace.agent.client import PortalClient
from robotrace.clock import format_utc
from robotrace.store import models
from robotrace.store.db import make_engine

from .test_agents_trace_five_hops import portal  # noqa: F401  (the fixture)

T0 = datetime(2020, 4, 30, 15, 4, 5, tzinfo=UTC)
CALLING = "+12025550143"
CALLS = {  # called number → (seconds after T0, the address the INVITE came from)
    "+13125550199": (0, "192.0.2.10"),
    "+13125550122": (120, "203.0.113.7"),
    "+13125550111": (60, "198.51.100.9"),
}
TRUNKS = """\
provider = "TERM"

[[trunk]]
source = "192.0.2.0/24"
upstream = "WHS3"

[[trunk]]
source = "203.0.113.0/24"
upstream = { name = "Carrier Nine Inc" }
"""
HEADER = (
    "id(int,auto) method(string) from_tag(string) to_tag(string) callid(string) "
    "sip_code(string) sip_reason(string) time(int) src_user(string) src_domain(string) "
    "src_ip(string) src_port(string) dst_ouser(string) dst_user(string) dst_domain(string)\n"
)


def write_acc(folder: Path) -> Path:
    folder.mkdir(parents=True)
    rows = []
    for n, (called, (after, source)) in enumerate(CALLS.items(), start=1):
        epoch = int((T0 + timedelta(seconds=after + 1)).timestamp())  # TERM's clock: +1 s
        rows.append(
            f"{n}:INVITE:f{n}:t{n}:call-{n}@{source}:200:OK:{epoch}:{CALLING}:{source}:"
            f"{source}:5060:{called}:{called}:term.example\n"
        )
    (folder / "acc").write_text(HEADER + "".join(rows))
    return folder


def open_traceback(coordinator: PortalClient, called: str) -> str:
    after, _ = CALLS[called]
    response = coordinator.request(
        "POST",
        "/tracebacks",
        json={
            "calling_number": CALLING,
            "called_number": called,
            "call_time": format_utc(T0 + timedelta(seconds=after)),
            "terminating_provider": "TERM",
        },
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def run_agent(url: str, token: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    trunks = tmp_path / "trunks.toml"
    trunks.write_text(TRUNKS)
    args = ["agent", "--url", url, "--once", "--cdrs", str(write_acc(tmp_path / "dbtext"))]
    args += ["--format", "kamailio-dbtext", "--trunk-map", str(trunks)]
    return subprocess.run(
        [sys.executable, "-m", "robotrace.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ROBOTRACE_AGENT_TOKEN": token},
    )


def test_the_agent_answers_mapped_trunks_and_reports_the_unmapped_one(portal, tmp_path):  # noqa: F811
    url, tokens = portal
    coordinator = PortalClient.connect(url, tokens["coordinator"], log=lambda _: None)
    try:
        opened = {called: open_traceback(coordinator, called) for called in CALLS}
        agent = run_agent(url, tokens["TERM"], tmp_path)
        tracebacks = {
            called: coordinator.request("GET", f"/tracebacks/{tb}").json()
            for called, tb in opened.items()
        }
    finally:
        coordinator.close()
    assert agent.returncode == 3, agent.stderr
    mapped, named, unmapped = (tracebacks[c]["hops"] for c in CALLS)
    assert (mapped[0]["answer"], mapped[0]["upstream"]) == ("upstream", "WHS3")
    assert mapped[1]["provider"] == "WHS3"  # the chain went on to the mapped upstream
    assert named[0]["answer"] == "upstream"
    assert provider_name(tmp_path, named[0]["upstream"]) == "Carrier Nine Inc"
    assert [(h["answer"], h["upstream"]) for h in unmapped] == [(None, None)]
    hop = unmapped[0]["id"]
    reason = (
        "the matching call call-3@198.51.100.9 (at +1.000 s) came in on "
        "source=198.51.100.9:5060, which the trunk map does not map: add it to the trunk map"
    )
    assert f"hop request {hop}: not answered: {reason}" in agent.stderr
    assert "1 request(s) not answered: unmapped trunks" in agent.stderr


def provider_name(tmp_path: Path, key: str) -> str:
    engine = make_engine(f"sqlite:///{tmp_path / 'portal.db'}")
    try:
        with engine.connect() as connection:
            name = connection.scalar(
                select(models.Provider.business_name).where(models.Provider.key == key)
            )
    finally:
        engine.dispose()
    return str(name)

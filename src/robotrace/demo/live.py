"""``robotrace demo --serve``: the demo's world in a real portal, traced by real agents.

After the in-process story, the portal starts as a ``robotrace serve`` subprocess on the
demo's database. The coordinator opens a new traceback for a sample call through the API,
and every simulated provider that answers runs the provider agent (``robotrace.agent``:
its polling loop, its HTTP client with retries, its own records only), here hosted in the
demo's process, one agent and one token per provider, talking HTTP to the portal.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from robotrace.agent.client import PortalClient
from robotrace.agent.loop import Agent
from robotrace.demo.accounts import (
    Login,
    create_logins,
    create_tokens,
    provider_logins,
    save_logins,
    staff_logins,
)
from robotrace.demo.story import Story, analytics_dir_of, simulated_answerers
from robotrace.store import models
from robotrace.store.db import make_engine, transaction

Echo = Callable[[str], None]
#: Rounds of agent polls without progress before the live trace is left where it stands.
IDLE_ROUNDS = 3


@dataclass(frozen=True)
class Sample:
    """A stored call to trace live: the demo's traceback of it found its origin."""

    call_id: int
    campaign: str | None
    earlier: str


def live_samples(database_url: str, story: Story) -> list[Sample]:
    """One call per campaign whose in-process traceback identified the origin."""
    closed = [s["id"] for s in story.summaries if s["outcome"] == "origin_identified"]
    engine = make_engine(database_url)
    with transaction(engine) as session:
        rows = session.execute(
            select(models.Traceback.id, models.Traceback.call_id, models.Traceback.campaign_id)
            .where(models.Traceback.id.in_(closed))
            .order_by(models.Traceback.id)
        ).all()
    engine.dispose()
    seen: dict[str | None, Sample] = {}
    for tb_id, call_id, campaign in rows:
        if call_id is not None and campaign not in seen:
            seen[campaign] = Sample(call_id, campaign, tb_id)
    return list(seen.values())


def start_portal(database_url: str, host: str, port: int, workdir: Path) -> subprocess.Popen[bytes]:
    """``robotrace serve`` on the demo's database, its log in ``workdir/serve.log``."""
    command = [sys.executable, "-m", "robotrace.cli", "serve", "--host", host, "--port", str(port)]
    with (workdir / "serve.log").open("ab") as log:
        return subprocess.Popen(
            [*command, "--database-url", database_url],
            cwd=workdir,  # the portal's secret key file is made there
            stdout=log,
            stderr=subprocess.STDOUT,
            env={
                **os.environ,
                "ROBOTRACE_BASE_URL": f"http://{host}:{port}",
                "ROBOTRACE_ANALYTICS_DIR": str(analytics_dir_of(workdir).resolve()),
            },
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def login_lines(url: str, logins: list[Login]) -> list[str]:
    width = max(len(login.email) for login in logins)
    lines = [f"Portal: {url}/   API: {url}/api/v1/docs   Sign in at {url}/login as:"]
    for login in logins:
        who = login.role + (f" {login.provider}" if login.provider else "")
        lines.append(f"  {login.email:<{width}}  {login.password}  ({who})")
    return lines


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("robotrace serve exited; see serve.log")
        try:
            if httpx.get(f"{url}/api/v1/openapi.json", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"the portal did not answer at {url} within {seconds} s")


def demo_agents(url: str, story: Story, tokens: dict[str, str], echo: Echo) -> list[Agent]:
    """An agent for each simulated provider that answers, each with its own token."""
    answerers = simulated_answerers(story.out, {})
    return [
        Agent(PortalClient.connect(url, tokens[key], log=echo), answerer, key, log=echo)
        for key, answerer in sorted(answerers.items())
        if key in tokens
    ]


def open_traceback(coordinator: PortalClient, sample: Sample) -> dict[str, Any]:
    response = coordinator.request("POST", "/tracebacks", json={"call_id": sample.call_id})
    response.raise_for_status()
    opened: dict[str, Any] = response.json()
    return opened


def run_agents_until_closed(
    coordinator: PortalClient, agents: list[Agent], tb_id: str
) -> dict[str, Any]:
    """Let every agent poll in turn until the traceback closes or nothing moves."""
    idle = 0
    while idle < IDLE_ROUNDS:
        answered = sum(len(agent.poll()) for agent in agents)
        tb: dict[str, Any] = coordinator.request("GET", f"/tracebacks/{tb_id}").json()
        if tb["status"] == "closed":
            return tb
        idle = 0 if answered else idle + 1
    return tb


def login_providers(story: Story, originating: int = 3) -> list[str]:
    """Providers that get a login: every terminating one, and a few originating ones found."""
    terminating = [s["terminating_provider"] for s in story.summaries]
    found = [s["originating_provider"] for s in story.summaries if s["originating_provider"]]
    return list(dict.fromkeys([*terminating, *list(dict.fromkeys(found))[:originating]]))


def trace_live(url: str, story: Story, tokens: dict[str, str], echo: Echo) -> list[str]:
    """Trace one sample call through agents; leave a second one open for a person.
    Returns lines for the summary."""
    samples = live_samples(f"sqlite:///{story.out / 'robotrace.db'}", story)
    if not samples:
        return ["No traceback found an origin, so none was traced live."]
    coordinator = PortalClient.connect(url, tokens["coordinator"], log=echo)
    agents = demo_agents(url, story, tokens, echo)
    try:
        opened = open_traceback(coordinator, samples[0])
        echo(f"coordinator opened {opened['id']} for call {samples[0].call_id}")
        tb = run_agents_until_closed(coordinator, agents, opened["id"])
        chain = " → ".join(hop["provider"] for hop in tb["hops"])
        outcome = tb["outcome"] or "still open"
        lines = [f"Live traceback {tb['id']} ({len(agents)} agents): {outcome}; chain {chain}"]
        if len(samples) > 1:
            waiting = open_traceback(coordinator, samples[1])
            at = waiting["terminating_provider"]
            lines.append(f"Waiting for a person: {waiting['id']} at provider {at}")
        return lines
    finally:
        coordinator.close()
        for agent in agents:
            agent.client.close()


def serve_demo(
    story: Story, host: str, port: int, echo: Echo
) -> tuple[list[str], subprocess.Popen[bytes]]:
    """Users, the portal, the live trace: the lines to print, and the running portal (the
    caller waits on it and stops it)."""
    database_url = f"sqlite:///{story.out / 'robotrace.db'}"
    engine = make_engine(database_url)
    logins = staff_logins() + provider_logins(login_providers(story))
    create_logins(engine, logins)
    save_logins(story.out / "demo-accounts.json", logins)
    agent_ocns = simulated_answerers(story.out, {}).keys()
    tokens = create_tokens(engine, agent_ocns)
    engine.dispose()
    url = f"http://{host}:{port}"
    portal = start_portal(database_url, host, port, story.out)
    try:
        wait_until_up(url, portal)
        lines = trace_live(url, story, tokens, echo)
    except BaseException:
        stop(portal)
        raise
    return [*lines, *login_lines(url, logins)], portal

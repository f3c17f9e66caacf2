"""``robotrace demo --serve``: the demo's world in a real portal, traced by real agents.

After the in-process story, the portal starts as a ``robotrace serve`` subprocess on the
demo's database. The coordinator opens a new traceback for a sample call through the API,
and every simulated provider that answers runs the provider agent (``robotrace.agent``:
its polling loop, its HTTP client with retries, its own records only), here hosted in the
demo's process, one agent and one token per provider, talking HTTP to the portal.

The portal runs on the world's clock, not the real one: a clock file beside the database
(``clock.json``, the ``clock_file`` setting) set to the last moment the story recorded, so the
evidence window, due times and deadlines count from the world's "now". ``robotrace clock
advance`` moves it on for the running portal (docs/operations.md#the-clock).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, func, select

from robotrace.agent.client import PortalClient
from robotrace.agent.loop import Agent
from robotrace.calendar import for_people
from robotrace.clock import FileClock, as_utc, write_clock_file
from robotrace.demo.accounts import (
    Login,
    create_logins,
    create_tokens,
    provider_logins,
    save_logins,
    staff_logins,
)
from robotrace.demo.story import Story, analytics_dir_of, simulated_answerers
from robotrace.stats.period import providers_in
from robotrace.store import models
from robotrace.store.db import make_engine, transaction
from robotrace.traceback.store import provider_directory

Echo = Callable[[str], None]
#: Rounds of agent polls without progress before the live trace is left where it stands.
IDLE_ROUNDS = 3
CLOCK_FILE = "clock.json"


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


def world_time(engine: Engine) -> datetime:
    """Where the story left the world's clock: the latest moment it recorded (a call, or
    any step in the audit log: an answer, a letter, an order, a block list)."""
    with transaction(engine) as session:
        moments = [
            session.scalar(select(func.max(models.AuditEvent.at))),
            session.scalar(select(func.max(models.Call.call_time))),
        ]
    return max(as_utc(m) for m in moments if m is not None)


def demo_env(story: Story, url: str) -> dict[str, str]:
    """The settings the demo's portal runs with (and a worker on its database should)."""
    env = {
        "ROBOTRACE_BASE_URL": url,
        "ROBOTRACE_ANALYTICS_DIR": str(analytics_dir_of(story.out).resolve()),
        "ROBOTRACE_CLOCK_FILE": str((story.out / CLOCK_FILE).resolve()),
    }
    key = os.environ.get("ROBOTRACE_BLOCKLIST_SIGNING_KEY")  # the world's own (demo command)
    return env | ({"ROBOTRACE_BLOCKLIST_SIGNING_KEY": key} if key else {})


def start_portal(
    database_url: str, host: str, port: int, workdir: Path, env: dict[str, str]
) -> subprocess.Popen[bytes]:
    """``robotrace serve`` on the demo's database with ``env`` (:func:`demo_env`), its log in
    ``workdir/serve.log``."""
    command = [sys.executable, "-m", "robotrace.cli", "serve", "--host", host, "--port", str(port)]
    with (workdir / "serve.log").open("ab") as log:
        return subprocess.Popen(
            [*command, "--database-url", database_url],
            cwd=workdir,  # the portal's secret key file is made there
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **env},
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
    answerers = simulated_answerers(story.out, {}, story.skew_s)
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


def login_providers(story: Story, known: set[str]) -> list[str]:
    """Providers that get a login: every one on a chain the demo traced — asked, named as an
    upstream, or asked as the signer — that the registry (``known``) holds."""
    on_chains = set().union(*(providers_in(run.traceback) for _c, _r, run in story.runs))
    return sorted(on_chains & known)


def trace_live(url: str, story: Story, tokens: dict[str, str], echo: Echo) -> list[str]:
    """Trace one sample call through agents; leave a second one open for a person.
    Returns lines for the summary."""
    samples = live_samples(database_url_of(story), story)
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
    story: Story, host: str, port: int, echo: Echo, zone: str
) -> tuple[list[str], subprocess.Popen[bytes]]:
    """Users, the portal, the live trace: the lines to print (the world's time in ``zone``,
    the ``display_zone``), and the running portal (the caller waits on it and stops it)."""
    database_url = database_url_of(story)
    engine = make_engine(database_url)
    clock_file = story.out / CLOCK_FILE
    write_clock_file(clock_file, world_time(engine))
    clock = FileClock(clock_file)
    with transaction(engine) as session:
        known = set(provider_directory(session))
    logins = staff_logins() + provider_logins(login_providers(story, known))
    create_logins(engine, logins, clock)
    save_logins(story.out / "demo-accounts.json", logins)
    agent_ocns = simulated_answerers(story.out, {}, story.skew_s).keys()
    tokens = create_tokens(engine, agent_ocns, clock)
    engine.dispose()
    url = f"http://{host}:{port}"
    env = demo_env(story, url)
    portal = start_portal(database_url, host, port, story.out, env)
    try:
        wait_until_up(url, portal)
        lines = trace_live(url, story, tokens, echo)
    except BaseException:
        stop(portal)
        raise
    clock_told = clock_lines(clock, env, database_url, zone)
    return [*lines, *clock_told, *login_lines(url, logins)], portal


def database_url_of(story: Story) -> str:
    """The ``--database-url`` of the demo's database (absolute: it works from any folder)."""
    return f"sqlite:///{(story.out / 'robotrace.db').resolve()}"


def clock_lines(clock: FileClock, env: dict[str, str], database_url: str, zone: str) -> list[str]:
    """How the world's clock reads (in ``zone``), and how to move it on and run a worker on
    it."""
    path = env["ROBOTRACE_CLOCK_FILE"]
    settings = " ".join(f"{name}={value}" for name, value in sorted(env.items()))
    return [
        f"The portal runs on the world's clock, now {for_people(clock.now(), zone)} (running on "
        f"from there), kept in {path}.",
        f"  Move it on (the portal follows):  robotrace clock advance 1d --file {path}",
        f"  Mark overdue hops and send notices on it:  {settings} "
        f"robotrace worker --database-url {database_url}",
    ]

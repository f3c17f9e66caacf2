"""Coordinators and provider agents against a real portal (``benchmarks/load_portal.py``).

    locust -f benchmarks/load/locustfile.py --headless -u 20 -r 10 -t 60s --host URL

Reads the world that ``benchmarks/load/world.py`` built from the JSON file named by
``LOAD_WORLD``; ``LOAD_COORDINATORS`` of the users are coordinators, the rest provider
agents, and the providers are dealt out among the agents so that each provider has exactly
one (no two agents race for one hop request). At the end it writes what was stored — the
ids of the hop requests answered with 200 and of the tracebacks opened with 201 — to the
JSON file named by ``LOAD_RESULTS``, for the SQL check.

Requests are named by endpoint group (``page: traceback``, ``api: answer`` …), so locust's
statistics come per group, not per URL. Any response other than the expected status is a
failure (a 409 on an answer too: each hop has one agent).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

WORLD: dict[str, Any] = json.loads(Path(os.environ["LOAD_WORLD"]).read_text())
COORDINATORS = int(os.environ.get("LOAD_COORDINATORS", "4"))
AGENTS = int(os.environ.get("LOAD_AGENTS", "16"))
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TRACEBACK_LINK = re.compile(r'href="/tracebacks/(TB-\d+)"')

_calls_to_open = iter(WORLD["calls_to_open"])
_coordinator_numbers = itertools.count()
_agent_numbers = itertools.count()
answered_hops: list[int] = []
opened_tracebacks: list[str] = []


@events.test_stop.add_listener
def write_results(**_: Any) -> None:
    path = os.environ.get("LOAD_RESULTS")
    if path:
        results = {"answered_hops": answered_hops, "opened_tracebacks": opened_tracebacks}
        Path(path).write_text(json.dumps(results))


class Coordinator(HttpUser):
    """Signs in through the form (with its CSRF token), reads pages, opens tracebacks."""

    fixed_count = COORDINATORS
    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        who = WORLD["coordinators"][next(_coordinator_numbers) % len(WORLD["coordinators"])]
        self.api = {"Authorization": f"Bearer {who['token']}"}
        self.seen: list[str] = []
        form = self.client.get("/login", name="page: login")
        token = CSRF.search(form.text)
        fields = {"email": who["email"], "password": who["password"]}
        fields["csrf_token"] = token.group(1) if token else ""
        with self.client.post(
            "/login", data=fields, allow_redirects=False, name="page: sign in", catch_response=True
        ) as response:
            if response.status_code != 303:
                response.failure(f"sign-in answered {response.status_code}")

    def page(self, path: str, name: str) -> str:
        """GET a page; a redirect to the sign-in form (a lost session) is a failure too."""
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200 or "/login" in response.url:
                response.failure(f"{response.status_code} at {response.url}")
            return response.text

    @task(3)
    def dashboard(self) -> None:
        self.page("/", "page: dashboard")

    @task(3)
    def traceback_list(self) -> None:
        status = random.choice(("", "?status=open", "?status=closed"))
        page = self.page(f"/tracebacks{status}", "page: tracebacks")
        self.seen = TRACEBACK_LINK.findall(page)[:50] or self.seen

    @task(4)
    def traceback_page(self) -> None:
        if self.seen:
            tb = random.choice(self.seen)
            self.page(f"/tracebacks/{tb}", "page: traceback")

    @task(1)
    def campaign_list(self) -> None:
        self.page("/campaigns", "page: campaigns")

    @task(2)
    def campaign_page(self) -> None:
        campaign = random.choice(WORLD["campaigns"])
        self.page(f"/campaigns/{campaign}", "page: campaign")

    @task(1)
    def statistics(self) -> None:
        self.page("/statistics", "page: statistics")

    @task(1)
    def api_tracebacks(self) -> None:
        self.client.get(
            "/api/v1/tracebacks?status=open&limit=20", headers=self.api, name="api: tracebacks"
        )

    @task(4)
    def open_traceback(self) -> None:
        call_id = next(_calls_to_open, None)
        if call_id is None:
            return  # every call of the world has its traceback
        with self.client.post(
            "/api/v1/tracebacks",
            json={"call_id": call_id},
            headers=self.api,
            name="api: open traceback",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return
            opened_tracebacks.append(response.json()["id"])


class ProviderAgent(HttpUser):
    """Polls its providers' open hop requests and answers each from the world's true path."""

    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        number = next(_agent_numbers)
        ocns = sorted(WORLD["agents"])
        mine = ocns[number::AGENTS] if number < AGENTS else []  # never two agents for one
        self.mine = [(ocn, WORLD["agents"][ocn]) for ocn in mine]
        self.turn = itertools.cycle(self.mine) if self.mine else None

    @task
    def poll_and_answer(self) -> None:
        if self.turn is None:
            return  # more agents than providers
        ocn, token = next(self.turn)
        headers = {"Authorization": f"Bearer {token}"}
        inbox = self.client.get(
            "/api/v1/hop-requests?status=open&limit=20", headers=headers, name="api: inbox"
        )
        if inbox.status_code != 200:
            return
        for request in inbox.json()[:5]:
            if random.random() < 0.2:
                one = f"/api/v1/hop-requests/{request['id']}"
                self.client.get(one, headers=headers, name="api: hop request")
            self.answer(ocn, headers, request)

    def answer(self, ocn: str, headers: dict[str, str], request: dict[str, Any]) -> None:
        truth = WORLD["truth"].get(request["called_number"])
        with self.client.post(
            f"/api/v1/hop-requests/{request['id']}/answer",
            json=answer_from(truth, ocn),
            headers=headers,
            name="api: answer",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")
                return
            answered_hops.append(request["id"])


def answer_from(truth: dict[str, Any] | None, ocn: str) -> dict[str, str]:
    """The next hop on the call's true path, or the customer at its originating provider."""
    if truth is None or ocn not in truth["path"]:
        return {"answer": "not_found", "note": "no such call in our records (load test)"}
    path = truth["path"]
    at = path.index(ocn)
    if at + 1 < len(path):
        return {"answer": "upstream", "upstream": path[at + 1]}
    return {"answer": "origin", "customer": truth["customer"]}

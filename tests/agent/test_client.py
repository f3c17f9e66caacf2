"""The agent's portal client against a portal that pages its list of open requests."""

from __future__ import annotations

import httpx

from robotrace.agent import client as client_module
from robotrace.agent.client import PortalClient

from .builders import portal_http


def paging_portal(ids: list[int], asked: list[dict[str, str]], paged: bool = True):
    """A fake ``GET /hop-requests`` that honours ``limit`` and ``offset`` (or, not ``paged``,
    answers everything every time, like a portal from before paging)."""

    def handle(request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        asked.append(params)
        limit, offset = int(params["limit"]), int(params["offset"])
        shown = ids[offset : offset + limit] if paged else ids
        return httpx.Response(200, json=[{"id": i} for i in shown])

    return handle


def client_on(handler) -> PortalClient:
    return PortalClient(portal_http(handler), sleep=lambda _: None, log=lambda _: None)


def test_it_reads_every_page_of_open_requests(monkeypatch):
    monkeypatch.setattr(client_module, "PAGE_SIZE", 3)
    asked: list[dict[str, str]] = []
    found = client_on(paging_portal(list(range(1, 8)), asked)).open_requests()
    assert [r["id"] for r in found] == [1, 2, 3, 4, 5, 6, 7]
    assert [a["offset"] for a in asked] == ["0", "3", "6"]
    assert {a["status"] for a in asked} == {"open"}


def test_a_full_last_page_costs_one_more_empty_page(monkeypatch):
    monkeypatch.setattr(client_module, "PAGE_SIZE", 3)
    asked: list[dict[str, str]] = []
    found = client_on(paging_portal(list(range(1, 7)), asked)).open_requests()
    assert len(found) == 6 and [a["offset"] for a in asked] == ["0", "3", "6"]


def test_a_portal_that_ignores_paging_is_read_once_more_and_not_forever(monkeypatch):
    monkeypatch.setattr(client_module, "PAGE_SIZE", 3)
    asked: list[dict[str, str]] = []
    found = client_on(paging_portal(list(range(1, 5)), asked, paged=False)).open_requests()
    assert [r["id"] for r in found] == [1, 2, 3, 4] and len(asked) == 2

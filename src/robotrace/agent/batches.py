"""Answering batch requests (federated bulk tracing, docs/agent.md "Batch requests"): the
portal asks for many calls at once; the agent looks every one up in its own provider's
records with ``robotrace paths``'s own engine — the same band join, tie-breaks and
tolerance (the batch's), on this one provider's store — and posts one answer per call.

Only the answers leave the machine: per call, where it came from (``upstream``, as the
records name it), or the customer (``origin``), or ``not_found`` / ``unmapped``, with the
matched leg's clock difference. Answers go in parts of the ``agent_batch_answers`` setting;
the portal takes each call's answer once, so a restarted agent asks which calls are still
unanswered and answers only those.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from robotrace.agent.client import PortalClient, PortalRefused
from robotrace.agent.records import is_store_file
from robotrace.bulk.rules import time_ms
from robotrace.cdr.duck import connect
from robotrace.cdr.switch import SwitchRecords
from robotrace.numbers import fast_digits_key_sql
from robotrace.paths.duck import DuckEngine
from robotrace.paths.engine import trace_paths
from robotrace.settings import DEFAULTS

Log = Callable[[str], None]


def open_batch_ids(client: PortalClient) -> list[int]:
    """The ids of the provider's open batch requests (none from a portal without them)."""
    response = client.request("GET", "/batch-requests", params={"status": "open"})
    if response.status_code == 404:
        return []
    if response.status_code >= 400:
        raise PortalRefused(f"GET /batch-requests: {response.status_code} {response.text[:200]}")
    return [int(item["id"]) for item in response.json()]


def calls_table(items: list[dict[str, Any]], provider: str) -> pa.Table:
    """The batch's unanswered calls as the engine takes listed calls (``CALL_COLUMNS``):
    the call id is the position; keys made as ``robotrace paths`` makes them."""
    raw = pa.table(
        {
            "call_id": pa.array([str(i["position"]) for i in items], pa.string()),
            "called_number": pa.array([i["called_number"] for i in items], pa.string()),
            "calling_number": pa.array([i["calling_number"] or "" for i in items], pa.string()),
            "t_ms": pa.array([time_ms(i["call_time"]) for i in items], pa.int64()),
        }
    )
    connection = connect()
    try:
        connection.register("raw", raw)
        return connection.execute(
            f"""SELECT call_id, {fast_digits_key_sql("called_number")} AS called_key,
                  {fast_digits_key_sql("calling_number")} AS calling_key, t_ms,
                  ? AS terminating_provider
                FROM raw""",
            [provider],
        ).to_arrow_table()
    finally:
        connection.close()


def answer_of(hop: dict[str, Any]) -> dict[str, Any]:
    """One hop row of the engine (this provider's best leg, or none) as the call's answer."""
    body: dict[str, Any] = {"position": int(hop["call_id"])}
    if not hop["found"]:
        return {**body, "answer": "not_found"}
    body |= {"delta_ms": int(hop["delta_ms"]), "calling_matched": bool(hop["calling_matched"])}
    if hop["from_provider"] is not None:
        return {**body, "answer": "upstream", "upstream": hop["from_provider"]}
    if hop["customer"] is not None:
        return {**body, "answer": "origin", "customer": hop["customer"]}
    return {**body, "answer": "unmapped"}


@dataclass
class BatchAnswerer:
    """Answers batches from ``provider``'s records under ``cdrs`` (a canonical store, raw
    CDR files, or switch records with ``switch``), keyed into a store of its own the first
    time a batch comes."""

    cdrs: Path
    provider: str
    switch: SwitchRecords | None = None
    log: Log = print
    #: Answers sent per POST (the ``agent_batch_answers`` setting).
    answers_per_post: int = DEFAULTS.agent_batch_answers
    _folder: Path | None = field(default=None, init=False)
    _named: str | None = field(default=None, init=False)

    def store(self) -> Path:
        """A folder holding only this provider's store file (made once)."""
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="robotrace-agent-batches-"))
            own = self.cdrs / f"{self.provider}.parquet" if self.cdrs.is_dir() else self.cdrs
            if self.switch is None and own.is_file() and is_store_file(own):
                (self._folder / f"{self.provider}.parquet").symlink_to(own.resolve())
            else:
                self._key_raw_records()
        return self._folder

    def _key_raw_records(self) -> None:
        from dataclasses import replace

        from robotrace.cdr.store import write_provider_store

        assert self._folder is not None
        switch = replace(self.switch, provider=self.provider) if self.switch else None
        write_provider_store([self.cdrs], self._folder, switch=switch)
        for other in self._folder.glob("*.parquet"):
            if other.stem != self.provider:
                other.unlink()

    def lookups(self, items: list[dict[str, Any]], tolerance_ms: int) -> list[dict[str, Any]]:
        """The answers for ``items`` (a batch's calls), from this provider's records."""
        if not items:
            return []
        engine = DuckEngine()
        try:
            store = self.store()
            calls = calls_table(items, self._own_name(engine, store))
            hops = trace_paths(engine, store, calls, tolerance_ms, 1)
        finally:
            engine.close()
        return [answer_of(hop) for hop in hops.to_pylist()]

    def _own_name(self, engine: DuckEngine, store: Path) -> str:
        """The provider as its own records name it (a store file named by the portal's key
        may hold legs under the provider's OCN)."""
        if self._named is None:
            named = engine.providers_with_records(store)
            self._named = named.pop() if len(named) == 1 else self.provider
        return self._named

    def answer(self, client: PortalClient, batch_id: int) -> bool:
        """Answer every call of batch ``batch_id`` not answered yet; True when the batch
        takes no more answers (all answered, or closed)."""
        batch = _get(client, f"/batch-requests/{batch_id}")
        if batch is None or batch["status"] != "open":
            return True
        waiting = [item for item in batch["items"] if not item["answered"]]
        answers = self.lookups(waiting, int(batch["tolerance_ms"]))
        part = self.answers_per_post
        for start in range(0, len(answers), part):
            body = {"answers": answers[start : start + part]}
            response = client.request("POST", f"/batch-requests/{batch_id}/answer", json=body)
            if response.status_code == 409:  # answered already, or the window passed
                self.log(f"batch request {batch_id}: {_detail(response)}")
                return False
            if response.status_code >= 400:
                raise PortalRefused(
                    f"batch request {batch_id}: {response.status_code} {_detail(response)}"
                )
        found = sum(1 for a in answers if a["answer"] != "not_found")
        self.log(
            f"batch request {batch_id}: answered {len(answers)} call(s), {found} found "
            f"({batch['calls'] - len(waiting)} answered before)"
        )
        return True

    def close(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


def _get(client: PortalClient, path: str) -> dict[str, Any] | None:
    response = client.request("GET", path)
    if response.status_code == 404:
        return None
    if response.status_code >= 400:
        raise PortalRefused(f"GET {path}: {response.status_code} {_detail(response)}")
    found: dict[str, Any] = response.json()
    return found


def _detail(response: Any) -> str:
    try:
        return str(response.json().get("detail", ""))
    except ValueError:
        return str(response.text)[:200]

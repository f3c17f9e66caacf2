"""Writing the tables, and keeping them fresh while Kamailio runs.

:class:`Exporter` writes the tables of one verified list (only the files that changed) and,
given Kamailio's RPC socket, has Kamailio reload them. :func:`watch` polls the portal with
the blocker's own poll (:func:`robotrace.blocking.refresh.poll_once`: ETag, signature,
no rollback, optional cache) and exports again when a new version is in force — or when an
entry of the version in force comes into force (``effective_at``): Kamailio holds only the
entries in force at the export. A reload that fails (Kamailio down or restarting) is tried
again at the next poll; a Kamailio that starts meanwhile loads the files anyway.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from robotrace.blocking.decide import Policy
from robotrace.blocking.kamailio import rpc
from robotrace.blocking.kamailio.counts import KamailioCounter
from robotrace.blocking.kamailio.dbtext import htable_names, write_database
from robotrace.blocking.kamailio.tables import tables_for
from robotrace.blocking.model import LoadedBlocklist
from robotrace.blocking.refresh import ListState, poll_forever
from robotrace.blocking.trunks import TrunkTable
from robotrace.clock import Clock, SystemClock

log = logging.getLogger("robotrace.blocker")
#: ROBOTRACE_MAX_ROWS in contrib/kamailio/blocking/robotrace-blocking.cfg: db_text's row limit.
DEFAULT_MAX_ROWS = 500_000


@dataclass
class Exporter:
    folder: Path
    policy: Policy
    trunks: TrunkTable
    socket: Path | None = None  # Kamailio's jsonrpcs datagram socket; None: write only
    clock: Clock = field(default_factory=SystemClock)
    version: int | None = None  # the list version last exported
    next_change: datetime | None = None  # when an exported list's next entry comes in force
    unreloaded: set[str] = field(default_factory=set)  # written, Kamailio not told yet

    def due(self, blocklist: LoadedBlocklist) -> bool:
        """Whether the files lag behind ``blocklist`` now."""
        if blocklist.version != self.version:
            return True
        return self.next_change is not None and self.clock.now() >= self.next_change

    def export(self, blocklist: LoadedBlocklist) -> list[str]:
        """Write the tables for ``blocklist`` as in force now; the files that changed."""
        tables = tables_for(blocklist, self.policy, self.trunks, self.clock.now())
        changed = write_database(self.folder, tables)
        self.version, self.next_change = blocklist.version, tables.next_change
        self.unreloaded |= set(changed)
        log.info(
            "Kamailio tables for list version %s: %d blocked keys, %s changed",
            blocklist.version,
            len(tables.block),
            ", ".join(changed) or "nothing",
        )
        if len(tables.block) > DEFAULT_MAX_ROWS:
            log.warning(
                "rtblock has %d rows, more than the %d that contrib's kamailio config reads "
                "by default: start Kamailio with -A ROBOTRACE_MAX_ROWS=N (and -M for its "
                "memory; docs/blocking.md)",
                len(tables.block),
                DEFAULT_MAX_ROWS,
            )
        return changed

    def reload(self) -> None:
        """Have Kamailio reload every table written since its last reload
        (:class:`~robotrace.blocking.kamailio.rpc.RpcError` when it cannot)."""
        if self.socket is None:
            self.unreloaded.clear()
            return
        for table in sorted(htable_names(self.unreloaded)):
            rpc.reload_htable(self.socket, table)
            self.unreloaded.discard(table)
        if "rtaddress" in self.unreloaded:
            rpc.reload_addresses(self.socket)
        self.unreloaded.clear()


def refresh(exporter: Exporter, state: ListState, counter: KamailioCounter | None) -> None:
    """After a poll: export if due, reload what Kamailio lacks, read its counters."""
    try:
        if state.blocklist is not None and exporter.due(state.blocklist):
            exporter.export(state.blocklist)
        exporter.reload()
        if counter is not None:
            counter.collect()
    except rpc.RpcError as exc:
        log.warning("Kamailio did not answer, will try again: %s", exc)
    except OSError as exc:
        log.error("could not write the Kamailio tables in %s: %s", exporter.folder, exc)


async def watch(
    portal: str,
    key: Ed25519PublicKey,
    state: ListState,
    exporter: Exporter,
    interval: float,
    counter: KamailioCounter | None = None,
) -> None:
    """Poll, export and reload every ``interval`` seconds until cancelled."""

    async def export_and_reload() -> None:
        await asyncio.to_thread(refresh, exporter, state, counter)

    await poll_forever(portal, state, key, interval, after_poll=export_and_reload)

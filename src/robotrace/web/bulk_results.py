"""Writing a finished bulk traceback's results where the portal serves them from: its
``paths.parquet`` and ``flows.json`` under the analytics store, and its campaigns' flows
for the campaign pages (``robotrace.bulk.results``)."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy.orm import Session
from starlette.datastructures import State

from robotrace.bulk.results import results_dir, results_written, write_results
from robotrace.store.db import transaction
from robotrace.web.evidence_uploads import analytics_dir_of

log = logging.getLogger(__name__)


def publish_results(state: State, bulk_id: int, session: Session | None = None) -> Path | None:
    """The results folder of a finished submission, written now unless it was before; None
    (logged) when writing failed — the next request for the files tries again.

    ``session``: the caller's open transaction (a request's), read in rather than a second
    one — on SQLite every transaction takes the write lock, so a second one opened while the
    request's is open would wait for it until the busy timeout. Without it (after the
    request, as a background task), a transaction of its own."""
    store = analytics_dir_of(state)
    if results_written(store, bulk_id):
        return results_dir(store, bulk_id)
    try:
        if session is not None:
            write_results(session, bulk_id, store)
        else:
            with transaction(state.sessions) as own:
                write_results(own, bulk_id, store)
    except (OSError, ValueError) as exc:
        log.error("bulk traceback %s: results not written: %s", bulk_id, exc)
        return None
    return results_dir(store, bulk_id)

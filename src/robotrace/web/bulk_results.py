"""Writing a finished bulk traceback's results where the portal serves them from: its
``paths.parquet`` and ``flows.json`` under the analytics store, and its campaigns' flows
for the campaign pages (``robotrace.bulk.results``)."""

from __future__ import annotations

import logging
from pathlib import Path

from starlette.datastructures import State

from robotrace.bulk.results import results_dir, results_written, write_results
from robotrace.store.db import transaction
from robotrace.web.evidence_uploads import analytics_dir_of

log = logging.getLogger(__name__)


def publish_results(state: State, bulk_id: int) -> Path | None:
    """The results folder of a finished submission, written now unless it was before; None
    (logged) when writing failed — the next request for the files tries again."""
    store = analytics_dir_of(state)
    if results_written(store, bulk_id):
        return results_dir(store, bulk_id)
    try:
        with transaction(state.sessions) as session:
            write_results(session, bulk_id, store)
    except (OSError, ValueError) as exc:
        log.error("bulk traceback %s: results not written: %s", bulk_id, exc)
        return None
    return results_dir(store, bulk_id)

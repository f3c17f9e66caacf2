"""The answer window, kept by the worker: each pass ends the calls of batch requests past
their window ``no_records`` (:func:`robotrace.bulk.answers.expire_due_batches`) and writes
the results of the submissions that finishes."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Engine

from robotrace.bulk.answers import expire_due_batches
from robotrace.bulk.results import write_results
from robotrace.clock import Clock
from robotrace.store.db import transaction

log = logging.getLogger(__name__)


def expire_batches(engine: Engine, clock: Clock, analytics_dir: Path) -> int:
    """One pass: how many batch requests expired (finished bulk tracebacks' results are
    written under ``analytics_dir``)."""
    with transaction(engine) as session:
        expired, finished = expire_due_batches(session, clock)
    for bulk_id in finished:
        try:
            with transaction(engine) as session:
                write_results(session, bulk_id, analytics_dir)
        except (OSError, ValueError) as exc:  # the portal writes them when asked for them
            log.error("bulk traceback %s: results not written: %s", bulk_id, exc)
    return expired

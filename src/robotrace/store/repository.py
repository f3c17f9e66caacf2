"""The store's functions over a :class:`sqlalchemy.orm.Session`, in one place to import from.

Each takes a session and plain robotrace values, and returns plain values; none commits
(wrap calls in :func:`robotrace.store.db.transaction`). They live in one module per topic:
:mod:`~robotrace.store.providers`, :mod:`~robotrace.store.tracebacks`,
:mod:`~robotrace.store.audit`.
"""

from __future__ import annotations

from robotrace.store.audit import append_audit, list_audit
from robotrace.store.providers import (
    UpsertCounts,
    list_providers,
    provider_directory,
    provider_ids,
    provider_keys,
    upsert_providers,
)
from robotrace.store.tracebacks import (
    TracebackNotFound,
    UnknownProviders,
    list_tracebacks,
    load_traceback,
    load_tracebacks,
    save_traceback,
)

__all__ = [
    "TracebackNotFound",
    "UnknownProviders",
    "UpsertCounts",
    "append_audit",
    "list_audit",
    "list_providers",
    "list_tracebacks",
    "load_traceback",
    "load_tracebacks",
    "provider_directory",
    "provider_ids",
    "provider_keys",
    "save_traceback",
    "upsert_providers",
]

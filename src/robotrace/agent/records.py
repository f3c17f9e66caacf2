"""The agent's own provider's call records, from a canonical store, raw CDR files, or the
switch's own records read through the provider's trunk map."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq

from robotrace.cdr.lookup import ProviderRecords, open_records_dir
from robotrace.cdr.switch import SwitchRecords


def is_store_file(path: Path) -> bool:
    """A canonical store file (``robotrace cdr import``) carries the lookup keys."""
    return path.suffix == ".parquet" and "called_key" in pq.read_schema(path).names


def open_own_records(path: Path, key: str, switch: SwitchRecords | None = None) -> ProviderRecords:
    """``key``'s records under ``path``: ``<path>/<OCN>.parquet`` of a canonical store, a
    store file itself, or a folder (or file) of raw ``.csv``/``.parquet`` CDRs, of which
    only ``key``'s legs are kept; with ``switch``, the switch's own records (all ``key``'s),
    read through its trunk map."""
    if switch is not None:
        return _switch_records(path, key, switch)
    store_file = path / f"{key}.parquet" if path.is_dir() else path
    if store_file.is_file() and is_store_file(store_file):
        return ProviderRecords.open(store_file, provider=key)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    records = open_records_dir(path)
    if key not in records:
        raise LookupError(f"{path} holds no call records of provider {key}")
    return records[key]


def _switch_records(path: Path, key: str, switch: SwitchRecords) -> ProviderRecords:
    named = switch.trunks.provider
    if named and named != key.upper():
        raise LookupError(
            f"the trunk map {switch.trunks.path} is provider {named}'s; this agent answers "
            f"for {key}"
        )
    records = open_records_dir(path, replace(switch, provider=key))
    if key not in records:
        raise LookupError(f"{path} holds no {switch.format.name} call records")
    return records[key]

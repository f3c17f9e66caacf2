"""The agent opens only its own provider's records, from a store or from raw files."""

from __future__ import annotations

import pytest

from robotrace.agent.records import open_own_records
from robotrace.cdr.readers import read_cdrs
from robotrace.cdr.store import write_table_store
from robotrace.settings import DEFAULTS

from .builders import CALLED, CALLING, TRUE_TIME, write_cdrs

SKEW_S = DEFAULTS.cdr_skew_seconds  # the cdr_skew_seconds setting by default: 5 s


def test_raw_cdr_files_give_only_the_providers_own_legs(tmp_path):
    records = open_own_records(write_cdrs(tmp_path / "cdrs"), "WHS2")
    found = records.lookup(CALLED, CALLING, TRUE_TIME, SKEW_S)
    assert found.provider == "WHS2" and found.from_provider == "WHS1"


def test_a_canonical_store_folder_is_read_by_its_ocn_file(tmp_path):
    raw = write_cdrs(tmp_path / "cdrs")
    write_table_store(read_cdrs([raw]), tmp_path / "store")
    records = open_own_records(tmp_path / "store", "ORGN")
    assert records.lookup(CALLED, CALLING, TRUE_TIME, SKEW_S).customer == "Acme Outreach Ltd"


def test_records_without_the_provider_are_an_error(tmp_path):
    with pytest.raises(LookupError, match="NOPE"):
        open_own_records(write_cdrs(tmp_path / "cdrs"), "NOPE")

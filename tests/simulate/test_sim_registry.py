"""The world's provider registry: the RMD export as the FCC publishes it, robotrace's own
provider-ids.csv beside it, and both loaded into a store (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.clock import SimulatedClock
from robotrace.providers.registry import read_providers_csv, write_providers_csv
from robotrace.providers.rmd import (
    FCC_IMPLEMENTATIONS,
    RMD_EXPORT_COLUMNS,
    SHORT_IMPLEMENTATIONS,
    read_rmd_export,
)
from robotrace.providers.rmd_store import statuses
from robotrace.providers.store import list_providers
from robotrace.settings import Settings
from robotrace.simulate.registry import (
    PROVIDER_IDS_FILE,
    PROVIDERS_FILE,
    load_world_providers,
    read_world_providers,
)
from robotrace.simulate.runner import SimulationParams, simulate
from robotrace.store import models

from .worlds import SMALL, World, read_csv

DUE = Settings.from_environ().rmd_recertification_due  # the RMD recertification date

CLOCK = SimulatedClock(datetime(2020, 4, 1, tzinfo=UTC))


def _export_rows(world: World) -> list[dict[str, str]]:
    return read_csv(world.out / PROVIDERS_FILE)


def _without_ocn(world: World) -> set[str]:
    return {key for key, p in world.truth["providers"].items() if p["ocn"] is None}


def test_providers_csv_is_the_rmd_export_read_with_no_refused_row(world: World) -> None:
    export = read_rmd_export(world.out / PROVIDERS_FILE, skip_bad_rows=True)
    assert export.refused == ()
    assert export.columns == RMD_EXPORT_COLUMNS
    assert len(export.filings) == SMALL.providers
    truth = world.truth["providers"]
    assert [f.number for f in export.filings] == [p["rmd_number"] for p in truth.values()]


def test_the_export_has_no_ocn_and_no_e_mail_address(world: World) -> None:
    text = (world.out / PROVIDERS_FILE).read_text(encoding="utf-8")
    ocns = [p["ocn"] for p in world.truth["providers"].values() if p["ocn"]]
    assert "@" not in text
    assert not [ocn for ocn in ocns if re.search(rf"\b{ocn}\b", text)]


def test_the_export_writes_values_as_the_fcc_does(world: World) -> None:
    rows = _export_rows(world)
    spelled = {row["implementation"] for row in rows}
    assert spelled & set(FCC_IMPLEMENTATIONS.values())  # the long strings …
    assert spelled & set(SHORT_IMPLEMENTATIONS.values())  # … and Yes/Partial/No
    assert spelled <= {*FCC_IMPLEMENTATIONS.values(), *SHORT_IMPLEMENTATIONS.values()}
    for row in rows:
        assert re.fullmatch(r"RMD\d{7}", row["number"])
        assert re.fullmatch(r"[1-9]\d{0,9}", row["frn"]), row["frn"]  # no leading zeros
        for column in ("foreign_voice_provider", "voice_service_provider_choice",
                       "gateway_provider_choice", "intermediate_provider_choice"):  # fmt: skip
            assert row[column] in ("Yes", "No")
        assert row["filing_url"].startswith("https://fccprod.servicenowservices.com/rmd?")
        assert row["last_recertified"] <= row["last_updated"] < "2020-04-01"
        assert row["robocall_mitigation_contact_name"] and row["contact_title"]
        assert re.search(r"\d{3}\)?.?555.?01\d\d|^\+\d", row["contact_telephone_number"])


def test_foreign_filers_say_yes_and_name_their_country(world: World) -> None:
    for row in _export_rows(world):
        truth = world.truth["providers"][_key_of(world, row["number"])]
        assert row["foreign_voice_provider"] == ("Yes" if truth["foreign"] else "No")
        assert row["country"] == row["contact_country"] == truth["country"]
    assert any(not row["business_address"].isascii() for row in _export_rows(world))


def test_provider_ids_csv_holds_every_ocn_of_the_truth_and_an_e_mail_address_each(
    world: World,
) -> None:
    ids = read_providers_csv(world.out / PROVIDER_IDS_FILE)
    truth = world.truth["providers"]
    assert [p.key for p in ids] == list(truth)
    assert [p.ocn or None for p in ids] == [p["ocn"] for p in truth.values()]
    assert [p.rmd_numbers[0] for p in ids] == [p["rmd_number"] for p in truth.values()]
    for provider in ids:
        assert re.fullmatch(r"compliance@[a-z0-9-]+\.example", provider.contact_email)
        assert provider.ocn == "" or re.fullmatch(r"[0-9A-Z]{4}", provider.ocn)


def test_some_providers_have_no_ocn_and_are_named_by_their_rmd_number(world: World) -> None:
    truth = world.truth["providers"]
    without = _without_ocn(world)
    assert 0 < len(without) < len(truth) / 2
    assert {key for key, p in truth.items() if p["ocn"] is None} == without
    for key in without:
        assert key == truth[key]["rmd_number"]
        assert truth[key]["kind"] in ("foreign", "wholesale")
    foreign = [key for key, p in truth.items() if p["foreign"]]
    assert len(without & set(foreign)) > len(foreign) / 2  # most foreign providers
    for key, provider in truth.items():
        if provider["ocn"] is not None:
            assert key == provider["ocn"]


def test_cdrs_honeypot_and_truth_name_providers_without_an_ocn_by_their_rmd_number(
    world: World,
) -> None:
    without = _without_ocn(world)
    with_records = {p.stem for p in (world.out / "cdrs").iterdir()}
    assert without & with_records
    named = {
        name for key in without & with_records for row in world.cdrs(key)
        for name in (row["provider"], row["from_provider"], row["to_provider"])
    }  # fmt: skip
    assert without & with_records <= named
    on_paths = {key for path in world.paths() for key in path}
    assert on_paths <= set(world.truth["providers"])
    assert on_paths & without


def test_the_default_world_traces_a_campaign_across_a_provider_without_an_ocn(
    tmp_path: Path,
) -> None:
    simulate(SimulationParams(seed=1), tmp_path)  # robotrace simulate's defaults
    world = World(tmp_path)
    without = _without_ocn(world)
    traceable = {c["id"] for c in world.truth["campaigns"] if c["traceable"]}
    crossed = {
        key
        for entry in world.truth["honeypot"].values()
        if entry["campaign"] in traceable
        for key in entry["path"]
    }
    assert crossed & without


def test_loading_the_world_keys_every_provider_as_the_truth_names_it(
    session: Session, world: World
) -> None:
    imports = load_world_providers(session, world.out, CLOCK)
    assert [i.format for i in imports] == ["providers-csv", "rmd-export"]
    assert imports[1].refused == [] and imports[1].added == SMALL.providers
    assert imports[1].providers_added == 0  # every filing found its provider
    stored = {p.key: p for p in list_providers(session)}
    truth = world.truth["providers"]
    assert set(stored) == set(truth)
    for key, provider in stored.items():
        assert provider.ocns == ((truth[key]["ocn"],) if truth[key]["ocn"] else ())
        assert provider.rmd_numbers == (truth[key]["rmd_number"],)
        assert provider.foreign == truth[key]["foreign"]
        assert provider.contact_email.startswith("compliance@")
        assert provider.rmd_contact["name"] and provider.rmd_contact["telephone"]
    for key in _without_ocn(world):
        assert stored[key].key == truth[key]["rmd_number"] and stored[key].ocns == ()


def test_every_loaded_provider_is_listed_in_the_rmd(session: Session, world: World) -> None:
    load_world_providers(session, world.out, CLOCK)
    ids = set(session.scalars(select(models.Provider.id)))
    found = statuses(session, ids, datetime(2020, 4, 1, tzinfo=UTC).date(), DUE)
    assert {s.status for s in found.values()} == {"listed"}


def test_read_world_providers_gives_what_the_store_holds(session: Session, world: World) -> None:
    load_world_providers(session, world.out, CLOCK)
    stored = {p.key: p for p in list_providers(session)}
    offline = {p.key: p for p in read_world_providers(world.out / PROVIDERS_FILE)}
    assert set(offline) == set(stored)
    for key, provider in offline.items():
        kept = stored[key]
        assert (provider.ocns, provider.rmd_numbers, provider.frns, provider.foreign) == (
            kept.ocns, kept.rmd_numbers, kept.frns, kept.foreign
        )  # fmt: skip
        assert (provider.business_name, provider.contact_email, provider.implementation) == (
            kept.business_name, kept.contact_email, kept.implementation
        )  # fmt: skip


def test_read_world_providers_keys_an_export_alone_by_rmd_number(
    world: World, tmp_path: Path
) -> None:
    alone = tmp_path / "export.csv"
    alone.write_bytes((world.out / PROVIDERS_FILE).read_bytes())
    keys = [p.key for p in read_world_providers(alone)]
    assert sorted(keys) == sorted(p["rmd_number"] for p in world.truth["providers"].values())


def test_a_world_written_in_the_older_format_still_loads(
    session: Session, world: World, tmp_path: Path
) -> None:
    old = tmp_path / "old-world"
    old.mkdir()
    write_providers_csv(old / PROVIDERS_FILE, read_world_providers(world.out))
    with (old / PROVIDERS_FILE).open(newline="", encoding="utf-8") as handle:
        assert "ocn" in next(csv.reader(handle))
    assert [i.format for i in load_world_providers(session, old, CLOCK)] == ["providers-csv"]
    assert {p.key for p in list_providers(session)} == set(world.truth["providers"])
    assert {p.key for p in read_world_providers(old)} == set(world.truth["providers"])


def _key_of(world: World, number: str) -> str:
    return next(k for k, p in world.truth["providers"].items() if p["rmd_number"] == number)

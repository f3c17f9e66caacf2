"""STIR/SHAKEN accountability per signer against the store, on SQLite and PostgreSQL: stored
calls with their verification results, number blocks, a DNO list and tracebacks built here;
each call's expected reasons are written beside it from the definitions."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from robotrace.cli import main
from robotrace.clock import SimulatedClock
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.stats.shaken import (
    CSV_COLUMNS,
    export_name,
    shaken_accountability,
    write_evidence_csv,
)
from robotrace.store import models
from robotrace.store.db import make_engine, transaction, upgrade
from robotrace.traceback import service as traceback
from robotrace.traceback.model import Answer
from robotrace.traceback.workflow import Policy, Reply

ACTOR = "coordinator:ann"
POLICY = Policy(due_after=timedelta(hours=24), follow_foreign=False)
PROVIDERS = [
    Provider("TERM", "Terminating Telco", ocns=("3333",)),
    Provider("MID", "Middle Wholesale", ocns=("2222",)),
    Provider("ORIG", "Domestic Origin Inc", ocns=("1111",)),
    Provider("LEND", "Certificate Lender LLC", ocns=("4444",)),
    Provider("FOR", "Voice Are Us Ltd", country="United Kingdom", foreign=True),
]
JUNE = datetime(2025, 6, 10, 15, tzinfo=UTC)  # before the third-party rule
OCTOBER = datetime(2025, 10, 10, 15, tzinfo=UTC)  # after it
DNO_NUMBER = "+18005550111"
#: The imported blocks: 202-555 whole, and the thousands block 312-555-1.
BLOCKS = ("202555", "3125551")


@dataclass(frozen=True)
class Row:
    """One stored call, how it verified, the chain its traceback ran (if any) and the
    reasons it must count for against its signer."""

    ref: str
    caller: str
    attest: str | None
    spc: str | None
    when: datetime = JUNE
    valid: bool = True
    chain: tuple[tuple[str, str, str | None], ...] = ()  # (provider, answer, upstream)
    expected: tuple[str, ...] = ()


ORIGIN_AT_ORIG = (
    ("TERM", "upstream", "MID"),
    ("MID", "upstream", "ORIG"),
    ("ORIG", "origin", None),
)
ROWS = [
    Row("assigned", "+12025550100", "A", "1111"),
    Row("invalid", "0000", "A", "1111", expected=("invalid_caller_id",)),
    Row("n11", "+12115550100", "B", "2222", expected=("invalid_caller_id",)),
    Row("unassigned", "+12025560100", "A", "1111", expected=("unassigned_caller_id",)),
    Row("pooled-out", "+13125552000", "B", "1111", expected=("unassigned_caller_id",)),
    Row("pooled-in", "+13125551000", "B", "1111"),
    Row("uncovered", "+14155550100", "A", "1111"),  # area code 415: no import covers it
    Row("dno", DNO_NUMBER, "A", "2222", expected=("dno_caller_id",)),
    Row("gateway-c", "0000", "C", "2222"),  # C: not an A/B claim
    Row("not-verified", "0000", "A", "2222", valid=False),
    Row("signed-by-origin", "+12025550101", "A", "1111", chain=ORIGIN_AT_ORIG),
    Row(
        "mid-signed-a",
        "+12025550102",
        "A",
        "2222",
        chain=ORIGIN_AT_ORIG,
        expected=("over_attestation",),
    ),
    Row(
        "mid-signed-c",
        "+12025550103",
        "C",
        "2222",
        chain=ORIGIN_AT_ORIG,
    ),
    Row(
        "lent-june",
        "+12025550104",
        "B",
        "4444",
        chain=(("TERM", "upstream", "ORIG"), ("ORIG", "origin", None)),
        expected=("over_attestation",),
    ),
    Row(
        "lent-october",
        "+12025550105",
        "B",
        "4444",
        when=OCTOBER,
        chain=(("TERM", "upstream", "ORIG"), ("ORIG", "origin", None)),
        expected=("not_own_certificate",),
    ),
    Row(
        "lent-october-c",
        "+12025550106",
        "C",
        "4444",
        when=OCTOBER,
        chain=(("TERM", "upstream", "ORIG"), ("ORIG", "origin", None)),
        expected=("not_own_certificate",),
    ),
    Row(
        "gateway-signed-a",
        "+12025560107",
        "A",
        "2222",
        chain=(("TERM", "upstream", "MID"), ("MID", "upstream", "FOR")),
        expected=("unassigned_caller_id", "over_attestation"),
    ),
    Row("last-year", "0000", "A", "1111", when=datetime(2024, 6, 1, tzinfo=UTC)),
]
PERIOD = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))


def _reply(answer: str, upstream: str | None) -> Reply:
    if answer == "origin":
        return Reply(Answer.ORIGIN, customer="Acme Outreach")
    return Reply(Answer(answer), upstream=upstream)


def build(session: Session) -> dict[str, int]:
    clock = SimulatedClock(datetime(2025, 1, 1, tzinfo=UTC))
    upsert_providers(session, PROVIDERS, clock)
    term = session.scalar(select(models.Provider.id).where(models.Provider.key == "TERM"))
    for prefix in BLOCKS:
        session.add(
            models.NumberBlock(
                prefix=prefix, ocn="1111", company="Domestic Origin Inc", rate_center="X",
                state="DC", source="nanpa-cocodes" if len(prefix) == 6 else "pooling-blocks",
                imported_at=clock.now(),
            )
        )  # fmt: skip
    ids = {}
    for row in ROWS:
        call = models.Call(
            source="honeypot", source_ref=row.ref, calling_number=row.caller,
            called_number="+13125550199", call_time=row.when, imported_at=row.when,
            terminating_provider_id=term, identity="(header)", shaken_valid=row.valid,
            shaken_attest=row.attest, shaken_spc=row.spc, shaken_origid=f"origid-{row.ref}",
        )  # fmt: skip
        session.add(call)
        session.flush()
        ids[row.ref] = call.id
        if row.chain:
            _trace(session, clock, call.id, row)
    session.flush()
    return ids


def _trace(session: Session, clock: SimulatedClock, call_id: int, row: Row) -> None:
    clock.set(row.when + timedelta(hours=1))
    tb = traceback.open_traceback_for_call(session, call_id, ACTOR, clock, POLICY)
    assert tb.signer is not None  # the stored call verified: the signer shortcut applies
    for provider, answer, upstream in row.chain:
        clock.advance(timedelta(hours=1))
        reply = _reply(answer, upstream)
        traceback.answer_hop(session, tb.id, provider, reply, f"provider:{provider}", clock, POLICY)


def expected_by_spc() -> dict[str, dict[str, tuple[str, ...]]]:
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    for row in ROWS:
        if row.expected and PERIOD[0] <= row.when < PERIOD[1]:
            found.setdefault(row.spc or "", {})[row.ref] = row.expected
    return found


@pytest.fixture
def world(session: Session) -> dict[str, int]:
    return build(session)


def test_each_signer_is_charged_with_exactly_the_calls_the_definitions_name(session, world):
    found = shaken_accountability(session, *PERIOD, dno=frozenset({DNO_NUMBER}))
    refs = {call_id: ref for ref, call_id in world.items()}
    got = {
        s.spc: {refs[e.call_id]: tuple(e.reasons) for e in s.evidence}
        for s in found.signers
        if s.evidence
    }
    assert got == expected_by_spc()
    assert found.blocks_held and found.dno_numbers == 1


def test_a_signers_totals_count_its_verified_a_and_b_calls_and_its_traced_calls(session, world):
    found = shaken_accountability(session, *PERIOD, dno=frozenset({DNO_NUMBER}))
    in_period = [r for r in ROWS if PERIOD[0] <= r.when < PERIOD[1]]
    for spc in ("1111", "2222", "4444"):
        signer = found.signer(spc)
        assert signer is not None
        ab = [r for r in in_period if r.spc == spc and r.valid and r.attest in ("A", "B")]
        assert signer.signed_ab == len(ab)
        assert signer.traced == sum(1 for r in in_period if r.spc == spc and r.chain)
    assert found.signer("2222").provider == "MID"  # type: ignore[union-attr]


def test_without_a_dno_list_or_blocks_those_checks_are_off_and_say_so(session):
    upsert_providers(session, PROVIDERS, SimulatedClock(JUNE))
    session.add(
        models.Call(
            source="honeypot", source_ref="x", calling_number=DNO_NUMBER,
            called_number="+13125550199", call_time=JUNE, imported_at=JUNE,
            shaken_valid=True, shaken_attest="A", shaken_spc="1111",
        )
    )  # fmt: skip
    session.flush()
    found = shaken_accountability(session)
    assert found.as_dict(with_evidence=False)["checked"] == {"dno": False, "unassigned": False}
    assert found.signer("1111").flagged == 0  # type: ignore[union-attr]


def test_the_export_has_one_row_per_call_with_its_evidence(session, world):
    found = shaken_accountability(session, *PERIOD, dno=frozenset({DNO_NUMBER}))
    out = io.StringIO()
    rows = write_evidence_csv(found, out, spc="4444")
    table = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(table[0]) == CSV_COLUMNS
    assert rows == len(table) == len(expected_by_spc()["4444"]) == 3
    by_ref = {r.ref: r for r in ROWS}
    for line in table:
        ref = next(ref for ref, call_id in world.items() if str(call_id) == line["call_id"])
        assert line["caller_id"] == by_ref[ref].caller
        assert line["origid"] == f"origid-{ref}"
        assert line["reasons"] == " ".join(by_ref[ref].expected)
        assert line["originating_provider"] == "ORIG" and line["traceback_id"].startswith("TB-")
    assert export_name("4444", date(2025, 1, 1), None) == "robotrace-shaken-4444-2025-01-01.csv"


@pytest.fixture
def store_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = make_engine(url)
    upgrade(engine)
    with transaction(engine) as session:
        build(session)
    engine.dispose()
    return url


def test_the_cli_prints_the_records_and_writes_the_export(store_url, tmp_path):
    dno = tmp_path / "dno.txt"
    dno.write_text("# the DNO list\n1-800-555-0111\n")
    target = tmp_path / "out.csv"
    args = ["stats", "shaken", "--database-url", store_url, "--dno", str(dno)]
    args += ["--from", "2025-01-01", "--to", "2026-01-01", "--json", "--csv", str(target)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    flagged = {s["spc"]: s["flagged"] for s in data["signers"] if s["flagged"]}
    assert flagged == {spc: len(refs) for spc, refs in expected_by_spc().items()}
    lines = target.read_text().splitlines()
    assert len(lines) == 1 + sum(len(refs) for refs in expected_by_spc().values())


def test_the_cli_refuses_shaken_options_alone_and_a_bad_signer(store_url):
    alone = CliRunner().invoke(main, ["stats", "--signer", "1111", "--database-url", store_url])
    assert alone.exit_code == 2 and "go with --shaken" in alone.output
    bad = ["stats", "shaken", "--signer", "=HYPERLINK(1)", "--database-url", store_url]
    result = CliRunner().invoke(main, bad)
    assert result.exit_code == 2 and "not an OCN" in result.output
    both = ["stats", "--shaken", "--scorecards", "--database-url", store_url]
    assert CliRunner().invoke(main, both).exit_code == 2

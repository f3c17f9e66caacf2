import random
from collections import Counter
from datetime import timedelta

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from click.testing import CliRunner

from robotrace.blocking.decide import decide, load_numbers
from robotrace.blocking.model import CallAttempt
from robotrace.blocking.screen import screen
from robotrace.cli import main
from robotrace.numbers import digits_key
from tests.blocking.builders import CLEAN, T0, body_of, entry, loaded, policy, rmd_removed

ENTRIES = [
    entry("BBBB", authorization_id=7),
    entry("DDDD", scope="no_direct_traffic", authorization_id=9),
    entry("CCCC", number="+13125550199", authorization_id=8, effective_at=T0 + timedelta(days=1)),
]
LIST = loaded(*ENTRIES)
DNO = load_numbers(["+18005550111"])
CALLS = [  # (from_provider, calling_number, call time offset in hours)
    ("BBBB", CLEAN, 0),
    ("BBBB", CLEAN, -1),  # before the entry took effect
    ("DDDD", "+13125550199", 30),
    ("CCCC", "(312) 555-0199", 24),  # the number entry, effective exactly then
    ("CCCC", "312-555-0199", 23),
    ("AAAA", "(312) 555-0199", 24),  # the same caller ID from another upstream: allowed
    ("AAAA", "tel:+1-800-555-0111", 1),
    ("AAAA", "2024110143", 1),
    ("AAAA", "+4930123456", 1),
    ("AAAA", "0000", 1),
    ("AAAA", "anonymous", 1),
    ("", CLEAN, 1),
    ("aaaa", "sip:+19115550143@gw.example", 1),
]


#: Rows (by index) placed to an emergency destination instead: never blocked.
CALLED = {1: "911", 6: "tel:+1-933"}


def cdr_table() -> pa.Table:
    return pa.table(
        {
            "provider": ["ZZZZ"] * len(CALLS),
            "call_time": pa.array(
                [T0 + timedelta(hours=h) for _, _, h in CALLS], pa.timestamp("ms", tz="UTC")
            ),
            "calling_number": [c for _, c, _ in CALLS],
            "called_number": [CALLED.get(n, "+13125550100") for n in range(len(CALLS))],
            "from_provider": [p for p, _, _ in CALLS],
        }
    )


def expected() -> dict[str, int]:
    counts: dict[str, int] = {}
    for n, (upstream, calling, hours) in enumerate(CALLS):
        called = CALLED.get(n, "+13125550100")
        call = CallAttempt(upstream.upper(), calling, called, None, T0 + timedelta(hours=hours))
        reason = decide(call, LIST, policy(do_not_originate=DNO)).reason.value
        counts[reason] = counts.get(reason, 0) + 1
    return dict(sorted(counts.items()))


def test_screening_parquet_counts_what_decide_decides_row_by_row(tmp_path):
    pq.write_table(cdr_table(), tmp_path / "cdrs.parquet")
    result = screen([tmp_path], LIST, policy(do_not_originate=DNO))
    assert result.by_reason == expected()
    assert result.rows == len(CALLS) and result.blocked == len(CALLS) - expected()["allowed"]


def test_screening_csv_gives_the_same_counts_and_writes_the_marked_rows(tmp_path):
    pa_csv.write_csv(cdr_table(), tmp_path / "cdrs.csv")
    out = tmp_path / "marked.parquet"
    result = screen([tmp_path / "cdrs.csv"], LIST, policy(do_not_originate=DNO), out=out)
    assert result.by_reason == expected()
    marked = pq.read_table(out).to_pylist()
    assert {(r["upstream"], r["reason"], r["authorization_id"]) for r in marked} >= {
        ("BBBB", "provider_blocked", 7),
        ("DDDD", "no_direct_traffic", 9),
        ("CCCC", "number_blocked", 8),
        ("BBBB", "emergency_destination", None),
    }


def test_robotrace_screen_prints_the_summary_as_json(tmp_path):
    pq.write_table(cdr_table(), tmp_path / "cdrs.parquet")
    (tmp_path / "list.json").write_bytes(body_of(*ENTRIES))
    args = ["screen", "--cdrs", str(tmp_path), "--list", str(tmp_path / "list.json"), "--json"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert '"emergency_destination": 2' in result.output and '"rows": 13' in result.output


def test_screening_blocks_a_removed_provider_named_by_key_or_ocn_with_its_order(tmp_path):
    removed = loaded(
        rmd_removed("RMD0009999", "DA 25-694", ocns=("ECH1",), effective_at=T0 + timedelta(hours=2))
    )
    calls = [("RMD0009999", 3), ("ech1", 3), ("ECH1", 1), ("AAAA", 3)]
    table = pa.table(
        {
            "call_time": pa.array(
                [T0 + timedelta(hours=h) for _, h in calls], pa.timestamp("ms", tz="UTC")
            ),
            "calling_number": [CLEAN] * len(calls),
            "called_number": ["+13125550100"] * len(calls),
            "from_provider": [p for p, _ in calls],
        }
    )
    pq.write_table(table, tmp_path / "cdrs.parquet")
    out = tmp_path / "marked.parquet"
    result = screen([tmp_path / "cdrs.parquet"], removed, policy(), out=out)
    assert result.by_reason == {"allowed": 2, "no_direct_traffic": 2}
    marked = pq.read_table(out).to_pylist()
    assert {
        (r["upstream"], r["reason"], r["authorization_id"], r["rmd_order"]) for r in marked
    } == {
        ("RMD0009999", "no_direct_traffic", None, "DA 25-694"),
        ("ECH1", "no_direct_traffic", None, "DA 25-694"),
        ("ECH1", "allowed", None, None),  # before the removal date
        ("AAAA", "allowed", None, None),
    }


def test_robotrace_screen_wants_exactly_one_list_source(tmp_path):
    pq.write_table(cdr_table(), tmp_path / "cdrs.parquet")
    result = CliRunner().invoke(main, ["screen", "--cdrs", str(tmp_path)])
    assert result.exit_code == 2 and "exactly one" in result.output


def test_an_empty_folder_screens_to_nothing(tmp_path):
    assert screen([tmp_path], LIST, policy()).rows == 0


def _spellings(key: str) -> list[str]:
    a, b, c = key[:3], key[3:6], key[6:]
    return [f"+1{key}", f"1{key}", key, f"({a}) {b}-{c}", f"tel:+1-{a}-{b}-{c}", f"{a}.{b}.{c}"]


def test_screening_decides_every_row_of_a_random_mix_like_decide(tmp_path):
    """2,000 rows drawn from every kind of caller ID and upstream (both entry times, every
    spelling of the listed numbers), screened from the raw file and from a file carrying the
    store's ``calling_key``: each row's reason must be ``decide()``'s."""
    rng = random.Random(7)
    listed, dno_number = "3125550199", "8005550111"
    pool = [
        *_spellings(listed),
        *_spellings(dno_number),
        *_spellings("2025550143"),
        *_spellings("7185550100"),
        "+19115550143", "2021550143", "3725550143", "+4930123456", "011442079460958",
        "0000", "12345", "", "anonymous", "+44123", "sip:+12025550143@gw.example;user=phone",
    ]  # fmt: skip
    called_pool = ["+13125550100", "3125550100", "911", "+1911", "1-911", "933", "988", "711",
                   "912", "9110", "urn:service:sos", "urn:service:sos.fire", "SOS", ""]  # fmt: skip
    rows = [
        (
            rng.choice(["AAAA", "BBBB", "DDDD", "CCCC", "", "bbbb", "cccc"]),
            rng.choice(pool),
            T0 + timedelta(hours=rng.choice([-2, 1, 23, 24, 30])),
            rng.choice(called_pool),
        )
        for _ in range(2000)
    ]
    table = pa.table(
        {
            "provider": ["ZZZZ"] * len(rows),
            "call_time": pa.array([t for _, _, t, _ in rows], pa.timestamp("ms", tz="UTC")),
            "calling_number": [c for _, c, _, _ in rows],
            "called_number": [d for _, _, _, d in rows],
            "from_provider": [p for p, _, _, _ in rows],
        }
    )
    list_, dno = loaded(*ENTRIES), load_numbers(["+18005550111"])
    rules = policy(do_not_originate=dno, critical_callers=load_numbers(["7185550100"]))
    want = Counter(
        (p.upper(), c, d, decide(CallAttempt(p.upper(), c, d, None, t), list_, rules).reason.value)
        for p, c, t, d in rows
    )  # fmt: skip
    keyed = table.append_column("calling_key", pa.array([digits_key(c) for _, c, _, _ in rows]))
    for name, data in (("raw", table), ("stored", keyed)):
        pq.write_table(data, tmp_path / f"{name}.parquet")
        out = tmp_path / f"{name}-marked.parquet"
        screen([tmp_path / f"{name}.parquet"], list_, rules, out=out)
        got = Counter(
            (r["upstream"], r["calling_number"], r["called_number"], r["reason"])
            for r in pq.read_table(out).to_pylist()
        )
        assert got == want, name

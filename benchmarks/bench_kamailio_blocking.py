"""Kamailio holding robotrace's list against bare Kamailio: the same SIPp ladder, one run.

    .venv/bin/python benchmarks/bench_kamailio_blocking.py                 # 30 s steps
    .venv/bin/python benchmarks/bench_kamailio_blocking.py --quick --json  # 10 s steps

1. Builds a realistic signed list: 10,000 provider entries (each also under an OCN: 20,000
   keys) and 100,000 number entries (100 numbers each for 1,000 providers), signs it, and
   exports it with the real command (``robotrace blocker export --list-file``), timed.
2. **Bare**: the same ``contrib/kamailio/blocking/kamailio.cfg`` (same core settings,
   modules and tables) with ``route(ROBOTRACE)`` replaced by the benchmark call's 603+
   Reason as a constant — no lookup at all: every INVITE answered statelessly with the
   same 603+. (A separate minimal config, used before, cost twice the CPU per call of this
   one for reasons of Kamailio's own and made the ratio look better than it is.)
3. **With the list**: ``contrib/kamailio/blocking/kamailio.cfg`` loading the exported tables;
   the calls take the longest path (trunk group N00001 from the trusted SBC address, no
   provider entry, the caller ID in N00001's number entries, the counter incremented).
4. The same ladder for both (``bench_blocking.sipp_steps``: 100, 200, 400 … calls/s, each
   step passing with zero failed calls, every 603+ checked by SIPp's regular expressions,
   and the achieved rate within 5 %; then ``--refine`` bisection steps), and the ratio
   list/bare of the highest passing rates (target ≥ 0.9). Also: Kamailio's load time for the
   tables, a reload's time over RPC, and the blocked calls Kamailio counted.
5. **CPU per call**, which a shared 2-core machine cannot blur as much as a rate: each
   server takes ``--cpu-calls`` calls at ``--cpu-rate`` calls/s (well below both limits),
   and the CPU seconds all its processes used meanwhile (``/proc``) are divided by the
   calls: µs per call for bare and list, their ratio, and the list's cost over bare.

Everything listens on 127.0.0.1; every child is bounded in time.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

import bench_blocking as ladder
from robotrace.blocking.kamailio import rpc
from robotrace.enforcement.blocklist import etag_of, json_body

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "benchmarks" / "blocking"
SCENARIO = HERE / "kamailio-block.xml"
LIST_CFG = ROOT / "contrib" / "kamailio" / "blocking" / "kamailio.cfg"
REDRESS = {
    "ROBOTRACE_BLOCKER_REDRESS_URL": "https://redress.example.org/blocks",
    "ROBOTRACE_BLOCKER_REDRESS_EMAIL": "redress@example.org",
}
#: What the list answers the benchmark's call, typed out as ATIS-1000099 writes it.
REASON = (
    'SIP;cause=603;text="v=analytics1;url=https://redress.example.org/blocks;'
    'email=redress@example.org;id=BA-100001";location=RLN'
)
TRUNKS = "source,tgrp,trunk_context,ocn,trust_tgrp\n127.0.0.1,,,,1\n"
CALLING = "+12025550143"


def entry(provider: str, authorization: int, number: str | None, ocns: list[str]) -> dict:
    return {
        "kind": "number" if number else "provider",
        "scope": "numbers" if number else "provider",
        "provider": provider,
        "ocns": ocns,
        "name": f"Provider {provider}",
        "number": number,
        "reason_code": "authorization",
        "authorization_id": authorization,
        "rmd_order": None,
        "effective_at": "2020-01-01T00:00:00Z",
        "reason": "robocalls",
        "contact": "",
        "reference": f"BA-{authorization:06d}",
    }


def realistic_entries(providers: int, numbers: int, per_provider: int = 100) -> list[dict]:
    entries = [entry(f"P{i:05d}", 1 + i, None, [f"{i:04d}X"]) for i in range(providers)]
    for k in range(numbers):
        owner = k // per_provider
        number = f"+1312{200 + k // 10_000:03d}{k % 10_000:04d}"
        if k == per_provider:  # N00001's first number: the benchmark's caller ID
            number = CALLING
        entries.append(entry(f"N{owner:05d}", 100_000 + owner, number, []))
    return entries


def write_list(folder: Path, providers: int, numbers: int) -> tuple[Path, Path]:
    """(the signed list in robotrace blocker's cache format, the public key PEM)."""
    key = Ed25519PrivateKey.generate()
    body = json_body(1, datetime.now(UTC), realistic_entries(providers, numbers))
    record = {
        "etag": etag_of(body),
        "signature": "ed25519=" + base64.b64encode(key.sign(body)).decode(),
        "body": base64.b64encode(body).decode(),
    }
    (folder / "list.json").write_text(json.dumps(record))
    pem = key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    (folder / "pub.pem").write_bytes(pem)
    (folder / "trunks.csv").write_text(TRUNKS)
    return folder / "list.json", folder / "pub.pem"


def export(folder: Path, list_file: Path, key: Path) -> float:
    """Seconds ``robotrace blocker export`` took (the whole process)."""
    env = {
        **REDRESS,
        "ROBOTRACE_BLOCKER_TRUNKS_FILE": str(folder / "trunks.csv"),
        "ROBOTRACE_BLOCKER_TGRP_IS_OCN": "1",
    }
    command = ladder.robotrace(
        "blocker", "export", "--format", "kamailio-htable", "--out", str(folder / "db"),
        "--list-file", str(list_file), "--public-key", str(key),
    )  # fmt: skip
    started = time.monotonic()
    subprocess.run(command, check=True, env={**os.environ, **env}, timeout=600)
    return round(time.monotonic() - started, 2)


def bare_config(folder: Path) -> Path:
    """contrib's config without the lookup: ``route(ROBOTRACE)`` becomes the constant 603+."""
    bare = folder / "bare-cfg"
    bare.mkdir()
    shutil.copy(LIST_CFG.parent / "robotrace-blocking.cfg", bare)
    constant = REASON.replace('"', '\\"')
    text = LIST_CFG.read_text().replace(
        "    route(ROBOTRACE);\n", f'    $var(rt_reason) = "{constant}";\n', 1
    )
    if "route(ROBOTRACE);" in text or constant not in text:
        raise RuntimeError("contrib's kamailio.cfg changed: the bare variant needs updating")
    (bare / "kamailio.cfg").write_text(text)
    return bare / "kamailio.cfg"


def kamailio_binary() -> str:
    return shutil.which("kamailio") or "/usr/sbin/kamailio"


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def run(args: argparse.Namespace) -> dict[str, Any]:
    rates = [r for r in ladder.RATES if args.min_rate <= r <= args.max_rate]
    # bench_blocking's ladder runs its module's SCENARIO: this benchmark's call instead.
    ladder.SCENARIO = SCENARIO
    result: dict[str, Any] = {
        "sip_seconds": args.sip_seconds,
        "providers": args.providers,
        "numbers": args.numbers,
        "cores": os.cpu_count(),
        "load_before": load_average(),
    }
    with tempfile.TemporaryDirectory(prefix="bench-kamailio-blocking-") as tmp:
        folder = Path(tmp)
        list_file, key = write_list(folder, args.providers, args.numbers)
        result["export_s"] = export(folder, list_file, key)
        result["rtblock_keys"] = len((folder / "db" / "rtblock").read_text().splitlines()) - 1
        bare: dict[str, Any] = {}
        with ladder.contrib_kamailio(
            folder, "bare", bare_config(folder), args.children, bare
        ) as port:
            print("bare Kamailio:", file=sys.stderr)
            result["bare_cpu"] = ladder.cpu_per_call(
                port, bare["pid"], args.cpu_calls, args.cpu_rate, folder
            )
            result["bare"] = ladder.sipp_steps(port, rates, args.sip_seconds, folder, args.refine)
        loaded: dict[str, Any] = {}
        with ladder.contrib_kamailio(folder, "list", LIST_CFG, args.children, loaded) as port:
            result["list_start_s"] = loaded["start_s"]
            print("Kamailio with robotrace's list:", file=sys.stderr)
            result["list_cpu"] = ladder.cpu_per_call(
                port, loaded["pid"], args.cpu_calls, args.cpu_rate, folder
            )
            result["list"] = ladder.sipp_steps(port, rates, args.sip_seconds, folder, args.refine)
            counts = rpc.dump_htable(loaded["rpc"], "rtcounts")
            result["kamailio_counted"] = counts
            touch = folder / "db" / "rtblock"
            os.utime(touch, (time.time() + 5, time.time() + 5))  # make db_text read it again
            started = time.monotonic()
            rpc.reload_htable(loaded["rpc"], "rtblock")
            result["htable_reload_s"] = round(time.monotonic() - started, 2)
            if not ladder.invite(port, "N00001").startswith("SIP/2.0 603"):
                raise RuntimeError("the list no longer blocks after the reload")
    result["load_after"] = load_average()
    bare, listed = result["bare"]["max_rate"], result["list"]["max_rate"]
    result["ratio"] = round(listed / bare, 3) if bare and listed else None
    bare_us, list_us = result["bare_cpu"]["us_per_call"], result["list_cpu"]["us_per_call"]
    result["cpu_ratio"] = round(bare_us / list_us, 3) if list_us else None
    result["list_cost_us"] = round(list_us - bare_us, 1)
    return result


def print_table(result: dict[str, Any]) -> None:
    print(
        f"list: {result['providers']:,} provider entries, {result['numbers']:,} number entries "
        f"→ {result['rtblock_keys']:,} rtblock keys; export {result['export_s']} s, "
        f"Kamailio start with the tables {result['list_start_s']} s, htable.reload rtblock "
        f"{result['htable_reload_s']} s"
    )
    print(f"\nSIP INVITE → 603+ → ACK, sipp -t u1, {result['sip_seconds']} s per step")
    print("| server | rate/s | achieved/s | ok | failed | retrans | mean ms | p99 ms | passed |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name in ("bare", "list"):
        for s in result[name]["steps"]:
            print(
                f"| {name} | {s['rate']} | {s['achieved_per_s']} | {s['successful']} "
                f"| {s['failed']} | {s['retransmissions']} | {s['mean_ms']} | {s['p99_ms']} "
                f"| {'yes' if s['passed'] else 'no'} |"
            )
    print(
        f"bare {result['bare']['max_rate']} calls/s, with the list {result['list']['max_rate']} "
        f"calls/s: ratio {result['ratio']}; load {result['load_before']} → "
        f"{result['load_after']}; counted by Kamailio: {result['kamailio_counted']}"
    )
    print(
        f"CPU per call: bare {result['bare_cpu']['us_per_call']} µs, with the list "
        f"{result['list_cpu']['us_per_call']} µs (the list's lookup {result['list_cost_us']} µs; "
        f"bare/list {result['cpu_ratio']})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sip-seconds", type=int, default=30, help="seconds per SIPp step")
    parser.add_argument("--quick", action="store_true", help="10 s steps")
    parser.add_argument("--min-rate", type=int, default=ladder.RATES[0])
    parser.add_argument("--max-rate", type=int, default=ladder.RATES[-1])
    parser.add_argument("--refine", type=int, default=2, help="bisection steps")
    parser.add_argument("--children", type=int, default=2, help="Kamailio's UDP workers")
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--numbers", type=int, default=100_000)
    parser.add_argument("--cpu-calls", type=int, default=30_000, help="calls for CPU per call")
    parser.add_argument("--cpu-rate", type=int, default=2000, help="their rate, calls/s")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if args.quick:
        args.sip_seconds = 10
    result = run(args)
    if args.json:
        print(json.dumps(result, default=str))
    else:
        print_table(result)


if __name__ == "__main__":
    main()

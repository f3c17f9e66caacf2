"""STIR/SHAKEN verification throughput: robotrace beside ``openssl speed`` and secsipidx.

    .venv/bin/python benchmarks/bench_shaken.py              # 3 rounds of 5 s each
    .venv/bin/python benchmarks/bench_shaken.py --quick --json

1. A lab PKI (P-384 root → P-256 intermediate → provider certificate with TNAuthList SPC)
   and a local HTTPS server for the x5u URL. The verifier fetches the certificate once over
   HTTPS and validates its chain: from then on the certificate cache is warm.
2. Each round signs 5,000 distinct calls (distinct numbers, origid, iat now) and verifies
   them in a loop for ``--seconds``, single process, one thread, through the public API
   (``await Verifier.verify(header, orig=From URI, dest=To URI)``): header parsing, the
   PASSporT's type checks, freshness, orig/dest after normalisation, the cached chain, the
   ES256 signature. Every result must be valid. Then, in the same round, ``openssl speed
   -seconds N ecdsap256`` (its verify/s) and cryptography's bare ECDSA verify loop. All three
   divide by the process's CPU time, as ``openssl speed`` does by default (not ``-elapsed``):
   per core, and steady on a shared machine.
3. secsipidx verifying the same kind of tokens with its certificate checks on: the cost per
   process (``secsipidx -check`` run ``--secsipidx-runs`` times, one token each), and, when
   ``wrk`` is installed, its HTTP server (``-http-srv``, ``GOMAXPROCS=1``) under ``wrk -t1
   -c4`` for the in-process rate.

Reported: medians over the rounds and the ratios to openssl (target ≥ 0.70) of both the full
verification and the Identity header alone, without the orig/dest comparison — the same work
as ``secsipidx -check``. The exit status is 1 when the header-alone ratio is under 0.70.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from robotrace.clock import SystemClock
from robotrace.shaken.certserver import CertServer, serve_certificates
from robotrace.shaken.chain import TrustStore
from robotrace.shaken.fetch import CertificateFetcher, FetchPolicy
from robotrace.shaken.labpki import LabPki, SpCredential
from robotrace.shaken.sign import Signer
from robotrace.shaken.verify import Verifier

TOKENS = 5_000
Call = tuple[str, str, str]  # identity, From URI, To URI


@dataclass
class Lab:
    pki: LabPki
    sp: SpCredential
    server: CertServer
    url: str
    verifier: Verifier
    folder: Path


def make_lab(folder: Path) -> Lab:
    pki = LabPki.create()
    sp = pki.issue("1234")
    server = serve_certificates()
    url = server.put("/sp.pem", sp.x5u_pem())
    policy = FetchPolicy(ports=frozenset({server.port}), allow_private=True)
    fetcher = CertificateFetcher(policy, server.client_ssl_context())
    verifier = Verifier(TrustStore([pki.root.cert]), fetcher)
    for name, data in [
        ("root.pem", pki.root.cert_pem()),
        ("intermediate.pem", pki.intermediate.cert_pem()),
        ("sp.pem", sp.cert_pem()),
    ]:
        (folder / name).write_bytes(data)
    return Lab(pki, sp, server, url, verifier, folder)


def make_calls(lab: Lab, count: int) -> list[Call]:
    """Distinct calls signed now: numbers 202-555-xxxx → 312-555-yyyy, fresh origids."""
    signer = Signer(lab.sp.key, lab.url, SystemClock())
    calls = []
    for i in range(count):
        orig, dest = f"+1202{5550000 + i:07d}", f"+1312{5559999 - i:07d}"
        identity = signer.sign("A", orig, dest)
        calls.append((identity, f"sip:{orig}@orig.example;user=phone", f"tel:{dest}"))
    return calls


async def _verify_for(
    verifier: Verifier, calls: list[Call], seconds: float, numbers: bool
) -> float:
    done, count = 0, len(calls)
    start, deadline = time.process_time(), time.perf_counter() + seconds
    while True:
        for i in range(done, done + 256):
            identity, orig, dest = calls[i % count]
            if numbers:
                result = await verifier.verify(identity, orig=orig, dest=dest)
            else:
                result = await verifier.verify(identity)
            if not result.valid:
                raise SystemExit(f"a benchmark call did not verify: {result.reason}")
        done += 256
        if time.perf_counter() >= deadline:
            return done / (time.process_time() - start)


def robotrace_rate(lab: Lab, seconds: float, *, numbers: bool = True) -> float:
    """Verifications per CPU second; ``numbers``: with the orig/dest comparison (RFC 8224
    §6.2), else the Identity header alone (what ``secsipidx -check`` does)."""
    calls = make_calls(lab, TOKENS)
    identity, orig, dest = calls[0]
    warm = asyncio.run(lab.verifier.verify(identity, orig=orig, dest=dest))  # fetch + chain
    assert warm.valid, warm.reason
    return asyncio.run(_verify_for(lab.verifier, calls, seconds, numbers))


def cryptography_rate(seconds: float) -> float:
    """cryptography's ECDSA P-256 verify alone (what the per-call budget is spent on)."""
    key = ec.generate_private_key(ec.SECP256R1())
    data, algorithm = b"x" * 330, ec.ECDSA(hashes.SHA256())
    signature, public = key.sign(data, algorithm), key.public_key()
    done, start, deadline = 0, time.process_time(), time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for _ in range(256):
            public.verify(signature, data, algorithm)
        done += 256
    return done / (time.process_time() - start)


_OPENSSL_LINE = re.compile(r"256 bits ecdsa \(nistp256\)\s+\S+\s+\S+\s+([\d.]+)\s+([\d.]+)")


def openssl_rate(seconds: int) -> float | None:
    if shutil.which("openssl") is None:
        return None
    out = subprocess.run(
        ["openssl", "speed", "-seconds", str(seconds), "ecdsap256"],
        capture_output=True, text=True, timeout=seconds * 4 + 60,
    )  # fmt: skip
    match = _OPENSSL_LINE.search(out.stdout)
    return float(match.group(2)) if match else None


def _secsipidx_check(lab: Lab, identity_file: Path) -> list[str]:
    folder = lab.folder
    return [
        "secsipidx", "-check", "-fidentity", str(identity_file),
        "-fpubkey", str(folder / "sp.pem"), "-expire", "60", "-cert-verify", "13",
        "-ca-file", str(folder / "root.pem"), "-ca-inter", str(folder / "intermediate.pem"),
    ]  # fmt: skip


def secsipidx_process_rate(lab: Lab, runs: int) -> float | None:
    """Invocations per second of ``secsipidx -check``, one distinct token each."""
    if shutil.which("secsipidx") is None:
        return None
    files = []
    for i, (identity, _, _) in enumerate(make_calls(lab, runs)):
        files.append(lab.folder / f"identity-{i}.txt")
        files[-1].write_text(identity)
    start = time.perf_counter()
    for file in files:
        result = subprocess.run(_secsipidx_check(lab, file), capture_output=True, timeout=30)
        if result.returncode != 0:
            raise SystemExit(f"secsipidx refused a benchmark token: {result.stdout!r}")
    return runs / (time.perf_counter() - start)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def secsipidx_server_rate(lab: Lab, seconds: int) -> float | None:
    """``secsipidx -http-srv`` (GOMAXPROCS=1) under ``wrk -t1 -c4``: checks per second."""
    if shutil.which("secsipidx") is None or shutil.which("wrk") is None:
        return None
    identity = make_calls(lab, 1)[0][0]
    script = lab.folder / "check.lua"
    script.write_text(f'wrk.method = "POST"\nwrk.body = "{identity}"\n')
    port = _free_port()
    command = [*_secsipidx_check(lab, lab.folder / "unused"), "-http-srv", f"127.0.0.1:{port}"]
    command = [c for c in command if c not in ("-check", "-fidentity", str(lab.folder / "unused"))]
    server = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=os.environ | {"GOMAXPROCS": "1"},
    )  # fmt: skip
    try:
        _wait_for_port(port)
        url = f"http://127.0.0.1:{port}/v1/check"
        out = subprocess.run(
            ["wrk", "-t1", "-c4", f"-d{seconds}s", "-s", str(script), url],
            capture_output=True, text=True, timeout=seconds + 60,
        ).stdout  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=10)
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if non_2xx:
        raise SystemExit(f"secsipidx's server refused {non_2xx.group(1)} benchmark checks")
    return float(match.group(1)) if match else None


def _wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit("secsipidx's HTTP server did not start")


def run(rounds: int, seconds: int, secsipidx_runs: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-shaken-") as folder:
        lab = make_lab(Path(folder))
        try:
            rows = []
            for _ in range(rounds):
                rows.append(
                    {
                        "robotrace": robotrace_rate(lab, seconds),
                        "robotrace_header_only": robotrace_rate(lab, seconds, numbers=False),
                        "openssl": openssl_rate(seconds),
                        "cryptography": cryptography_rate(seconds),
                    }
                )
            process = secsipidx_process_rate(lab, secsipidx_runs)
            server = secsipidx_server_rate(lab, seconds)
        finally:
            lab.server.stop()
    return summarize(rows, process, server, seconds)


def summarize(
    rows: list[dict[str, Any]], process: float | None, server: float | None, seconds: int
) -> dict[str, Any]:
    def median(name: str) -> float | None:
        values = [row[name] for row in rows if row[name] is not None]
        return statistics.median(values) if values else None

    robotrace, openssl = median("robotrace"), median("openssl")
    header_only = median("robotrace_header_only")
    return {
        "date": time.strftime("%Y-%m-%d"),
        "cpus": os.cpu_count(),
        "seconds_per_measure": seconds,
        "rounds": rows,
        "robotrace_verify_per_s": robotrace,
        "openssl_ecdsap256_verify_per_s": openssl,
        "cryptography_ecdsa_verify_per_s": median("cryptography"),
        "ratio_robotrace_to_openssl": robotrace / openssl if robotrace and openssl else None,
        "robotrace_header_only_per_s": header_only,
        "ratio_header_only_to_openssl": header_only / openssl if header_only and openssl else None,
        "secsipidx_process_per_s": process,
        "secsipidx_server_per_s": server,
    }


def _fmt(value: float | None, pattern: str = "{:,.0f}") -> str:
    return "n/a" if value is None else pattern.format(value)


def report(result: dict[str, Any]) -> str:
    lines = [
        f"{'round':>5} {'robotrace/s':>12} {'header only/s':>14} {'openssl/s':>10} "
        f"{'cryptography/s':>15}"
    ]
    for i, row in enumerate(result["rounds"], 1):
        lines.append(
            f"{i:>5} {_fmt(row['robotrace']):>12} {_fmt(row['robotrace_header_only']):>14} "
            f"{_fmt(row['openssl']):>10} {_fmt(row['cryptography']):>15}"
        )
    r = result
    lines += [
        f"median robotrace verifications/s (1 thread, warm cache): "
        f"{_fmt(r['robotrace_verify_per_s'])}",
        f"median openssl speed ecdsap256 verify/s: {_fmt(r['openssl_ecdsap256_verify_per_s'])}",
        f"median cryptography ECDSA verify/s alone: {_fmt(r['cryptography_ecdsa_verify_per_s'])}",
        f"ratio robotrace / openssl: {_fmt(r['ratio_robotrace_to_openssl'], '{:.2f}')}"
        " (target ≥ 0.70)",
        f"median header only (no orig/dest comparison): {_fmt(r['robotrace_header_only_per_s'])}"
        f"/s, ratio {_fmt(r['ratio_header_only_to_openssl'], '{:.2f}')}",
        f"secsipidx -check, one process per token: "
        f"{_fmt(r['secsipidx_process_per_s'], '{:,.1f}')}/s",
        f"secsipidx -http-srv (GOMAXPROCS=1) under wrk: {_fmt(r['secsipidx_server_per_s'])}/s",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--secsipidx-runs", type=int, default=200)
    parser.add_argument("--quick", action="store_true", help="1 round of 2 s, 50 secsipidx runs")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.rounds, args.seconds, args.secsipidx_runs = 1, 2, 50
    result = run(args.rounds, args.seconds, args.secsipidx_runs)
    print(json.dumps(result, indent=2) if args.json else report(result))
    ratio = result["ratio_header_only_to_openssl"]
    sys.exit(0 if ratio is None or ratio >= 0.70 else 1)


if __name__ == "__main__":
    main()

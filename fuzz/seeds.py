"""Write the seed corpora (``fuzz/corpus/NAME/``) from the test suite's own builders.

``python -m fuzz.seeds`` rewrites them; they are committed, small (well under 50 KB in all),
and each is a file a user could really send: a good one, and a few with the quirks the
parsers document (bad rows, compact SIP headers, a string ``iat``). Beside them, ``crash-*``
files are inputs the fuzzers found that once crashed a parser: seeds too, and each has its
regression test in tests/fuzz/test_regressions.py.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from cryptography.hazmat.primitives.asymmetric import ec
from tests.blocking.sip import builders as sip
from tests.cdr.builders import leg
from tests.evidence import builders as evidence
from tests.web.conftest import PROVIDERS

from fuzz.run import CORPUS
from robotrace.evidence.columns import FTC_COMPLAINT_COLUMNS, HONEYPOT_COLUMNS
from robotrace.paths.calls import REQUIRED
from robotrace.providers.registry import RMD_COLUMNS, write_providers_csv
from robotrace.shaken.passport import b64url_encode
from robotrace.shaken.sign import sign_identity

X5U = "https://cert.example.org/sp.pem"
SEED_KEY = 20200501
Seeds = Iterator[tuple[str, bytes]]


def csv_bytes(columns: tuple[str, ...] | list[str], rows: list[dict[str, str]]) -> bytes:
    path = io.StringIO()
    evidence_rows = [[row.get(c, "") for c in columns] for row in rows]
    path.write(",".join(columns) + "\n")
    for row in evidence_rows:
        path.write(",".join(_quoted(v) for v in row) + "\n")
    return path.getvalue().encode()


def _quoted(value: str) -> str:
    return f'"{value}"' if any(c in value for c in ',"\n') else value


def parquet_bytes(rows: list[dict[str, object]]) -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.Table.from_pylist(rows), sink, compression="NONE")
    return sink.getvalue()


def sip_message_seeds() -> Seeds:
    yield "invite_blocked", sip.invite()
    yield "invite_allowed", sip.invite(uri=f"sip:{sip.CALLED}@192.0.2.1")
    yield "invite_identity", sip.invite(extra=(f"Identity: {evidence.IDENTITY}",), body="v=0\r\n")
    yield "options", sip.invite(method="OPTIONS", cseq="1 OPTIONS")
    yield "ack_compact", sip.invite(method="ACK", cseq="2 ACK").replace(b"Via:", b"v:")
    yield (
        "capture_invite",
        evidence.invite(extra=(f"P-Asserted-Identity: <tel:{sip.CALLING}>",)).encode(),
    )


def identity_seeds() -> Seeds:
    key = ec.derive_private_key(SEED_KEY, ec.SECP256R1())  # the same seeds on every run
    signed = sign_identity(
        key, X5U, attest="A", orig="12025550143", dest=["13125550199"], iat=1588334400,
        origid="123e4567-e89b-12d3-a456-426655440000", deterministic=True,
    )  # fmt: skip
    yield "signed", signed.encode()
    yield "field_name", f"Identity: {signed}".encode()
    yield "spaced_params", signed.replace(";", " ; ").replace("info=", "info = ").encode()
    yield "evidence_builder", evidence.IDENTITY.encode()
    header, _payload, signature = signed.split(";")[0].split(".")
    stale = json.dumps({"attest": "A", "iat": "1443208345"}).encode()
    yield "string_iat", f"{header}.{b64url_encode(stale)}.{signature};ppt=shaken".encode()
    yield "compact_form", f"{header}..{signature};info=<{X5U}>".encode()


def ftc_seeds() -> Seeds:
    rows = [
        evidence.ftc_row(),
        evidence.ftc_row(Subject="Reducing your debt  & credit", Company_Phone_Number=""),
        evidence.ftc_row(Created_Date="2020-13-45 99:00:00", Consumer_Area_Code="2a"),
    ]
    yield "three_rows", csv_bytes(FTC_COMPLAINT_COLUMNS, rows)
    yield "one_row", csv_bytes(FTC_COMPLAINT_COLUMNS, rows[:1])


def fcc_seeds() -> Seeds:
    rows = [
        evidence.fcc_row(),
        evidence.fcc_row(id="1234568", issue_time="", caller_id_number="(202) 555-0143"),
        evidence.fcc_row(id="", ticket_created="yesterday"),
    ]
    yield "three_rows", csv_bytes(evidence.FCC_COLUMNS, rows)
    yield (
        "display_columns",
        csv_bytes(
            evidence.FCC_DISPLAY_COLUMNS,
            [dict(zip(evidence.FCC_DISPLAY_COLUMNS, r.values(), strict=True)) for r in rows[:1]],
        ),
    )


def rmd_provider_seeds() -> Seeds:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "providers.csv")
        write_providers_csv(path, PROVIDERS)
        yield "providers.csv", path.read_bytes()
    rmd_export = {column: "" for column in RMD_COLUMNS} | {
        "rmd_number": "RMD0001234",
        "business_name": "Alpha Local Telco",
        "foreign_voice_provider": "No",
        "implementation": "Complete STIR/SHAKEN Implementation",
        "voice_service_provider_choice": "Yes",
        "ocn": "aaaa",
    }
    yield "rmd_export.csv", "\ufeff".encode() + csv_bytes([*RMD_COLUMNS, "ocn"], [rmd_export])


def evidence_call_seeds() -> Seeds:
    rows = [
        evidence.honeypot_row(),
        evidence.honeypot_row("hp-2", calling_number="anonymous", identity=evidence.IDENTITY),
        evidence.honeypot_row("hp-3", call_time="1588334400", terminating_provider="NOPE"),
    ]
    yield "honeypot", csv_bytes(HONEYPOT_COLUMNS, rows)
    yield "capture", (evidence.invite() + "\r\n" + evidence.invite(date=None)).encode()
    yield "capture_options", evidence.invite(method="OPTIONS").encode()


def cdr_seeds() -> Seeds:
    rows = [
        leg(),
        leg(from_provider="", customer="Acme Dialer LLC", call_time="2020-05-01 12:00:05"),
        leg(duration_s="x", disposition="MAYBE"),
    ]
    yield "legs.csv", csv_bytes(list(rows[0]), rows)
    yield "legs.parquet", parquet_bytes(rows[:2])  # type: ignore[arg-type]


def calls_file_seeds() -> Seeds:
    row = {
        "call_id": "c1",
        "called_number": "+13125550199",
        "calling_number": "202-555-0143",
        "call_time": "2020-05-01T12:00:00Z",
        "terminating_provider": "TERM",
        "campaign": "warranty",
    }
    rows = [row, row | {"call_id": "c2", "call_time": "1588334400.5", "calling_number": ""}]
    yield "calls.csv", csv_bytes(list(row), rows)
    yield "calls.parquet", parquet_bytes(rows)  # type: ignore[arg-type]
    yield "bad_rows.csv", csv_bytes(list(REQUIRED), [row | {"call_time": "soon"}, row])


def api_body_seeds() -> Seeds:
    """The first byte picks the route (fuzz.api_bodies.ROUTES), the rest is the body."""
    bodies = [
        {"calling_number": "+12025550143", "called_number": "+13125550199",
         "call_time": "2020-04-30T15:04:05Z", "terminating_provider": "AAAA"},
        {"answer": "upstream", "upstream": "BBBB", "note": "from our SBC logs"},
        {"calling_number": "202-555-0143", "called_at": "2020-04-30T11:04:05-04:00",
         "called_number": "312-555-0199", "recorded_message": True,
         "subject": "Warranties & protection plans", "transcript": "your car's warranty"},
        {"provider": "CCCC", "campaigns": [], "originators": ["Acme Dialer LLC"]},
        {"provider": "CCCC", "scope": "provider", "numbers": [], "reason": "no mitigation"},
        {"samples": 3},
    ]  # fmt: skip
    for n, body in enumerate(bodies):
        yield f"route{n}", bytes([n]) + json.dumps(body).encode()


SEEDS: dict[str, Callable[[], Seeds]] = {
    "sip_messages": sip_message_seeds,
    "identity": identity_seeds,
    "ftc_complaints": ftc_seeds,
    "fcc_complaints": fcc_seeds,
    "rmd_providers": rmd_provider_seeds,
    "evidence_calls": evidence_call_seeds,
    "cdr_files": cdr_seeds,
    "calls_files": calls_file_seeds,
    "api_bodies": api_body_seeds,
}


def write_seeds(corpus: Path = CORPUS) -> None:
    """Write every seed, over the old ones; inputs that once crashed (``crash-*``) stay."""
    for harness, seeds in SEEDS.items():
        folder = corpus / harness
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in seeds():
            (folder / name).write_bytes(data)


if __name__ == "__main__":
    write_seeds()

"""``robotrace blocker export``: the signature first, nothing written for a bad list, the RPC
socket checked where it enters; and the watcher's idea of when the files lag behind."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from robotrace.blocking.decide import Policy
from robotrace.blocking.kamailio.watch import Exporter
from robotrace.blocking.listfile import parse
from robotrace.blocking.trunks import parse_trunks
from robotrace.cli import main
from robotrace.clock import SimulatedClock
from robotrace.enforcement.blocklist import json_body

from .builders import REDRESS, T0, first_list, public_pem, save_signed


def export(folder: Path, list_file: Path, *extra: str) -> tuple[int, str]:
    args = ["blocker", "export", "--format", "kamailio-htable", "--out", str(folder / "db")]
    args += ["--list-file", str(list_file), "--public-key", str(folder / "pub.pem"), *extra]
    result = CliRunner().invoke(main, args, env=REDRESS)
    return result.exit_code, result.output


def test_a_list_whose_signature_fails_writes_nothing(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    public_pem(key, tmp_path / "pub.pem")
    save_signed(tmp_path / "list.json", key, first_list(), version=1)
    record = json.loads((tmp_path / "list.json").read_text())
    body = base64.b64decode(record["body"]).replace(b"BA-000007", b"BA-000008")
    record["body"] = base64.b64encode(body).decode()
    (tmp_path / "list.json").write_text(json.dumps(record))
    code, output = export(tmp_path, tmp_path / "list.json")
    assert code != 0 and "signature does not verify" in output
    assert not (tmp_path / "db").exists()


def test_a_list_signed_by_another_key_writes_nothing(tmp_path: Path) -> None:
    public_pem(Ed25519PrivateKey.generate(), tmp_path / "pub.pem")
    save_signed(tmp_path / "list.json", Ed25519PrivateKey.generate(), first_list(), version=1)
    code, _ = export(tmp_path, tmp_path / "list.json")
    assert code != 0 and not (tmp_path / "db").exists()


def test_a_verified_list_is_written(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    public_pem(key, tmp_path / "pub.pem")
    save_signed(tmp_path / "list.json", key, first_list(), version=4)
    code, output = export(tmp_path, tmp_path / "list.json")
    assert code == 0 and "list version 4" in output
    assert "p\\:BBBB:0:0:SIP;cause=603;" in (tmp_path / "db" / "rtblock").read_text()


def test_an_rpc_path_that_is_not_a_socket_is_refused_before_anything_runs(
    tmp_path: Path,
) -> None:
    key = Ed25519PrivateKey.generate()
    public_pem(key, tmp_path / "pub.pem")
    save_signed(tmp_path / "list.json", key, first_list(), version=1)
    code, output = export(tmp_path, tmp_path / "list.json", "--kamailio-rpc", str(tmp_path))
    assert code == 2 and "not a UNIX socket" in output
    assert not (tmp_path / "db").exists()


def test_the_files_lag_after_a_new_version_and_when_a_pending_entry_comes_into_force(
    tmp_path: Path,
) -> None:
    clock = SimulatedClock(datetime(2024, 1, 1, tzinfo=UTC))
    exporter = Exporter(tmp_path, Policy(), parse_trunks([]), clock=clock)
    blocklist = parse(json_body(1, T0, first_list()))
    assert exporter.due(blocklist)
    exporter.export(blocklist)
    exporter.reload()  # no socket: nothing to tell
    assert not exporter.due(blocklist) and not exporter.unreloaded
    assert exporter.next_change == datetime(2999, 1, 1, tzinfo=UTC)
    assert exporter.due(parse(json_body(2, T0, first_list())))
    clock.set(datetime(2999, 1, 1, tzinfo=UTC))
    assert exporter.due(blocklist)
    exporter.export(blocklist)
    assert "p\\:EEEE" in (tmp_path / "rtblock").read_text()
    assert exporter.next_change is None and not exporter.due(blocklist)

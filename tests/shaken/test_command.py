"""``robotrace shaken sign`` and ``robotrace shaken verify``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from robotrace.cli import main
from robotrace.clock import format_utc

from .builders import DEST, ORIG, ORIGID, T0, forge

JSON_KEYS = {"valid", "code", "reason", "attest", "origid", "spc", "orig", "dest", "iat"}


@pytest.fixture
def files(tmp_path: Path, pki, sp) -> Path:
    (tmp_path / "root.pem").write_bytes(pki.anchors_pem())
    (tmp_path / "sp.pem").write_bytes(sp.x5u_pem())
    (tmp_path / "sp.key").write_bytes(sp.key_pem())
    return tmp_path


def shaken(*args: str, stdin: str | None = None):
    return CliRunner().invoke(main, ["shaken", *args], input=stdin)


def test_it_signs_and_then_verifies_with_a_given_certificate(files):
    signed = shaken(
        "sign", "--key", str(files / "sp.key"), "--x5u", "https://cert.example.org/sp.pem",
        "--attest", "B", "--orig", "+1 202 555 0143", "--dest", DEST, "--origid", ORIGID,
        "--iat", format_utc(T0),
    )  # fmt: skip
    assert signed.exit_code == 0, signed.output
    (files / "identity.txt").write_text(signed.output)
    checked = shaken(
        "verify", str(files / "identity.txt"), "--cert", str(files / "sp.pem"),
        "--ca", str(files / "root.pem"), "--at", format_utc(T0), "--orig", ORIG, "--json",
    )  # fmt: skip
    assert checked.exit_code == 0, checked.output
    result = json.loads(checked.output)
    assert set(result) >= JSON_KEYS
    assert (result["valid"], result["code"], result["attest"], result["spc"]) == (
        True, None, "B", "1234",
    )  # fmt: skip
    assert (result["orig"], result["dest"], result["origid"]) == (ORIG, [DEST], ORIGID)


def test_an_invalid_header_exits_1_with_its_code(files, sp):
    header = forge(sp.key, "https://cert.example.org/sp.pem")
    result = shaken(
        "verify", "--cert", str(files / "sp.pem"), "--ca", str(files / "root.pem"),
        "--at", format_utc(T0), "--orig", "+13125550100", stdin=header,
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.output.startswith("invalid: 438 Invalid Identity Header: orig.tn")


def test_without_trust_anchors_the_certificate_is_unsupported(files, sp):
    header = forge(sp.key, "https://cert.example.org/sp.pem")
    result = shaken(
        "verify", "--cert", str(files / "sp.pem"), "--at", format_utc(T0), "--json", stdin=header
    )
    assert result.exit_code == 1 and json.loads(result.output)["code"] == 437


def test_a_whole_sip_request_on_stdin_is_verified_against_its_numbers(files, sp):
    header = forge(sp.key, "https://cert.example.org/sp.pem")
    request = (
        f"INVITE sip:+{DEST}@term.example SIP/2.0\r\n"
        f"From: <sip:+{ORIG}@orig.example>;tag=1\r\nTo: <sip:+{DEST}@term.example>\r\n"
        f"Identity: {header}\r\n\r\n"
    )
    args = ["verify", "--cert", str(files / "sp.pem"), "--ca", str(files / "root.pem")]
    ok = shaken(*args, "--at", format_utc(T0), stdin=request)
    assert ok.exit_code == 0 and ok.output.startswith("valid: attestation A, signed by SPC 1234")
    late = shaken(*args, "--at", "2025-03-01T15:05:00Z", stdin=request)
    assert late.exit_code == 1 and "403 Stale Date" in late.output
    other = shaken(*args, "--at", format_utc(T0), "--dest", "+12025550100", stdin=request)
    assert other.exit_code == 1 and "dest.tn" in other.output


def test_an_identity_header_line_folded_over_lines_is_read(files, sp):
    header = forge(sp.key, "https://cert.example.org/sp.pem")
    token, params = header.split(";", 1)
    folded = f"Identity: {token};\n   {params}\n"
    result = shaken(
        "verify", "--cert", str(files / "sp.pem"), "--ca", str(files / "root.pem"),
        "--at", str(int(T0.timestamp())), stdin=folded,
    )  # fmt: skip
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["verify", "--at", "yesterday"], "--at"),
        (["verify", "--cert", "/nonexistent.pem"], "--cert"),
        (
            [
                "sign",
                "--key",
                "/nonexistent.key",
                "--x5u",
                "https://x/y",
                "--attest",
                "A",
                "--orig",
                "1",
                "--dest",
                "2",
            ],
            "--key",
        ),
    ],
)
def test_bad_options_are_usage_errors(args, words):
    result = shaken(*args, stdin="")
    assert result.exit_code == 2 and words in result.output


def test_verify_fetches_x5u_under_the_shaken_settings(files, sp, server, monkeypatch):
    url = server.put("/cli.pem", sp.x5u_pem())
    assert server.tls_ca_file is not None
    for name, value in {
        "TRUST_ANCHORS": str(files / "root.pem"),
        "X5U_TLS_CA": str(server.tls_ca_file),
        "ALLOW_PRIVATE_X5U": "1",
        "X5U_PORTS": f"443,{server.port}",
    }.items():
        monkeypatch.setenv(f"ROBOTRACE_SHAKEN_{name}", value)
    header = forge(sp.key, url)
    ok = shaken("verify", "--at", format_utc(T0), "--json", stdin=header)
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output)["spc"] == "1234" and server.hits["/cli.pem"] == 1
    monkeypatch.setenv("ROBOTRACE_SHAKEN_ALLOW_PRIVATE_X5U", "0")
    refused = shaken("verify", "--at", format_utc(T0), "--json", stdin=header)
    assert json.loads(refused.output)["code"] == 436

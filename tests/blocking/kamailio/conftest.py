"""Debian's kamailio with contrib/kamailio/blocking/kamailio.cfg and an exported list.

``kamailio`` and ``sipp`` are the fixtures of tests/network (skipped with the reason where
they are missing, failing under ``CI=true``). :func:`running_kamailio` exports the signed
list with the real command (``robotrace blocker export --list-file``) and starts Kamailio on
127.0.0.1 and a free UDP port; calls come from other loopback addresses, which the trunk
table names: 127.0.0.1 an SBC trusted to stamp tgrp, 127.0.0.2 CCCC, 127.0.0.3 DDDD,
127.0.0.4 the OCN 1234 (BBBB's).
"""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from robotrace.cli import main
from tests.network.conftest import kamailio, load_sip_network, sipp  # noqa: F401 (fixtures)
from tests.support import wait_for

from .builders import CRITICAL, REDRESS, first_list, public_pem, save_signed

CONFIG = Path(__file__).resolve().parents[3] / "contrib" / "kamailio" / "blocking" / "kamailio.cfg"
NEXT_HOP = "10.0.0.9:5060"
TRUNKS = (
    "source,tgrp,trunk_context,ocn,trust_tgrp\n"
    "127.0.0.1,,,,1\n127.0.0.2,,,CCCC,\n127.0.0.3,,,DDDD,\n127.0.0.4,,,1234,\n"
)


@dataclass
class World:
    """The operator's files: signing key, public key, settings; and the exported folder."""

    folder: Path
    key: Ed25519PrivateKey

    @property
    def database(self) -> Path:
        return self.folder / "db"

    @property
    def public_key(self) -> Path:
        return self.folder / "blocklist.pub.pem"

    def env(self) -> dict[str, str]:
        return {
            **REDRESS,
            "ROBOTRACE_BLOCKER_TRUNKS_FILE": str(self.folder / "trunks.csv"),
            "ROBOTRACE_BLOCKER_TGRP_IS_OCN": "1",
            "ROBOTRACE_BLOCKER_CRITICAL_CALLERS_FILE": str(self.folder / "critical.txt"),
        }

    def export(self, list_file: Path, *extra: str) -> str:
        """``robotrace blocker export`` of ``list_file``; its output (the test fails with it)."""
        args = ["blocker", "export", "--format", "kamailio-htable", "--out", str(self.database)]
        args += ["--list-file", str(list_file), "--public-key", str(self.public_key), *extra]
        result = CliRunner().invoke(main, args, env=self.env())
        assert result.exit_code == 0, result.output
        return result.output


def make_world(folder: Path) -> World:
    world = World(folder, Ed25519PrivateKey.generate())
    public_pem(world.key, world.public_key)
    (folder / "trunks.csv").write_text(TRUNKS)
    (folder / "critical.txt").write_text(f"{CRITICAL}  # the county PSAP\n")
    save_signed(folder / "list-v1.json", world.key, first_list(), version=1)
    world.export(folder / "list-v1.json")
    return world


@dataclass
class RunningKamailio:
    port: int
    rpc: Path
    process: subprocess.Popen[bytes]
    log: Path


def _wait_until_up(running: RunningKamailio, seconds: float = 20) -> None:
    net = load_sip_network()

    def up() -> bool:
        return running.rpc.exists() and net.udp_listening("127.0.0.1", running.port)

    wait_for(up, seconds, "kamailio to listen", process=running.process, log=running.log)


def running_kamailio(binary: str, world: World, name: str) -> Iterator[RunningKamailio]:
    net = load_sip_network()
    run = world.folder / name
    run.mkdir()
    port = net.free_udp_port("127.0.0.1")
    command = [
        binary, "-DD", "-E", "-f", str(CONFIG), "-Y", str(run), "-m", "64", "-M", "16",
        "-l", f"udp:127.0.0.1:{port}",
        "-A", f'ROBOTRACE_DB="text://{world.database}"',
        "-A", f'ROBOTRACE_RPC="{run / "rpc.sock"}"',
        "-A", f'NEXT_HOP="{NEXT_HOP}"', "-A", "CHILDREN=2",
    ]  # fmt: skip
    log = run / "kamailio.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=run, stdout=out, stderr=subprocess.STDOUT)
    running = RunningKamailio(port, run / "rpc.sock", process, log)
    try:
        _wait_until_up(running)
        yield running
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return make_world(tmp_path_factory.mktemp("kamailio-blocking"))


@pytest.fixture(scope="module")
def proxy(kamailio: str, world: World) -> Iterator[RunningKamailio]:  # noqa: F811
    """One Kamailio with the first list, for the tests that only send calls."""
    yield from running_kamailio(kamailio, world, "run-shared")


@pytest.fixture
def own_proxy(kamailio: str, tmp_path: Path) -> Iterator[tuple[World, RunningKamailio]]:  # noqa: F811
    """A Kamailio of the test's own, for a test that changes the list or counts calls."""
    world = make_world(tmp_path)
    for running in running_kamailio(kamailio, world, "run"):
        yield world, running


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True

"""A real SIP network to trace robocalls through: four providers' Kamailio proxies.

A UK provider's two customers — a robocaller spoofing US caller IDs and a dental practice
with its own number — place calls with sipp; the calls cross four providers, each a Kamailio
of its own on its own loopback address, to a honeypot line (sipp)::

    robocaller 127.0.20.20, dental 127.0.20.21
      → LAKESIDE 127.0.20.11 (foreign, originating) → HARBORGW 127.0.20.12 (gateway)
      → MIDLAND 127.0.20.13 (intermediate) → METROTEL 127.0.20.14 (terminating)
      → honeypot 127.0.20.30

Each Kamailio writes its own call records (acc through db_text): the records that provider's
``robotrace agent --format kamailio-dbtext`` answers hop requests from, through the trunk map
written beside them (which source address is which upstream provider or own customer).
Linux routes all of 127.0.0.0/8 to the loopback interface, so every part has an address of
its own and no root is needed; ports are chosen free at start.

    .venv/bin/python scripts/sip_network.py [--workdir DIR] [--trace] [--once]

builds the network in DIR (default: a new temporary folder), places the calls, writes out
each provider's records and trunk map and prints them; ``--trace`` then starts a portal and
traces the robocaller's first call with each provider's agent in turn. It keeps running until
Ctrl-C (``--once``: stops at the end). docs/sip-network.md tells more; tests/network runs the
same network.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from robotrace.accounts.tokens import create_token
from robotrace.accounts.users import create_user
from robotrace.agent.client import PortalClient
from robotrace.clock import SystemClock, format_utc
from robotrace.providers.registry import Provider as RegistryProvider
from robotrace.providers.store import upsert_providers
from robotrace.store.db import make_engine, transaction, upgrade

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "contrib" / "kamailio" / "network"

#: Kamailio's acc table as db_text holds it: the stock columns, then the extra ones that
#: provider.cfg's ``db_extra`` fills.
ACC_TABLE_HEADER = (
    "id(int,auto) method(str) from_tag(str) to_tag(str) callid(str) sip_code(str)"
    " sip_reason(str) time(int) src_user(str,null) src_domain(str,null) src_ip(str,null)"
    " src_port(str,null) dst_ouser(str,null) dst_user(str,null) dst_domain(str,null)"
    " invite_time(str,null)"
)
VERSION_TABLE = "table_name(str) table_version(int)\nacc:5\n"


@dataclass(frozen=True)
class Provider:
    """One provider: its portal key and name, its part in the call, its edge's address."""

    key: str
    name: str
    role: str
    address: str
    country: str = "United States"

    @property
    def foreign(self) -> bool:
        return self.country != "United States"


@dataclass(frozen=True)
class Customer:
    """A customer of the originating provider: its address and the calls it places, each
    ``(caller ID it sends, number it calls)``."""

    name: str
    address: str
    calls: tuple[tuple[str, str], ...]


#: The chain, origin first: each hands its calls to the next; the last to the honeypot.
PROVIDERS = (
    Provider("LAKESIDE", "Lakeside Voice Ltd", "originating", "127.0.20.11", "United Kingdom"),
    Provider("HARBORGW", "Harbor Gateway Inc", "gateway", "127.0.20.12"),
    Provider("MIDLAND", "Midland Carrier Co", "intermediate", "127.0.20.13"),
    Provider("METROTEL", "Metro Telephone Co", "terminating", "127.0.20.14"),
)
HONEYPOT_ADDRESS = "127.0.20.30"
#: The robocaller spoofs a different US caller ID on every call.
ROBOCALLER = Customer(
    "Blue Harbor Marketing LLC",
    "127.0.20.20",
    (
        ("+12025550143", "+13125550199"),
        ("+14045550172", "+13125550198"),
        ("+12135550110", "+13125550197"),
        ("+13055550188", "+13125550196"),
    ),
)
DENTAL = Customer(
    "Thames Dental Practice",
    "127.0.20.21",
    (("+442079460123", "+13125550198"), ("+442079460123", "+13125550195")),
)
CUSTOMERS = (ROBOCALLER, DENTAL)


@dataclass(frozen=True)
class Call:
    """A call as a sipp log line tells it: when, the caller ID, the number, the Call-ID."""

    at: datetime
    calling: str
    called: str
    call_id: str


def upstream_of(provider: Provider) -> Provider | None:
    """The provider that hands ``provider`` its calls; None for the originating one."""
    at = PROVIDERS.index(provider)
    return PROVIDERS[at - 1] if at else None


def trunks_of(provider: Provider) -> list[tuple[str, str, str]]:
    """``provider``'s trunks as ``(source address, "upstream" or "customer", who)``."""
    upstream = upstream_of(provider)
    if upstream is not None:
        return [(upstream.address, "upstream", upstream.key)]
    return [(f"{c.address}/32", "customer", c.name) for c in CUSTOMERS]


def trunk_map_toml(provider: Provider) -> str:
    """The trunk map ``robotrace agent --trunk-map`` reads (docs/formats.md, "Trunk maps")."""
    lines = [
        f"# {provider.name}: whose records these are, and who sends calls from which address",
        f'provider = "{provider.key}"',
        "",
    ]
    for source, kind, who in trunks_of(provider):
        lines += ["[[trunk]]", f'source = "{source}"', f'{kind} = "{who}"', ""]
    return "\n".join(lines)


def free_udp_port(address: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind((address, 0))
        return int(sock.getsockname()[1])


def udp_listening(address: str, port: int) -> bool:
    """Whether a socket is bound to ``address:port`` (UDP), from /proc/net/udp — only read,
    so the process starting up never finds the port taken by this check."""
    wanted = f"{socket.inet_aton(address)[::-1].hex().upper()}:{port:04X}"
    lines = Path("/proc/net/udp").read_text().splitlines()[1:]
    return any(line.split()[1] == wanted for line in lines)


def find_tool(name: str) -> str | None:
    """``name`` on PATH, or in /usr/sbin (Debian puts kamailio there, off a user's PATH)."""
    found = shutil.which(name)
    if found is None and os.access(f"/usr/sbin/{name}", os.X_OK):
        found = f"/usr/sbin/{name}"
    return found


def read_calls(log: Path, tag: str) -> list[Call]:
    """The calls a scenario logged as ``tag|<date>\\t<time>\\t<epoch>|<from>|<to>|<Call-ID>``."""
    calls = []
    for line in log.read_text().splitlines() if log.exists() else []:
        parts = line.split("|")
        if len(parts) == 5 and parts[0] == tag:
            epoch = float(parts[1].split("\t")[-1])
            calls.append(Call(datetime.fromtimestamp(epoch, UTC), *parts[2:]))
    return calls


@dataclass
class SipNetwork:
    """The network's files in ``workdir``, and its processes once :meth:`start` ran."""

    workdir: Path
    kamailio: str
    sipp: str
    ports: dict[str, int] = field(default_factory=dict)
    _edges: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _honeypot: subprocess.Popen[bytes] | None = None

    def folder(self, provider: Provider) -> Path:
        return self.workdir / provider.key

    def records(self, provider: Provider) -> Path:
        """The folder of ``provider``'s db_text tables: its acc table is the file ``acc``."""
        return self.folder(provider) / "acc"

    def trunk_map(self, provider: Provider) -> Path:
        return self.folder(provider) / "trunks.toml"

    @property
    def honeypot_log(self) -> Path:
        return self.workdir / "honeypot" / "calls.log"

    def start(self, seconds: float = 15) -> None:
        """Start the honeypot, then the Kamailios from the last hop to the first."""
        self._start_honeypot()
        for at in reversed(range(len(PROVIDERS))):
            self._start_edge(at)
        self._wait_until_listening(seconds)

    def place_calls(self, customer: Customer) -> list[Call]:
        """Dial ``customer``'s calls through the originating provider; the calls placed."""
        folder = self.workdir / "dialers" / customer.address
        folder.mkdir(parents=True, exist_ok=True)
        lines = ["SEQUENTIAL", *(f"{calling};{called}" for calling, called in customer.calls)]
        (folder / "calls.csv").write_text("\n".join(lines) + "\n")
        first = PROVIDERS[0]
        command = [
            self.sipp, f"{first.address}:{self.ports[first.key]}",
            "-sf", str(CONFIG / "dialer.xml"), "-inf", str(folder / "calls.csv"),
            "-m", str(len(customer.calls)), "-r", "5", "-t", "u1",
            "-i", customer.address, "-p", str(free_udp_port(customer.address)),
            "-timeout", "30s", "-nostdin",
            "-trace_logs", "-log_file", str(folder / "calls.log"),
            "-trace_err", "-error_file", str(folder / "errors.log"),
        ]  # fmt: skip
        result = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            errors = (folder / "errors.log").read_text() if (folder / "errors.log").exists() else ""
            raise RuntimeError(f"sipp dialer failed ({result.returncode}): {errors[-3000:]}")
        return read_calls(folder / "calls.log", "placed")

    def write_records(self) -> None:
        """Have every running Kamailio write its acc table out (``kamcmd db_text.dump``)."""
        kamcmd = find_tool("kamcmd")
        if kamcmd is None:
            raise RuntimeError("kamcmd not found (Debian package kamailio)")
        for provider in PROVIDERS:
            socket_path = self.folder(provider) / "run" / "kamailio_ctl"
            subprocess.run(
                [kamcmd, "-s", f"unix:{socket_path}", "db_text.dump"],
                check=True, capture_output=True, timeout=10,
            )  # fmt: skip

    def stop(self) -> None:
        """Stop everything; each Kamailio writes its acc table as it exits."""
        for process in [*self._edges.values(), self._honeypot]:
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in [*self._edges.values(), self._honeypot]:
            if process is None:
                continue
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._edges.clear()
        self._honeypot = None

    def received(self) -> list[Call]:
        """The calls the honeypot answered (complete once it has stopped)."""
        return read_calls(self.honeypot_log, "received")

    def _start_honeypot(self) -> None:
        folder = self.honeypot_log.parent
        folder.mkdir(parents=True, exist_ok=True)
        port = self.ports["honeypot"] = free_udp_port(HONEYPOT_ADDRESS)
        command = [
            self.sipp, "-sf", str(CONFIG / "honeypot.xml"), "-t", "u1", "-nostdin",
            "-i", HONEYPOT_ADDRESS, "-p", str(port),
            "-trace_logs", "-log_file", str(self.honeypot_log),
            "-trace_err", "-error_file", str(folder / "errors.log"),
        ]  # fmt: skip
        self._honeypot = _spawn(command, folder, folder / "sipp.out")

    def _start_edge(self, at: int) -> None:
        provider = PROVIDERS[at]
        folder = self.folder(provider)
        (folder / "run").mkdir(parents=True, exist_ok=True)
        self.records(provider).mkdir(exist_ok=True)
        (self.records(provider) / "acc").write_text(ACC_TABLE_HEADER + "\n")
        (self.records(provider) / "version").write_text(VERSION_TABLE)
        self.trunk_map(provider).write_text(trunk_map_toml(provider))
        if at + 1 < len(PROVIDERS):
            next_hop = f"{PROVIDERS[at + 1].address}:{self.ports[PROVIDERS[at + 1].key]}"
        else:
            next_hop = f"{HONEYPOT_ADDRESS}:{self.ports['honeypot']}"
        port = self.ports[provider.key] = free_udp_port(provider.address)
        command = [
            self.kamailio, "-DD", "-E", "-f", str(CONFIG / "provider.cfg"),
            "-l", f"udp:{provider.address}:{port}",
            "-Y", str(folder / "run"), "-P", str(folder / "run" / "kamailio.pid"),
            "-m", "32", "-M", "4",
            "-A", f'ACC_DB_URL="text://{self.records(provider).resolve()}"',
            "-A", f'NEXT_HOP="sip:{next_hop}"',
        ]  # fmt: skip
        self._edges[provider.key] = _spawn(command, folder, folder / "kamailio.log")

    def _wait_until_listening(self, seconds: float) -> None:
        wanted = {p.key: p.address for p in PROVIDERS} | {"honeypot": HONEYPOT_ADDRESS}
        deadline = time.monotonic() + seconds
        while wanted and time.monotonic() < deadline:
            for name, process in [*self._edges.items(), ("honeypot", self._honeypot)]:
                if process is not None and process.poll() is not None:
                    raise RuntimeError(f"{name} exited ({process.returncode}): see {self.workdir}")
            for name, address in list(wanted.items()):
                if udp_listening(address, self.ports[name]):
                    del wanted[name]
            time.sleep(0.05)
        if wanted:
            raise RuntimeError(f"not listening after {seconds} s: {', '.join(wanted)}")


def _spawn(command: Sequence[str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)


@contextmanager
def running_network(workdir: Path, kamailio: str, sipp: str) -> Iterator[SipNetwork]:
    """The network started in ``workdir``; stopped (records written) on leaving."""
    network = SipNetwork(workdir, kamailio, sipp)
    try:
        network.start()
        yield network
    finally:
        network.stop()


# The portal side: a traceback over the network, answered by each provider's agent.

#: The portal's coordinator: e-mail and password, to watch the traceback in the pages.
COORDINATOR = ("coordinator@example.org", "sip-network-coordinator")


def robotrace_command(args: Sequence[str]) -> list[str]:
    return [sys.executable, "-m", "robotrace.cli", *args]


def seed_portal(database_url: str) -> dict[str, str]:
    """A new portal database with the four providers, the coordinator and one provider user
    per provider; read-write API tokens by provider key (the coordinator's: "coordinator")."""
    clock = SystemClock()
    registry = [
        RegistryProvider(p.key, p.name, country=p.country, foreign=p.foreign) for p in PROVIDERS
    ]
    engine = make_engine(database_url)
    upgrade(engine)
    tokens = {}
    try:
        with transaction(engine) as session:
            upsert_providers(session, registry, clock)
            coordinator = create_user(session, *COORDINATOR[:1], "coordinator", COORDINATOR[1])
            tokens["coordinator"], _ = create_token(
                session, coordinator, "sip-network", True, clock
            )
            for p in PROVIDERS:
                user = create_user(
                    session, f"agent@{p.key.lower()}.example", "provider", None, p.key
                )
                tokens[p.key], _ = create_token(session, user, "agent", True, clock)
    finally:
        engine.dispose()
    return tokens


@contextmanager
def running_portal(folder: Path, seconds: float = 60) -> Iterator[tuple[str, dict[str, str]]]:
    """``robotrace serve`` on a new SQLite database in ``folder``: its URL and the tokens."""
    folder.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{folder / 'portal.db'}"
    tokens = seed_portal(database_url)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    serve = ["serve", "--port", str(port), "--database-url", database_url]
    server = _spawn(robotrace_command(serve), folder, folder / "serve.log")
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_http(f"{url}/api/v1/openapi.json", server, seconds)
        yield url, tokens
    finally:
        server.terminate()
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_for_http(url: str, process: subprocess.Popen[bytes], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"robotrace serve exited ({process.returncode})")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer in {seconds} s")


def agent_args(url: str, network: SipNetwork, provider: Provider) -> list[str]:
    """``robotrace agent`` for ``provider``: its own Kamailio's records, its own trunk map."""
    return [
        "agent", "--url", url,
        "--cdrs", str(network.records(provider)), "--format", "kamailio-dbtext",
        "--trunk-map", str(network.trunk_map(provider)),
    ]  # fmt: skip


def open_traceback(coordinator: PortalClient, call: Call) -> str:
    """A traceback for a call the honeypot received, at the terminating provider; its id."""
    body = {
        "calling_number": call.calling,
        "called_number": call.called,
        "call_time": format_utc(call.at),
        "terminating_provider": PROVIDERS[-1].key,
    }
    opened = coordinator.request("POST", "/tracebacks", json=body)
    if opened.status_code != 201:
        raise RuntimeError(f"the portal refused the traceback: {opened.text}")
    return str(opened.json()["id"])


def trace(network: SipNetwork, url: str, tokens: dict[str, str], call: Call) -> dict[str, Any]:
    """Open a traceback for ``call`` and let each provider asked run its agent once, until
    the traceback closes; the closed traceback as the API gives it."""
    by_key = {p.key: p for p in PROVIDERS}
    coordinator = PortalClient.connect(url, tokens["coordinator"], log=lambda _: None)
    try:
        tb_id = open_traceback(coordinator, call)
        for _ in range(len(PROVIDERS) + 1):
            tb = coordinator.request("GET", f"/tracebacks/{tb_id}").json()
            if tb["status"] == "closed":
                return dict(tb)
            asked = by_key.get(tb["hops"][-1]["provider"])
            if asked is None:
                raise RuntimeError(f"the trace left the network: {tb['hops'][-1]['provider']}")
            print(f"  {asked.key} ({asked.role}) runs its agent")
            env = {**os.environ, "ROBOTRACE_AGENT_TOKEN": tokens[asked.key]}
            command = robotrace_command([*agent_args(url, network, asked), "--once"])
            done = subprocess.run(command, cwd=network.folder(asked), env=env, timeout=120)
            if done.returncode != 0:
                raise RuntimeError(f"{asked.key}'s agent failed (exit {done.returncode})")
    finally:
        coordinator.close()
    raise RuntimeError(f"traceback {tb_id} did not close")


def _describe(network: SipNetwork, placed: Sequence[Call]) -> str:
    lines = ["The network:"]
    for provider in PROVIDERS:
        port = network.ports[provider.key]
        lines.append(f"  {provider.key:<9} {provider.role:<13} {provider.address}:{port}")
    lines.append(f"  honeypot  {'':<13} {HONEYPOT_ADDRESS}:{network.ports['honeypot']}")
    lines += ["", "Calls placed (UTC):"]
    lines += [f"  {c.at:%Y-%m-%d %H:%M:%S.%f}  {c.calling} -> {c.called}" for c in placed]
    lines += ["", "Each provider's records and trunk map, for its agent:"]
    for provider in PROVIDERS:
        lines.append(
            f"  {provider.key:<9} {network.records(provider)}  {network.trunk_map(provider)}"
        )
    return "\n".join(lines)


def _describe_traceback(tb: dict[str, Any]) -> str:
    lines = [f"Traceback {tb['id']}: {tb['outcome']}"]
    for hop in tb["hops"]:
        said = hop["upstream"] or hop["customer"] or ""
        lines.append(f"  {hop['provider']:<9} {hop['role']:<13} {hop['answer']} {said}")
    lines.append(f"  gateway: {tb['gateway_provider']}, originating: {tb['originating_provider']}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, help="where to build it (default: a temp dir)")
    parser.add_argument(
        "--trace", action="store_true", help="also start a portal and trace a robocall"
    )
    parser.add_argument("--once", action="store_true", help="stop at the end instead of waiting")
    args = parser.parse_args(argv)
    kamailio, sipp = find_tool("kamailio"), find_tool("sipp")
    if kamailio is None or sipp is None:
        print("needs kamailio and sipp: apt install kamailio sip-tester", file=sys.stderr)
        return 2
    workdir = (args.workdir or Path(tempfile.mkdtemp(prefix="robotrace-sip-network-"))).resolve()
    # SIGTERM stops it as Ctrl-C does: through the cleanup that stops every process it started.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    with ExitStack() as stack:
        network = stack.enter_context(running_network(workdir, kamailio, sipp))
        placed = [call for customer in CUSTOMERS for call in network.place_calls(customer)]
        network.write_records()
        print(_describe(network, placed))
        if args.trace:
            url, tokens = stack.enter_context(running_portal(workdir / "portal"))
            print(f"\nThe portal: {url} (sign in as {COORDINATOR[0]} / {COORDINATOR[1]})")
            [robocall] = [c for c in network.received() if c.call_id == placed[0].call_id]
            print(f"Tracing {robocall.calling} -> {robocall.called} at {format_utc(robocall.at)}:")
            print(_describe_traceback(trace(network, url, tokens, robocall)))
        if not args.once:
            print("\nRunning; Ctrl-C stops it (the records stay in the folders above).")
            with suppress(KeyboardInterrupt):
                signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())

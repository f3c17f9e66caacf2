"""A throwaway PostgreSQL cluster that a test may stop and start, as ``.ci/run`` makes one.

``throwaway_cluster()`` runs ``initdb`` into a fresh folder under /tmp with the newest
server binaries under ``/usr/lib/postgresql/<version>/bin`` (as the ``postgres`` system user
when the tests run as root: the server refuses root), starts it on 127.0.0.1 on a free port
with its socket in that folder, and creates the role ``robotrace`` (password ``robotrace``)
and its database ``robotrace``. ``stop()`` and ``start()`` take it down and bring it back on
the same port and data; the folder is removed at the end. Without the binaries the test is
skipped with the reason, except where ``CI=true``: there it fails, like the suite's other
PostgreSQL tests.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from tests.support import free_port, missing

SERVER_ROOT = Path("/usr/lib/postgresql")
# A throwaway cluster: durability off, for speed (a crash of the machine loses nothing we keep).
SPEED = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


def _version_key(folder: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", folder.name)) or (0,)


def server_binaries() -> Path | None:
    """The newest ``bin`` folder holding initdb and pg_ctl, or None."""
    if not SERVER_ROOT.is_dir():
        return None
    for version in sorted(SERVER_ROOT.iterdir(), key=_version_key, reverse=True):
        binaries = version / "bin"
        if (binaries / "initdb").is_file() and (binaries / "pg_ctl").is_file():
            return binaries
    return None


def _give_up(reason: str) -> NoReturn:
    missing(reason, f"CI must run the database-outage tests: {reason}")


def _server_user() -> str | None:
    """Who runs the server: this user, or ``postgres`` when we are root (None: nobody)."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name
    try:
        return pwd.getpwnam("postgres").pw_name
    except KeyError:
        return None


@dataclass
class Cluster:
    binaries: Path
    folder: Path
    port: int
    user: str

    @property
    def url(self) -> str:
        """The store URL for the ``robotrace`` role and database."""
        return f"postgresql+psycopg://robotrace:robotrace@127.0.0.1:{self.port}/robotrace"

    def run(self, program: str, *args: str) -> str:
        """``program`` from the server binaries, as the server user; its output."""
        command = _as_user(self.user, [str(self.binaries / program), *args])
        done = subprocess.run(
            command, cwd=self.folder, capture_output=True, text=True, timeout=90, check=False
        )
        if done.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text()[-3000:] if log.exists() else ""
            raise RuntimeError(f"{program} {' '.join(args)} failed:\n{done.stderr}\n{tail}")
        return done.stdout

    def start(self) -> None:
        """Start the server (again) on the same port and data; returns once it accepts."""
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} {SPEED}"
        self.run(
            "pg_ctl", "-D", "data", "-l", "server.log", "-w", "-t", "60", "-o", options, "start"
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop the server: ``fast`` ends every session (their transactions roll back),
        ``immediate`` kills it outright (crash recovery at the next start)."""
        self.run("pg_ctl", "-D", "data", "-m", mode, "-w", "-t", "60", "stop")

    def running(self) -> bool:
        return (self.folder / "data" / "postmaster.pid").exists()

    def sql(self, statement: str, database: str = "postgres") -> str:
        """Run ``statement`` as the superuser over the socket; psql's unaligned output."""
        return self.run(
            "psql", "-q", "-At", "-h", str(self.folder), "-p", str(self.port), "-U", "postgres",
            "-d", database, "-v", "ON_ERROR_STOP=1", "-c", statement,
        )  # fmt: skip


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    binaries = server_binaries()
    if binaries is None:
        _give_up(f"no PostgreSQL server binaries under {SERVER_ROOT} (initdb, pg_ctl)")
    user = _server_user()
    if user is None:
        _give_up("running as root and there is no postgres system user to run the server")
    folder = Path(tempfile.mkdtemp(prefix="robotrace-faults-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, user)
    folder.chmod(0o700)
    cluster = Cluster(binaries, folder, free_port(), user)
    try:
        cluster.run(
            "initdb", "-D", "data", "-U", "postgres", "-E", "UTF8", "--no-locale",
            "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync",
            f"--pwfile={_superuser_password_file(cluster)}",
        )  # fmt: skip
        cluster.start()
        cluster.sql("CREATE ROLE robotrace LOGIN PASSWORD 'robotrace'")
        cluster.sql("CREATE DATABASE robotrace OWNER robotrace")
        yield cluster
    finally:
        if cluster.running():
            subprocess.run(
                _as_user(user, [str(binaries / "pg_ctl"), "-D", "data", "-m", "immediate", "stop"]),
                cwd=folder,
                capture_output=True,
                check=False,
            )
        shutil.rmtree(folder, ignore_errors=True)


def _as_user(user: str, command: list[str]) -> list[str]:
    """``command`` as the server user: the server refuses to run as root."""
    return ["runuser", "-u", user, "--", *command] if os.geteuid() == 0 else command


def _superuser_password_file(cluster: Cluster) -> Path:
    path = cluster.folder / "superuser-password"
    path.write_text(os.urandom(18).hex() + "\n")
    if os.geteuid() == 0:
        shutil.chown(path, cluster.user)
    path.chmod(0o600)
    return path

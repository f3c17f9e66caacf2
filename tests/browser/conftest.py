"""A real portal (`robotrace serve` in a subprocess) and Debian's chromium driven by Playwright.

Chromium is used through ``executable_path`` — never a browser Playwright downloads. Where
chromium or Playwright is missing the tests skip with the reason, except with ``CI=true``,
where that fails the run. Screenshots go to ``test-artifacts/browser/``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from robotrace.clock import SystemClock
from robotrace.store.db import make_engine, upgrade
from tests.conftest import running_in_ci
from tests.web.conftest import seed_world

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(reason: str) -> None:
    if running_in_ci():
        pytest.fail(f"CI must provide it: {reason}", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str:
    path = os.environ.get("ROBOTRACE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        _missing("Debian's chromium is not installed (apt-get install chromium)")
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, process: subprocess.Popen[bytes], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"robotrace serve exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"robotrace serve did not answer {url} in {seconds} s")


@contextmanager
def served(
    folder: Path, seed: Callable[[Engine], object], settings: dict[str, str] | None = None
) -> Iterator[str]:
    """`robotrace serve` on a SQLite store in ``folder`` that ``seed`` filled; its base URL.

    ``settings``: ``ROBOTRACE_*`` variables for the server on top of the tests' own."""
    url = f"sqlite:///{folder / 'robotrace.db'}"
    engine = make_engine(url)
    upgrade(engine)
    seed(engine)
    engine.dispose()
    port = free_port()
    log = open(folder / "serve.log", "wb")  # noqa: SIM115 - closed after the process ends
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "robotrace.cli",
            "serve",
            "--port",
            str(port),
            "--database-url",
            url,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=folder,
        env={**os.environ, **(settings or {})},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base}/api/v1/openapi.json", process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def seed_portal(engine: Engine) -> None:
    """The web tests' world (providers, users, one open traceback) on the real clock."""
    seed_world(engine, SystemClock())


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a real `robotrace serve` on a seeded SQLite store."""
    with served(tmp_path_factory.mktemp("portal"), seed_portal) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def screenshot(page: object, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path

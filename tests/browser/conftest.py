"""A real portal (`robotrace serve` in a subprocess) and Debian's chromium driven by Playwright.

Chromium is used through ``executable_path`` — never a browser Playwright downloads. Where
chromium or Playwright is missing the tests skip with the reason, except with ``CI=true``,
where that fails the run. Screenshots go to ``test-artifacts/browser/``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from robotrace.clock import SystemClock
from robotrace.store.db import make_engine, upgrade
from tests.support import free_port, missing, wait_until_up
from tests.web.conftest import PASSWORD, seed_world

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


def chromium_path() -> str:
    path = os.environ.get("ROBOTRACE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        missing("Debian's chromium is not installed (apt-get install chromium)")
    return path


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
        missing("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def signed_in(
    browser: object,
    portal: str,
    email: str,
    viewport: dict[str, int] | None = None,
    *,
    password: str = PASSWORD,
    javascript: bool = True,
    landing: str = r".*/(inbox)?$",
) -> Any:
    """A page in a fresh browser context (``viewport``: Playwright's default when None),
    signed in at ``portal`` as ``email``, once it has landed on ``landing``."""
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{portal}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(landing))
    return page


def screenshot(page: object, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path

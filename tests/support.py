"""What tests in every folder share: a free port, waiting for something to come true,
waiting for a server to answer, skipping a test whose tool is missing (failing it in CI), and
the due-time policy of the settings.

Import them as ``from tests.support import free_port, wait_for, wait_until_up``. Worlds and
builders stay beside the tests that use them (``tests/web/conftest.py``,
``tests/<part>/builders.py``); only what several folders repeat lives here.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar

import httpx
import pytest

if TYPE_CHECKING:
    from robotrace.traceback.workflow import Policy

T = TypeVar("T")


def settings_policy() -> Policy:
    """The hop requests' due-time policy of the settings as the test has set them now: what
    the portal and the commands hand the traceback service."""
    from robotrace.settings import Settings
    from robotrace.traceback.workflow import Policy

    return Policy.from_settings(Settings.from_environ())


def running_in_ci() -> bool:
    """Whether ``CI`` says so (``true``, ``1`` or ``yes``): there no test may skip for want of
    a tool, a server or a package."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def missing(reason: str, in_ci: str | None = None) -> NoReturn:
    """Skip the calling test: what it needs is missing (``reason``). With ``CI=true`` fail it
    instead, saying ``in_ci`` (by default "CI must provide it: ``reason``")."""
    if running_in_ci():
        pytest.fail(in_ci or f"CI must provide it: {reason}", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (the kernel's pick, closed again)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(
    check: Callable[[], T],
    timeout: float = 30,
    what: str = "the condition",
    *,
    process: subprocess.Popen[bytes] | None = None,
    log: Path | None = None,
    poll: float = 0.05,
) -> T:
    """Call ``check`` until it gives something truthy, and return that.

    Fails (``AssertionError`` naming ``what``) after ``timeout`` seconds, or as soon as
    ``process`` has exited, with the end of ``log`` when one is given."""
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            exited = f"the process exited with {process.returncode}"
            raise AssertionError(f"{what}: {exited}\n{_end_of(log)}")
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout} s\n{_end_of(log)}".rstrip())
        time.sleep(poll)


def _end_of(log: Path | None) -> str:
    return log.read_text(errors="replace")[-3000:] if log is not None else ""


def answers(url: str, timeout: float = 1) -> bool:
    """Whether ``url`` answers 200 within ``timeout`` seconds (False while nothing listens
    there yet)."""
    try:
        return httpx.get(url, timeout=timeout).status_code == 200
    except httpx.HTTPError:
        return False


def wait_until_up(
    url: str,
    process: subprocess.Popen[bytes] | None = None,
    timeout: float = 30,
    log: Path | None = None,
    request_timeout: float = 1,
) -> None:
    """Wait until ``url`` answers 200 (each try given ``request_timeout`` seconds); fail
    after ``timeout`` seconds or once ``process`` (the server) has exited."""
    up = partial(answers, url, request_timeout)
    wait_for(up, timeout, f"{url} to answer", process=process, log=log)

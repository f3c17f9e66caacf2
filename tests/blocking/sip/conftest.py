from __future__ import annotations

from collections.abc import Iterator

import pytest

from robotrace.blocking.sip import RunningSipServer, serve_sip_in_thread

from .builders import ScriptedDecider, service


@pytest.fixture
def decider() -> ScriptedDecider:
    return ScriptedDecider()


@pytest.fixture
def sip_server(decider: ScriptedDecider) -> Iterator[RunningSipServer]:
    """The redirect server on 127.0.0.1 and a free port (UDP and TCP), on its own thread."""
    running = serve_sip_in_thread("127.0.0.1", 0, service(decider))
    yield running
    running.stop()

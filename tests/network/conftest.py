"""The real SIP network (scripts/sip_network.py) and the tools it needs.

``kamailio`` and ``sipp`` are the Debian packages ``kamailio`` and ``sip-tester``: without
them these tests are skipped (with the reason), except where ``CI=true`` — there they fail,
because CI must run the network (``.ci/run`` installs both).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.support import missing

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "sip_network.py"


def load_sip_network() -> ModuleType:
    """scripts/sip_network.py as a module (scripts/ is not a package)."""
    if "sip_network" not in sys.modules:
        spec = importlib.util.spec_from_file_location("sip_network", SCRIPT)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules["sip_network"] = module  # dataclasses look their module up here
        spec.loader.exec_module(module)
    return sys.modules["sip_network"]


def _tool(name: str, package: str) -> str:
    path = load_sip_network().find_tool(name)
    if path is None:
        missing(
            f"{name} is not installed (Debian package {package})",
            f"CI must provide {name}: install the Debian package {package}",
        )
    return str(path)


@pytest.fixture(scope="session")
def kamailio() -> str:
    return _tool("kamailio", "kamailio")


@pytest.fixture(scope="session")
def sipp() -> str:
    return _tool("sipp", "sip-tester")

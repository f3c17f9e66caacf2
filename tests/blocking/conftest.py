"""What the blocking tests in every folder share: the ``sipp`` command (Debian package
sip-tester), skipped where it is missing, except with ``CI=true``, where that fails."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import running_in_ci


@pytest.fixture(scope="module")
def sipp() -> str:
    path = shutil.which("sipp")
    if path is None:
        if running_in_ci():
            pytest.fail(
                "CI must provide sipp: install the Debian package sip-tester", pytrace=False
            )
        pytest.skip("sipp is not installed (Debian package sip-tester)")
    return path

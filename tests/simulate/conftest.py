"""Simulated worlds shared by the simulator tests, built once per session."""

from __future__ import annotations

import pytest

from robotrace.simulate.runner import SimulationParams

from .worlds import LETTERS, NOTICE, World, run_world


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return run_world(tmp_path_factory.mktemp("world"))


@pytest.fixture(scope="session")
def tiny_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """Barely enough calls: 60 robocalls among all campaigns."""
    params = SimulationParams(seed=3, providers=8, days=0.5, calls=200)
    return run_world(tmp_path_factory.mktemp("tiny"), params)


@pytest.fixture(scope="session")
def letters_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """Warning letters on day two, the mitigation deadline on day four."""
    return run_world(tmp_path_factory.mktemp("letters"), LETTERS)


@pytest.fixture(scope="session")
def notice_world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """LETTERS, and a notification on day five that its gateway answers by blocking only the
    named campaign, so that its second script keeps flowing after the respond-by."""
    return run_world(tmp_path_factory.mktemp("notice"), NOTICE)

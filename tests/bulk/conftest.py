"""The bulk tests' simulated world (:func:`tests.bulk.world.small_world`), built once per
test module. ``test_advancing.py`` keeps a ``world`` of its own: a portal store only."""

from __future__ import annotations

import pytest

from .world import World, small_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return small_world(tmp_path_factory.mktemp("world"))

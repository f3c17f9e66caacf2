"""Choosing a campaign's sample calls: spread over time, none twice."""

from __future__ import annotations

import pytest

from robotrace.traceback.sampling import spread


def test_three_samples_are_the_first_the_middle_and_the_last():
    assert spread(list(range(7)), 3) == [0, 3, 6]
    assert spread(list(range(5)), 3) == [0, 2, 4]


def test_one_sample_is_the_most_recent_call():
    assert spread(["old", "newer", "newest"], 1) == ["newest"]


def test_two_samples_are_the_first_and_the_last():
    assert spread(list(range(10)), 2) == [0, 9]


def test_asking_for_as_many_or_more_than_there_are_gives_them_all():
    assert spread([1, 2, 3], 3) == [1, 2, 3]
    assert spread([1, 2], 5) == [1, 2]
    assert spread([], 3) == []


def test_asking_for_none_gives_none():
    assert spread([1, 2, 3], 0) == []
    assert spread([1, 2, 3], -1) == []


@pytest.mark.parametrize("size", range(1, 40))
def test_samples_are_distinct_ordered_and_reach_both_ends(size: int):
    items = list(range(size))
    for count in range(2, size):
        chosen = spread(items, count)
        assert len(chosen) == count and chosen == sorted(set(chosen))
        assert chosen[0] == 0 and chosen[-1] == size - 1

from datetime import UTC, datetime, timedelta

import pytest

from robotrace.campaigns.priority import traceback_priority

NOW = datetime(2020, 5, 1, tzinfo=UTC)


def test_more_calls_rank_higher_but_only_logarithmically():
    small = traceback_priority(10, NOW, NOW, [])
    big = traceback_priority(1000, NOW, NOW, [])
    assert big > small
    assert big < 100 * small


def test_a_covid_campaign_outranks_an_auto_warranty_one_of_the_same_size():
    covid = traceback_priority(100, NOW, NOW, ["covid-19"])
    warranty = traceback_priority(100, NOW, NOW, ["auto-warranty"])
    assert covid == pytest.approx(3 * warranty, abs=1e-3)


def test_priority_halves_towards_a_floor_as_a_campaign_goes_quiet():
    fresh = traceback_priority(100, NOW, NOW, [])
    week = traceback_priority(100, NOW - timedelta(days=7), NOW, [])
    year = traceback_priority(100, NOW - timedelta(days=365), NOW, [])
    assert week == pytest.approx(fresh * 0.6, abs=1e-3)  # 0.2 + 0.8 × ½
    assert year == pytest.approx(fresh * 0.2, abs=1e-3)


def test_each_traceback_already_opened_lowers_it():
    untraced = traceback_priority(100, NOW, NOW, ["covid-19"])
    once = traceback_priority(100, NOW, NOW, ["covid-19"], tracebacks=1)
    thrice = traceback_priority(100, NOW, NOW, ["covid-19"], tracebacks=3)
    assert once == pytest.approx(untraced / 2, abs=1e-3)
    assert thrice == pytest.approx(untraced / 4, abs=1e-3)


def test_a_campaign_without_calls_has_no_priority():
    assert traceback_priority(0, None, NOW, ["covid-19"]) == 0.0

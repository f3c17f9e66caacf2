"""One registry mechanism: named parts, imported when first asked for, each name once."""

from __future__ import annotations

import sys
from fractions import Fraction

import pytest

from robotrace.registry import Registry, UnknownName


def test_it_names_its_parts_in_order_without_importing_them(monkeypatch):
    monkeypatch.delitem(sys.modules, "fractions")
    numbers = Registry(
        "number", Fraction, {"half": "fractions:Fraction", "one": "fractions:Fraction"}
    )
    assert numbers.names() == ["half", "one"] and list(numbers) == ["half", "one"]
    assert "half" in numbers and "third" not in numbers and len(numbers) == 2
    assert "fractions" not in sys.modules


def test_it_imports_a_part_when_first_asked_for_it():
    numbers: Registry[type] = Registry("class", type, {"fraction": "fractions:Fraction"})
    assert numbers["fraction"] is Fraction
    assert numbers.get("fraction") is Fraction and numbers.get("third") is None


def test_it_names_the_known_parts_when_asked_for_an_unknown_one():
    numbers = Registry("number", Fraction)
    numbers.register("half", Fraction(1, 2))
    with pytest.raises(UnknownName, match=r"^unknown number 'third' \(known: half\)$"):
        numbers["third"]
    assert issubclass(UnknownName, ValueError)


def test_it_registers_a_name_once():
    numbers = Registry("number", Fraction, {"half": "fractions:Fraction"})
    with pytest.raises(ValueError, match="number 'half' is registered already"):
        numbers.register("half", Fraction(1, 2))


def test_it_refuses_a_part_of_another_type():
    numbers = Registry("number", Fraction, {"pi": "math:pi"})
    with pytest.raises(TypeError, match="math:pi is not a Fraction"):
        numbers["pi"]


def test_it_refuses_an_import_string_without_an_attribute():
    with pytest.raises(ValueError, match="not 'module:attribute'"):
        Registry("number", Fraction, {"half": "fractions"})


def test_the_built_in_parts_are_registered_under_their_own_names():
    from robotrace.cdr.formats import FORMATS as SWITCH_FORMATS
    from robotrace.evidence.registry import FORMATS as EVIDENCE_FORMATS
    from robotrace.notify.channels import CHANNELS

    for registry in (SWITCH_FORMATS, EVIDENCE_FORMATS, CHANNELS):
        assert [part.name for part in registry.values()] == registry.names()

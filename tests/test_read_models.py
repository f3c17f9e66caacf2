"""One read model per concept: no class lists a read model's fields again.

A concept's fields (a hop's answer, the call under trace …) are declared once, in its read
model in the domain package; the portal's rows and the API's bodies inherit them
(docs/architecture.md#read-models). This walks every dataclass and pydantic model under
``robotrace`` and fails when one declares all of a read model's own fields itself.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
from collections.abc import Iterator

import pytest
from pydantic import BaseModel

import robotrace
from robotrace.traceback.model import CallUnderTrace, GivenAnswer, Hop, HopAnswer, ProviderCard
from robotrace.web.api.schemas import READ_MODEL_FIELDS

#: The read models whose fields no other class may list again.
READ_MODELS: tuple[type, ...] = (GivenAnswer, HopAnswer, Hop, CallUnderTrace, ProviderCard)

#: Inputs: the form and the body that take a call typed in (text, or any part of it missing).
#: They are checked into the read model, never shown from it, so they may name its fields, as
#: ``AnswerIn`` and the form's ``Reply`` name the answer's.
INPUTS = {
    "robotrace.web.api.schemas.OpenTracebackIn",
    "robotrace.web.pages.opening.TypedCall",
}


def own_fields(cls: type) -> set[str]:
    """The fields ``cls`` declares itself (not those it inherits)."""
    return set(vars(cls).get("__annotations__", {}))


def _modules() -> Iterator[object]:
    for found in pkgutil.walk_packages(robotrace.__path__, "robotrace."):
        try:
            yield importlib.import_module(found.name)
        except ModuleNotFoundError as missing:  # an optional extra (Spark …) not installed
            if (missing.name or "").startswith("robotrace"):
                raise


def data_classes() -> set[type]:
    """Every dataclass and pydantic model defined in a robotrace module."""
    found = set()
    for module in _modules():
        for value in vars(module).values():
            if not isinstance(value, type) or value.__module__ != getattr(module, "__name__", ""):
                continue
            if dataclasses.is_dataclass(value) or issubclass(value, BaseModel):
                found.add(value)
    return found


def listed_again(read_model: type, classes: set[type]) -> list[str]:
    """The classes among ``classes`` that declare all of ``read_model``'s own fields again."""
    fields = own_fields(read_model)
    built = set(READ_MODEL_FIELDS.values())  # the API's bases that take them from it
    return sorted(
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in classes
        if cls is not read_model and fields <= own_fields(cls) and cls not in built
    )


@pytest.mark.parametrize("read_model", READ_MODELS, ids=lambda model: model.__name__)
def test_no_class_lists_a_read_models_fields_again(read_model):
    again = [name for name in listed_again(read_model, data_classes()) if name not in INPUTS]
    fields = sorted(own_fields(read_model))
    assert not again, f"{read_model.__name__}'s fields {fields} are listed again in {again}"


def test_it_tells_a_class_that_lists_the_fields_from_one_that_inherits_them():
    @dataclasses.dataclass(frozen=True)
    class Inherits(GivenAnswer):
        position: int = 0

    @dataclasses.dataclass(frozen=True)
    class Again:
        answer: str | None = None
        answered_at: object = None
        upstream: str | None = None
        customer: str | None = None
        note: str = ""

    assert listed_again(GivenAnswer, {Inherits, Again}) == [f"{__name__}.{Again.__qualname__}"]


def test_the_inputs_set_apart_still_list_the_fields():
    listing = {name for model in READ_MODELS for name in listed_again(model, data_classes())}
    assert sorted(INPUTS - listing) == [], "taken from its read model now: drop it"

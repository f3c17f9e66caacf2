"""Every traceback outcome has a badge colour in the portal's style sheet (the family that
says what it means: docs/portal.md "Looks"), so a new outcome cannot show uncoloured."""

from __future__ import annotations

import re
from pathlib import Path

import robotrace.web
from robotrace.traceback.model import Outcome

CSS = Path(robotrace.web.__file__).parent / "static" / "robotrace.css"


def test_every_outcome_has_a_badge_colour():
    coloured = set()
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", CSS.read_text()):
        if "background" in body:
            coloured |= set(re.findall(r"\.outcome-([a-z_]+)", selectors))
    assert {o.value for o in Outcome} <= coloured

from __future__ import annotations

import re
from pathlib import Path

import pytest

from robotrace.settings import SETTINGS

OPERATIONS = Path(__file__).parent.parent / "docs" / "operations.md"


def documented_settings() -> dict[str, str]:
    """Rows of the "Settings" table in docs/operations.md: setting name → env variable."""
    text = OPERATIONS.read_text(encoding="utf-8")
    section = text.split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| `(\w+)` \|", section, flags=re.MULTILINE)
    return dict(rows)


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_setting_is_documented_in_operations_md(name):
    assert documented_settings().get(name) == SETTINGS[name].env_var, (
        f"add setting {name} ({SETTINGS[name].env_var}) to the Settings table of {OPERATIONS}"
    )


def test_operations_md_documents_no_setting_that_does_not_exist():
    assert set(documented_settings()) <= set(SETTINGS)

"""The package layering of docs/architecture.md holds.

import-linter checks the contracts of pyproject.toml's ``[tool.importlinter]``: base ← store
← parts ← top (web, CLI, worker, demo), and no cycle between packages. A failure prints its
report: which import breaks which rule.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def lint_imports() -> str:
    """The ``lint-imports`` beside this Python (its virtual environment), else on the PATH."""
    beside = Path(sys.executable).with_name("lint-imports")
    return str(beside) if beside.exists() else shutil.which("lint-imports") or "lint-imports"


def test_the_packages_keep_their_layers_and_import_each_other_in_no_cycle() -> None:
    run = subprocess.run(
        [lint_imports(), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr

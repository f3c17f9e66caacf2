import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_cli_reference_in_the_docs_matches_the_commands_help():
    spec = importlib.util.spec_from_file_location(
        "cli_reference", ROOT / "scripts/cli_reference.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "docs/cli-reference.md").read_text() == module.reference(), (
        "run: .venv/bin/python scripts/cli_reference.py"
    )

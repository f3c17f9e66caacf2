"""The fuzzing process: one harness under atheris, with robotrace instrumented for coverage.

``python -m fuzz.engine HARNESS [libFuzzer flags] [corpus folders]`` — ``HARNESS`` is a name
from :data:`fuzz.HARNESSES` or the dotted path of any module with ``test_one_input``. It exits
0 when the runs end without a crash; on a crash libFuzzer writes the input to
``-artifact_prefix`` and exits non-zero. ``python -m fuzz.run`` starts this and reads its
figures.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

import atheris

#: What is instrumented: robotrace, and the harness itself.
INSTRUMENTED = "robotrace"


def module_name(harness: str) -> str:
    """``sip_messages`` → ``fuzz.sip_messages``; a dotted path stays as it is."""
    return harness if "." in harness else f"fuzz.{harness}"


def load_harness(harness: str) -> Callable[[bytes], None]:
    """The harness's ``test_one_input``, imported with robotrace instrumented."""
    name = module_name(harness)
    with atheris.instrument_imports(include=[INSTRUMENTED, name]):
        module = importlib.import_module(name)
    return module.test_one_input


def main(argv: list[str]) -> None:
    if len(argv) < 2:
        sys.exit("usage: python -m fuzz.engine HARNESS [libFuzzer flags] [corpus folders]")
    test_one_input = load_harness(argv[1])
    atheris.Setup([argv[0], *argv[2:]], test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main(sys.argv)

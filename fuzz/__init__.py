"""Coverage-guided fuzzing of robotrace's parsers with atheris (libFuzzer); docs/fuzzing.md.

One module per parser family, each with ``test_one_input(data: bytes)``: it hands the bytes
to the parser and lets through only the refusals that parser documents, so any other
exception is a crash. ``python -m fuzz.run NAME`` runs one (``all``: every one) and prints
its figures; ``fuzz/corpus/NAME/`` holds its seeds.

Nothing here imports robotrace: the engine imports the harness under atheris's
instrumentation, which covers only modules imported after it starts.
"""

#: The harnesses, by the name ``python -m fuzz.run`` takes (each is ``fuzz/<name>.py``).
HARNESSES = (
    "sip_messages",
    "identity",
    "ftc_complaints",
    "fcc_complaints",
    "rmd_providers",
    "evidence_calls",
    "cdr_files",
    "calls_files",
    "api_bodies",
)

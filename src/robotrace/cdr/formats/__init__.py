"""The registry of switch CDR formats: ``--format NAME`` of ``robotrace cdr``, ``agent`` and
``paths`` (docs/formats.md, "Call records as switches write them").

Each built-in is a :class:`~robotrace.cdr.switch.SwitchFormat` in its own module
(``kamailio.py``, ``asterisk.py``, ``freeswitch.py``), named in :data:`FORMATS` and imported
when first used; a ``.toml`` path names a mapping file (``mapping.py``) for any other export.
"""

from __future__ import annotations

from pathlib import Path

from robotrace.cdr.switch import SwitchFormat
from robotrace.registry import Registry

#: robotrace's own CSV/Parquet (docs/formats.md, "Columns"): no conversion, no trunk map.
CANONICAL = "canonical"
#: The switch formats by name (lower case).
FORMATS: Registry[SwitchFormat] = Registry(
    "CDR format",
    SwitchFormat,
    {
        "asterisk-csv": "robotrace.cdr.formats.asterisk:CSV",
        "asterisk-odbc": "robotrace.cdr.formats.asterisk:ODBC",
        "freeswitch-csv": "robotrace.cdr.formats.freeswitch:CSV",
        "freeswitch-json": "robotrace.cdr.formats.freeswitch:JSON",
        "kamailio-dbtext": "robotrace.cdr.formats.kamailio:DBTEXT",
        "kamailio-csv": "robotrace.cdr.formats.kamailio:CSV",
    },
)


def register(fmt: SwitchFormat) -> SwitchFormat:
    """Add a switch format under its name (once)."""
    FORMATS.register(fmt.name, fmt)
    return fmt


def format_names() -> list[str]:
    """``canonical`` and every registered format, for ``--format``'s help."""
    return [CANONICAL, *FORMATS]


def format_named(text: str) -> SwitchFormat | None:
    """The format ``text`` names: ``None`` for ``canonical``, a registered name, or the path
    of a mapping file (``*.toml``). ``ValueError`` says what is known otherwise."""
    name = text.strip()
    if name.lower() == CANONICAL:
        return None
    if name.lower() in FORMATS:
        return FORMATS[name.lower()]
    if name.lower().endswith(".toml"):
        from robotrace.cdr.formats.mapping import load_mapping

        return load_mapping(Path(name))
    known = ", ".join(format_names())
    raise ValueError(f"unknown CDR format {name!r}: one of {known}, or a mapping file (.toml)")

"""Which calling numbers cannot be assigned: NANP rules, stated once for Python and for SQL.

A number is classified from :func:`robotrace.numbers.digits_key` (plus whether it was written
in international form), so the decision engine and batch screening (DuckDB) agree row for row:

- ``empty``: no digits at all (``""``, ``anonymous``);
- ``international``: written with ``+`` / ``00`` / ``011`` and a country code other than 1,
  8 to 15 digits (E.164's length);
- ``nanp``: 10 digits (``+1`` and a leading ``1`` are dropped by the key), checked against the
  NANP rules below;
- ``garbage``: anything else (``0000``, ``12345``, a 16-digit string).

NANP rules (each a toggle in :class:`NanpRules`): NPA and NXX must start with 2-9; N11 codes
(211 … 911) are service codes, never an NPA or an NXX; N9X, 37X and 96X NPAs are reserved for
expansion and assigned to nobody; 555-0100 … 555-0199 are reserved for fiction — off by
default, because they are valid-format numbers that real test and demo traffic uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from robotrace.numbers import digits_key, digits_key_sql

# A '+' before the first digit and a country code not starting with 1; or 00/011 then not 1.
_PLUS_FOREIGN = r"^[^0-9@;]*\+[^0-9@;]*[02-9]"
_PREFIX_FOREIGN = r"^(?:011|00)[02-9]"


@dataclass(frozen=True)
class NanpRules:
    n11: bool = True  # N11 NPA or NXX cannot be assigned
    reserved_npa: bool = True  # N9X, 37X, 96X
    fictional_555: bool = False  # 555-0100 … 555-0199


def is_international(raw: str | None) -> bool:
    text = raw or ""
    return bool(re.match(_PLUS_FOREIGN, text) or re.match(_PREFIX_FOREIGN, _bare_digits(text)))


def _bare_digits(text: str) -> str:
    return re.sub(r"[^0-9]", "", re.sub(r"[@;][\s\S]*$", "", text))


def nanp_problem(key: str, rules: NanpRules) -> str | None:
    """Why a 10-digit NANP key cannot be assigned, or ``None`` when it can."""
    npa, nxx, line = key[:3], key[3:6], key[6:]
    checks = [
        (npa[0] in "01", "NPA starts with 0 or 1"),
        (nxx[0] in "01", "NXX starts with 0 or 1"),
        (rules.n11 and npa[1:] == "11", "N11 NPA"),
        (rules.n11 and nxx[1:] == "11", "N11 NXX"),
        (rules.reserved_npa and (npa[1] == "9" or npa[:2] in ("37", "96")), "reserved NPA"),
        (rules.fictional_555 and nxx == "555" and line[:2] == "01", "fictional 555-01XX"),
    ]
    return next((why for failed, why in checks if failed), None)


def number_problem(raw: str | None, rules: NanpRules) -> tuple[str, str | None]:
    """``(class, problem)``: the class (``empty``, ``international``, ``nanp``, ``garbage``)
    and why the number cannot be assigned (``None`` when it can, or when it is empty)."""
    key = digits_key(raw)
    if not key:
        return "empty", None
    if is_international(raw):
        ok = 8 <= len(key) <= 15
        return ("international", None) if ok else ("garbage", "not an E.164 length")
    if len(key) == 10:
        return "nanp", nanp_problem(key, rules)
    return "garbage", "not a 10-digit NANP number"


# --- The same rules in DuckDB SQL -------------------------------------------------------


_S = "[^0-9@;]*"  # anything but a digit, before the URI's host or parameters
#: ``is_international`` as one anchored match over the raw text (separators between digits
#: allowed, as the digits key ignores them): matching is ~10x cheaper than replacing in DuckDB.
_INTERNATIONAL_RAW = f"^{_S}\\+{_S}[02-9]|^{_S}0{_S}1{_S}1{_S}[02-9]|^{_S}0{_S}0{_S}[02-9]"


def international_sql(raw: str) -> str:
    return f"regexp_matches(coalesce(CAST({raw} AS VARCHAR), ''), '{_INTERNATIONAL_RAW}')"


def fast_digits_key_sql(raw: str) -> str:
    """:func:`robotrace.numbers.digits_key_sql` with fast paths for the common spellings
    (``+1NXXNXXXXXX``, ``1NXX…``, bare digits): a full match and a substring instead of four
    regular-expression replacements; anything else takes the exact expression."""
    text = f"coalesce(CAST({raw} AS VARCHAR), '')"
    plain = f"ltrim({text}, '+')"
    no_prefix = (
        f"CASE WHEN starts_with({plain}, '011') THEN substr({plain}, 4) "
        f"WHEN starts_with({plain}, '00') THEN substr({plain}, 3) ELSE {plain} END"
    )
    return (
        f"CASE WHEN regexp_full_match({text}, '\\+?1?[0-9]{{10}}') THEN right({text}, 10) "
        f"WHEN regexp_full_match({text}, '\\+?[0-9]*') THEN "
        f"regexp_replace({no_prefix}, '^1([0-9]{{10}})$', '\\1') "
        f"ELSE {digits_key_sql(raw)} END"
    )


def nanp_problem_sql(key: str, rules: NanpRules) -> str:
    """A boolean SQL expression over a 10-digit ``key`` column: true when unassignable."""
    npa, nxx = f"substr({key}, 1, 3)", f"substr({key}, 4, 3)"
    terms = [f"substr({key}, 1, 1) IN ('0', '1')", f"substr({key}, 4, 1) IN ('0', '1')"]
    if rules.n11:
        terms += [f"substr({npa}, 2, 2) = '11'", f"substr({nxx}, 2, 2) = '11'"]
    if rules.reserved_npa:
        terms.append(f"(substr({npa}, 2, 1) = '9' OR substr({npa}, 1, 2) IN ('37', '96'))")
    if rules.fictional_555:
        terms.append(f"({nxx} = '555' AND substr({key}, 7, 2) = '01')")
    return "(" + " OR ".join(terms) + ")"


def number_class_sql(raw: str, key: str, rules: NanpRules) -> str:
    """SQL giving :func:`number_problem`'s class, with ``invalid`` for unassignable NANP."""
    return (
        f"CASE WHEN {key} = '' THEN 'empty' "
        f"WHEN {international_sql(raw)} THEN "
        f"CASE WHEN length({key}) BETWEEN 8 AND 15 THEN 'international' ELSE 'garbage' END "
        f"WHEN length({key}) = 10 THEN "
        f"CASE WHEN {nanp_problem_sql(key, rules)} THEN 'invalid' ELSE 'nanp' END "
        f"ELSE 'garbage' END"
    )

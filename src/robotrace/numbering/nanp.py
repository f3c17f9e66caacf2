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
from collections.abc import Callable
from dataclasses import dataclass

from robotrace.numbers import digits_key

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


def npa_problem(npa: str, rules: NanpRules) -> str | None:
    """Why a 3-digit NPA (area code) cannot be assigned, or ``None``."""
    checks = [
        (npa[0] in "01", "NPA starts with 0 or 1"),
        (rules.n11 and npa[1:] == "11", "N11 NPA"),
        (rules.reserved_npa and (npa[1] == "9" or npa[:2] in ("37", "96")), "reserved NPA"),
    ]
    return next((why for failed, why in checks if failed), None)


def nxx_problem(nxx: str, rules: NanpRules) -> str | None:
    """Why a 3-digit NXX (central office code) cannot be assigned, or ``None``."""
    checks = [
        (nxx[0] in "01", "NXX starts with 0 or 1"),
        (rules.n11 and nxx[1:] == "11", "N11 NXX"),
    ]
    return next((why for failed, why in checks if failed), None)


def nanp_problem(key: str, rules: NanpRules) -> str | None:
    """Why a 10-digit NANP key cannot be assigned (the NPA's problem first), or ``None``."""
    npa, nxx, line = key[:3], key[3:6], key[6:]
    fictional = rules.fictional_555 and nxx == "555" and line[:2] == "01"
    problem = npa_problem(npa, rules) or nxx_problem(nxx, rules)
    return problem or ("fictional 555-01XX" if fictional else None)


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


def _digit_class(digits: list[str]) -> str:
    """A regular-expression class for a set of digits: ``[0-9]``, ``1``, ``[02-9]``."""
    if len(digits) == 1:
        return digits[0]
    runs: list[list[str]] = []
    for d in sorted(digits):
        if runs and int(d) == int(runs[-1][-1]) + 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    return "[" + "".join(r[0] if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs) + "]"


def _alternatives(parts: dict[str, str]) -> str:
    """``{prefix: tail pattern}`` → one alternation, prefixes with equal tails merged."""
    by_tail: dict[str, list[str]] = {}
    for digit, tail in parts.items():
        by_tail.setdefault(tail, []).append(digit)
    branches = [_digit_class(digits) + tail for tail, digits in by_tail.items()]
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def code_regex(allowed: Callable[[str], bool]) -> str:
    """A regular expression matching exactly the 3-digit codes ``allowed`` accepts: the rule
    stays stated once (in Python) and the SQL pattern is derived from it."""
    firsts: dict[str, str] = {}
    for a in "0123456789":
        seconds: dict[str, str] = {}
        for b in "0123456789":
            thirds = [c for c in "0123456789" if allowed(a + b + c)]
            if thirds:
                seconds[b] = _digit_class(thirds)
        if seconds:
            firsts[a] = _alternatives(seconds)
    return _alternatives(firsts)


def assignable_key_regex(rules: NanpRules) -> str:
    """A regular expression fully matching the 10-digit keys :func:`nanp_problem` accepts."""
    npa = code_regex(lambda code: npa_problem(code, rules) is None)
    nxx = code_regex(lambda code: nxx_problem(code, rules) is None)
    if not rules.fictional_555:
        return f"{npa}{nxx}[0-9]{{4}}"
    other = code_regex(lambda code: code != "555" and nxx_problem(code, rules) is None)
    return f"{npa}(?:{other}[0-9]{{4}}|555(?:0[02-9]|[1-9][0-9])[0-9]{{2}})"


def nanp_problem_sql(key: str, rules: NanpRules) -> str:
    """A boolean SQL expression over a 10-digit ``key`` column: true when unassignable."""
    return f"NOT regexp_full_match({key}, '{assignable_key_regex(rules)}')"


def assignable_spelling_sql(raw: str, rules: NanpRules) -> str:
    """True when ``raw`` is written ``+1NXXNXXXXXX``, ``1NXXNXXXXXX`` or ``NXXNXXXXXX`` and
    can be assigned: then its class is ``nanp`` without a problem and its
    :func:`robotrace.numbers.digits_key` is its last ten characters. One anchored match
    settles most real caller IDs without computing a key (batch screening's fast path)."""
    return f"regexp_full_match(coalesce({raw}, ''), '(?:\\+1|1)?{assignable_key_regex(rules)}')"


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

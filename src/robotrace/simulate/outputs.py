"""The evidence and the answer key: ``honeypot.csv``, ``complaints.csv`` and ``truth.json``.

All three are written while calls are generated; ``truth.json`` keeps its two big parts (the
honeypot map and the robocall list) in side files until the end and then streams them in, so
memory stays bounded at any scale.
"""

from __future__ import annotations

import csv
import json
import random
import shutil
from pathlib import Path
from typing import Any

from robotrace.evidence.columns import FTC_COMPLAINT_COLUMNS, HONEYPOT_COLUMNS
from robotrace.simulate.numbering import NPA_PLACES, TimeText, e164_or_raw


class HoneypotWriter:
    """Calls that reached honeypot lines, on the honeypot's accurate UTC clock."""

    def __init__(self, path: Path, times: TimeText) -> None:
        self.path = path
        self.count = 0
        self._file = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._csv = csv.writer(self._file, lineterminator="\n")
        self._csv.writerow(HONEYPOT_COLUMNS)
        self._times = times

    def record(
        self, t_ms: int, calling: str, valid: bool, called: str, terminating: str, transcript: str,
        identity: str = "",
    ) -> str:  # fmt: skip
        """Write one recorded call; returns its ``call_id``."""
        self.count += 1
        call_id = f"hp-{self.count:06d}"
        self._csv.writerow(
            (call_id, e164_or_raw(calling, valid), "+1" + called, self._times.iso(t_ms),
             terminating, transcript, identity, f"{call_id}.wav")
        )  # fmt: skip
        return call_id

    def close(self) -> None:
        self._file.close()


class ComplaintWriter:
    """FTC Do Not Call complaints as consumers file them: late, vague, partly typed."""

    def __init__(self, path: Path, times: TimeText, rng: random.Random) -> None:
        self.path = path
        self.count = 0
        self._file = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._csv = csv.writer(self._file, lineterminator="\n")
        self._csv.writerow(FTC_COMPLAINT_COLUMNS)
        self._times = times
        self._rng = rng

    def file(self, t_ms: int, calling: str, valid: bool, called: str, subject: str,
             robocall: bool) -> None:  # fmt: skip
        rng = self._rng
        self.count += 1
        created = t_ms + int(rng.expovariate(1 / 86_400_000))
        city, state = NPA_PLACES[called[:3]]
        if rng.random() < 0.1:
            subject = "No Subject Provided"
        elif rng.random() < 0.15:
            subject = subject.replace(" &", "  &")
        recorded = "Y" if robocall and rng.random() < 0.85 else "N"
        self._csv.writerow(
            (typed_number(rng, calling, valid), self._times.plain(created),
             self._times.plain(t_ms), city, state, called[:3], subject, recorded)
        )  # fmt: skip

    def close(self) -> None:
        self._file.close()


def typed_number(rng: random.Random, number: str, valid: bool) -> str:
    """The caller ID as a consumer types it into the complaint form."""
    draw = rng.random()
    if draw < 0.3:
        return ""
    if not valid:
        return number
    if draw < 0.42:
        return number[: rng.choice((3, 6, 7))]
    style = rng.randrange(4)
    if style == 0:
        return number
    if style == 1:
        return f"{number[:3]}-{number[3:6]}-{number[6:]}"
    if style == 2:
        return f"({number[:3]}) {number[3:6]}-{number[6:]}"
    return "1" + number


class TruthWriter:
    """``truth.json``: the answer key; its two large members are streamed from side files."""

    def __init__(self, path: Path, signing: bool = True) -> None:
        self.path = path
        self._signing = signing  # honeypot entries say who signed each call
        self._robocalls_path = path.with_name(".truth-robocalls.part")
        self._honeypot_path = path.with_name(".truth-honeypot.part")
        self._robocalls = open(self._robocalls_path, "w", encoding="utf-8")  # noqa: SIM115
        self._honeypot = open(self._honeypot_path, "w", encoding="utf-8")  # noqa: SIM115
        self._robocall_sep = self._honeypot_sep = "\n"

    def robocall(self, t_iso: str, campaign: str, calling: str, called: str, path: str) -> None:
        """One robocall; ``path`` is already a JSON array of OCNs."""
        self._robocalls.write(
            f'{self._robocall_sep}{{"t":"{t_iso}","campaign":"{campaign}",'
            f'"calling":"{calling}","called":"{called}","path":{path}}}'
        )
        self._robocall_sep = ",\n"

    def honeypot(
        self, call_id: str, campaign: str | None, path: str, signer: str | None = None,
        attest: str | None = None,
    ) -> None:  # fmt: skip
        """One honeypot call; ``signer`` and ``attest``: who signed it (STIR/SHAKEN), if anyone."""
        signed = f',"signer":{json.dumps(signer)},"attest":{json.dumps(attest)}'
        self._honeypot.write(
            f'{self._honeypot_sep}"{call_id}":{{"campaign":{json.dumps(campaign)},"path":{path}'
            f"{signed if self._signing else ''}}}"
        )
        self._honeypot_sep = ",\n"

    def finish(self, head: dict[str, Any]) -> None:
        """Write ``truth.json``: ``head`` members first, then honeypot, then robocalls."""
        self._robocalls.close()
        self._honeypot.close()
        with open(self.path, "w", encoding="utf-8") as out:
            out.write("{\n")
            for key, value in head.items():
                out.write(f"{json.dumps(key)}: {_one_entry_a_line(value)},\n")
            out.write('"honeypot": {')
            _append(out, self._honeypot_path)
            out.write('\n},\n"robocalls": [')
            _append(out, self._robocalls_path)
            out.write("\n]\n}\n")

    def abort(self) -> None:
        for handle in (self._robocalls, self._honeypot):
            handle.close()
        for part in (self._robocalls_path, self._honeypot_path):
            part.unlink(missing_ok=True)


def _one_entry_a_line(value: Any) -> str:
    """JSON for a head member: a dict or list with one entry a line, else compact."""
    if isinstance(value, dict) and value and isinstance(next(iter(value.values())), dict):
        items = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n}"
    if isinstance(value, list) and value:
        return "[\n" + ",\n".join(json.dumps(v) for v in value) + "\n]"
    return json.dumps(value)


def _append(out: Any, part: Path) -> None:
    with open(part, encoding="utf-8") as handle:
        shutil.copyfileobj(handle, out, 1 << 20)
    part.unlink()

"""What the agent answered already: in memory, and optionally in a JSON file that survives
restarts (``{"answered": [17, 18]}``), written atomically."""

from __future__ import annotations

import json
from pathlib import Path

from robotrace.files import write_whole


class AnsweredRequests:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.ids: set[int] = set()
        if path is not None and path.exists():
            self.ids = {int(i) for i in json.loads(path.read_text()).get("answered", [])}

    def __contains__(self, hop_id: object) -> bool:
        return hop_id in self.ids

    def add(self, hop_id: int) -> None:
        self.ids.add(hop_id)
        if self.path is not None:
            self._save(self.path)

    def _save(self, path: Path) -> None:
        write_whole(path, json.dumps({"answered": sorted(self.ids)}) + "\n")

"""What the agent answered already: in memory, and optionally in a JSON file that survives
restarts (``{"answered": [17, 18]}``, and ``"batches": [3]`` once it has answered batch
requests), written atomically."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from robotrace.files import write_whole


class AnsweredRequests:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.ids: set[int] = set()
        #: Batch requests that take no more answers from this agent (federated bulk tracing).
        self.batches: set[int] = set()
        if path is not None and path.exists():
            saved = json.loads(path.read_text())
            self.ids = {int(i) for i in saved.get("answered", [])}
            self.batches = {int(i) for i in saved.get("batches", [])}

    def __contains__(self, hop_id: object) -> bool:
        return hop_id in self.ids

    def add(self, hop_id: int) -> None:
        self.ids.add(hop_id)
        if self.path is not None:
            self._save(self.path)

    def add_batch(self, batch_id: int) -> None:
        self.batches.add(batch_id)
        if self.path is not None:
            self._save(self.path)

    def _save(self, path: Path) -> None:
        saved: dict[str, Any] = {"answered": sorted(self.ids)}
        if self.batches:
            saved["batches"] = sorted(self.batches)
        write_whole(path, json.dumps(saved) + "\n")

"""The JSON body of a webhook POST, from a notification's ``kind`` and ``payload``."""

from __future__ import annotations

import json
from typing import Any


def render(notification_id: int, kind: str, payload: dict[str, Any], created_at: str) -> bytes:
    """``{"id", "kind", "created_at", "data"}``, compact, keys sorted: the bytes signed."""
    document = {"id": notification_id, "kind": kind, "created_at": created_at, "data": payload}
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()

"""Kamailio's JSON-RPC over its UNIX datagram socket (the ``jsonrpcs`` module, transport 3).

One request per datagram, one answer back to the address it came from: this client binds
an abstract (nameless-on-disk) socket of its own, so nothing is left in the file system and
nothing beyond Python is needed (no ``kamcmd``). ``jsonrpcs`` sends an answer in one datagram
of at most about 128 KiB (its send buffer): enough for a reload and for a counters table of
some thousand rows.
"""

from __future__ import annotations

import itertools
import json
import os
import socket
import stat
from pathlib import Path
from typing import Any

#: sockaddr_un's sun_path holds 108 bytes, the terminating NUL included.
_MAX_PATH = 107
_ids = itertools.count(1)


class RpcError(RuntimeError):
    """Kamailio answered with an error, or not at all; the message says which."""


def check_socket(path: str | Path) -> Path:
    """``path`` when it names an existing UNIX socket this process may write to; ValueError
    otherwise (where the path enters: the command line or a setting)."""
    path = Path(path)
    if len(os.fsencode(path)) > _MAX_PATH:
        raise ValueError(f"{path}: longer than a UNIX socket path may be ({_MAX_PATH} bytes)")
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise ValueError(f"{path}: {exc.strerror}") from None
    if not stat.S_ISSOCK(mode):
        raise ValueError(f"{path} is not a UNIX socket (jsonrpcs dgram_socket)")
    if not os.access(path, os.W_OK):
        raise ValueError(f"{path}: no permission to write to it")
    return path


def call(path: Path, method: str, *params: str | int, timeout: float = 10.0) -> Any:
    """The ``result`` of one JSON-RPC call; :class:`RpcError` when Kamailio says an error or
    does not answer within ``timeout`` seconds."""
    request_id = next(_ids)
    request = {"jsonrpc": "2.0", "method": method, "params": list(params), "id": request_id}
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("")  # Linux autobind: an abstract address Kamailio can answer to
        sock.settimeout(timeout)
        try:
            sock.sendto(json.dumps(request).encode(), os.fsencode(path))
            answer = sock.recv(1 << 20)
        except TimeoutError:
            raise RpcError(f"{method}: no answer from {path} within {timeout:g} s") from None
        except OSError as exc:
            raise RpcError(f"{method}: {path}: {exc}") from None
    try:
        document = json.loads(answer)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RpcError(f"{method}: not a JSON answer: {exc}") from None
    if "error" in document:
        error = document["error"]
        raise RpcError(f"{method}: {error.get('message', error)} ({error.get('code')})")
    return document.get("result")


def reload_htable(path: Path, table: str) -> None:
    call(path, "htable.reload", table)


def reload_addresses(path: Path) -> None:
    call(path, "permissions.addressReload")


def dump_htable(path: Path, table: str) -> dict[str, str | int]:
    """Every item of an htable: key → value (``htable.dump``'s slots, flattened)."""
    result = call(path, "htable.dump", table) or []
    items: dict[str, str | int] = {}
    for slot in result:
        for item in slot.get("slot", []):
            items[str(item["name"])] = item["value"]
    return items

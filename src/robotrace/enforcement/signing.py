"""The block list's Ed25519 key: loaded from the ``blocklist_signing_key`` setting's path
(each function takes it), or made once in ``robotrace-blocklist.key`` in the working
directory (like the portal's secret key)."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

KEY_FILE = "robotrace-blocklist.key"


def key_path(blocklist_signing_key: str) -> Path:
    return Path(blocklist_signing_key or KEY_FILE)


def _create(path: Path) -> None:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL: two processes starting at once keep the one key that was written first.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as file:
        file.write(pem)


def signing_key(blocklist_signing_key: str) -> Ed25519PrivateKey:
    """The private key, created on first use when the file does not exist yet."""
    path = key_path(blocklist_signing_key)
    if not path.exists():
        _create(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def public_key_pem(blocklist_signing_key: str) -> bytes:
    """The public half, as PEM (SubjectPublicKeyInfo), for anyone to verify with."""
    return (
        signing_key(blocklist_signing_key)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def sign(body: bytes, blocklist_signing_key: str) -> str:
    """``ed25519=<base64 signature over the exact bytes>`` (Ed25519 is deterministic)."""
    signature = signing_key(blocklist_signing_key).sign(body)
    return "ed25519=" + base64.b64encode(signature).decode()

from cryptography.hazmat.primitives import serialization

from robotrace.enforcement import signing
from robotrace.settings import Settings


def test_the_key_is_created_once_at_the_setting_path(tmp_path, monkeypatch):
    path = tmp_path / "keys" / "blocklist.pem"
    monkeypatch.setenv("ROBOTRACE_BLOCKLIST_SIGNING_KEY", str(path))
    first = signing.public_key_pem(Settings.from_environ().blocklist_signing_key)
    assert path.exists() and oct(path.stat().st_mode & 0o777) == "0o600"
    assert signing.public_key_pem(Settings.from_environ().blocklist_signing_key) == first


def test_a_signature_verifies_with_the_public_key(tmp_path, monkeypatch):
    import base64

    monkeypatch.setenv("ROBOTRACE_BLOCKLIST_SIGNING_KEY", str(tmp_path / "k.pem"))
    signature = signing.sign(b"body", Settings.from_environ().blocklist_signing_key)
    public = serialization.load_pem_public_key(
        signing.public_key_pem(Settings.from_environ().blocklist_signing_key)
    )
    public.verify(base64.b64decode(signature.removeprefix("ed25519=")), b"body")  # type: ignore[union-attr]

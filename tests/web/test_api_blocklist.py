"""The public block list: versions, ETags, 304s, and signatures checked by another process."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import subprocess
import sys
import textwrap
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from robotrace.store import models
from robotrace.store.db import transaction

REGULATOR = "fcc@example.org"

VERIFY = textwrap.dedent(
    """
    import base64, sys
    from cryptography.hazmat.primitives.serialization import load_pem_public_key
    key = load_pem_public_key(open(sys.argv[1], "rb").read())
    signature = sys.argv[3].removeprefix("ed25519=")
    key.verify(base64.b64decode(signature), open(sys.argv[2], "rb").read())
    print("verified")
    """
)


def no_direct_traffic(api_for, key="BBBB", **extra):
    body = {"provider": key, "scope": "no_direct_traffic", "reason": "not in the RMD", **extra}
    response = api_for(REGULATOR).post("/api/v1/authorizations", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def verify_elsewhere(tmp_path, public_pem: bytes, body: bytes, signature: str) -> str:
    (tmp_path / "key.pem").write_bytes(public_pem)
    (tmp_path / "body").write_bytes(body)
    result = subprocess.run(
        [sys.executable, "-c", VERIFY, "key.pem", "body", signature],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.strip() or result.stderr.strip().splitlines()[-1]


def test_the_block_list_is_public_and_versioned(world):
    anonymous = TestClient(world.app)
    response = anonymous.get("/api/v1/blocklist")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "version": 1,
        "generated_at": "2020-05-01T12:00:00Z",
        "entries": [],
    }
    assert response.headers["x-robotrace-blocklist-version"] == "1"
    assert response.headers["etag"] == f'"{hashlib.sha256(response.content).hexdigest()}"'
    assert anonymous.get("/api/v1/blocklist").content == response.content  # no change, no version


def test_if_none_match_answers_304_until_the_list_changes(world, api_for):
    anonymous = TestClient(world.app)
    first = anonymous.get("/api/v1/blocklist")
    etag = first.headers["etag"]
    again = anonymous.get("/api/v1/blocklist", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    no_direct_traffic(api_for)
    changed = anonymous.get("/api/v1/blocklist", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert changed.json()["version"] == 2
    [entry] = changed.json()["entries"]
    assert entry["kind"] == "provider" and entry["provider"] == "BBBB" and entry["ocns"] == ["BBBB"]
    assert entry["name"] == "Bravo Wholesale" and entry["contact"] == "noc@bbbb.example"


def test_every_version_is_kept_byte_for_byte(world, api_for):
    anonymous = TestClient(world.app)
    first = anonymous.get("/api/v1/blocklist")
    no_direct_traffic(api_for)
    kept = anonymous.get("/api/v1/blocklist/versions/1")
    assert kept.content == first.content
    assert kept.headers["x-robotrace-signature"] == first.headers["x-robotrace-signature"]
    assert anonymous.get("/api/v1/blocklist/versions/2").json()["version"] == 2
    assert anonymous.get("/api/v1/blocklist/versions/3").status_code == 404


def test_the_json_signature_verifies_in_a_separate_process(world, api_for, tmp_path):
    no_direct_traffic(api_for)
    anonymous = TestClient(world.app)
    response = anonymous.get("/api/v1/blocklist")
    public = anonymous.get("/api/v1/blocklist/public-key")
    assert public.content.startswith(b"-----BEGIN PUBLIC KEY-----")
    signature = response.headers["x-robotrace-signature"]
    assert verify_elsewhere(tmp_path, public.content, response.content, signature) == "verified"
    tampered = response.content.replace(b"BBBB", b"BBBC")
    assert verify_elsewhere(tmp_path, public.content, tampered, signature) == (
        "cryptography.exceptions.InvalidSignature"
    )


def test_the_csv_has_its_own_etag_and_signature(world, api_for, tmp_path):
    no_direct_traffic(api_for, effective_at="2020-05-01T11:00:00Z")
    anonymous = TestClient(world.app)
    csv = anonymous.get("/api/v1/blocklist.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0].startswith(
        "kind,scope,provider,ocns,name,number,reason_code,authorization_id,rmd_order,order_id,"
        "obligation,downstream,effective_at"
    )
    assert lines[1].startswith(
        "provider,no_direct_traffic,BBBB,BBBB,Bravo Wholesale,,authorization,"
    )
    assert csv.headers["etag"] != anonymous.get("/api/v1/blocklist").headers["etag"]
    assert csv.headers["x-robotrace-blocklist-version"] == "1"
    public = anonymous.get("/api/v1/blocklist/public-key").content
    signature = csv.headers["x-robotrace-signature"]
    assert verify_elsewhere(tmp_path, public, csv.content, signature) == "verified"
    not_modified = anonymous.get(
        "/api/v1/blocklist.csv", headers={"If-None-Match": csv.headers["etag"]}
    )
    assert not_modified.status_code == 304


def test_a_provider_named_as_a_formula_is_defused_in_the_signed_csv(
    world, api_for, engine, tmp_path
):
    # issue 24: providers write their own names; the CSV carried "=…" as it was written
    with transaction(engine) as session:
        row = session.scalar(select(models.Provider).where(models.Provider.key == "BBBB"))
        row.business_name = "=cmd|' /C calc'!A0"
    no_direct_traffic(api_for, reason="+cmd|' /C calc'!A0")
    anonymous = TestClient(world.app)
    response = anonymous.get("/api/v1/blocklist.csv")
    [header, entry] = list(csv.reader(io.StringIO(response.text)))
    cells = dict(zip(header, entry, strict=True))
    assert cells["name"] == "'=cmd|' /C calc'!A0" and cells["reason"] == "'+cmd|' /C calc'!A0"
    # escaped before signing: the signature is over the bytes served
    public = anonymous.get("/api/v1/blocklist/public-key").content
    signature = response.headers["x-robotrace-signature"]
    assert verify_elsewhere(tmp_path, public, response.content, signature) == "verified"
    assert anonymous.get("/api/v1/blocklist").json()["entries"][0]["name"].startswith("=cmd")


def test_a_future_authorization_appears_once_effective(world, api_for):
    later = (world.clock.now() + timedelta(hours=2)).isoformat()
    no_direct_traffic(api_for, effective_at=later)
    anonymous = TestClient(world.app)
    assert anonymous.get("/api/v1/blocklist").json()["entries"] == []
    world.clock.advance(timedelta(hours=2))
    assert len(anonymous.get("/api/v1/blocklist").json()["entries"]) == 1


def test_the_notice_to_industry_is_a_public_pdf(world, api_for):
    auth = no_direct_traffic(api_for)
    anonymous = TestClient(world.app)
    pdf = anonymous.get(f"/api/v1/blocklist/notices/{auth['id']}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert anonymous.get("/api/v1/blocklist/notices/999999.pdf").status_code == 404


def test_signatures_are_base64_ed25519(world):
    signature = TestClient(world.app).get("/api/v1/blocklist").headers["x-robotrace-signature"]
    assert signature.startswith("ed25519=")
    assert len(base64.b64decode(signature.removeprefix("ed25519="))) == 64

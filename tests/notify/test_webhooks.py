"""Webhooks reach a real HTTP receiver, signed; the receiver's check rejects replays."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import httpx

from robotrace.notify.channels.webhook.signature import sign, verify_signature
from robotrace.settings import Settings
from robotrace.worker.loop import run_once

from .conftest import BASE_URL, SECRET, T0, add_webhook

BODY = b'{"id":1,"kind":"hop.requested"}'


def test_a_providers_webhook_gets_a_signed_hop_request_that_verifies(world, smtp, receiver):
    hook = add_webhook(world, receiver.url, "AAAA")
    run_once(world.engine, world.clock, "w1", Settings.from_environ())

    [delivery] = receiver.deliveries
    assert delivery.accepted
    headers = delivery.headers
    assert headers["X-Robotrace-Timestamp"] == str(int(T0.timestamp()))
    assert verify_signature(
        SECRET,
        headers["X-Robotrace-Timestamp"],
        delivery.body,
        headers["X-Robotrace-Signature"],
        world.clock.now(),
    )
    assert headers["X-Robotrace-Event"] == "hop.requested"
    document = json.loads(delivery.body)
    assert document["kind"] == "hop.requested"
    assert "traceback_id" not in document["data"] and "position" not in document["data"]
    assert document["data"]["hop_id"] == world.hop_id
    assert document["data"]["link"] == f"{BASE_URL}/inbox/{world.hop_id}"
    assert document["data"]["call"]["calling_number"] == "+12025550143"
    assert hook > 0


def test_the_receiver_rejects_a_replayed_delivery_and_a_tampered_body(world, smtp, receiver):
    add_webhook(world, receiver.url, "AAAA")
    run_once(world.engine, world.clock, "w1", Settings.from_environ())
    [original] = receiver.deliveries
    replay_headers = {k: v for k, v in original.headers.items() if k.startswith("X-Robotrace")}

    tampered = original.body.replace(b"+12025550143", b"+12025550100")
    assert httpx.post(receiver.url, content=tampered, headers=replay_headers).status_code == 401
    world.clock.advance(timedelta(seconds=301))
    assert (
        httpx.post(receiver.url, content=original.body, headers=replay_headers).status_code == 401
    )


def test_the_groups_webhook_hears_only_of_overdue_hops(world, smtp, receiver):
    add_webhook(world, receiver.url, None)
    run_once(world.engine, world.clock, "w1", Settings.from_environ())
    assert receiver.deliveries == []

    world.clock.set(T0 + timedelta(hours=25))
    run_once(world.engine, world.clock, "w1", Settings.from_environ())

    [delivery] = receiver.accepted()
    document = json.loads(delivery.body)
    assert document["kind"] == "hop.overdue"
    assert document["data"]["link"] == f"{BASE_URL}/tracebacks/TB-000001"


def test_a_signature_verifies_only_with_the_same_secret_body_and_a_fresh_timestamp():
    now = 1_588_334_400
    signature = sign(SECRET, now, BODY)
    assert verify_signature(SECRET, str(now), BODY, signature, now)
    assert verify_signature(SECRET, str(now), BODY, signature, now + 300)
    assert verify_signature(SECRET, str(now), BODY, signature, now - 300)
    assert not verify_signature(SECRET, str(now), BODY, signature, now + 301)
    assert not verify_signature(SECRET, str(now), BODY, signature, now - 301)
    assert not verify_signature("other", str(now), BODY, signature, now)
    assert not verify_signature(SECRET, str(now), BODY + b" ", signature, now)
    assert not verify_signature(SECRET, str(now + 1), BODY, signature, now)
    assert not verify_signature(SECRET, "soon", BODY, signature, now)
    assert not verify_signature(SECRET, str(now), BODY, "sha256=00", now)


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body():
    import hashlib
    import hmac

    expected = hmac.new(b"k", b"1588334400." + BODY, hashlib.sha256).hexdigest()
    assert sign("k", 1588334400, BODY) == f"sha256={expected}"


def test_the_receivers_check_printed_in_the_docs_agrees_with_the_reference():
    text = (Path(__file__).parents[2] / "docs" / "notifications.md").read_text()
    code = text.split("```python\n", 1)[1].split("# in the request handler", 1)[0]
    namespace: dict = {}
    exec(code, namespace)
    copied = namespace["verify_signature"]
    now = 1_588_334_400
    signature = sign(SECRET, now, BODY)
    for args in [
        (SECRET, str(now), BODY, signature, now + 300),
        (SECRET, str(now), BODY, signature, now + 301),
        (SECRET, str(now), BODY + b"!", signature, now),
        ("other", str(now), BODY, signature, now),
    ]:
        assert copied(*args) == verify_signature(*args)

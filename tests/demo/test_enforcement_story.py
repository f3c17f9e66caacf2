"""The demo's enforcement part against the simulator's truth: warned providers that kept
sending are found noncompliant and blocked, those that stopped are not; the block list's
signature verifies with the published key in a separate process."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from robotrace.demo.story import Story, run_story
from robotrace.enforcement import signing
from robotrace.simulate.runner import SimulationParams
from robotrace.store.db import make_engine
from robotrace.store.models import BlocklistVersion


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Story:
    out = tmp_path_factory.mktemp("enforcement")
    params = SimulationParams(seed=2020, providers=30, days=10, calls=20_000)
    params = replace(params, letters_at=params.start + timedelta(days=6))
    return run_story(out, params)


def _truth(story: Story) -> dict:
    return json.loads((story.out / "truth.json").read_text())


def test_each_warned_providers_decision_matches_what_it_did_in_the_world(story: Story):
    providers = _truth(story)["providers"]
    letters = story.enforcement.letters
    assert {o.status for o in letters} == {"complied", "noncompliant"}
    for outcome in letters:
        did = providers[outcome.provider]["after_letter"]
        assert outcome.status == {"continues": "noncompliant", "stops": "complied"}[did]


def test_warned_providers_are_the_true_warned_providers_of_their_campaigns(story: Story):
    truth = _truth(story)
    warned_in_truth = {c["warned_provider"] for c in truth["campaigns"]}
    assert {o.provider for o in story.enforcement.letters} <= warned_in_truth


def test_the_block_list_carries_exactly_the_providers_that_kept_sending(story: Story):
    providers = _truth(story)["providers"]
    kept_sending = {
        o.provider
        for o in story.enforcement.letters
        if providers[o.provider]["after_letter"] == "continues"
    }
    assert set(story.enforcement.blocklist_providers) == kept_sending


VERIFY = (
    "import base64, sys\n"
    "from cryptography.hazmat.primitives.serialization import load_pem_public_key\n"
    "key = load_pem_public_key(open(sys.argv[1], 'rb').read())\n"
    "key.verify(base64.b64decode(sys.argv[3].removeprefix('ed25519=')),"
    " open(sys.argv[2], 'rb').read())\n"
    "print('verified')\n"
)


def test_the_block_list_signature_verifies_with_the_published_key_elsewhere(
    story: Story, tmp_path: Path
):
    engine = make_engine(f"sqlite:///{story.out / 'robotrace.db'}")
    with engine.connect() as connection:
        row = connection.execute(
            select(BlocklistVersion.body, BlocklistVersion.signature).where(
                BlocklistVersion.version == story.enforcement.blocklist_version
            )
        ).one()
    engine.dispose()
    (tmp_path / "key.pem").write_bytes(signing.public_key_pem())
    (tmp_path / "body").write_text(row.body, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", VERIFY, "key.pem", "body", row.signature],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "verified", result.stderr

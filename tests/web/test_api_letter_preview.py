"""``POST /api/v1/letters/preview`` (issue 22): the letter ``POST /api/v1/letters`` would
send with the same body, and nothing stored, numbered or e-mailed."""

from __future__ import annotations

from datetime import timedelta

from robotrace.store import models
from robotrace.store.db import transaction

from .conftest import T0
from .test_api_enforcement import BRAVO, REGULATOR, bravo_carried

BODY = {"provider": "BBBB", "campaigns": ["covid-test-kits"]}


def rows(engine, model) -> int:
    with transaction(engine) as session:
        return session.query(model).count()


def test_the_preview_is_the_letter_that_is_then_sent(world, api_for, engine):
    bravo_carried(engine, T0 - timedelta(days=2), "TB-000101")
    regulator = api_for(REGULATOR)
    preview = regulator.post("/api/v1/letters/preview", json=BODY)
    assert preview.status_code == 200, preview.text
    shown = preview.json()
    assert shown["reference"] == "WL-000001" and "TB-000101" in shown["document"]
    assert rows(engine, models.EnforcementAction) == 0
    assert rows(engine, models.Notification) == 0
    sent = regulator.post("/api/v1/letters", json=BODY).json()
    assert sent["reference"] == "WL-000001"
    pdf_source = regulator.get(f"/api/v1/letters/{sent['id']}")
    assert pdf_source.status_code == 200
    with transaction(engine) as session:
        document = session.get(models.EnforcementAction, sent["id"]).document
    assert document == shown["document"]  # the same moment: the same letter, word for word


def test_a_preview_is_refused_like_the_letter_and_only_for_regulators(world, api_for, engine):
    nothing = api_for(REGULATOR).post("/api/v1/letters/preview", json={"provider": "BBBB"})
    assert nothing.status_code == 422
    provider = api_for(BRAVO).post("/api/v1/letters/preview", json=BODY)
    assert provider.status_code == 403

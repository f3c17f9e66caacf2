"""Issue 24 item 5: a provider named as an upstream under a look-alike of a known provider's
name (letters of another script) is flagged for the coordinator — in the audit log and on its
page — while a merely similar or identical-by-identifier name is not."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from robotrace.providers.lookalike import looks_like, skeleton
from robotrace.store import models
from robotrace.store.db import transaction

COORD = "coord@example.org"
ALPHA = "noc@aaaa.example"


def name_upstream(api_for, name: str) -> str:
    alpha = api_for(ALPHA)
    [request] = alpha.get("/api/v1/hop-requests").json()
    named = {"name": name, "contact_email": "noc@new.example"}
    answer = alpha.post(
        f"/api/v1/hop-requests/{request['id']}/answer",
        json={"answer": "upstream", "new_provider": named},
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["upstream"]


def test_a_cyrillic_look_alike_of_a_known_name_is_flagged(world, api_for, client_for, engine):
    # "Вravo Wholesale": the first letter is CYRILLIC CAPITAL LETTER VE (U+0412).
    key = name_upstream(api_for, "\u0412ravo Wholesale")
    with transaction(engine) as session:
        [event] = session.scalars(
            select(models.AuditEvent).where(models.AuditEvent.action == "provider.lookalike")
        )
        assert (event.provider_key, event.details["looks_like"]) == (key, ["BBBB"])
    page = client_for(COORD).get(f"/providers/{key}").text
    assert 'id="looks-like"' in page and 'href="/providers/BBBB"' in page


def test_a_plainly_different_name_is_not_flagged(world, api_for, engine):
    name_upstream(api_for, "Bravo Wholesale Two")
    with transaction(engine) as session:
        actions = set(session.scalars(select(models.AuditEvent.action)))
    assert "provider.named" in actions and "provider.lookalike" not in actions


@pytest.mark.parametrize(
    ("name", "known", "expected"),
    [
        ("\u0412ravo Wholesale", "Bravo Wholesale", ["BBBB"]),  # Cyrillic В
        ("Bravo  wholesale,", "Bravo Wholesale", ["BBBB"]),  # case, spaces, punctuation
        ("\uff22ravo Wholesale", "Bravo Wholesale", ["BBBB"]),  # fullwidth Ｂ (NFKC)
        ("Bravo Wholesale", "Bravo Wholesale", []),  # the same text is the same name
        ("Brav0 Wholesale", "Bravo Wholesale", ["BBBB"]),  # a zero for an O: the classic spoof
        ("Bravado Wholesale", "Bravo Wholesale", []),  # another name
    ],
)
def test_the_skeleton_folds_look_alikes_only(name, known, expected):
    assert looks_like(name, [("BBBB", known)]) == expected
    assert skeleton("Charlie Gateway") == "charliegateway"

"""A provider's page shows its letters, notifications, orders and block authorizations with
their status and links, and where it stands on the current published block list (issue 22)."""

import re
from datetime import timedelta

from sqlalchemy import select

from robotrace.enforcement.service import publish_blocklist
from robotrace.settings import Settings
from robotrace.store import models
from robotrace.store.db import transaction

from .conftest import T0


def provider_id(session, key: str) -> int:
    return session.scalar(select(models.Provider.id).where(models.Provider.key == key))


def seed_steps(engine, world, publish: bool = True) -> dict[str, int]:
    """AAAA: an issued letter, a draft letter, a notification, an active authorization and a
    final order in force; BBBB: a letter. Then the block list is published."""
    with transaction(engine) as session:
        aaaa, bbbb = provider_id(session, "AAAA"), provider_id(session, "BBBB")
        day = timedelta(days=1)
        made = {
            "letter": models.EnforcementAction(
                provider_id=aaaa, kind="warning_letter", status="issued", issued_at=T0 - 3 * day,
                mitigate_by=T0 - day, report_by=T0 + 11 * day,
            ),
            "draft": models.EnforcementAction(
                provider_id=aaaa, kind="warning_letter", status="draft"
            ),
            "notification": models.EnforcementAction(
                provider_id=aaaa, kind="notification", status="issued", ladder="n",
                issued_at=T0 - day, respond_by=T0 + 13 * day,
            ),
            "authorization": models.EnforcementAction(
                provider_id=aaaa, kind="block_authorization", status="active", scope="provider",
                issued_at=T0 - 2 * day, effective_at=T0 - day, reason="still carrying the traffic",
            ),
            "final": models.EnforcementAction(
                provider_id=aaaa, kind="final_determination", status="in_force", ladder="n",
                issued_at=T0 - 5 * day, effective_at=T0 - 4 * day, downstream=["BBBB"],
            ),
            "other": models.EnforcementAction(
                provider_id=bbbb, kind="warning_letter", status="issued", issued_at=T0 - day,
                mitigate_by=T0 + day, report_by=T0 + 13 * day,
            ),
        }  # fmt: skip
        session.add_all(made.values())
        session.flush()
        if publish:
            publish_blocklist(session, world.clock, Settings.from_environ())
        return {name: row.id for name, row in made.items()}


def section(page: str, css_class: str) -> str:
    return page.split(f'class="{css_class}"', 1)[1].split("</section>", 1)[0]


def test_the_page_lists_the_providers_steps_with_status_and_links(world, client_for, engine):
    ids = seed_steps(engine, world)
    page = client_for("coord@example.org").get("/providers/AAAA").text
    record = section(page, "enforcement-record")
    assert f'href="/letters/{ids["letter"]}"' in record
    assert f'href="/orders/{ids["notification"]}"' in record
    assert f'href="/orders/{ids["final"]}"' in record
    assert f'href="/authorizations/{ids["authorization"]}"' in record
    assert f'href="/letters/{ids["other"]}"' not in record  # BBBB's
    for status in ("issued", "active", "in force", "draft"):
        assert f">{status}</span>" in record, status
    assert "Initial" not in record and "Final Determination Order" in record
    assert 'href="/enforcement/providers/AAAA"' in record


def test_a_provider_reads_its_own_steps_but_not_a_draft(world, client_for, engine):
    ids = seed_steps(engine, world)
    record = section(
        client_for("noc@aaaa.example").get("/providers/AAAA").text, "enforcement-record"
    )
    assert f'href="/letters/{ids["letter"]}"' in record
    assert f'href="/authorizations/{ids["authorization"]}"' in record
    assert f'href="/letters/{ids["draft"]}"' not in record and ">draft<" not in record
    assert "/enforcement/providers/" not in record  # staff's page, not its
    assert client_for("noc@bbbb.example").get("/providers/AAAA").status_code == 404


def published_entries(client, key: str) -> tuple[list[dict], int]:
    listing = client.get("/api/v1/blocklist").json()
    return [e for e in listing["entries"] if e["provider"] == key], listing["version"]


def test_the_page_says_under_which_references_and_since_when_the_current_list_names_it(
    world, client_for, engine, api_for
):
    ids = seed_steps(engine, world)
    entries, version = published_entries(api_for("noc@aaaa.example"), "AAAA")
    assert {e["reason_code"] for e in entries} == {"authorization", "final_order"}
    page = client_for("noc@aaaa.example").get("/providers/AAAA").text
    standing = re.search(r'<p class="block-list-standing">(.*?)</p>', page, re.S).group(1)
    assert f"On the current block list (version {version}," in standing
    for entry in entries:
        since = entry["effective_at"].replace("T", " ").replace("Z", " UTC")
        assert f"{entry['reference']} since {since}" in standing
    blocked = section(page, "blocked")
    auth = next(e for e in entries if e["reason_code"] == "authorization")
    final = next(e for e in entries if e["reason_code"] == "final_order")
    assert f'<a href="/authorizations/{ids["authorization"]}">{auth["reference"]}</a>' in blocked
    assert f'<a href="/orders/{ids["final"]}">{final["reference"]}</a>' in blocked
    rows = re.findall(r"<tr>(.*?)</tr>", blocked, re.S)
    final_row = next(r for r in rows if final["reference"] in r)
    auth_row = next(r for r in rows if auth["reference"] in r)
    assert "must block" in final_row and "Final Determination Order" in final_row
    assert "may block" in auth_row and "still carrying the traffic" in auth_row


def test_a_provider_the_list_does_not_name_is_said_to_be_off_it(world, client_for, engine):
    seed_steps(engine, world)
    page = client_for("coord@example.org").get("/providers/BBBB").text
    assert "Not on the current block list (version 1," in page
    assert 'class="blocked"' not in page


def test_before_any_list_is_published_the_page_says_so(world, client_for, engine):
    seed_steps(engine, world, publish=False)
    page = client_for("coord@example.org").get("/providers/AAAA").text
    assert "No block list has been published yet." in page


def test_a_provider_without_steps_says_none_was_issued(world, client_for):
    page = client_for("coord@example.org").get("/providers/CCCC").text
    assert "No letter, notification, order or block authorization has been issued to it." in page

"""Each kind of enforcement step numbers its own sequence (issue 22): the first letter is
WL-000001 and the first authorization BA-000001, whatever was issued between them; a database
from before keeps the references it sent."""

from datetime import timedelta

from sqlalchemy import text

from robotrace.enforcement import service
from robotrace.store import db, models
from robotrace.store.db import transaction

from .builders import T0, through
from .test_service import (  # noqa: F401 - fixtures
    add_traceback,
    authorize,
    clock,
    issue,
    noncompliant_letter,
    seeded,
)


def references(engine) -> list[str]:
    with transaction(engine) as session:
        rows = session.query(models.EnforcementAction).order_by(models.EnforcementAction.id)
        return [service.reference_of(row) for row in rows]


def test_letters_and_authorizations_each_count_from_one(seeded, clock):  # noqa: F811
    noncompliant_letter(seeded, clock)
    authorize(seeded, clock)
    add_traceback(seeded, through("CCCC", clock.now() - timedelta(hours=1), "TB-000030"))
    issue(seeded, clock)
    assert references(seeded) == ["WL-000001", "BA-000001", "WL-000002"]


def test_the_notice_and_the_block_list_quote_the_authorizations_own_number(seeded, clock):  # noqa: F811
    noncompliant_letter(seeded, clock)
    auth_id = authorize(seeded, clock)
    assert auth_id == 2  # the row after the letter …
    with transaction(seeded) as session:
        auth = session.get(models.EnforcementAction, auth_id)
        assert "BA-000001" in auth.document and "WL-000001" in auth.document
        body = service.latest_blocklist(session).body
    assert '"reference":"BA-000001"' in body and "BA-000002" not in body


def test_a_database_from_before_keeps_its_references_and_counts_on(db_url):
    engine = db.make_engine(db_url)
    try:
        db.upgrade(engine, "0014")
        with engine.begin() as connection:
            connection.execute(
                text(
                    'INSERT INTO providers (id, key, business_name, country, "foreign", '
                    "implementation, voice_service_provider, gateway_provider, "
                    "intermediate_provider, last_recertified, contact_email, created_at, "
                    "updated_at, business_address, rmd_contact) VALUES (1, 'CCCC', "
                    "'Charlie Gateway', 'US', false, '', true, true, false, '', '', :at, :at, "
                    "'', '{}')"
                ),
                {"at": T0},
            )
            for id_, kind in (
                (1, "warning_letter"),
                (2, "warning_letter"),
                (3, "block_authorization"),
            ):
                connection.execute(
                    text(
                        "INSERT INTO enforcement_actions (id, provider_id, kind, status, "
                        "issued_at, named_campaigns, named_originators, evidence, numbers, "
                        "reason, ladder, named_findings, downstream) VALUES (:id, 1, :kind, "
                        "'issued', :at, '[]', '[]', '{}', '[]', '', 'k4', '[]', '[]')"
                    ),
                    {"id": id_, "kind": kind, "at": T0},
                )
        db.upgrade(engine)
        with transaction(engine) as session:
            numbers = [
                service.records.next_number(session, kind)
                for kind in (
                    models.EnforcementKind.WARNING_LETTER,
                    models.EnforcementKind.BLOCK_AUTHORIZATION,
                    models.EnforcementKind.NOTIFICATION,
                )
            ]
        # WL-000001, WL-000002 and BA-000003 stay what they were sent as; the next letter is
        # WL-000003, the next authorization BA-000004, the first notification NSIT-000001.
        assert references(engine) == ["WL-000001", "WL-000002", "BA-000003"]
        assert numbers == [3, 4, 1]
    finally:
        engine.dispose()

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError

from robotrace.providers.registry import Provider
from robotrace.providers.store import provider_ids, upsert_providers
from robotrace.store import models

NOW = datetime(2020, 5, 1, tzinfo=UTC)


@pytest.fixture
def telco_id(session) -> int:
    upsert_providers(session, [Provider(key="1234", business_name="Telco One")])
    return provider_ids(session, ["1234"])["1234"]


def user(role: str, provider_id: int | None = None, email: str = "a@example.org") -> models.User:
    return models.User(email=email, role=role, provider_id=provider_id, created_at=NOW)


def test_a_provider_user_belonging_to_a_provider_is_accepted(session, telco_id):
    session.add(user("provider", telco_id))
    session.flush()


def test_a_provider_user_must_belong_to_a_provider(session):
    session.add(user("provider"))
    with pytest.raises(IntegrityError):
        session.flush()


@pytest.mark.parametrize("role", ["admin", "coordinator", "regulator"])
def test_other_roles_must_not_belong_to_a_provider(session, telco_id, role):
    session.add(user(role, telco_id))
    with pytest.raises(IntegrityError):
        session.flush()


def test_staff_without_a_provider_are_accepted(session):
    for number, role in enumerate(["admin", "coordinator", "regulator"]):
        session.add(user(role, email=f"{role}{number}@example.org"))
    session.flush()


def test_an_unknown_role_is_refused_by_the_model(session):
    session.add(user("superuser"))
    with pytest.raises(StatementError):
        session.flush()


def test_an_unknown_role_is_refused_by_the_database_too(session):
    insert = text(
        "INSERT INTO users (email, name, role, active, created_at)"
        " VALUES ('x@example.org', '', 'superuser', true, :now)"
    )
    with pytest.raises(IntegrityError):
        session.execute(insert, {"now": NOW})


def test_two_users_cannot_share_an_email(session):
    session.add_all([user("admin"), user("regulator")])
    with pytest.raises(IntegrityError):
        session.flush()

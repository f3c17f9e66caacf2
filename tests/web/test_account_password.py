"""/account: a signed-in user changes its own password (issue 22)."""

from fastapi.testclient import TestClient
from sqlalchemy import select

from robotrace.store import models
from robotrace.store.db import transaction

from .conftest import PASSWORD, _csrf_of

NEW = "a much longer passphrase"


def change(client: TestClient, current: str, new: str, repeated: str | None = None):
    return client.post(
        "/account/password",
        data={
            "csrf_token": client.csrf,
            "current_password": current,
            "new_password": new,
            "repeat_password": new if repeated is None else repeated,
        },
    )


def signs_in(world, password: str) -> bool:
    client = TestClient(world.app)
    csrf = _csrf_of(client.get("/login").text)
    data = {"email": "coord@example.org", "password": password, "csrf_token": csrf}
    return client.post("/login", data=data, follow_redirects=False).status_code == 303


def signed_in(client: TestClient) -> bool:
    return "Change your password" in client.get("/account").text


def test_the_account_page_has_a_password_change_form(world, client_for):
    page = client_for("coord@example.org").get("/account").text
    for field in ("current_password", "new_password", "repeat_password"):
        assert f'name="{field}"' in page
    assert 'action="/account/password"' in page


def test_a_changed_password_signs_in_and_the_old_one_no_longer_does(world, client_for):
    response = change(client_for("coord@example.org"), PASSWORD, NEW)
    assert response.status_code == 200 and "Password changed." in response.text
    assert signs_in(world, NEW) and not signs_in(world, PASSWORD)


def test_a_change_signs_out_every_other_session_and_keeps_this_one(world, client_for):
    here, elsewhere = client_for("coord@example.org"), client_for("coord@example.org")
    response = change(here, PASSWORD, NEW)
    assert "1 other session(s) were signed out" in response.text
    assert signed_in(here) and not signed_in(elsewhere)


def test_a_change_keeps_the_users_api_tokens(world, client_for, api_for):
    api = api_for("coord@example.org")
    change(client_for("coord@example.org"), PASSWORD, NEW)
    assert api.get("/api/v1/tracebacks").status_code == 200


def test_a_change_is_audited_without_the_password(world, client_for, engine):
    change(client_for("coord@example.org"), PASSWORD, NEW)
    with transaction(engine) as session:
        (event,) = session.scalars(
            select(models.AuditEvent).where(models.AuditEvent.action == "user.password_changed")
        )
        assert event.actor == "coordinator:coord@example.org"
        assert event.details["user"] == "coord@example.org"
        assert NEW not in str(event.details) and PASSWORD not in str(event.details)


def test_a_wrong_current_password_changes_nothing(world, client_for):
    here, elsewhere = client_for("coord@example.org"), client_for("coord@example.org")
    response = change(here, "not my password at all", NEW)
    assert response.status_code == 400
    assert "Password not changed: the current password is wrong." in response.text
    assert signs_in(world, PASSWORD) and signed_in(elsewhere)


def test_wrong_current_passwords_are_throttled_like_sign_ins(world, client_for):
    client = client_for("coord@example.org")
    for _ in range(5):
        change(client, "not my password at all", NEW)
    response = change(client, PASSWORD, NEW)
    assert response.status_code == 429 and "too many wrong passwords" in response.text
    assert signs_in(world, PASSWORD) is False  # the sign-in throttle counts them too


def test_a_new_password_typed_differently_twice_is_refused(world, client_for):
    response = change(client_for("coord@example.org"), PASSWORD, NEW, NEW + "x")
    assert response.status_code == 400 and "its repetition differ" in response.text
    assert signs_in(world, PASSWORD)


def test_a_short_new_password_is_refused_by_the_password_rule(world, client_for):
    response = change(client_for("coord@example.org"), PASSWORD, "short")
    assert response.status_code == 400 and "at least 10 characters" in response.text
    assert signs_in(world, PASSWORD)


def test_the_same_password_again_is_refused(world, client_for):
    response = change(client_for("coord@example.org"), PASSWORD, PASSWORD)
    assert response.status_code == 400 and "is the current one" in response.text


def test_a_change_needs_the_csrf_token(world, client_for):
    client = client_for("coord@example.org")
    data = {"current_password": PASSWORD, "new_password": NEW, "repeat_password": NEW}
    assert client.post("/account/password", data=data).status_code == 403
    assert signs_in(world, PASSWORD)


def test_an_api_token_cannot_change_the_password(world, api_for):
    data = {"current_password": PASSWORD, "new_password": NEW, "repeat_password": NEW}
    assert api_for("coord@example.org").post("/account/password", data=data).status_code == 403
    assert signs_in(world, PASSWORD)

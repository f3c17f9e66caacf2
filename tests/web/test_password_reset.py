"""Password reset by signed e-mailed link: the link works once, and ends every session."""

from fastapi.testclient import TestClient
from sqlalchemy import select

from robotrace.store import models
from robotrace.store.db import session_factory

from .conftest import PASSWORD, _csrf_of, sign_in

NEW_PASSWORD = "a brand new passphrase"


def request_reset(world, email: str):
    client = TestClient(world.app)
    csrf = _csrf_of(client.get("/password-reset").text)
    return client.post("/password-reset", data={"email": email, "csrf_token": csrf})


def queued_links(world) -> list[str]:
    with session_factory(world.app.state.engine)() as session:
        rows = session.scalars(
            select(models.Notification).where(models.Notification.kind == "password.reset")
        )
        return [row.payload["link"] for row in rows]


def test_the_form_says_the_same_whether_or_not_the_address_has_an_account(world):
    known = request_reset(world, "coord@example.org")
    unknown = request_reset(world, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    assert "If that address has an account" in known.text and "If that address" in unknown.text
    assert len(queued_links(world)) == 1


def test_the_e_mailed_link_sets_a_new_password_once_and_ends_every_session(world):
    signed_in = sign_in(TestClient(world.app), "coord@example.org")
    request_reset(world, "coord@example.org")
    [link] = queued_links(world)
    path = link.split("://", 1)[1].split("/", 1)[1]
    client = TestClient(world.app)
    csrf = _csrf_of(client.get(f"/{path}").text)
    done = client.post(f"/{path}", data={"password": NEW_PASSWORD, "csrf_token": csrf})
    assert done.status_code == 200 and "Password changed" in done.text
    assert signed_in.get("/account", follow_redirects=False).status_code == 303
    sign_in(TestClient(world.app), "coord@example.org", NEW_PASSWORD)
    again = client.get(f"/{path}")
    assert again.status_code == 400 and "invalid, used or expired" in again.text


def test_a_forged_link_is_refused(world):
    response = TestClient(world.app).get("/password-reset/not-a-signed-token")
    assert response.status_code == 400


def test_a_too_short_new_password_is_refused_and_the_old_one_still_works(world):
    request_reset(world, "coord@example.org")
    [link] = queued_links(world)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    client = TestClient(world.app)
    csrf = _csrf_of(client.get(path).text)
    refused = client.post(path, data={"password": "short", "csrf_token": csrf})
    assert refused.status_code == 400
    sign_in(TestClient(world.app), "coord@example.org", PASSWORD)

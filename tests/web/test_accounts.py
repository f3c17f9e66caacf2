from datetime import timedelta

from fastapi.testclient import TestClient

from .conftest import PASSWORD, _csrf_of, sign_in


def test_signing_in_with_the_right_password_starts_a_session(world):
    client = sign_in(TestClient(world.app), "coord@example.org")
    assert "coord@example.org" in client.get("/account").text


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(world):
    client = TestClient(world.app)
    csrf = _csrf_of(client.get("/login").text)
    for email in ("coord@example.org", "nobody@example.org"):
        response = client.post(
            "/login", data={"email": email, "password": "nope nope nope", "csrf_token": csrf}
        )
        assert response.status_code == 401
        assert "Wrong e-mail or password." in response.text


def test_sign_in_without_the_csrf_token_is_refused(world):
    client = TestClient(world.app)
    client.get("/login")
    response = client.post("/login", data={"email": "coord@example.org", "password": PASSWORD})
    assert response.status_code == 403


def test_repeated_failures_throttle_even_the_right_password(world):
    client = TestClient(world.app)
    csrf = _csrf_of(client.get("/login").text)
    for _ in range(5):
        client.post(
            "/login",
            data={"email": "coord@example.org", "password": "wrong wrong", "csrf_token": csrf},
        )
    response = client.post(
        "/login", data={"email": "coord@example.org", "password": PASSWORD, "csrf_token": csrf}
    )
    assert response.status_code == 429
    world.clock.advance(timedelta(minutes=16))
    response = client.post(
        "/login",
        data={"email": "coord@example.org", "password": PASSWORD, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_signing_out_revokes_the_session_on_the_server(world):
    client = sign_in(TestClient(world.app), "coord@example.org")
    cookie = client.cookies.get("robotrace_session")
    response = client.post("/logout", data={"csrf_token": client.csrf}, follow_redirects=False)
    assert response.status_code == 303
    replay = TestClient(world.app, cookies={"robotrace_session": cookie})
    assert replay.get("/account", follow_redirects=False).headers["location"] == "/login"


def test_a_form_post_without_the_sessions_csrf_token_is_refused(world):
    client = sign_in(TestClient(world.app), "coord@example.org")
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403


def test_an_api_token_is_shown_once_and_stored_only_as_its_prefix(world):
    client = sign_in(TestClient(world.app), "noc@aaaa.example")
    page = client.post(
        "/account/tokens", data={"name": "agent", "access": "write", "csrf_token": client.csrf}
    ).text
    token = page.split('id="new-token">')[1].split("<")[0]
    assert token.startswith("rt_rw_")
    listing = client.get("/account").text
    assert token not in listing and token[:12] in listing


def test_a_revoked_token_no_longer_authenticates(world, api_for):
    api = api_for("noc@aaaa.example")
    assert api.get("/account").status_code == 200
    client = sign_in(TestClient(world.app), "noc@aaaa.example")
    token_id = client.get("/account").text.split("/account/tokens/")[1].split("/")[0]
    confirmed = {"csrf_token": client.csrf, "confirm": "yes"}  # the confirmation page's button
    client.post(f"/account/tokens/{token_id}/revoke", data=confirmed)
    assert api.get("/account").status_code == 401

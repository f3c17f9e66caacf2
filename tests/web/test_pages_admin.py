"""User administration: admins list, create, deactivate and reactivate users."""

from fastapi.testclient import TestClient

from robotrace.accounts.users import user_by_email
from robotrace.store.db import transaction

from .conftest import sign_in

NEW_PASSWORD = "a long enough password"


def post(client, path: str, **fields: str):
    return client.post(path, data={"csrf_token": client.csrf, **fields}, follow_redirects=False)


def user_id_of(admin, email: str) -> str:
    row = admin.get("/admin/users").text.split(f"<td>{email}</td>")[1]
    return row.split("/admin/users/")[1].split("/")[0]


def test_an_admin_creates_a_provider_user_who_can_sign_in(world, client_for):
    admin = client_for("admin@example.org")
    response = post(
        admin,
        "/admin/users",
        email="Ops@CCCC.example",
        name="Charlie ops",
        role="provider",
        provider_key="cccc",
        password=NEW_PASSWORD,
    )
    assert response.status_code == 200 and "Created ops@cccc.example (provider)." in response.text
    assert "<td>CCCC</td>" in response.text
    ops = sign_in(TestClient(world.app), "ops@cccc.example", NEW_PASSWORD)
    assert ops.get("/inbox").status_code == 200


def test_bad_user_input_is_shown_and_nothing_is_created(world, client_for):
    admin = client_for("admin@example.org")
    for fields, message in [
        ({"role": "provider", "provider_key": ""}, "a provider user needs"),
        ({"role": "provider", "provider_key": "ZZZZ"}, "no provider &#39;ZZZZ&#39;"),
        ({"role": "coordinator", "provider_key": "AAAA"}, "only provider users belong"),
        ({"role": "coordinator", "password": "short"}, "at least 10 characters"),
        ({"role": "coordinator", "email": "coord@example.org"}, "exists already"),
        ({"role": "emperor"}, "not a valid UserRole"),
    ]:
        base = {"email": "new@example.org", "password": NEW_PASSWORD}
        response = post(admin, "/admin/users", **{**base, **fields})
        assert response.status_code == 400 and message in response.text, message
    assert "new@example.org</td>" not in admin.get("/admin/users").text


def test_deactivating_a_user_ends_its_sessions_and_reactivating_lets_it_in_again(world, client_for):
    admin, aaaa = client_for("admin@example.org"), client_for("noc@aaaa.example")
    assert aaaa.get("/inbox").status_code == 200
    user_id = user_id_of(admin, "noc@aaaa.example")
    assert post(admin, f"/admin/users/{user_id}/deactivate").status_code == 303
    assert aaaa.get("/inbox", follow_redirects=False).headers["location"] == "/login"
    assert "deactivated" in admin.get("/admin/users").text
    assert post(admin, f"/admin/users/{user_id}/reactivate").status_code == 303
    assert aaaa.get("/inbox", follow_redirects=False).status_code == 303  # still signed out
    assert sign_in(TestClient(world.app), "noc@aaaa.example").get("/inbox").status_code == 200


def test_an_admin_cannot_deactivate_itself(world, client_for, engine):
    with transaction(engine) as session:
        user = user_by_email(session, "admin@example.org")
        assert user is not None
        own_id = user.id
    admin = client_for("admin@example.org")
    assert f"/admin/users/{own_id}/deactivate" not in admin.get("/admin/users").text
    assert post(admin, f"/admin/users/{own_id}/deactivate").status_code == 409
    assert admin.get("/admin/users").status_code == 200


def test_only_admins_manage_users(world, client_for):
    for email in ("coord@example.org", "fcc@example.org", "noc@aaaa.example"):
        client = client_for(email)
        assert client.get("/admin/users").status_code == 403
        assert post(client, "/admin/users", email="x@example.org", role="admin").status_code == 403
    admin = client_for("admin@example.org")
    assert admin.post("/admin/users/1/deactivate").status_code == 403  # no CSRF token

"""User administration: admins list, create, deactivate and reactivate users."""

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from robotrace.accounts.users import user_by_email
from robotrace.store import models
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
        assert "--provider" not in response.text  # the command line's words, not the page's
    assert "new@example.org</td>" not in admin.get("/admin/users").text


def test_deactivating_a_user_ends_its_sessions_and_reactivating_lets_it_in_again(world, client_for):
    admin, aaaa = client_for("admin@example.org"), client_for("noc@aaaa.example")
    assert aaaa.get("/inbox").status_code == 200
    user_id = user_id_of(admin, "noc@aaaa.example")
    assert post(admin, f"/admin/users/{user_id}/deactivate", confirm="yes").status_code == 303
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
    assert admin.get(f"/admin/users/{own_id}/deactivate").status_code == 409
    assert post(admin, f"/admin/users/{own_id}/deactivate", confirm="yes").status_code == 409
    assert admin.get("/admin/users").status_code == 200


def test_only_admins_manage_users(world, client_for):
    for email in ("coord@example.org", "fcc@example.org", "noc@aaaa.example"):
        client = client_for(email)
        assert client.get("/admin/users").status_code == 403
        assert post(client, "/admin/users", email="x@example.org", role="admin").status_code == 403
    admin = client_for("admin@example.org")
    assert admin.post("/admin/users/1/deactivate").status_code == 403  # no CSRF token


def role_options(page: str) -> list[tuple[str, bool]]:
    select = page.split('<select name="role"', 1)[1].split("</select>", 1)[0]
    return [(v, bool(sel)) for v, sel in re.findall(r'<option value="(\w+)"( selected)?', select)]


def test_a_new_user_defaults_to_the_least_privileged_role(world, client_for):
    options = role_options(client_for("admin@example.org").get("/admin/users").text)
    assert [value for value, chosen in options if chosen] == ["provider"]
    assert [value for value, _ in options][-1] == "admin"


def test_a_refused_new_user_keeps_the_role_that_was_chosen(world, client_for):
    admin = client_for("admin@example.org")
    response = post(
        admin, "/admin/users", email="x@example.org", role="regulator", password="short"
    )
    assert [value for value, chosen in role_options(response.text) if chosen] == ["regulator"]


def test_deactivate_on_the_list_is_a_link_to_a_confirmation_not_the_main_button(world, client_for):
    admin = client_for("admin@example.org")
    user_id = user_id_of(admin, "noc@aaaa.example")
    row = admin.get("/admin/users").text.split("<td>noc@aaaa.example</td>")[1].split("</tr>")[0]
    (link,) = re.findall(r"<a [^>]*>Deactivate…</a>", row)
    assert f'href="/admin/users/{user_id}/deactivate"' in link and "button-danger" in link
    assert "<button" not in row  # no one-click form on the list


def test_deactivation_asks_first_and_changes_nothing_until_confirmed(world, client_for, engine):
    admin, aaaa = client_for("admin@example.org"), client_for("noc@aaaa.example")
    user_id = user_id_of(admin, "noc@aaaa.example")
    question = admin.get(f"/admin/users/{user_id}/deactivate")
    assert question.status_code == 200 and "Deactivate noc@aaaa.example?" in question.text
    form = question.text.split('class="buttons confirm-deactivation"', 1)[1].split("</form>")[0]
    assert 'name="confirm" value="yes"' in form and 'class="button-danger"' in form
    assert 'href="/admin/users"' in form  # a way back
    # A bare POST (the old one-click form, or a forged one) only asks again.
    asked_again = post(admin, f"/admin/users/{user_id}/deactivate")
    assert asked_again.status_code == 200 and "Deactivate noc@aaaa.example?" in asked_again.text
    assert aaaa.get("/inbox").status_code == 200
    with transaction(engine) as session:
        assert user_by_email(session, "noc@aaaa.example").active


def test_user_changes_are_audited(world, client_for, engine):
    admin = client_for("admin@example.org")
    post(admin, "/admin/users", email="new@example.org", role="regulator", password=NEW_PASSWORD)
    user_id = user_id_of(admin, "new@example.org")
    post(admin, f"/admin/users/{user_id}/deactivate", confirm="yes")
    post(admin, f"/admin/users/{user_id}/reactivate")
    with transaction(engine) as session:
        events = session.scalars(
            select(models.AuditEvent).where(models.AuditEvent.action.like("user.%"))
        ).all()
        said = [(e.action, e.actor, e.details["user"]) for e in events]
    actor = "admin:admin@example.org"
    assert said == [
        ("user.created", actor, "new@example.org"),
        ("user.deactivated", actor, "new@example.org"),
        ("user.reactivated", actor, "new@example.org"),
    ]

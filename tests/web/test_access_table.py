"""The access table: how sign-in, sessions, CSRF, API tokens, password resets and rate
limits hold, one sentence a test, each on SQLite and on PostgreSQL.

What a refused request did not do is read from the database: a snapshot of every row of
every table before and after it (:func:`snapshot`), or the rows in question. Each refusal has
its control beside it — the same request with the right credential gets through — so a 403
cannot come from a wrong role or a bad body instead of the check under test.

Which roles may use which route, and provider BBBB asking for provider AAAA's objects, are
``test_isolation_matrix.py``'s (its ``ROUTES`` table is this module's list of routes, too).
The consumer report form's rate limits are tested in ``tests/reports``
(``test_api.py::test_the_page_and_the_api_share_an_addresss_hourly_limit``,
``test_filing.py::test_an_address_may_send_the_hours_reports_and_then_hears_when_to_come_back``
and ``::test_an_address_may_send_the_days_reports``) and not repeated here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeSerializer
from sqlalchemy import Engine, inspect, select, text

from robotrace.accounts.keys import signing_key, token_hash
from robotrace.accounts.passwords import verify_password
from robotrace.accounts.resets import SALT, _fingerprint, reset_token
from robotrace.accounts.sessions import COOKIE
from robotrace.accounts.tokens import create_token
from robotrace.accounts.users import create_user, user_by_email
from robotrace.store import models
from robotrace.store.db import session_factory, transaction
from robotrace.web.pages.auth import LOGIN_CSRF_COOKIE

from .conftest import PASSWORD, _csrf_of, sign_in
from .test_isolation_matrix import (
    BACKENDS,
    BODIES,
    EMAIL,
    PUBLIC,
    ROUTES,
    SESSION_ONLY,
    Matrix,
    app_routes,
    built_matrix,
)

NEW_PASSWORD = "a brand new passphrase"
#: The anonymous forms, guarded by a double-submit cookie instead of a session's token.
ANONYMOUS_FORMS = {
    ("POST", "/login"),
    ("POST", "/password-reset"),
    ("POST", "/password-reset/{token}"),
    ("POST", "/report"),
}
#: Unsafe API routes that take no credential at all, and why no ambient cookie matters.
OPEN_API_WRITES = {
    ("POST", "/api/v1/reports"): "anonymous by design; JSON only (a cross-site form is 415)",
}


def unsafe(method: str) -> bool:
    return method not in ("GET", "HEAD", "OPTIONS")


UNSAFE_PAGES = sorted((m, p) for (m, p) in ROUTES if unsafe(m) and not p.startswith("/api/"))
SESSION_PAGES = [r for r in UNSAFE_PAGES if r not in ANONYMOUS_FORMS]
UNSAFE_API = sorted((m, p) for (m, p) in ROUTES if unsafe(m) and p.startswith("/api/"))
COOKIE_API = [r for r in UNSAFE_API if r not in OPEN_API_WRITES]
SIGNED_API = sorted(
    (m, p) for (m, p) in ROUTES if p.startswith("/api/") and ROUTES[(m, p)] != PUBLIC
)
SIGNED_WRITES = sorted((m, p) for (m, p) in ROUTES if unsafe(m) and ROUTES[(m, p)] != PUBLIC)


# ---------------------------------------------------------------------------------------------
# Builders


def snapshot(engine: Engine) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table, as sorted text: equal snapshots mean nothing was written."""
    rows: dict[str, list[tuple[str, ...]]] = {}
    with engine.connect() as connection:
        for name in sorted(inspect(connection).get_table_names()):
            result = connection.execute(text(f'SELECT * FROM "{name}"'))
            rows[name] = sorted(tuple(map(str, row)) for row in result)
    return rows


def count(engine: Engine, model: type, *where: object) -> int:
    with session_factory(engine)() as session:
        return len(session.scalars(select(model).where(*where)).all())


def user_row(engine: Engine, email: str) -> models.User:
    with session_factory(engine)() as session:
        user = user_by_email(session, email)
        assert user is not None
        session.expunge(user)
        return user


def role_for(method: str, template: str) -> str:
    """A role the route is meant for (not admin when another role will do)."""
    allowed = ROUTES[(method, template)]
    assert allowed != PUBLIC
    return next(r for r in ("coordinator", "regulator", "provider", "admin") if r in allowed)  # type: ignore[operator]


def send(client: TestClient, method: str, path: str, template: str, csrf: str | None):
    """The route's valid body; ``csrf`` (when given) as the form field and the header."""
    body = dict(BODIES.get((method, template), {}))
    headers = {} if csrf is None else {"X-CSRF-Token": csrf}
    if "data" in body and csrf is not None:
        body["data"] = {**body["data"], "csrf_token": csrf}  # type: ignore[dict-item]
    return client.request(method, path, headers=headers, follow_redirects=False, **body)  # type: ignore[arg-type]


def got_through(response, template: str) -> bool:
    """Past authentication, the CSRF check and the role check (signing out is the one
    route whose success sends the browser to /login)."""
    to_login = response.status_code == 303 and response.headers.get("location") == "/login"
    return response.status_code not in (401, 403) and (not to_login or template == "/logout")


def new_token(engine: Engine, email: str, write: bool, clock) -> tuple[str, int]:
    with transaction(engine) as session:
        user = user_by_email(session, email)
        assert user is not None
        token, row = create_token(session, user, "access table", write, clock)
        return token, row.id


def bearer(app, token: str) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture(scope="module", params=BACKENDS)
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Matrix]:
    """The isolation matrix's world (every role, every kind of object), one per backend."""
    yield from built_matrix(request, tmp_path_factory)


# ---------------------------------------------------------------------------------------------
# Session fixation and signing out


def plant(browser: TestClient, value: str) -> None:
    """Set the session cookie as an attacker would (same name, domain and path as the
    portal's own, so the portal's answer replaces it)."""
    browser.cookies.set(COOKIE, value, domain="testserver.local", path="/")


def submit_sign_in(browser: TestClient, email: str) -> None:
    """Sign in with the form fetched *before* the cookie was planted (a signed-in browser is
    sent away from /login)."""
    answer = browser.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": browser.login_csrf},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text


def fresh_browser(app) -> TestClient:
    browser = TestClient(app)
    browser.login_csrf = _csrf_of(browser.get("/login").text)  # type: ignore[attr-defined]
    return browser


def test_a_session_cookie_planted_before_sign_in_is_replaced_and_never_signed_in(world, engine):
    planted = "attacker-chosen-session-value-0123456789"
    victim = fresh_browser(world.app)
    plant(victim, planted)
    submit_sign_in(victim, "coord@example.org")
    after = victim.cookies.get(COOKIE)
    assert after and after != planted
    assert (
        count(engine, models.WebSession, models.WebSession.token_hash == token_hash(planted)) == 0
    )
    coord = user_row(engine, "coord@example.org")
    [row_user] = [
        s.user_id
        for s in _sessions(engine)
        if s.token_hash == token_hash(after) and s.revoked_at is None
    ]
    assert row_user == coord.id
    attacker = TestClient(world.app, cookies={COOKIE: planted})
    assert attacker.get("/account", follow_redirects=False).headers["location"] == "/login"
    assert attacker.get("/api/v1/me").status_code == 401


def test_an_attackers_own_session_planted_in_a_victims_browser_is_not_turned_into_the_victims(
    world, engine
):
    attacker = sign_in(TestClient(world.app), "noc@bbbb.example")
    planted = attacker.cookies.get(COOKIE)
    victim = fresh_browser(world.app)
    plant(victim, planted)
    submit_sign_in(victim, "coord@example.org")
    assert victim.cookies.get(COOKIE) != planted
    [row] = [s for s in _sessions(engine) if s.token_hash == token_hash(planted)]
    assert row.user_id == user_row(engine, "noc@bbbb.example").id  # never re-bound
    assert row.revoked_at is not None  # and ended: one browser, one session
    assert TestClient(world.app, cookies={COOKIE: planted}).get("/api/v1/me").status_code == 401
    assert victim.get("/api/v1/me").json()["email"] == "coord@example.org"


def test_signing_out_ends_the_session_on_the_server_and_its_cookie_cannot_be_replayed(
    world, engine
):
    client = sign_in(TestClient(world.app), "admin@example.org")
    cookie, csrf = client.cookies.get(COOKIE), client.csrf
    out = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303
    [row] = [s for s in _sessions(engine) if s.token_hash == token_hash(cookie)]
    assert row.revoked_at is not None
    replay = TestClient(world.app, cookies={COOKIE: cookie})
    assert replay.get("/account", follow_redirects=False).headers["location"] == "/login"
    assert replay.get("/api/v1/me").status_code == 401
    before = snapshot(engine)
    spare = user_row(engine, "noc@bbbb.example")
    written = replay.post(
        f"/admin/users/{spare.id}/deactivate",
        data={"csrf_token": csrf},
        headers={"X-CSRF-Token": csrf},
        follow_redirects=False,
    )
    assert written.headers["location"] == "/login"
    assert snapshot(engine) == before


def test_a_session_ends_by_itself_after_session_days(world, engine):
    client = sign_in(TestClient(world.app), "coord@example.org")
    world.clock.advance(timedelta(days=14) - timedelta(seconds=1))
    assert client.get("/api/v1/me").status_code == 200
    world.clock.advance(timedelta(seconds=1))
    assert client.get("/api/v1/me").status_code == 401


def _sessions(engine: Engine) -> list[models.WebSession]:
    with session_factory(engine)() as session:
        rows = list(session.scalars(select(models.WebSession)))
        session.expunge_all()
        return rows


# ---------------------------------------------------------------------------------------------
# CSRF


def test_the_csrf_table_lists_every_unsafe_route_of_the_app(shared: Matrix):
    found = {(m, p) for (m, p) in app_routes(shared.app) if unsafe(m)}
    pages = {r for r in found if not r[1].startswith("/api/")}
    api = {r for r in found if r[1].startswith("/api/")}
    assert pages == set(SESSION_PAGES) | ANONYMOUS_FORMS, "a new unsafe page route: add it here"
    assert api == set(COOKIE_API) | set(OPEN_API_WRITES), "a new unsafe API route: add it here"
    assert len(SESSION_PAGES) >= 20 and len(COOKIE_API) >= 10  # the table is not empty


@pytest.mark.parametrize(("method", "template"), SESSION_PAGES)
def test_a_page_write_without_the_sessions_csrf_token_is_refused_and_changes_nothing(
    shared: Matrix, method, template
):
    role = role_for(method, template)
    client = sign_in(TestClient(shared.app), EMAIL[role])
    other = sign_in(TestClient(shared.app), EMAIL["admin" if role != "admin" else "coordinator"])
    path = shared.path(template, role=role)
    before = snapshot(shared.engine)
    assert send(client, method, path, template, None).status_code == 403
    assert send(client, method, path, template, other.csrf).status_code == 403
    assert send(client, method, path, template, "").status_code == 403
    assert snapshot(shared.engine) == before
    assert got_through(send(client, method, path, template, client.csrf), template)


@pytest.mark.parametrize(("method", "template"), sorted(ANONYMOUS_FORMS))
def test_an_anonymous_form_without_its_own_csrf_cookie_token_is_refused_and_changes_nothing(
    shared: Matrix, method, template
):
    form, path = _anonymous_form(shared, template)
    browser, other = TestClient(shared.app), TestClient(shared.app)
    own = _csrf_of(browser.get(_form_page(path)).text)
    theirs = _csrf_of(other.get(_form_page(path)).text)
    assert own != theirs
    before = snapshot(shared.engine)
    for token in (None, theirs, ""):
        data = form if token is None else {**form, "csrf_token": token}
        answer = browser.post(path, data=data, follow_redirects=False)
        assert answer.status_code == 403, (token, answer.text)
    no_cookie = TestClient(shared.app).post(path, data={**form, "csrf_token": own})
    assert no_cookie.status_code == 403
    assert snapshot(shared.engine) == before
    assert browser.cookies.get(LOGIN_CSRF_COOKIE) == own
    control = browser.post(path, data={**form, "csrf_token": own}, follow_redirects=False)
    assert control.status_code != 403
    assert snapshot(shared.engine) != before  # the control did write: the refusals could have


def _form_page(path: str) -> str:
    return "/password-reset" if path.startswith("/password-reset/") else path


def _anonymous_form(shared: Matrix, template: str) -> tuple[dict[str, str], str]:
    """A valid form for each anonymous route, and its path."""
    if template == "/login":
        return {"email": "coord@example.org", "password": PASSWORD}, "/login"
    if template == "/password-reset":
        return {"email": "coord@example.org"}, "/password-reset"
    if template == "/report":
        return {
            "calling_number": "(202) 555-0143",
            "call_date": "2020-04-30",
            "call_time": "14:15",
            "time_zone": "America/New_York",
            "called_number": "312-555-0199",
            "recorded_message": "yes",
            "subject": "Imposters",
            "transcript": "Your social security number has been suspended.",
            "website": "",
        }, "/report"
    with transaction(shared.engine) as session:
        user = create_user(session, "csrf-reset@example.org", "coordinator", PASSWORD)
        token = reset_token(user, shared.clock, shared.app.state.settings.secret_key)
    return {"password": NEW_PASSWORD}, f"/password-reset/{token}"


@pytest.mark.parametrize(("method", "template"), COOKIE_API)
def test_the_session_cookie_alone_does_not_authorize_an_api_write(shared: Matrix, method, template):
    role = role_for(method, template)
    client = sign_in(TestClient(shared.app), EMAIL[role])
    other = sign_in(TestClient(shared.app), EMAIL["admin" if role != "admin" else "coordinator"])
    path = shared.path(template, role=role)
    before = snapshot(shared.engine)
    assert send(client, method, path, template, None).status_code == 403
    assert send(client, method, path, template, other.csrf).status_code == 403
    assert snapshot(shared.engine) == before
    assert got_through(send(client, method, path, template, client.csrf), template)


def test_an_api_write_without_any_credential_is_refused_with_401(shared: Matrix):
    for method, template in COOKIE_API:
        answer = send(TestClient(shared.app), method, shared.path(template), template, None)
        assert answer.status_code == 401, template


# ---------------------------------------------------------------------------------------------
# API tokens


@pytest.mark.parametrize(("method", "template"), SIGNED_API)
def test_a_revoked_api_token_fails_on_the_route_at_once(shared: Matrix, method, template):
    role = role_for(method, template)
    token, token_id = new_token(shared.engine, EMAIL[role], True, shared.clock)
    assert bearer(shared.app, token).get("/api/v1/me").status_code == 200
    owner = sign_in(TestClient(shared.app), EMAIL[role])
    revoked = owner.post(
        f"/account/tokens/{token_id}/revoke",
        data={"csrf_token": owner.csrf, "confirm": "yes"},
        follow_redirects=False,
    )
    assert revoked.status_code == 303
    assert count(shared.engine, models.ApiToken, models.ApiToken.id == token_id,
                 models.ApiToken.revoked_at.is_not(None)) == 1  # fmt: skip
    before = snapshot(shared.engine)
    answer = send(
        bearer(shared.app, token), method, shared.path(template, role=role), template, None
    )
    assert answer.status_code == 401
    assert snapshot(shared.engine) == before


def test_the_revoke_table_covers_every_api_route_family(shared: Matrix):
    families = {p.split("/")[3].split(".")[0] for (m, p) in SIGNED_API}
    every = {
        p.split("/")[3].split(".")[0]
        for (m, p) in app_routes(shared.app)
        if p.startswith("/api/v1/") and ROUTES.get((m, p)) != PUBLIC
    }
    assert families == every
    assert {"me", "hop-requests", "signer-requests", "tracebacks", "providers", "letters"} <= every


@pytest.mark.parametrize(("method", "template"), SIGNED_WRITES)
def test_a_read_only_token_cannot_write(shared: Matrix, method, template):
    role = role_for(method, template)
    path = shared.path(template, role=role)
    read_only, _ = new_token(shared.engine, EMAIL[role], False, shared.clock)
    assert read_only.startswith("rt_ro_")
    before = snapshot(shared.engine)
    answer = send(bearer(shared.app, read_only), method, path, template, None)
    assert answer.status_code == 403 and "read-only" in answer.text
    assert snapshot(shared.engine) == before
    if (method, template) in SESSION_ONLY:
        return  # a read-write token is refused too (the test below)
    read_write, _ = new_token(shared.engine, EMAIL[role], True, shared.clock)
    assert got_through(send(bearer(shared.app, read_write), method, path, template, None), template)


def test_an_api_token_can_neither_make_nor_revoke_tokens(world, engine):
    token, token_id = new_token(engine, "noc@aaaa.example", True, world.clock)
    _, other_id = new_token(engine, "noc@aaaa.example", True, world.clock)
    api = bearer(world.app, token)
    before = snapshot(engine)
    made = api.post("/account/tokens", data={"name": "minted", "access": "write"})
    assert made.status_code == 403 and "sign in" in made.text
    for target in (token_id, other_id):
        revoked = api.post(f"/account/tokens/{target}/revoke", follow_redirects=False)
        assert revoked.status_code == 403
    assert snapshot(engine) == before
    assert api.get("/api/v1/me").status_code == 200
    browser = sign_in(TestClient(world.app), "noc@aaaa.example")
    made = browser.post("/account/tokens", data={"name": "by a person", "csrf_token": browser.csrf})
    assert made.status_code == 200 and 'id="new-token"' in made.text


def test_the_sign_in_cookies_are_sent_over_https_only_when_the_portal_is_on_https(
    world, monkeypatch
):
    def set_cookies() -> list[str]:
        browser = TestClient(world.app, base_url="https://testserver")
        form = browser.get("/login")
        answer = browser.post(
            "/login",
            data={"email": "coord@example.org", "password": PASSWORD,
                  "csrf_token": _csrf_of(form.text)},
            follow_redirects=False,
        )  # fmt: skip
        assert answer.status_code == 303
        return form.headers.get_list("set-cookie") + answer.headers.get_list("set-cookie")

    plain = set_cookies()
    assert plain and not any("secure" in c.lower() for c in plain)
    https = replace(world.app.state.settings, base_url="https://traceback.example.org")
    monkeypatch.setattr(world.app.state, "settings", https)
    secure = set_cookies()
    assert {c.split("=")[0] for c in secure} == {LOGIN_CSRF_COOKIE, COOKIE}
    assert all("secure" in c.lower() for c in secure)
    report_form = TestClient(world.app, base_url="https://testserver").get("/report")
    assert "secure" in report_form.headers["set-cookie"].lower()


def test_a_deactivated_users_sessions_and_tokens_stop_at_once_and_stay_stopped(world, engine):
    token, _ = new_token(engine, "noc@aaaa.example", True, world.clock)
    browser = sign_in(TestClient(world.app), "noc@aaaa.example")
    api = bearer(world.app, token)
    hop_id = _first_hop(engine)
    assert api.get(f"/api/v1/hop-requests/{hop_id}").status_code == 200
    admin = sign_in(TestClient(world.app), "admin@example.org")
    aaaa = user_row(engine, "noc@aaaa.example")
    done = admin.post(
        f"/admin/users/{aaaa.id}/deactivate",
        data={"csrf_token": admin.csrf, "confirm": "yes"},  # the confirmation page's button
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert not user_row(engine, "noc@aaaa.example").active
    assert all(s.revoked_at is not None for s in _sessions(engine) if s.user_id == aaaa.id)
    before = snapshot(engine)
    for path in ("/api/v1/me", "/api/v1/hop-requests", f"/api/v1/hop-requests/{hop_id}"):
        assert api.get(path).status_code == 401
        assert browser.get(path).status_code == 401
    answer = {"answer": "not_found", "note": "no such call"}
    assert api.post(f"/api/v1/hop-requests/{hop_id}/answer", json=answer).status_code == 401
    assert browser.get("/inbox", follow_redirects=False).headers["location"] == "/login"
    assert snapshot(engine) == before
    admin.post(f"/admin/users/{aaaa.id}/reactivate", data={"csrf_token": admin.csrf})
    assert user_row(engine, "noc@aaaa.example").active
    assert browser.get("/api/v1/me").status_code == 401  # its old sessions stay ended
    assert api.get("/api/v1/me").status_code == 401  # and its old tokens stay revoked
    sign_in(TestClient(world.app), "noc@aaaa.example")  # it signs in again


def test_an_inactive_users_live_session_and_token_are_refused_however_it_was_deactivated(
    world, engine
):
    token, _ = new_token(engine, "coord@example.org", True, world.clock)
    browser = sign_in(TestClient(world.app), "coord@example.org")
    with transaction(engine) as session:
        user = user_by_email(session, "coord@example.org")
        assert user is not None
        user.active = False  # not through the admin page: its sessions were not ended
    assert all(s.revoked_at is None for s in _sessions(engine))
    assert browser.get("/api/v1/me").status_code == 401
    assert bearer(world.app, token).get("/api/v1/me").status_code == 401
    assert _try_sign_in(world.app, "coord@example.org", PASSWORD).status_code == 401


def _first_hop(engine: Engine) -> int:
    with session_factory(engine)() as session:
        hop_id = session.scalar(select(models.Hop.id).order_by(models.Hop.id))
        assert hop_id is not None
        return hop_id


# ---------------------------------------------------------------------------------------------
# Password reset


def _request_reset(app, email: str, address: str = "203.0.113.5"):
    """Ask for a reset link; the clock moves a second first, so that each link differs
    (the outbox keeps one e-mail per link)."""
    app.state.clock.advance(timedelta(seconds=1))
    client = TestClient(app, client=(address, 50000))
    csrf = _csrf_of(client.get("/password-reset").text)
    return client.post("/password-reset", data={"email": email, "csrf_token": csrf})


def _reset_paths(engine: Engine) -> list[str]:
    with session_factory(engine)() as session:
        rows = session.scalars(
            select(models.Notification)
            .where(models.Notification.kind == "password.reset")
            .order_by(models.Notification.id)
        )
        return ["/" + row.payload["link"].split("://", 1)[1].split("/", 1)[1] for row in rows]


def _use_link(app, path: str, password: str = NEW_PASSWORD):
    client = TestClient(app)
    csrf = _csrf_of(client.get("/password-reset").text)  # the form's cookie, even for dead links
    return client.post(path, data={"password": password, "csrf_token": csrf})


def test_a_reset_link_works_once(world, engine):
    _request_reset(world.app, "coord@example.org")
    [path] = _reset_paths(engine)
    assert _use_link(world.app, path).status_code == 200
    changed = user_row(engine, "coord@example.org").password_hash
    assert verify_password(changed, NEW_PASSWORD)
    again = _use_link(world.app, path, "yet another passphrase")
    assert again.status_code == 400 and "invalid, used or expired" in again.text
    assert user_row(engine, "coord@example.org").password_hash == changed
    assert TestClient(world.app).get(path).status_code == 400


def test_an_expired_reset_link_fails(world, engine):
    _request_reset(world.app, "coord@example.org")
    [path] = _reset_paths(engine)
    before = user_row(engine, "coord@example.org").password_hash
    world.clock.advance(timedelta(hours=24))
    assert TestClient(world.app).get(path).status_code == 200  # a day old: still good
    world.clock.advance(timedelta(seconds=1))
    assert TestClient(world.app).get(path).status_code == 400
    assert _use_link(world.app, path).status_code == 400
    assert user_row(engine, "coord@example.org").password_hash == before


def test_a_newer_reset_link_used_kills_the_older_one(world, engine):
    _request_reset(world.app, "coord@example.org")
    _request_reset(world.app, "coord@example.org")
    older, newer = _reset_paths(engine)
    assert _use_link(world.app, newer).status_code == 200
    changed = user_row(engine, "coord@example.org").password_hash
    assert _use_link(world.app, older, "yet another passphrase").status_code == 400
    assert user_row(engine, "coord@example.org").password_hash == changed


def test_a_newer_reset_link_issued_kills_the_older_one_before_either_is_used(world, engine):
    # issue 24: the older link worked until some link was used
    _request_reset(world.app, "coord@example.org")
    _request_reset(world.app, "coord@example.org")
    older, newer = _reset_paths(engine)
    before = user_row(engine, "coord@example.org").password_hash
    assert TestClient(world.app).get(older).status_code == 400
    assert _use_link(world.app, older).status_code == 400
    assert user_row(engine, "coord@example.org").password_hash == before
    assert _use_link(world.app, newer).status_code == 200


def test_another_users_reset_request_leaves_a_link_working(world, engine):
    _request_reset(world.app, "coord@example.org")
    _request_reset(world.app, "fcc@example.org")
    coord_link, fcc_link = _reset_paths(engine)
    assert _use_link(world.app, coord_link).status_code == 200
    assert _use_link(world.app, fcc_link).status_code == 200


def test_a_reset_revokes_that_users_api_tokens_and_no_one_elses(world, engine):
    # issue 24: a reset ended the sessions but a stolen API token kept working
    with transaction(engine) as session:
        coord, fcc = (user_by_email(session, e) for e in ("coord@example.org", "fcc@example.org"))
        coord_token, _ = create_token(session, coord, "agent", True, world.clock)
        fcc_token, _ = create_token(session, fcc, "agent", True, world.clock)
    bearer = {"Authorization": f"Bearer {coord_token}"}
    assert TestClient(world.app).get("/api/v1/me", headers=bearer).status_code == 200
    _request_reset(world.app, "coord@example.org")
    [path] = _reset_paths(engine)
    assert _use_link(world.app, path).status_code == 200
    assert TestClient(world.app).get("/api/v1/me", headers=bearer).status_code == 401
    other = {"Authorization": f"Bearer {fcc_token}"}
    assert TestClient(world.app).get("/api/v1/me", headers=other).status_code == 200


def test_a_reset_ends_every_session_of_that_user_and_no_one_elses(world, engine):
    first = sign_in(TestClient(world.app), "coord@example.org")
    second = sign_in(TestClient(world.app), "coord@example.org")
    bystander = sign_in(TestClient(world.app), "fcc@example.org")
    _request_reset(world.app, "coord@example.org")
    [path] = _reset_paths(engine)
    assert _use_link(world.app, path).status_code == 200
    coord, fcc = user_row(engine, "coord@example.org"), user_row(engine, "fcc@example.org")
    sessions = _sessions(engine)
    assert [s.revoked_at is not None for s in sessions if s.user_id == coord.id] == [True, True]
    assert all(s.revoked_at is None for s in sessions if s.user_id == fcc.id)
    assert first.get("/api/v1/me").status_code == 401
    assert second.get("/api/v1/me").status_code == 401
    assert bystander.get("/api/v1/me").status_code == 200


def test_a_reset_link_for_one_user_cannot_reset_another(world, engine):
    _request_reset(world.app, "coord@example.org")
    [path] = _reset_paths(engine)
    coord, fcc = user_row(engine, "coord@example.org"), user_row(engine, "fcc@example.org")
    serializer = URLSafeSerializer(signing_key(world.app.state.settings.secret_key), salt=SALT)
    data = serializer.loads(path.rsplit("/", 1)[1])
    assert data["user"] == coord.id
    # the user id swapped in a properly signed link: the fingerprint is the other user's
    swapped = serializer.dumps({**data, "user": fcc.id})
    assert _use_link(world.app, f"/password-reset/{swapped}").status_code == 400
    # the payload edited without the key: the signature no longer matches
    forged_data = {**data, "user": fcc.id, "fp": _fingerprint(fcc)}
    forged = URLSafeSerializer("not the key", salt=SALT).dumps(forged_data)
    assert _use_link(world.app, f"/password-reset/{forged}").status_code == 400
    assert user_row(engine, "fcc@example.org").password_hash == fcc.password_hash
    assert _use_link(world.app, path).status_code == 200  # it resets its own user only
    assert user_row(engine, "fcc@example.org").password_hash == fcc.password_hash
    assert user_row(engine, "coord@example.org").password_hash != coord.password_hash


def test_a_deactivated_users_reset_link_fails(world, engine):
    _request_reset(world.app, "coord@example.org")
    [path] = _reset_paths(engine)
    with transaction(engine) as session:
        user = user_by_email(session, "coord@example.org")
        assert user is not None
        user.active = False
        before = user.password_hash
    assert _use_link(world.app, path).status_code == 400
    assert user_row(engine, "coord@example.org").password_hash == before


# ---------------------------------------------------------------------------------------------
# Rate limits


def _try_sign_in(app, email: str, password: str, address: str = "203.0.113.5"):
    client = TestClient(app, client=(address, 50000))
    csrf = _csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf},
        follow_redirects=False,
    )


def _without_tokens(html: str) -> str:
    return re.sub(r'(csrf_token" value="|X-CSRF-Token": ")[^"]+', r"\1", html)


def _live_sessions(engine: Engine, email: str) -> int:
    user = user_row(engine, email)
    return count(engine, models.WebSession, models.WebSession.user_id == user.id)


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(world, engine):
    for _ in range(5):
        assert _try_sign_in(world.app, "coord@example.org", "wrong wrong").status_code == 401
    locked = _try_sign_in(world.app, "coord@example.org", PASSWORD, "198.51.100.9")
    assert locked.status_code == 429
    assert "Too many failed sign-ins; wait 15 minutes." in locked.text
    assert _live_sessions(engine, "coord@example.org") == 0
    world.clock.advance(timedelta(minutes=15))
    assert _try_sign_in(world.app, "coord@example.org", PASSWORD).status_code == 303
    assert _live_sessions(engine, "coord@example.org") == 1


def test_five_wrong_passwords_from_one_address_lock_that_address_for_every_account(world, engine):
    for n in range(5):
        wrong = _try_sign_in(world.app, f"guess{n}@example.org", "wrong wrong")
        assert wrong.status_code == 401
    locked = _try_sign_in(world.app, "fcc@example.org", PASSWORD)
    assert locked.status_code == 429 and "Too many failed sign-ins" in locked.text
    assert _live_sessions(engine, "fcc@example.org") == 0
    elsewhere = _try_sign_in(world.app, "fcc@example.org", PASSWORD, "198.51.100.9")
    assert elsewhere.status_code == 303


def test_four_wrong_passwords_do_not_lock_anyone_out(world, engine):
    for _ in range(4):
        _try_sign_in(world.app, "coord@example.org", "wrong wrong")
    assert _try_sign_in(world.app, "coord@example.org", PASSWORD).status_code == 303


def test_an_overlong_e_mail_address_is_throttled_like_any_other(world, engine):
    email = "x" * 300 + "@example.org"
    for _ in range(5):
        assert _try_sign_in(world.app, email, "wrong wrong").status_code == 401
    assert _try_sign_in(world.app, email, "wrong wrong", "198.51.100.9").status_code == 429


def test_reset_requests_are_limited_per_address_and_send_nothing_more(world, engine):
    for _ in range(3):
        assert _request_reset(world.app, "coord@example.org").status_code == 200
    refused = _request_reset(world.app, "coord@example.org", "198.51.100.9")
    assert refused.status_code == 429 and "Too many reset requests" in refused.text
    assert len(_reset_paths(engine)) == 3
    world.clock.advance(timedelta(minutes=15))
    assert _request_reset(world.app, "coord@example.org").status_code == 200
    assert len(_reset_paths(engine)) == 4


def test_reset_requests_are_limited_per_client_and_say_the_same_for_unknown_addresses(
    world, engine
):
    for n in range(3):
        assert _request_reset(world.app, f"nobody{n}@example.org").status_code == 200
    refused = _request_reset(world.app, "coord@example.org")
    unknown = _request_reset(world.app, "nobody9@example.org")
    assert refused.status_code == unknown.status_code == 429
    assert _without_tokens(refused.text) == _without_tokens(unknown.text)
    assert _reset_paths(engine) == []
    assert _request_reset(world.app, "coord@example.org", "198.51.100.9").status_code == 200
    assert len(_reset_paths(engine)) == 1

"""``robotrace tokens`` and ``robotrace users create`` from the command line, against a real
store; what they make is checked through the real API app."""

from __future__ import annotations

import json

from click.testing import CliRunner, Result
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from robotrace.cli import main
from robotrace.providers.registry import Provider
from robotrace.providers.store import upsert_providers
from robotrace.store import models
from robotrace.store.db import transaction
from tests.web.conftest import PASSWORD

ALPHA, BRAVO = "noc@aaaa.example", "noc@bbbb.example"


def run(engine, *args: str) -> Result:
    url = engine.url.render_as_string(hide_password=False)
    return CliRunner().invoke(main, [*args, "--database-url", url])


def create(engine, email: str, *options: str) -> str:
    result = run(engine, "tokens", "create", "--email", email, *options)
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def api(world, token: str) -> TestClient:
    return TestClient(world.app, headers={"Authorization": f"Bearer {token}"})


def answer_first_hop(client: TestClient) -> int:
    [request] = client.get("/api/v1/hop-requests").json()
    url = f"/api/v1/hop-requests/{request['id']}/answer"
    return client.post(url, json={"answer": "upstream", "upstream": "BBBB"}).status_code


def live_tokens(engine) -> int:
    with transaction(engine) as session:
        query = select(func.count()).select_from(models.ApiToken)
        return session.scalar(query.where(models.ApiToken.revoked_at.is_(None))) or 0


def test_a_printed_token_acts_as_its_user_and_may_write(world, engine):
    token = create(engine, ALPHA, "--name", "agent")
    assert token.startswith("rt_rw_")
    me = api(world, token).get("/api/v1/me").json()
    assert (me["email"], me["provider_key"], me["via"], me["can_write"]) == (
        ALPHA,
        "AAAA",
        "token",
        True,
    )
    assert answer_first_hop(api(world, token)) == 200


def test_a_read_only_token_reads_but_cannot_write(world, engine):
    token = create(engine, ALPHA, "--read-only")
    assert token.startswith("rt_ro_")
    client = api(world, token)
    assert client.get("/api/v1/hop-requests").status_code == 200
    assert answer_first_hop(client) == 403
    with transaction(engine) as session:  # the hop is still open
        hop = session.scalars(select(models.Hop)).first()
        assert hop is not None and hop.answer is None


def test_json_gives_the_token_once_with_its_row(world, engine):
    result = run(engine, "tokens", "create", "--email", ALPHA, "--json")
    created = json.loads(result.stdout)
    assert created["token"].startswith(created["prefix"]) and created["access"] == "read-write"
    assert api(world, created["token"]).get("/api/v1/me").status_code == 200


def test_revoking_a_token_by_id_stops_it_at_once(world, engine):
    token = create(engine, ALPHA)
    other = create(engine, ALPHA)
    [listed] = [t for t in _listed(engine, ALPHA) if token.startswith(t["prefix"])]
    result = run(engine, "tokens", "revoke", str(listed["id"]))
    assert result.exit_code == 0 and f"revoked token {listed['id']}" in result.stdout
    assert api(world, token).get("/api/v1/me").status_code == 401
    assert api(world, other).get("/api/v1/me").status_code == 200


def test_revoking_by_email_stops_all_of_that_users_tokens_and_no_one_elses(world, engine):
    alphas = [create(engine, ALPHA), create(engine, ALPHA, "--read-only")]
    bravo = create(engine, BRAVO)
    assert run(engine, "tokens", "revoke", "--email", ALPHA).exit_code == 0
    assert [api(world, t).get("/api/v1/me").status_code for t in alphas] == [401, 401]
    assert api(world, bravo).get("/api/v1/me").status_code == 200


def test_an_id_of_another_user_with_email_revokes_nothing(world, engine):
    alpha, bravo = create(engine, ALPHA), create(engine, BRAVO)
    ids = [str(t["id"]) for t in _listed(engine, ALPHA) + _listed(engine, BRAVO)]
    result = run(engine, "tokens", "revoke", *ids, "--email", ALPHA)
    assert result.exit_code == 1
    assert f"no API token of {ALPHA} with id {ids[1]}; nothing revoked" in result.stderr
    assert api(world, alpha).get("/api/v1/me").status_code == 200
    assert api(world, bravo).get("/api/v1/me").status_code == 200


def test_an_unknown_id_revokes_nothing(world, engine):
    token = create(engine, ALPHA)
    [listed] = _listed(engine, ALPHA)
    result = run(engine, "tokens", "revoke", str(listed["id"]), "999999")
    assert result.exit_code == 1 and "with id 999999; nothing revoked" in result.stderr
    assert api(world, token).get("/api/v1/me").status_code == 200


def test_revoke_without_ids_or_email_is_a_usage_error(world, engine):
    result = run(engine, "tokens", "revoke")
    assert result.exit_code == 2 and "--email" in result.stderr


def test_an_unknown_email_fails_and_makes_no_token(world, engine):
    before = live_tokens(engine)
    result = run(engine, "tokens", "create", "--email", "nobody@example.org")
    assert result.exit_code == 1
    assert "no user with e-mail 'nobody@example.org'" in result.stderr
    assert result.stdout == "" and live_tokens(engine) == before
    listed = run(engine, "tokens", "list", "--email", "nobody@example.org")
    assert listed.exit_code == 1 and "no user with e-mail" in listed.stderr


def test_a_deactivated_user_gets_no_token(world, engine):
    with transaction(engine) as session:
        user = session.scalar(select(models.User).where(models.User.email == ALPHA))
        assert user is not None
        user.active = False
    result = run(engine, "tokens", "create", "--email", ALPHA)
    assert result.exit_code == 1 and "deactivated" in result.stderr
    assert live_tokens(engine) == 0


def test_the_list_shows_prefixes_and_states_but_never_a_secret(world, engine):
    token = create(engine, ALPHA, "--name", "agent")
    create(engine, ALPHA, "--read-only", "--name", "dashboard")
    run(engine, "tokens", "revoke", str(_listed(engine, ALPHA)[-1]["id"]))  # the older one
    text = run(engine, "tokens", "list", "--email", ALPHA)
    listed = _listed(engine, ALPHA)
    assert token not in text.output and token not in json.dumps(listed)
    assert token[len(listed[1]["prefix"]) :] not in text.output
    assert [(t["name"], t["access"]) for t in listed] == [
        ("dashboard", "read-only"),
        ("agent", "read-write"),
    ]
    assert listed[0]["revoked_at"] is None and listed[1]["revoked_at"] is not None
    assert "token_hash" not in listed[0]
    assert text.output.count("…") == 2 and "revoked" in text.output


def test_users_create_takes_the_provider_by_rmd_number_or_frn(world, engine):
    without_ocn = Provider(
        "RMD0000999", "Zulu Voice", rmd_numbers=("RMD0000999",), frns=("0009876543",)
    )
    with transaction(engine) as session:
        upsert_providers(session, [without_ocn], world.clock)
    for email, named in (("a@zulu.example", "RMD0000999"), ("b@zulu.example", "0009876543")):
        result = run(
            engine, "users", "create", "--email", email, "--role", "provider",
            "--provider", named, "--password", PASSWORD,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        token = create(engine, email)
        assert api(world, token).get("/api/v1/me").json()["provider_key"] == "RMD0000999"


def test_users_create_names_an_unknown_provider(world, engine):
    result = run(
        engine, "users", "create", "--email", "c@zulu.example", "--role", "provider",
        "--provider", "RMD0000404", "--password", PASSWORD,
    )  # fmt: skip
    assert result.exit_code == 1 and "no provider 'RMD0000404'" in result.stderr


def _listed(engine, email: str) -> list[dict]:
    result = run(engine, "tokens", "list", "--email", email, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)

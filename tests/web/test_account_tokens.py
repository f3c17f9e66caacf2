"""Revoking an API token on /account asks first (issue 22's "one click, no confirmation",
for the token a provider agent runs on)."""

import re


def token_id_of(client) -> str:
    return re.search(r"/account/tokens/(\d+)/revoke", client.get("/account").text).group(1)


def test_revoke_on_the_account_page_is_a_link_to_a_confirmation(world, client_for, api_for):
    api_for("noc@aaaa.example")
    client = client_for("noc@aaaa.example")
    page = client.get("/account").text
    table = page.split("<h2>API tokens</h2>", 1)[1].split("</table>", 1)[0]
    (link,) = re.findall(r"<a [^>]*>Revoke…</a>", table)
    assert "button-danger" in link and "<button" not in table  # no one-click form


def test_a_token_is_revoked_only_once_confirmed(world, client_for, api_for):
    api = api_for("noc@aaaa.example")
    client = client_for("noc@aaaa.example")
    token_id = token_id_of(client)
    question = client.get(f"/account/tokens/{token_id}/revoke")
    assert question.status_code == 200 and "Revoke the API token" in question.text
    assert 'name="confirm" value="yes"' in question.text and 'href="/account"' in question.text
    bare = client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": client.csrf})
    assert bare.status_code == 200 and "Revoke the API token" in bare.text
    assert api.get("/api/v1/me").status_code == 200  # still works
    done = client.post(
        f"/account/tokens/{token_id}/revoke",
        data={"csrf_token": client.csrf, "confirm": "yes"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and api.get("/api/v1/me").status_code == 401


def test_another_users_token_is_not_found_like_a_missing_one(world, client_for, api_for):
    api_for("noc@aaaa.example")
    token_id = token_id_of(client_for("noc@aaaa.example"))
    other = client_for("noc@bbbb.example")
    theirs, missing = (other.get(f"/account/tokens/{i}/revoke") for i in (token_id, 999999))
    assert theirs.status_code == missing.status_code == 404 and theirs.text == missing.text

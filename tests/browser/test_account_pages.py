"""Accounts in Debian's chromium against `robotrace serve`: a user changes its password on
/account and another browser of it is signed out; an admin's "New user" form starts at the
least-privileged role, and "Deactivate" — a danger button, not the main one — asks first
and works without JavaScript (desktop and phone, 390 px)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.browser.conftest import screenshot, seed_portal, served, signed_in
from tests.browser.test_provider_registry import DESKTOP, PHONE, sideways_overflow
from tests.web.conftest import PASSWORD

NEW = "a much longer passphrase"


@pytest.fixture(scope="module")
def accounts_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served(tmp_path_factory.mktemp("accounts"), seed_portal) as base:
        yield base


def test_a_user_changes_its_password_and_its_other_browser_is_signed_out(browser, accounts_portal):
    here = signed_in(browser, accounts_portal, "fcc@example.org", PHONE)
    elsewhere = signed_in(browser, accounts_portal, "fcc@example.org", DESKTOP)
    here.goto(f"{accounts_portal}/account")
    here.fill("input[name=current_password]", PASSWORD)
    here.fill("input[name=new_password]", NEW)
    here.fill("input[name=repeat_password]", NEW + "!")
    here.click("form.password-form button[type=submit]")
    here.wait_for_load_state()
    assert "its repetition differ" in here.inner_text("#password-error")
    screenshot(here, "account-1-password-refused-390")

    here.fill("input[name=current_password]", PASSWORD)
    here.fill("input[name=new_password]", NEW)
    here.fill("input[name=repeat_password]", NEW)
    here.click("form.password-form button[type=submit]")
    here.wait_for_load_state()
    assert "Password changed. 1 other session(s) were signed out." in here.inner_text(
        "#password-message"
    )
    assert sideways_overflow(here) == 0
    screenshot(here, "account-2-password-changed-390")
    elsewhere.goto(f"{accounts_portal}/account")
    assert elsewhere.url.endswith("/login")
    signed_in(browser, accounts_portal, "fcc@example.org", DESKTOP, password=NEW)


def background(page, selector: str) -> str:
    return page.eval_on_selector(selector, "e => getComputedStyle(e).backgroundColor")


@pytest.mark.parametrize(("viewport", "width"), [(DESKTOP, 1280), (PHONE, 390)])
def test_an_admin_is_asked_before_a_deactivation_without_javascript(
    browser, accounts_portal, viewport, width
):
    admin = signed_in(browser, accounts_portal, "admin@example.org", viewport, javascript=False)
    admin.goto(f"{accounts_portal}/admin/users")
    chosen = admin.eval_on_selector("select[name=role]", "s => s.value")
    assert chosen == "provider"  # the least privileged
    row = admin.locator("tr", has_text="noc@bbbb.example")
    if "deactivated" in row.inner_text():  # the desktop run deactivated it: bring it back
        row.locator("button", has_text="Reactivate").click()
        admin.wait_for_url(re.compile(r".*/admin/users$"))
    deactivate = row.locator("a", has_text="Deactivate")
    main_button = "form.stack button[type=submit]"  # "Create user", the page's main action
    assert background(admin, "tr:has-text('noc@bbbb.example') a.button-danger") != background(
        admin, main_button
    )
    assert sideways_overflow(admin) == 0
    screenshot(admin, f"admin-users-1-list-{width}")
    deactivate.click()
    admin.wait_for_url(re.compile(r".*/admin/users/\d+/deactivate$"))
    assert "Deactivate noc@bbbb.example?" in admin.inner_text("h1")
    assert sideways_overflow(admin) == 0
    screenshot(admin, f"admin-users-2-confirm-{width}")
    admin.click("form.confirm-deactivation button.button-danger")
    admin.wait_for_url(re.compile(r".*/admin/users$"))
    assert "deactivated" in admin.locator("tr", has_text="noc@bbbb.example").inner_text()


def test_revoking_an_api_token_asks_first_without_javascript(browser, accounts_portal):
    page = signed_in(browser, accounts_portal, "coord@example.org", PHONE, javascript=False)
    page.goto(f"{accounts_portal}/account")
    page.fill("input[name=name]", "agent on sbc-1")
    page.click("form[action='/account/tokens'] button[type=submit]")
    page.wait_for_load_state()
    page.locator("tr", has_text="agent on sbc-1").locator("a", has_text="Revoke").click()
    page.wait_for_url(re.compile(r".*/account/tokens/\d+/revoke$"))
    assert "agent on sbc-1" in page.inner_text("h1")
    assert sideways_overflow(page) == 0
    screenshot(page, "account-3-revoke-confirm-390")
    page.click("form.confirm-revoke button.button-danger")
    page.wait_for_url(re.compile(r".*/account$"))
    assert "revoked" in page.locator("tr", has_text="agent on sbc-1").inner_text()

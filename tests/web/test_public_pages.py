"""The public pages say who runs them: the operator's name, postal address and contact at
the foot of every page, and a privacy notice (/privacy) saying what a report keeps, who
sees it and how long it is kept; ``/`` signed out is a front page. The operator settings
are checked where they enter."""

from __future__ import annotations

from dataclasses import replace

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from robotrace.cli import main
from robotrace.settings import SettingError, Settings

OPERATOR = {
    "ROBOTRACE_OPERATOR_NAME": "Industry Traceback Group",
    "ROBOTRACE_OPERATOR_ADDRESS": "601 New Jersey Ave NW, Suite 600, Washington, DC 20001",
    "ROBOTRACE_OPERATOR_CONTACT_EMAIL": "privacy@traceback.example.org",
}
PUBLIC_PAGES = ["/", "/login", "/report", "/report/RT-0000-0000", "/statistics", "/privacy"]


@pytest.fixture
def operator_set(world, monkeypatch):
    for name, value in OPERATOR.items():
        monkeypatch.setenv(name, value)
    world.app.state.settings = Settings.from_environ()


def footer_of(html: str) -> str:
    return html.split('<footer class="site-footer">')[1].split("</footer>")[0]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_public_page_names_its_operator_address_contact_and_privacy(
    world, operator_set, path
):
    footer = footer_of(TestClient(world.app).get(path).text)
    assert "Run by <strong>Industry Traceback Group</strong>" in footer
    assert OPERATOR["ROBOTRACE_OPERATOR_ADDRESS"] in footer
    assert '<a href="mailto:privacy@traceback.example.org">' in footer
    assert '<a href="/privacy">Privacy notice</a>' in footer


def test_without_settings_the_footer_says_the_operator_is_not_named(world):
    footer = footer_of(TestClient(world.app).get("/report").text)
    assert "has not given its name and address yet" in footer
    assert "mailto:" not in footer and '<a href="/privacy">' in footer


def test_signed_in_pages_carry_the_footer_too(world, client_for, operator_set):
    assert "Industry Traceback Group" in footer_of(client_for("coord@example.org").get("/").text)


def test_the_front_page_signed_out_says_what_this_is_and_where_to_go(world):
    response = TestClient(world.app).get("/", follow_redirects=False)
    assert response.status_code == 200
    main_part = response.text.split("<main>")[1].split("</main>")[0]
    for link in ('href="/report"', 'href="/report#lookup"', 'href="/statistics"', 'href="/login"'):
        assert link in main_part
    assert "Tracing illegal robocalls" in main_part


def test_the_privacy_notice_says_what_a_report_keeps_who_sees_it_and_how_long(world, operator_set):
    world.app.state.settings = replace(world.app.state.settings, report_limit_per_hour=7)
    page = TestClient(world.app).get("/privacy").text
    assert "<strong>Industry Traceback Group</strong>" in page
    assert "Phone companies never see it" in page
    assert "Your name and e-mail address" in page and "Never published" in page
    assert "at most 7 an hour" in page  # the setting, not a copy of its default
    assert "How long it is kept" in page and "robotrace deletes nothing by" in page
    assert "the <em>area code</em> of your number" in page


def test_an_operators_notice_file_replaces_the_built_in_one_as_text(world, tmp_path, monkeypatch):
    notice = tmp_path / "notice.txt"
    notice.write_text("We keep reports\nfor five years.\n\n<b>Ask us</b> anything.\n")
    monkeypatch.setenv("ROBOTRACE_PRIVACY_NOTICE_FILE", str(notice))
    world.app.state.settings = Settings.from_environ()
    page = TestClient(world.app).get("/privacy").text
    assert "<p>We keep reports for five years.</p>" in page
    assert "<p>&lt;b&gt;Ask us&lt;/b&gt; anything.</p>" in page
    assert "Phone companies never see it" not in page


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("ROBOTRACE_OPERATOR_CONTACT_EMAIL", "privacy at example.org", "not an e-mail address"),
        ("ROBOTRACE_OPERATOR_NAME", "x" * 201, "201 characters: at most 200"),
        ("ROBOTRACE_OPERATOR_ADDRESS", "1 Main St\x1b[2J", "control characters"),
        ("ROBOTRACE_PRIVACY_NOTICE_FILE", "/nonexistent/notice.txt", "cannot read"),
    ],
)
def test_a_bad_operator_setting_is_refused_naming_the_variable(monkeypatch, variable, value, said):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingError, match=said) as refused:
        Settings.from_environ()
    assert variable in str(refused.value)


def test_an_address_typed_over_several_lines_is_kept_on_one(monkeypatch):
    monkeypatch.setenv("ROBOTRACE_OPERATOR_ADDRESS", "45 L Street NE\n  Washington, DC 20554")
    assert Settings.from_environ().operator_address == "45 L Street NE Washington, DC 20554"


def test_serve_stops_at_a_bad_operator_setting_before_it_listens(monkeypatch, tmp_path):
    monkeypatch.setenv("ROBOTRACE_OPERATOR_CONTACT_EMAIL", "nobody")
    url = f"sqlite:///{tmp_path / 'robotrace.db'}"
    result = CliRunner().invoke(main, ["serve", "--database-url", url, "--no-migrate"])
    assert result.exit_code == 1
    assert "ROBOTRACE_OPERATOR_CONTACT_EMAIL='nobody'" in result.output
    assert "Traceback" not in result.output


def test_serve_stops_at_a_letter_template_that_does_not_load(monkeypatch, tmp_path):
    template = tmp_path / "letter.html"
    template.write_text("<p>{{ provider.name }</p>\n", encoding="utf-8")  # an unclosed tag
    monkeypatch.setenv("ROBOTRACE_LETTER_TEMPLATE", str(template))
    url = f"sqlite:///{tmp_path / 'robotrace.db'}"
    result = CliRunner().invoke(main, ["serve", "--database-url", url, "--no-migrate"])
    assert result.exit_code == 1
    assert "ROBOTRACE_LETTER_TEMPLATE" in result.output and "line 1" in result.output
    assert "Traceback" not in result.output

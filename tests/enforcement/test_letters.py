import re
import shutil
import subprocess
from datetime import timedelta

import pytest

from robotrace.enforcement.errors import EnforcementError
from robotrace.enforcement.evidence import evidence_rows
from robotrace.enforcement.letters import (
    CampaignSummary,
    LetterContent,
    ProviderAddress,
    Sender,
    Signatory,
    deadlines_for,
    html_to_pdf,
    letter_template_setting,
    render_letter_html,
)
from robotrace.settings import SettingError, Settings
from tests.support import missing

from .builders import DIRECTORY, T0, through

CHARLIE = ProviderAddress(
    "CCCC", "Charlie <Gateway> & Co", ocn="CCCC", frn="0012345678", rmd_number="RMD0001234"
)


def content(rows=()) -> LetterContent:
    return LetterContent(
        "WL-000007",
        CHARLIE,
        ["Federal Communications Commission, Enforcement Bureau", "Federal Trade Commission"],
        T0,
        deadlines_for(T0, 48, 14),
        ["covid-test-kits"],
        ["Voice Are Us Ltd"],
        list(rows),
    )


def several_rows():
    tracebacks = [
        through("CCCC", T0 - timedelta(days=d), f"TB-00010{d}", caller_id=f"+1202555010{d}")
        for d in range(1, 6)
    ]
    return evidence_rows(tracebacks, DIRECTORY, "CCCC")


def test_the_deadlines_are_48_hours_and_14_days_after_issue():
    deadlines = deadlines_for(T0, 48, 14)
    assert deadlines.mitigate_by == T0 + timedelta(hours=48)
    assert deadlines.report_by == T0 + timedelta(days=14)


def test_the_letter_names_the_legal_basis_deadlines_and_escapes_names():
    html = render_letter_html(content(several_rows()), Settings.from_environ())
    assert "Charlie &lt;Gateway&gt; &amp; Co" in html
    assert "64.1200(k)(4)" in html and "16 CFR 310" in html
    assert "3 May 2020, 08:00 EDT" in html  # mitigate_by, 12:00 UTC
    assert "15 May 2020, 08:00 EDT" in html  # report_by
    assert "FRN 0012345678" in html and "RMD RMD0001234" in html and "OCN CCCC" in html


def test_a_template_file_named_by_the_setting_replaces_the_shipped_one(tmp_path, monkeypatch):
    template = tmp_path / "mine.html"
    template.write_text("<p>{{ provider.name }} must stop by {{ letter.mitigate_by }}</p>")
    monkeypatch.setenv("ROBOTRACE_LETTER_TEMPLATE", str(template))
    html = render_letter_html(content(), Settings.from_environ())
    assert html == "<p>Charlie &lt;Gateway&gt; &amp; Co must stop by 3 May 2020, 08:00 EDT</p>"


def poppler_or_skip() -> None:
    if shutil.which("pdftotext") and shutil.which("pdftoppm"):
        return
    missing(
        "poppler-utils (pdftotext, pdftoppm) is not installed",
        "CI must have poppler-utils (pdftotext, pdftoppm)",
    )


def test_the_pdf_shows_the_provider_and_every_evidence_row(tmp_path):
    poppler_or_skip()
    rows = several_rows()
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(html_to_pdf(render_letter_html(content(rows), Settings.from_environ())))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Charlie <Gateway> & Co" in text
    for row in rows:
        assert row.traceback_id in text
        assert row.caller_id in text
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages and pages[0].read_bytes().startswith(b"\x89PNG")


# --- Issue 22: the letter as an enforcement bureau sends it --------------------------------

JANE = ProviderAddress(
    "CCCC",
    "Charlie Gateway",
    address="100 Main Street, Suite 4, Springfield, IL 62701",
    contact_name="Jane Roe",
    contact_title="Director, Compliance",
)
COVID = CampaignSummary(
    "covid-test-kits",
    "COVID-19 test kits",
    "Hello, this is the health benefits office. You qualify for a free COVID-19 test kit, "
    "press one now.",
    412,
)


def bureau_letter(provider: ProviderAddress = JANE) -> str:
    return render_letter_html(
        LetterContent(
            "WL-000003",
            provider,
            ["Federal Communications Commission, Enforcement Bureau"],
            T0,
            deadlines_for(T0, 48, 14),
            ["covid-test-kits"],
            [],
            several_rows(),
            [COVID],
            Sender("FCC Enforcement Bureau", "45 L Street NE, Washington, DC 20554"),
            Signatory("Loyaan A. Egal", "Chief, Enforcement Bureau"),
            "Kristi Thompson, +1 202 418 1318, kristi.thompson@fcc.gov",
        ),
        Settings.from_environ(),
    )


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_letter_has_letterhead_date_recipient_salutation_signatory_and_contact():
    text = text_of(bureau_letter())
    assert text.startswith("Warning letter WL-000003")  # the <title>
    body = text.split("FCC Enforcement Bureau", 1)[1]
    assert body.lstrip().startswith("Federal Communications Commission, Enforcement Bureau")
    assert "45 L Street NE, Washington, DC 20554" in body
    # Dated for people (T0 is 1 May 2020, 12:00 UTC), then the recipient's postal address.
    assert re.search(r"20554 1 May 2020 Jane Roe, Director, Compliance Charlie Gateway", body)
    assert "100 Main Street, Suite 4, Springfield, IL 62701" in body
    assert "Dear Jane Roe:" in body
    assert re.search(r"Sincerely, Loyaan A\. Egal Chief, Enforcement Bureau", body)
    assert "Questions about this letter: Kristi Thompson, +1 202 418 1318" in body


def test_the_letter_names_the_campaign_says_what_the_calls_said_and_when_to_stop():
    text = text_of(bureau_letter())
    assert "the campaign COVID-19 test kits (covid-test-kits); 412 of its calls" in text
    assert "“Hello, this is the health benefits office. You qualify for a free COVID-19" in text
    # Five tracebacks, calls from 26 to 30 April (T0 minus 5 to 1 days), as the gateway.
    assert "5 tracebacks of calls made between 26 April 2020 and 30 April 2020" in text
    assert "(5 as gateway)" in text
    assert "within 48 hours of this letter, that is by 3 May 2020, 08:00 EDT" in text
    assert not re.search(r"\d{4}-\d\d-\d\d", text)  # no machine timestamps


def test_a_provider_without_a_known_contact_is_addressed_by_its_office():
    text = text_of(bureau_letter(CHARLIE))
    assert "Dear Compliance Officer:" in text


def test_a_template_that_does_not_load_is_refused_naming_the_line(tmp_path, monkeypatch):
    broken = tmp_path / "broken.html"
    broken.write_text("<p>{{ provider.name }}</p>\n<p>{% if letter.reference %}</p>\n")
    monkeypatch.setenv("ROBOTRACE_LETTER_TEMPLATE", str(broken))
    with pytest.raises(SettingError, match=r"line 2"):
        letter_template_setting(Settings.from_environ().letter_template)
    with pytest.raises(EnforcementError, match="ROBOTRACE_LETTER_TEMPLATE"):
        render_letter_html(content(), Settings.from_environ())


def test_a_template_using_a_variable_letters_do_not_have_is_refused(tmp_path, monkeypatch):
    typo = tmp_path / "typo.html"
    typo.write_text("<p>{{ provider.nmae }}</p>")
    monkeypatch.setenv("ROBOTRACE_LETTER_TEMPLATE", str(typo))
    with pytest.raises(SettingError, match="nmae"):
        letter_template_setting(Settings.from_environ().letter_template)
    monkeypatch.setenv("ROBOTRACE_LETTER_TEMPLATE", str(tmp_path / "missing.html"))
    with pytest.raises(SettingError, match="cannot read the letter template"):
        letter_template_setting(Settings.from_environ().letter_template)


def test_the_bureau_letter_keeps_every_word_on_the_page(tmp_path):
    from tests.demo.test_documents import read_pdf

    pdf = read_pdf(html_to_pdf(bureau_letter()))
    assert pdf.off_the_page() == []
    assert "Loyaan" in pdf.text and "COVID-19" in pdf.text

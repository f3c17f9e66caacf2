import shutil
import subprocess
from datetime import timedelta

import pytest

from robotrace.enforcement.evidence import evidence_rows
from robotrace.enforcement.letters import (
    LetterContent,
    ProviderAddress,
    deadlines_for,
    html_to_pdf,
    render_letter_html,
)
from tests.conftest import running_in_ci

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
    html = render_letter_html(content(several_rows()))
    assert "Charlie &lt;Gateway&gt; &amp; Co" in html
    assert "64.1200(k)(4)" in html and "16 CFR 310" in html
    assert "3 May 2020, 08:00 EDT" in html  # mitigate_by, 12:00 UTC
    assert "15 May 2020, 08:00 EDT" in html  # report_by
    assert "FRN 0012345678" in html and "RMD RMD0001234" in html and "OCN CCCC" in html


def test_a_template_file_named_by_the_setting_replaces_the_shipped_one(tmp_path, monkeypatch):
    template = tmp_path / "mine.html"
    template.write_text("<p>{{ provider.name }} must stop by {{ letter.mitigate_by }}</p>")
    monkeypatch.setenv("ROBOTRACE_LETTER_TEMPLATE", str(template))
    html = render_letter_html(content())
    assert html == "<p>Charlie &lt;Gateway&gt; &amp; Co must stop by 3 May 2020, 08:00 EDT</p>"


def poppler_or_skip() -> None:
    if shutil.which("pdftotext") and shutil.which("pdftoppm"):
        return
    if running_in_ci():
        pytest.fail("CI must have poppler-utils (pdftotext, pdftoppm)")
    pytest.skip("poppler-utils (pdftotext, pdftoppm) is not installed")


def test_the_pdf_shows_the_provider_and_every_evidence_row(tmp_path):
    poppler_or_skip()
    rows = several_rows()
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(html_to_pdf(render_letter_html(content(rows))))
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

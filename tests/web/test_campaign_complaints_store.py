"""The campaign list and page (portal and API) count complaints in the app's own analytics
store (``app.state.analytics_dir``), as every other page does — not in the one the
``analytics_dir`` setting names, when the two differ."""

from __future__ import annotations

import re
from dataclasses import replace

from robotrace.evidence.imports import evidence_files, import_evidence
from tests.evidence.builders import ftc_csv, ftc_row

from .test_campaign_pages import COORD, add_calls, add_campaign, hours

COMPLAINTS = ["800-555-0199", "(202) 555-0101", "1 800 555 0199", "3125550100"]
NAMING = 3  # the call-back number twice, the caller ID once


def test_campaigns_count_complaints_in_the_apps_analytics_store(
    world, client_for, api_for, engine, tmp_path
):
    the_setting = str(tmp_path / "the-setting")
    world.app.state.settings = replace(world.app.state.settings, analytics_dir=the_setting)
    world.app.state.analytics_dir = tmp_path / "the-app"
    add_campaign(engine, "kits", callback_numbers=["+18005550199"], call_count=2)
    add_calls(engine, "kits", hours(2), callers=["+12025550101"])
    path = ftc_csv(
        tmp_path / "ftc.csv",
        *(ftc_row(Company_Phone_Number=n, Created_Date=f"2020-04-02 10:00:{i:02d}")
          for i, n in enumerate(COMPLAINTS)),
    )  # fmt: skip
    import_evidence(evidence_files([path], "ftc"), tmp_path / "the-app")
    client = client_for(COORD)
    listed = client.get("/campaigns").text.split('<a href="/campaigns/kits">', 1)[1]
    cells = re.findall(r'<td class="number">(\d+)</td>', listed.split("</tr>", 1)[0])
    assert cells[:2] == ["2", str(NAMING)]  # calls, then complaints
    assert f"<dt>Complaints</dt><dd>{NAMING} " in client.get("/campaigns/kits").text
    api = api_for(COORD)
    assert [c["complaints"] for c in api.get("/api/v1/campaigns").json()] == [NAMING]
    assert api.get("/api/v1/campaigns/kits").json()["complaints"] == NAMING

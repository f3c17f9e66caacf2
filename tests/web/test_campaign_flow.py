"""The campaign page shows the campaign's stored bulk-trace flow as a Sankey chart, with its
origins and gateways."""

from __future__ import annotations

import pyarrow as pa

from robotrace.paths.flows import campaign_flows, save_flows
from tests.web.test_campaign_pages import add_campaign


def test_the_stored_flow_is_drawn_on_the_campaign_page(world, engine, client_for, tmp_path):
    add_campaign(engine, "C-KITS", "COVID-19 test kits")
    world.app.state.analytics_dir = tmp_path
    coordinator = client_for("coord@example.org")
    assert "Not traced in bulk yet" in coordinator.get("/campaigns/C-KITS").text
    paths = [["FFFF", "CCCC", "AAAA"]] * 3 + [["FFFF", "CCCC", "BBBB", "AAAA"]]
    table = pa.table(
        {
            "call_id": [str(n) for n in range(4)],
            "campaign": ["C-KITS"] * 4,
            "path": paths,
            "status": ["origin"] * 4,
            "origin_provider": ["FFFF"] * 4,
            "gateway_provider": ["CCCC"] * 4,
        }
    )
    save_flows(campaign_flows(table), tmp_path)
    page = coordinator.get("/campaigns/C-KITS").text
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page
    assert "CCCC: 4 calls" in page and "BBBB → AAAA: 1 calls" in page
    gateways = page[page.index('id="table-flow-gateways"') :]
    assert "CCCC" in gateways.split("</table>")[0] and "100.0 %" in gateways.split("</table>")[0]

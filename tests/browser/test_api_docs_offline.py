"""``/api/v1/docs`` in Debian's chromium against `robotrace serve`: Swagger UI draws the API
from the portal's own assets and reaches no other host (issue 22: it was blank without
internet, its script came from a CDN)."""

from __future__ import annotations

from urllib.parse import urlparse


def test_the_api_docs_render_from_the_portal_alone(browser, portal):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    hosts = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    page.goto(f"{portal}/api/v1/docs")
    title = page.wait_for_selector(".swagger-ui .info .title", timeout=15_000)
    assert title.text_content().startswith("robotrace")
    # Every operation of the OpenAPI document is listed (one block per path and method).
    page.wait_for_selector(".opblock-summary-path", timeout=15_000)
    paths = page.eval_on_selector_all(
        ".opblock-summary-path", "els => els.map(e => e.getAttribute('data-path'))"
    )
    assert "/api/v1/hop-requests/{hop_id}/answer" in paths
    assert hosts == {urlparse(portal).netloc}

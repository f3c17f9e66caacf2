"""The API docs page points at assets the portal serves itself, never a CDN."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_the_docs_page_loads_swagger_ui_from_the_portal(world):
    client = TestClient(world.app)
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/api/v1/docs/assets/") for s in sources), sources
    script = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.text
    assert client.get("/api/v1/docs/assets/swagger-ui.css").status_code == 200

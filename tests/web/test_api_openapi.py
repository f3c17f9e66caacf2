"""The API describes itself: every route in OpenAPI with its schemas, and ``/me``."""

from __future__ import annotations

from fastapi.routing import APIRoute

from robotrace.web.app import API_ROUTERS

ROUTES = {
    ("GET", "/api/v1/me"),
    ("POST", "/api/v1/letters/preview"),
    ("GET", "/api/v1/hop-requests"),
    ("GET", "/api/v1/hop-requests/{hop_id}"),
    ("POST", "/api/v1/hop-requests/{hop_id}/answer"),
    ("GET", "/api/v1/events"),
    ("GET", "/api/v1/batch-requests"),
    ("GET", "/api/v1/batch-requests/{batch_id}"),
    ("POST", "/api/v1/batch-requests/{batch_id}/answer"),
    ("POST", "/api/v1/bulk-tracebacks"),
    ("GET", "/api/v1/bulk-tracebacks/{bulk_id}"),
    ("GET", "/api/v1/bulk-tracebacks/{bulk_id}/paths.parquet"),
    ("GET", "/api/v1/bulk-tracebacks/{bulk_id}/flows.json"),
    ("GET", "/api/v1/tracebacks"),
    ("POST", "/api/v1/tracebacks"),
    ("GET", "/api/v1/tracebacks/{traceback_id}"),
    ("POST", "/api/v1/tracebacks/{traceback_id}/no-response"),
    ("POST", "/api/v1/tracebacks/{traceback_id}/withdraw"),
    ("GET", "/api/v1/providers"),
    ("GET", "/api/v1/providers/search"),
    ("GET", "/api/v1/providers/{key}"),
    ("POST", "/api/v1/providers/import"),
    ("POST", "/api/v1/providers/{key}/rmd-removal"),
    ("POST", "/api/v1/providers/{key}/rmd-reinstatement"),
    ("POST", "/api/v1/evidence/{format}"),
    ("GET", "/api/v1/campaigns"),
    ("GET", "/api/v1/campaigns/{campaign_id}"),
    ("POST", "/api/v1/campaigns/{campaign_id}/tracebacks"),
    ("POST", "/api/v1/campaigns/{campaign_id}/trace-forward"),
    ("GET", "/api/v1/trace-forward-requests"),
    ("GET", "/api/v1/trace-forward-requests/{forward_id}"),
    ("POST", "/api/v1/trace-forward-requests/{forward_id}/answer"),
    ("GET", "/api/v1/upstreams"),
    ("GET", "/api/v1/legal-process"),
    ("POST", "/api/v1/legal-process"),
    ("GET", "/api/v1/legal-process/{entry_id}"),
    ("POST", "/api/v1/legal-process/{entry_id}"),
    ("POST", "/api/v1/legal-process/{entry_id}/withdraw"),
    ("POST", "/api/v1/campaigns/{campaign_id}/not-illegal"),
    ("POST", "/api/v1/campaigns/{campaign_id}/queue"),
    ("POST", "/api/v1/reports"),
    ("GET", "/api/v1/reports/export"),
    ("POST", "/api/v1/notifications"),
    ("GET", "/api/v1/orders"),
    ("GET", "/api/v1/statistics/shaken"),
    ("GET", "/api/v1/statistics/shaken.csv"),
}


#: Routes anyone may use without signing in (they never answer 401).
PUBLIC = {
    ("GET", "/api/v1/blocklist"),
    ("GET", "/api/v1/blocklist.csv"),
    ("GET", "/api/v1/blocklist/versions/{version}"),
    ("GET", "/api/v1/blocklist/public-key"),
    ("GET", "/api/v1/blocklist/notices/{authorization_id}.pdf"),
    ("POST", "/api/v1/reports"),
}


def _api_routes() -> set[tuple[str, str]]:
    """Every route of the routers that ``web/app.py`` mounts under /api/v1."""
    found = set()
    for router in API_ROUTERS.values():
        for route in router.routes:
            assert isinstance(route, APIRoute)
            found |= {(method, "/api/v1" + route.path) for method in route.methods}
    return found


def test_openapi_lists_every_api_route_with_a_response_schema(world):
    from fastapi.testclient import TestClient

    spec = TestClient(world.app).get("/api/v1/openapi.json").json()
    assert _api_routes() >= ROUTES
    for method, path in _api_routes():
        operation = spec["paths"][path][method.lower()]
        success = next(c for c in operation["responses"] if c.startswith("2"))
        content = operation["responses"][success]["content"]
        if "application/json" in content:
            assert "schema" in content["application/json"], path
        else:  # a PDF, CSV or PEM body: its media type is declared
            assert content, path
        assert ("401" in operation["responses"]) != ((method, path) in PUBLIC), (method, path)


def test_docs_api_md_mentions_every_route():
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "api.md").read_text()
    for method, path in ROUTES:
        assert f"{method} {path}" in text, f"docs/api.md lacks {method} {path}"


def test_me_says_who_and_how(world, api_for):
    alpha = api_for("noc@aaaa.example", write=False).get("/api/v1/me").json()
    assert alpha == {
        "email": "noc@aaaa.example",
        "name": "noc",
        "role": "provider",
        "provider_key": "AAAA",
        "provider_name": "Alpha Local Telco",
        "via": "token",
        "can_write": False,
    }
    assert api_for("fcc@example.org").get("/api/v1/me").json()["provider_key"] is None

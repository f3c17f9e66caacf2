"""The API's interactive documentation (Swagger UI 5, which reads OpenAPI 3.1) served from
the assets the installed ``fastapi-offline`` package ships, so ``/api/v1/docs`` works on a
machine without internet (FastAPI's default page loads its JavaScript and CSS from a CDN)."""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_URL = "/api/v1/docs"
ASSETS_URL = "/api/v1/docs/assets"

router = APIRouter(include_in_schema=False)


@router.get(DOCS_URL, response_class=HTMLResponse)
def swagger_ui() -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url="/api/v1/openapi.json",
        title="robotrace API",
        swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_URL}/favicon.png",
    )


def mount_api_docs(app: FastAPI) -> None:
    """The docs page and its assets (``docs_url=None`` on the app: this replaces it)."""
    assets = str(files("fastapi_offline") / "static")
    app.mount(ASSETS_URL, StaticFiles(directory=assets), name="api-docs-assets")
    app.include_router(router)

"""The API documentation page (Swagger UI), served with its files from this site: the CDN page FastAPI makes
by default loads scripts from elsewhere and runs inline code, which the content security policy forbids."""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/api/docs/assets"

router = APIRouter()

PAGE = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Taut API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css"></head>
<body><div id="swagger-ui" data-spec="/api/v1/openapi.json"></div>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="/static/js/api-docs.js"></script></body></html>"""


@router.get("/api/docs", include_in_schema=False)
def api_docs() -> HTMLResponse:
    return HTMLResponse(PAGE if assets_dir() is not None else MISSING)


def assets_dir() -> Path | None:
    """Swagger UI's files, installed from the npm registry by ``make setup`` (package.json at the repository
    root); TAUT_API_DOCS_ASSETS may point elsewhere."""
    configured = os.environ.get("TAUT_API_DOCS_ASSETS")
    here = (
        Path(configured)
        if configured
        else Path(__file__).resolve().parents[4] / "node_modules" / "swagger-ui-dist"
    )
    return here if (here / "swagger-ui-bundle.js").exists() else None


MISSING = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Taut API</title></head><body>
<h1>Taut API</h1><p>The interactive documentation needs Swagger UI, installed by <code>make setup</code> (npm).
The OpenAPI description is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p></body></html>"""


def mount_assets(app: FastAPI) -> None:
    found = assets_dir()
    if found is not None:
        app.mount(ASSETS, StaticFiles(directory=found), name="api-docs-assets")

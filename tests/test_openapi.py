"""The OpenAPI document covers every route, and Swagger UI works with no Internet access."""

from __future__ import annotations

import re

from swagger_ui_bundle import swagger_ui_path

ASSETS = "swagger_ui_assets.static"
# Not part of the JSON API: static files, and Prometheus' text-format scrape endpoint.
UNDOCUMENTED_ENDPOINTS = {"static", ASSETS}
UNDOCUMENTED_PATHS = {"/metrics"}


def test_openapi_lists_every_api_route(app, client):
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    documented = {path for path in spec["paths"]}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in UNDOCUMENTED_ENDPOINTS or rule.endpoint.startswith("api-docs."):
            continue
        if rule.rule in UNDOCUMENTED_PATHS:
            continue
        path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        assert path in documented, f"{rule.rule} is not in the OpenAPI document"


def test_error_schema_is_our_envelope(client):
    spec = client.get("/openapi.json").get_json()
    error = spec["components"]["schemas"]["Error"]
    assert {"status_code", "message"} <= set(error["properties"])


def test_every_security_requirement_names_a_declared_scheme(client):
    spec = client.get("/openapi.json").get_json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["bearerAuth"] == {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    used = {
        name
        for path in spec["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict)
        for requirement in operation.get("security", [])
        for name in requirement
    }
    assert "bearerAuth" in used
    assert used <= set(schemes)


def test_swagger_ui_page_loads_only_local_assets(client):
    page = client.get("/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    assert all(source.startswith("/docs/assets/") for source in sources), sources
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200, source
        with open(f"{swagger_ui_path}/{source.rsplit('/', 1)[1]}", "rb") as shipped:
            assert asset.data == shipped.read()
        asset.close()


def test_swagger_ui_assets_are_not_rate_limited(make_app):
    app = make_app(RATE_LIMIT_ENABLED="true", RATE_LIMIT_REQUESTS="2", RATE_LIMIT_WINDOW="600")
    client = app.test_client()
    statuses = [client.get("/docs/assets/swagger-ui.css").status_code for _ in range(4)]
    assert statuses == [200] * 4

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


IDEMPOTENT_OPERATIONS = [
    ("/api/v1/sessions", "post"),
    ("/api/v1/sessions/{session_id}/review", "post"),
    ("/api/v1/messages", "post"),
    ("/api/v1/courses", "post"),
    ("/api/v1/courses/{course_id}/enroll", "post"),
    ("/api/v1/payments/webhook", "post"),
]


def test_every_creating_operation_documents_its_idempotency_key(client):
    spec = client.get("/openapi.json").get_json()
    keyed = {
        (path, method)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict)
        and any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
    }
    assert keyed == set(IDEMPOTENT_OPERATIONS)
    for path, method in IDEMPOTENT_OPERATIONS:
        operation = spec["paths"][path][method]
        [header] = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
        assert header["in"] == "header" and header["required"] is False
        assert header["schema"]["pattern"] == "^[!-~]{1,255}$"
        responses = operation["responses"]
        assert "Retry-After" in responses["409"]["description"], path
        assert "Idempotency-Key" in responses["422"]["description"], path
        assert "Idempotency-Key" in responses["400"]["description"], path
    # The webhook keeps its signature header beside the key, on its path.
    webhook = spec["paths"]["/api/v1/payments/webhook"]
    assert [p["name"] for p in webhook["parameters"]] == ["X-MentorHub-Signature"]


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

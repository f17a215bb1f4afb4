"""`@blp.authenticated`: every route that requires a token says so in the OpenAPI document, and
every route the document says is protected refuses a request without one."""

from __future__ import annotations

import re

import pytest

PARAMETER = re.compile(r"\{[^}]+\}")
# Everything else needs a token: a new route is protected unless it is added here on purpose.
PUBLIC = {
    ("post", "/api/v1/auth/register"),
    ("post", "/api/v1/auth/login"),
    ("get", "/api/v1/stats/platform"),
    ("get", "/api/v1/notifications/unsubscribe"),
    ("post", "/api/v1/notifications/unsubscribe"),
    ("post", "/api/v1/payments/webhook"),
    ("get", "/api/v1/calendar/{token}.ics"),
}


def operations(client) -> list[tuple[str, str, dict]]:
    spec = client.get("/openapi.json").get_json()
    return [
        (path, method, operation)
        for path, methods in spec["paths"].items()
        if path.startswith("/api/v1/")
        for method, operation in methods.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_every_operation_but_the_public_ones_is_protected(client):
    unprotected = {(m, p) for p, m, op in operations(client) if not op.get("security")}
    assert unprotected == PUBLIC


def test_protected_operations_document_their_401(client):
    protected = [(p, m, op) for p, m, op in operations(client) if op.get("security")]
    assert len(protected) >= 25
    for path, method, operation in protected:
        assert operation["security"] == [{"bearerAuth": []}], (method, path)
        assert operation["responses"]["401"]["description"].startswith("Missing or invalid")


@pytest.mark.parametrize("token", [None, "Bearer not-a-token"])
def test_only_the_protected_operations_refuse_a_missing_or_bad_token(client, token):
    headers = {"Authorization": token} if token else {}
    answers = {}
    for path, method, operation in operations(client):
        url = PARAMETER.sub("1", path)
        response = client.open(url, method=method.upper(), headers=headers, json={})
        answers[(method, path)] = (response.status_code, bool(operation.get("security")))
    wrong = {key: seen for key, seen in answers.items() if (seen[0] == 401) != seen[1]}
    assert wrong == {}

"""Every operation, called with generated input and a valid token, keeps to the OpenAPI document.

Schemathesis generates valid and invalid requests from the document and checks each response:
no server errors, only documented status codes, content types, headers and bodies matching the
document, and input the document forbids rejected. Input the document allows may still be refused
for rules no schema can state (a time in the future, an id that exists, a real IANA zone, a
correct HMAC); any other refusal of schema-valid input means the document is looser than the
server, and fails.
"""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import positive_data_acceptance

from mentorhub.auth import issue_tokens
from mentorhub.extensions import db
from mentorhub.models import User

MAX_EXAMPLES = 10
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {
            # Unknown query parameters are ignored, as most HTTP APIs do.
            "allow-extra-parameters": False,
            # Each call gets a valid token of its own (below); token failures have their tests.
            "with-security-parameters": False,
        }
    }
)
# What the server checks beyond any schema: refusing valid-looking input for these is right.
SEMANTIC_RULES = re.compile(
    r"Must be in the future|Must be within a year|No (user|mentor|session) with this id"
    r"|cannot (book a session with|message) yourself|conversation needs another user"
    r"|Unknown time zone|Invalid signature|Signature timestamp|Invalid unsubscribe link"
    r"|cannot be turned off|domain is reserved|Names may not contain"
    r"|Meeting links must name a public host"
    # Generated requests share Idempotency-Keys; a key's first request decides what it means.
    r"|key was already used for another request"
    # Refused at the edge in every text, as PostgreSQL cannot store it.
    r"|may not contain NUL"
)
# Readiness answers 503 by design when a dependency it must see is down (no worker runs here).
READINESS = "GET /ready"
CALLER = "caller@example.com"


@pytest.fixture
def api_schema(make_app, app, make_user):
    """The live document of an app with a signed-in mentor and a webhook secret."""
    schema_app = make_app(PAYMENT_WEBHOOK_SECRET="whsec-schemathesis")
    with schema_app.app_context():
        make_user(CALLER, is_mentor=True)
    return schema_app, schemathesis.openapi.from_wsgi("/openapi.json", schema_app, config=CONFIG)


def _bearer(app, operation) -> dict[str, str]:
    # A fresh sign-in per call, so logout and logout-all in one example cannot sign out the next.
    with app.app_context():
        user = db.session.query(User).filter_by(email=CALLER).one()
        tokens = issue_tokens(user)
    kind = "refresh_token" if operation.path.endswith("/refresh") else "access_token"
    return {"Authorization": f"Bearer {tokens[kind]}"}


def valid_input_fails_only_semantic_rules(ctx, response, case) -> None:
    """Schema-valid input refused with 400 or 422 must break a rule no schema can express."""
    if response.status_code not in (400, 422):
        return
    body = response.json()
    messages = [body.get("message", "")]
    for field_messages in (body.get("errors") or {}).values():
        messages.extend(field_messages)
    if body.get("errors"):
        messages.remove(body["message"])
    loose = [m for m in messages if not SEMANTIC_RULES.search(m)]
    assert not loose, f"schema-valid input refused: {loose}"


def _check(app, operation, mode: GenerationMode) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
    )
    def run(case) -> None:
        excluded = [positive_data_acceptance]
        if operation.label == READINESS:
            excluded.append(not_a_server_error)
        response = case.call_and_validate(
            headers=_bearer(app, operation),
            excluded_checks=excluded,
            additional_checks=[valid_input_fails_only_semantic_rules]
            if mode is GenerationMode.POSITIVE
            else [],
        )
        if operation.label == READINESS:
            assert response.status_code < 500 or response.status_code == 503

    run()


@pytest.mark.slow
def test_every_operation_keeps_to_the_document(api_schema):
    app, schema = api_schema
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _check(app, operation, mode)
            except Unsatisfiable:
                continue  # nothing to make invalid: the operation takes no input
            except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - report them all
                failures.append(f"{operation.label} [{mode.value}]: {error}")
    assert not failures, "\n\n".join(failures)

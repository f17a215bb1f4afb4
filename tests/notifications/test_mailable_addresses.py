"""One rule decides which addresses get mail: sign-up, the demo data and delivery agree.

An address is mailable when its syntax is valid, the part before the @ is ASCII (our SMTP path
does not use SMTPUTF8, so sign-up refuses what delivery could never send), and its domain is
not reserved. Domains reserved for testing (`.test`) are mailable only where a deployment says
so with ALLOW_TEST_EMAIL_DOMAINS (a staging stack with a mail catcher; `make run`, which only
logs mail): then the demo accounts, `*@demo.mentorhub.test`, receive their mail too.
"""

from __future__ import annotations

from mentorhub.services.notifications import notification_service
from tests.support.auth import AuthActions
from tests.support.notifications import FAST, statuses

NEEDS_SMTPUTF8 = (
    "Use an address whose part before the @ has only ASCII letters, digits and punctuation: "
    "our mail cannot reach this one."
)
RESERVED = "This email domain is reserved and cannot receive mail."
DEMO_STUDENT = "student1@demo.mentorhub.test"
MESSAGE = {"sender_name": "Grace", "preview": "See you at four"}


def test_sign_up_refuses_an_address_delivery_could_never_send(client):
    response = AuthActions(client).register("zoë@example.com")
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"email": [NEEDS_SMTPUTF8]}


def test_an_internationalised_domain_is_accepted_and_mailed_in_ascii(client, smtp, burst):
    account = AuthActions(client).sign_up("ada@exämple.com")
    assert account["email"] == "ada@exämple.com"
    burst()
    [message] = smtp.wait_for(1)
    assert message["To"] == "ada@xn--exmple-cua.com"


def test_test_domains_are_reserved_unless_the_deployment_allows_them(make_app):
    refused = AuthActions(make_app().test_client()).register("someone@staging.test")
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"email": [RESERVED]}
    allowing = make_app(ALLOW_TEST_EMAIL_DOMAINS="true").test_client()
    assert AuthActions(allowing).register("someone@staging.test").status_code == 201


def test_demo_accounts_get_their_mail_where_test_domains_are_allowed(make_app, db, smtp, burst):
    app = make_app(
        dict(FAST),
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(smtp.port),
        ALLOW_TEST_EMAIL_DOMAINS="true",
    )
    with app.app_context():
        seeded = app.test_cli_runner().invoke(args=["seed-demo", "--users", "2", "--sessions", "0"])
        assert seeded.exit_code == 0, seeded.output
        assert "ALLOW_TEST_EMAIL_DOMAINS" not in seeded.output
        notification_service.send_notification(DEMO_STUDENT, "new_message", MESSAGE)
        db.session.commit()
    burst(ALLOW_TEST_EMAIL_DOMAINS="true")
    [message] = smtp.wait_for(1)
    assert message["To"] == DEMO_STUDENT


def test_without_the_setting_demo_mail_fails_and_seeding_says_why(app, db, runner, burst):
    seeded = runner.invoke(args=["seed-demo", "--users", "2", "--sessions", "0"])
    assert seeded.exit_code == 0, seeded.output
    assert "set ALLOW_TEST_EMAIL_DOMAINS=true" in seeded.output
    notification_service.send_notification(DEMO_STUDENT, "new_message", MESSAGE)
    db.session.commit()
    burst()
    assert statuses(db) == {"failed": 1}

"""Mail that sign-up sends to an address nobody has confirmed carries no sign-up text in its
subject: whoever owns the address sees the platform's words there, never a stranger's."""

from __future__ import annotations

from tests.support.auth import AuthActions


def test_the_welcome_subject_is_the_platforms_alone(app, client, smtp, burst):
    AuthActions(client).sign_up("owner@example.com", name="Ada Q. Lovelace")
    burst()
    [message] = smtp.wait_for(1)
    assert message["To"] == "owner@example.com"
    assert message["Subject"] == "Welcome to MentorHub"

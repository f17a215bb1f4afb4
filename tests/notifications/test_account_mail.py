"""Account mail (a type declared `account_mail`, welcome today): to the address it names, ahead
of other mail, each row on its own, and never subject to preferences."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from mentorhub.models import Notification
from mentorhub.notifications import outbox
from mentorhub.notifications.preferences import set_preferences
from mentorhub.notifications.types import account_mail_types
from tests.support.notifications import MESSAGE

QUEUE = "rq:queue:notifications"


def test_welcome_is_account_mail():
    # The tests below use it as the account mail there is today.
    assert "welcome" in account_mail_types()


def test_account_mail_goes_to_the_address_it_names(app, db, make_user, smtp, burst):
    ada = make_user("ada@example.com")
    outbox.add_for_user(ada, "welcome", {"name": "Ada"}, ["email"])
    outbox.add_for_user(ada, "welcome", {"name": "Ada"}, ["email"], to="Ada.New@Example.com")
    with pytest.raises(ValueError, match="not account mail"):
        outbox.add_for_user(ada, "new_message", MESSAGE, ["email"], to="other@example.com")
    db.session.commit()
    # The address changes before the worker runs: account mail keeps the one it was meant for.
    ada.email = "ada.later@example.com"
    db.session.commit()
    burst()
    assert sorted(m["To"] for m in smtp.wait_for(2)) == ["ada.new@example.com", "ada@example.com"]


def test_account_mail_ignores_preferences(app, db, make_user):
    ada = make_user("ada@example.com")
    # A row that could only have been written before the type was account mail.
    set_preferences(ada.id, {("welcome", "email"): False, ("welcome", "in_app"): False})
    rows = outbox.add_for_user(ada, "welcome", {"name": "Ada"}, ["email", "in_app"])
    assert [r.status for r in rows] == ["pending", "sent"]
    db.session.rollback()


def test_account_mail_is_never_batched_and_goes_first(
    app, db, make_user, smtp, burst, redis_client
):
    users = [make_user(f"user{n}@example.com") for n in range(3)]
    redis_client.delete(QUEUE)
    for user in users:  # three commits of other mail: one wake-up waits for them all
        outbox.add_for_user(user, "new_message", MESSAGE, ["email"])
        db.session.commit()
    assert redis_client.llen(QUEUE) == 1
    for user in users:  # three welcomes in one commit: a job each, at the front
        outbox.add_for_user(user, "welcome", {"name": "You"}, ["email"])
    db.session.commit()
    assert redis_client.llen(QUEUE) == 4
    burst()
    received = smtp.wait_for(6)
    welcome_ids = set(
        db.session.scalars(select(Notification.id).where(Notification.type == "welcome"))
    )
    first = [int(m["Message-ID"].split("@")[0].split("-")[1]) for m in received[:3]]
    assert set(first) == welcome_ids

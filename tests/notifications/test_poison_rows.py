"""A row whose delivery raises something that is not a delivery outcome (a type this release no
longer knows, data the database refuses, a bug) counts as an attempt: it ends `failed` with its
error after the usual retries, and every other row is delivered meanwhile. Real worker process.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from mentorhub.models import Notification
from mentorhub.services.notifications import notification_service
from tests.support.notifications import statuses, worker_environ
from tests.support.waiting import wait_until

ATTEMPTS = 3
SESSION_DATA = {"topic": "Go", "scheduled_time": "2030-01-01T10:00:00+00:00"}


def test_rows_that_always_raise_end_failed_and_block_no_other(app, db, make_user, smtp,
                                                              start_worker):  # fmt: skip
    make_user("good@example.com")
    make_user("b@example.com")
    retired = Notification(email="a@example.com", type="retired_type", channel="email", data={})
    db.session.add(retired)
    [unfindable] = notification_service.send_notification(
        "b@example.com", "session_confirmed", {**SESSION_DATA, "session_id": 10**20}
    )
    notification_service.send_notification("good@example.com", "welcome", {"name": "Ok"})
    db.session.commit()

    start_worker(environ=worker_environ(smtp, NOTIFICATION_MAX_ATTEMPTS=str(ATTEMPTS)))
    wait_until(
        lambda: statuses(db) == Counter({"failed": 2, "sent": 1}),
        60,
        "the poison rows failed and the good one sent",
        on_timeout=lambda: statuses(db),
    )
    assert [m["To"] for m in smtp.messages] == ["good@example.com"]
    failed = {
        row.id: row
        for row in db.session.scalars(select(Notification).filter_by(status="failed")).all()
    }
    assert failed[retired.id].attempts == ATTEMPTS
    assert "retired_type" in failed[retired.id].last_error
    assert failed[unfindable.id].attempts == ATTEMPTS
    assert failed[unfindable.id].last_error.startswith("DataError"), failed[
        unfindable.id
    ].last_error


def test_a_worker_mails_from_a_domain_reserved_for_testing(app, db, make_user, smtp, start_worker):
    # As a staging stack with a mail catcher is set up: every drain job used to raise on it.
    make_user("staging@example.com")
    notification_service.send_notification("staging@example.com", "welcome", {"name": "Ok"})
    db.session.commit()
    start_worker(environ=worker_environ(smtp, FROM_EMAIL="noreply@mentorhub.test"))
    [message] = smtp.wait_for(1)
    assert message["From"] == "MentorHub <noreply@mentorhub.test>"
    wait_until(lambda: statuses(db) == Counter({"sent": 1}), 30, "the row marked sent")

"""A job keeps alive the claims of the rows it still holds, and no others."""

from __future__ import annotations

from sqlalchemy import insert, select

from mentorhub.models import Notification, User
from mentorhub.notifications.claim import claim
from mentorhub.notifications.lease import leases_kept, renew, reopen_lapsed
from mentorhub.services.notifications import notification_service
from tests.support.notifications import MESSAGE


def _claimed_rows(db, count: int) -> list[int]:
    emails = [f"lease{n}@example.com" for n in range(count)]
    db.session.execute(
        insert(User), [{"email": e, "name": "U", "password_hash": "x"} for e in emails]
    )
    db.session.commit()
    for address in emails:
        notification_service.send_notification(address, "new_message", MESSAGE)
        db.session.commit()
    ids = list(db.session.scalars(select(Notification.id).where(Notification.channel == "email")))
    assert len(claim(ids)) == count
    db.session.commit()
    return ids


def _leases(db) -> dict[int, object]:
    db.session.expire_all()
    rows = db.session.execute(select(Notification.id, Notification.claimed_until)).all()
    db.session.commit()
    return dict(rows)


def test_a_row_a_failed_job_left_behind_is_not_renewed_by_the_next_job(app, db):
    held_id, orphan_id = _claimed_rows(db, 2)
    before = _leases(db)
    with leases_kept() as held:
        held.add([held_id])
        assert renew(held.snapshot()) == 1
    after = _leases(db)
    assert after[held_id] > before[held_id]
    assert after[orphan_id] == before[orphan_id]


def test_an_unrenewed_claim_lapses_and_its_row_comes_back(app, db):
    (row_id,) = _claimed_rows(db, 1)
    db.session.execute(
        Notification.__table__.update().values(claimed_until=Notification.created_at)
    )
    db.session.commit()
    assert reopen_lapsed(overdue_by=1.0) == 1
    assert db.session.get(Notification, row_id).status == "pending"

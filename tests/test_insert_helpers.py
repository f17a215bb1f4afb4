"""`insert_once` and `insert_or_conflict`: a row a constraint refuses leaves nothing behind."""

from __future__ import annotations

import pytest

from mentorhub.errors import Conflict
from mentorhub.extensions import db
from mentorhub.models import User
from mentorhub.services.transactions import insert_once, insert_or_conflict


def _user(email: str) -> User:
    return User(email=email, name="N", password_hash="x")


def test_a_new_row_is_committed_after_its_event(app):
    seen = []
    assert insert_once(_user("a@example.com"), lambda: seen.append(len(db.session.new))) is True
    db.session.remove()
    assert db.session.query(User).filter_by(email="a@example.com").count() == 1
    # The event ran after the flush: the row was no longer waiting to be inserted.
    assert seen == [0]


def test_a_refused_row_rolls_back_the_whole_transaction(app, make_user):
    make_user("a@example.com")
    db.session.add(_user("b@example.com"))  # earlier work in the same transaction
    assert insert_once(_user("a@example.com")) is False
    assert db.session.query(User).filter_by(email="b@example.com").count() == 0


def test_insert_or_conflict_answers_409_with_the_message(app, make_user):
    make_user("a@example.com")
    with pytest.raises(Conflict, match="taken") as raised:
        insert_or_conflict(_user("a@example.com"), "taken")
    assert raised.value.status_code == 409

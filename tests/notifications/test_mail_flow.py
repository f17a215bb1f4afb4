"""The whole life of a session, as its two people read it in their mailboxes.

A mentor in Europe/Prague and a student in America/Los_Angeles sign up, book, set the call
link, move the session, write, pay and cancel, all through the HTTP API; `flask worker --burst`
(the real RQ worker) delivers to a real SMTP server, and every invite is read with icalendar.
One run of the flow, then one check per thing the mail must get right.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import select

from mentorhub.calendars import session_uid
from mentorhub.models import Notification, User
from tests.support import readability
from tests.support.auth import AuthActions, bearer
from tests.support.booking import SESSIONS, booked, in_days, session_action
from tests.support.payments import WEBHOOK_SECRET, payment_event, post_webhook
from tests.support.waiting import wait_until

TOPIC = "React Hooks in practice: effects, memoisation and the rules that keep them sane"
LINK = "https://meet.example.org/mentorhub-6f1c2a"
ZOË, JONAS = "Zoë Šimková", "Jonas Ødegaard"
ZONES = {"zoe@example.org": "Europe/Prague", "jonas@example.org": "America/Los_Angeles"}


@pytest.fixture
def flow(app, client, smtp, burst, db):
    """Run the flow once; the mails each address received, by type, in the order of events."""
    app.config["PAYMENT_WEBHOOK_SECRET"] = WEBHOOK_SECRET
    auth = AuthActions(client)
    auth.sign_up("zoe@example.org", name=ZOË, is_mentor=True, timezone=ZONES["zoe@example.org"])
    auth.sign_up("jonas@example.org", name=JONAS, timezone=ZONES["jonas@example.org"])
    mentor = bearer(auth.sign_in("zoe@example.org")["access_token"])
    student = bearer(auth.sign_in("jonas@example.org")["access_token"])
    ids = {u.email: u.id for u in db.session.scalars(select(User))}

    booking = booked(client, student, ids["zoe@example.org"], in_days(5, 15), topic=TOPIC,
                     duration_minutes=45)  # fmt: skip
    path = f"{SESSIONS}/{booking['id']}"
    assert client.patch(path, json={"meeting_link": LINK}, headers=mentor).status_code == 200
    # Moved to just over an hour ahead: its one-hour reminder falls due within seconds.
    start = (datetime.now(UTC) + timedelta(minutes=60, seconds=4)).replace(microsecond=0)
    moved = session_action(client, f"/{booking['id']}/reschedule", mentor,
                           json={"scheduled_time": start.isoformat()})  # fmt: skip
    assert moved.status_code == 200, moved.get_json()
    message = {"recipient_id": ids["zoe@example.org"], "body": "Could we start with useEffect?"}
    assert client.post("/api/v1/messages", json=message, headers=student).status_code == 201
    paid = payment_event(booking["id"], currency="EUR", payer_email="jonas@example.org")
    assert post_webhook(client, paid).status_code == 201
    wait_until(lambda: datetime.now(UTC) >= start - timedelta(hours=1), 30, "the reminder due")
    burst()
    cancelled = session_action(client, f"/{booking['id']}/cancel", mentor, json={})
    assert cancelled.status_code == 200, cancelled.get_json()
    burst()

    types = dict(db.session.execute(select(Notification.id, Notification.type)).all())
    mails: dict[str, dict[str, list]] = {address: {} for address in ZONES}
    numbered = [(_row_id(m), m) for m in smtp.messages]
    for row_id, received in sorted(numbered, key=lambda item: item[0]):
        mails[received["To"]].setdefault(types[row_id], []).append(received)
    uid = session_uid(booking["id"], app.config["PUBLIC_BASE_URL"])
    return {"mails": mails, "start": start, "uid": uid, "ids": ids, "client": client}


def _row_id(message) -> int:
    return int(message["Message-ID"].split("@")[0].removeprefix("<notification-"))


def _text(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def _calendar(message) -> tuple[str, Calendar, object]:
    """The method, the calendar and the attachment, checked against the inline alternative."""
    [attachment] = list(message.iter_attachments())
    inline = [p for p in message.walk() if p.get_content_type() == "text/calendar"][0]
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == inline.get_param("method")
    calendar = Calendar.from_ical(attachment.get_content())
    assert calendar.to_ical() == Calendar.from_ical(inline.get_content()).to_ical()
    return attachment.get_param("method"), calendar, attachment


def _range(start: datetime, minutes: int, zone: str) -> str:
    """'07:00–07:45 PST (UTC−08:00)', worked out here rather than by the code under test."""
    begin, end = start.astimezone(ZoneInfo(zone)), (start + timedelta(minutes=minutes))
    end = end.astimezone(ZoneInfo(zone))
    offset = int(begin.utcoffset().total_seconds()) // 60
    sign = "+" if offset >= 0 else "\u2212"
    utc = f"UTC{sign}{abs(offset) // 60:02d}:{abs(offset) % 60:02d}"
    return f"{begin:%H:%M}\u2013{end:%H:%M} {begin.tzname()} ({utc})"


def test_the_flow_as_each_person_reads_it(flow):
    mails, start, uid = flow["mails"], flow["start"], flow["uid"]
    zoe, jonas = mails["zoe@example.org"], mails["jonas@example.org"]

    # Every change a calendar shows reached each party as an invite with a higher SEQUENCE:
    # the booking, the call link, the new time, the cancellation.
    for address, box in mails.items():
        invites = [_calendar(m) for m in box["session_confirmed"] + box["session_cancelled"]]
        invites.sort(key=lambda found: found[1].walk("VEVENT")[0]["sequence"])
        events = [calendar.walk("VEVENT")[0] for _, calendar, _ in invites]
        assert [method for method, _, _ in invites] == ["REQUEST"] * 3 + ["CANCEL"]
        assert [e["sequence"] for e in events] == [0, 1, 2, 3]
        assert {str(e["uid"]) for e in events} == {uid}
        assert [a.get_filename() for _, _, a in invites] == ["invite.ics"] * 3 + [
            "cancellation.ics"
        ]
        assert "location" not in events[0] and str(events[1]["location"]) == LINK
        assert str(events[1]["url"]) == LINK and events[2]["dtstart"].dt == start
        assert events[3]["status"] == "CANCELLED"
        for event in events:
            # The platform organizes; both people attend and are asked for no reply.
            assert str(event["organizer"]) == "mailto:noreply@mentorhub.com"
            assert event["organizer"].params["CN"] == "MentorHub"
            attendees = {str(a): a.params["RSVP"] for a in event["attendee"]}
            assert attendees == {f"mailto:{a}": "FALSE" for a in ZONES}, address

    # "You" for the one who did it, the name for the other; ranges in the reader's zone.
    booked_zoe, link_zoe, moved_zoe = (_text(m) for m in zoe["session_confirmed"])
    booked_jonas, link_jonas, moved_jonas = (_text(m) for m in jonas["session_confirmed"])
    assert link_zoe.startswith("You added the call link")
    assert link_jonas.startswith(f"{ZOË} added the call link")
    assert moved_zoe.startswith("You moved your session") and ZOË not in moved_zoe[:60]
    assert moved_jonas.startswith(f"{ZOË} moved your session")
    assert f"To:   {start.astimezone(ZoneInfo(ZONES['jonas@example.org'])):%a %d %b %Y}, " in (
        moved_jonas
    )
    for address, text in (("zoe@example.org", moved_zoe), ("jonas@example.org", moved_jonas)):
        assert _range(start, 45, ZONES[address]) in text
    assert "(45 minutes)" not in booked_jonas and "\u2013" in booked_jonas.split("When: ")[1]
    # The mentor's subject keeps the topic's words; the name can go.
    subject = zoe["session_confirmed"][0]["Subject"]
    assert subject.startswith("New booking ") and "React Hooks in practice: effects" in subject

    # The reminder: the time left, then the range, without doubled brackets.
    for address, box in mails.items():
        [reminder] = [_text(m) for m in box["session_reminder"]]
        assert "starts in" in reminder and "))" not in reminder
        assert f"When: {start.astimezone(ZoneInfo(ZONES[address])):%a %d %b %Y}, " in reminder
        assert _range(start, 45, ZONES[address]) in reminder

    # Receipts show the other party, never the reader nor the payer's address to the mentor.
    [notice], [receipt] = zoe["payment_received"], jonas["payment_received"]
    assert f"Paid by: {JONAS}\n" in _text(notice)
    assert "Mentor:" not in _text(notice) and "jonas@example.org" not in _text(notice)
    assert f"Mentor: {ZOË}\n" in _text(receipt)

    # A paid cancellation says what happens to the money, and where to see it.
    for box in mails.values():
        [text] = [_text(m) for m in box["session_cancelled"]]
        assert "€49.90 was paid for this session. A cancelled session is refunded" in text
        assert "See your payments: http://localhost:3000/payments" in text
    assert _text(zoe["session_cancelled"][0]).startswith("You cancelled your session")

    # A message says the reply belongs in the app, and the button goes there.
    [message] = [_text(m) for m in zoe["new_message"]]
    assert "a reply to this email does not reach Jonas" in message
    assert f"/messages/{flow['ids']['jonas@example.org']}\n" in message

    # Every mail: Auto-Submitted, readable colours, links in text of 14 px or more.
    for box in mails.values():
        for kind, received in box.items():
            for mail in received:
                assert mail["Auto-Submitted"] == "auto-generated", kind
                html = mail.get_body(("html",)).get_content()
                assert readability.problems(html) == [], kind
    # Account mail: to the address that signed up, never with an unsubscribe link.
    assert [m["List-Unsubscribe"] for box in mails.values() for m in box["welcome"]] == [None] * 2
    _check_unsubscribe_pages(flow["client"], jonas)


def _check_unsubscribe_pages(client, box: dict) -> None:
    """The pages the one-click links of the student's mails open, read as a person would."""
    pages = {}
    for kind in ("session_reminder", "session_confirmed"):
        link = box[kind][0]["List-Unsubscribe"].strip("<>").split("/api/v1", 1)[1]
        pages[kind] = client.get(f"/api/v1{link}").text
    assert "Stop getting session reminders by email?" in pages["session_reminder"]
    assert "calendar" not in pages["session_reminder"]
    assert "also stops the calendar invites" in pages["session_confirmed"]
    for page in pages.values():
        assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
        assert "padding:32px 16px" in page  # margins on a phone
        assert readability.problems(page) == []

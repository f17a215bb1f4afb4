"""The people and the session every type's samples share: a mentor in Prague, a student in LA."""

from __future__ import annotations

from datetime import datetime, timedelta

from mentorhub.calendars import Participants, Party

LONG_TOPIC = "React Hooks in practice: effects, memoisation and the rules that keep them sane"
MENTOR = {"id": 7, "name": "Zoë Šimková", "email": "zoe@example.org", "zone": "Europe/Prague"}
STUDENT = {
    "id": 8,
    "name": "Jonas Ødegaard",
    "email": "jonas@example.org",
    "zone": "America/Los_Angeles",
}
PEOPLE = {"mentor": MENTOR, "student": STUDENT, "payer": STUDENT}


def start_of(now: datetime) -> datetime:
    """The sample session's start: tomorrow, 15:00 UTC."""
    return (now + timedelta(days=1)).replace(hour=15, minute=0, second=0, microsecond=0)


def session(now: datetime, role: str, **extra: object) -> dict:
    """The sample session as `role` reads about it: their zone, the other person's name."""
    other = STUDENT if PEOPLE[role] is MENTOR else MENTOR
    return {
        "session_id": 42,
        "topic": LONG_TOPIC,
        "scheduled_time": start_of(now).isoformat(),
        "duration_minutes": 45,
        "meeting_link": "https://meet.example.org/mentorhub-6f1c2a",
        "mentor_id": MENTOR["id"],
        "mentor_name": MENTOR["name"],
        "student_name": STUDENT["name"],
        "sequence": 0,
        "with_name": other["name"],
        "time_zone": PEOPLE[role]["zone"],
        "role": role,
        **extra,
    }


def participants(session_id: int) -> Participants:
    """The samples' mentor and student, as an invite names them (the database's stand-in)."""
    return Participants(
        mentor=Party(MENTOR["name"], MENTOR["email"]),
        student=Party(STUDENT["name"], STUDENT["email"]),
        minutes=45,
        topic=LONG_TOPIC,
        link=None,
    )

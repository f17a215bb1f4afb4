"""Realistic data for every email type and recipient role, for previews and their tests."""

from __future__ import annotations

from datetime import datetime, timedelta

ROLES = {"payment_received": ("payer", "mentor")}
DEFAULT_ROLES = ("student", "mentor")
LONG_TOPIC = "React Hooks in practice: effects, memoisation and the rules that keep them sane"


def sample_cases(now: datetime) -> list[tuple[str, str, str, dict]]:
    """(name, type, role, data) for each type and each of its recipient roles, and a move."""
    start = (now + timedelta(days=1)).replace(hour=15, minute=0, second=0, microsecond=0)
    session = {
        "session_id": 42,
        "topic": LONG_TOPIC,
        "scheduled_time": start.isoformat(),
        "duration_minutes": 45,
        "meeting_link": "https://meet.example.org/mentorhub-6f1c2a",
        "mentor_id": 7,
        "mentor_name": "Zoë Šimková",
        "student_name": "Jonas Ødegaard",
    }
    names = {"student": "Jonas Ødegaard", "mentor": "Zoë Šimková"}
    others = {"student": "Zoë Šimková", "mentor": "Jonas Ødegaard"}
    data = {
        "welcome": lambda role: {"name": names[role]},
        "session_confirmed": lambda role: {**session, "with_name": others[role]},
        "session_reminder": lambda role: {
            **session,
            "with_name": others[role],
            "scheduled_time": (now + timedelta(minutes=60)).isoformat(),
        },
        "session_cancelled": lambda role: {
            **session,
            "with_name": others[role],
            "cancelled_by_name": others[role],
            "reason": "A family matter came up; sorry for the short notice.",
        },
        "new_message": lambda role: {
            "sender_name": others[role],
            "sender_id": 7 if role == "student" else 8,
            "preview": "Could we spend the first ten minutes on useEffect cleanup? I keep "
            "getting a warning about state updates on an unmounted component and I…",
        },
        "payment_received": lambda role: {
            **session,
            "amount": "49.90",
            "currency": "EUR",
            "transaction_id": "evt_3PqL8sK2eZvKYlo2C1a9",
            "paid_at": (now - timedelta(minutes=5)).isoformat(),
            "payer_name": "Jonas Ødegaard",
            "payer_email": "jonas@example.org",
        },
    }
    cases = []
    for type_name, build in data.items():
        for role in ROLES.get(type_name, DEFAULT_ROLES):
            cases.append((f"{type_name}-{role}", type_name, role, {**build(role), "role": role}))
    cases.append(
        (
            "session_confirmed-student-rescheduled",
            "session_confirmed",
            "student",
            {
                **session,
                "with_name": "Zoë Šimková",
                "role": "student",
                "rescheduled": True,
                "previous_time": (start - timedelta(days=1)).isoformat(),
                "moved_by_name": "Zoë Šimková",
            },
        )
    )
    return cases

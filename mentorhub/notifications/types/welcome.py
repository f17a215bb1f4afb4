"""`welcome`: a new account, told what to do first. Account mail: it goes to the address that
signed up, the only notice its owner gets that an account was opened with it."""

from __future__ import annotations

from datetime import datetime

from mentorhub.mail.content import mail_copy
from mentorhub.mail.links import app_link
from mentorhub.mail.wording import fit_subject
from mentorhub.notifications.types._declaration import NotificationType
from mentorhub.notifications.types._samples import PEOPLE


def copy(c: dict) -> dict:
    """Mentors set up their profile, students find a mentor."""
    if c["role"] == "mentor":
        pre = "Your mentor account is ready. Add what you can teach, so students can book you."
        action = ("Set up your mentor profile", app_link("profile"))
    else:
        pre = "Your account is ready. Find a mentor and book your first session."
        action = ("Find a mentor", app_link("mentors"))
    # The address is not confirmed yet: its owner sees only our words in the subject.
    return mail_copy(fit_subject(f"Welcome to {c['platform']}"), pre, action)


def samples(now: datetime) -> dict[str, dict]:
    """A new student and a new mentor."""
    return {role: {"name": PEOPLE[role]["name"], "role": role} for role in ("student", "mentor")}


TYPE = NotificationType(
    name="welcome",
    label="welcome emails",
    required=("name",),
    roles=("student", "mentor"),
    copy=copy,
    in_app="Welcome to {platform}, {name}!",
    samples=samples,
    always_sent="This email confirms that an account was opened with your address, so it is "
    "always sent.",
    account_mail=True,
)

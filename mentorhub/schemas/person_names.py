"""The rule for a person's name: shown in other people's mail, it may not speak for us.

A name appears in subjects, greetings, calendar invites and the feed. A line break or control
character in it could write lines of its own (or hide the rest behind a bidi override), and a
scheme, `www.` or a bare domain becomes a link in mail clients, with the platform's name above
it. Initials (`J.R.R. Tolkien`) and ordinary punctuation are not links and stay allowed.
"""

from __future__ import annotations

import re

from marshmallow import ValidationError, fields, validate

from mentorhub.observability.log_text import UNSAFE_CHARACTERS

MAX_NAME_LENGTH = 120
LINE_BREAKS = "Names may not contain line breaks or control characters."
LINKS = "Names may not contain links or web addresses (such as www. or example.com)."
# Full stops that IDNA reads as dots, so a client may link `paypal。com` too.
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})
_LINK = re.compile(
    r"[a-z][a-z0-9+.-]*://"  # any scheme with an authority
    r"|\b(?:mailto|tel|sms|callto|javascript|data|file|xmpp|sip|skype):"  # and those without
    r"|\bwww\d{0,3}\."
    r"|[\w-]+(?:\.[\w-]+)*\.(?:[^\W\d_]{2,}|xn--[\w-]+)\b",  # a domain: its last label words
    re.IGNORECASE,
)


def name_problem(name: str) -> str | None:
    """Why `name` may not be shown to others, or None when it may."""
    if UNSAFE_CHARACTERS.search(name):
        return LINE_BREAKS
    if _LINK.search(name.translate(_DOTS)):
        return LINKS
    return None


class PersonName(fields.String):
    """A person's name: trimmed, not blank, at most 120 characters, and nothing `name_problem`
    refuses."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("validate", validate.Length(min=1, max=MAX_NAME_LENGTH))
        # Documents that blank text is refused; the rest of the rule is in the description.
        kwargs.setdefault(
            "metadata",
            {"pattern": r"\S", "description": "No line breaks, control characters or links."},
        )
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        problem = name_problem(text)
        if problem:
            raise ValidationError(problem)
        text = text.strip()
        if not text:
            raise ValidationError("Name must not be blank.")
        return text

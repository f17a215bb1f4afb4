"""The rule for a session's call link: https to a public host, in printable ASCII.

The link is shown under the platform's name in emails, invites and the feed, so it may not
mislead: no Unicode (a Cyrillic look-alike host, bidi overrides, zero-width characters; an
internationalised host is accepted in its xn-- form, and shown so everywhere), no text before
an @ that reads like the host, and no host inside someone's network: an IP address in any
spelling (the last label must be a name), a single label, or a local name. Input is refused
with the reason; a link stored before the rule that breaks it is shown nowhere.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

HTTPS = "Meeting links must start with https://."
USERINFO = "Meeting links may not hold a user name or password (text before an @)."
HOST = "Meeting links must name a public host, not an IP address or a local name."
ASCII = (
    "Meeting links must be printable ASCII, without spaces, bidi or zero-width characters; "
    "write an internationalised host in its xn-- form."
)
PORT = "Meeting links must have a port between 1 and 65535, if any."
MAX_LENGTH = 500
# Printable ASCII but the backslash, which browsers read as a slash.
_PRINTABLE = re.compile(r"[!-\[\]-~]+")
_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
# The last label is a top-level domain: letters, or an internationalised one in xn-- form.
_TOP_LABEL = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}")
# Names that resolve inside a machine or a local network, never on the public internet.
_LOCAL_SUFFIXES = ("localhost", "local", "internal", "arpa", "invalid")


def meeting_link_problem(link: str) -> str | None:
    """Why `link` may not be a session's call link, or None when it may."""
    if not link.lower().startswith("https://"):
        return HTTPS
    if not _PRINTABLE.fullmatch(link):
        return ASCII
    netloc = urlsplit(link).netloc
    if "@" in netloc:
        return USERINFO
    host, colon, port = netloc.rpartition(":") if not netloc.endswith("]") else (netloc, "", "")
    if not colon:
        host = netloc
    elif not (port.isdigit() and 1 <= int(port) <= 65535):
        return PORT
    labels = host.lower().removesuffix(".").split(".")
    if (
        len(labels) < 2
        or len(host) > 253
        or not all(_LABEL.fullmatch(label) for label in labels)
        or not _TOP_LABEL.fullmatch(labels[-1])
        or labels[-1] in _LOCAL_SUFFIXES
    ):
        return HOST
    return None


def room_link(template: str, token: str) -> str:
    """A call link from MEETING_LINK_TEMPLATE: the template with `{token}` filled in."""
    return template.format(token=token)


def shown_meeting_link(value: object) -> str | None:
    """The link to show for a session (None when there is none, or it breaks the rule)."""
    if not isinstance(value, str) or len(value) > MAX_LENGTH or meeting_link_problem(value):
        return None
    return value

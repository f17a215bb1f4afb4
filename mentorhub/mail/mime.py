"""Write a rendered email as the bytes SMTP sends: multipart/alternative, text and HTML parts.

Flask-Mail builds a tree of `email.mime` objects and the email package's generator serialises
it: 0.55 ms of a worker's CPU per mail, 40% of all it did in our profile, spent folding headers,
walking the tree, and compiling a regex afresh for every random MIME boundary. These messages
always have the same shape, so we write them directly (0.02 ms), with the same encodings:
headers that are ASCII and short go out as they are, others as folded RFC 2047 words (as
Flask-Mail does), and each body part as 7bit or 8bit text with CRLF line ends, or base64 when a
line is too long for SMTP.
"""

from __future__ import annotations

import base64
import secrets
from email.header import Header
from email.utils import formatdate, make_msgid

from flask_mail import sanitize_address

# RFC 5322 allows 998 characters a line; 78 is what it recommends for headers.
_MAX_LINE = 998
_FOLD_AT = 78


def envelope_address(address: str) -> str:
    """The address as SMTP's MAIL FROM / RCPT TO wants it (Flask-Mail's rules)."""
    if address.isascii() and not any(c in address for c in '<>",\\'):
        # A bare ASCII address: exactly what sanitize_address would return, without parsing.
        return address
    return sanitize_address(address)


def build_message(
    *,
    sender: str,
    to: str,
    subject: str,
    text: str,
    html: str,
    message_id: str | None = None,
    headers: dict[str, str] | None = None,
    date: float | None = None,
) -> bytes:
    """The complete message, CRLF line ends, ready for `smtplib.SMTP.sendmail`."""
    text_part = _part("plain", text)
    html_part = _part("html", html)
    boundary = _boundary(text_part, html_part)
    domain = sender.rpartition("@")[2].rstrip(">") or "localhost"
    # make_msgid with a domain skips socket.getfqdn(), a resolver call per message.
    lines = [
        f'Content-Type: multipart/alternative;\r\n boundary="{boundary}"',
        "MIME-Version: 1.0",
        _header("Subject", subject),
        _header("From", envelope_address(sender)),
        _header("To", envelope_address(to)),
        f"Date: {formatdate(date, localtime=True)}",
        f"Message-ID: {message_id or make_msgid(domain=domain)}",
    ]
    lines.extend(_header(name, value) for name, value in (headers or {}).items())
    head = "\r\n".join(lines).encode("utf-8")
    edge = f"--{boundary}\r\n".encode("ascii")
    end = f"--{boundary}--\r\n".encode("ascii")
    return b"".join((head, b"\r\n\r\n", edge, text_part, b"\r\n", edge, html_part, b"\r\n", end))


def _header(name: str, value: str) -> str:
    if value.isascii() and (len(name) + len(value) + 2 <= _FOLD_AT or " " not in value):
        # Short, or nothing to fold at (a URL): as it is, within SMTP's 998-character line.
        return f"{name}: {value}"
    # Non-ASCII or long: RFC 2047 encoded words, folded, as the email package would write it.
    charset = "us-ascii" if value.isascii() else "utf-8"
    encoded = Header(value, charset, header_name=name).encode(linesep="\r\n")
    return f"{name}: {encoded}"


def _part(subtype: str, body: str) -> bytes:
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    data = "\r\n".join(lines).encode("utf-8")
    # A UTF-8 character is at most 4 bytes: only a line of over 249 characters needs encoding.
    if any(len(line) > _MAX_LINE // 4 and len(line.encode()) > _MAX_LINE for line in lines):
        # Too long for an SMTP line: base64 keeps every line at 76 characters.
        encoding = "base64"
        data = base64.encodebytes(data).replace(b"\n", b"\r\n")
    else:
        encoding = "7bit" if data.isascii() else "8bit"
    head = (
        f'Content-Type: text/{subtype}; charset="utf-8"\r\n'
        f"MIME-Version: 1.0\r\n"
        f"Content-Transfer-Encoding: {encoding}\r\n\r\n"
    )
    return head.encode("ascii") + data


def _boundary(*parts: bytes) -> str:
    # Random, and checked against the bodies: a boundary must never occur inside a part.
    while True:
        boundary = f"=_mentorhub_{secrets.token_hex(12)}"
        token = boundary.encode("ascii")
        if not any(token in part for part in parts):
            return boundary

"""Scrub secrets out of log text: configured secret values and the shapes tokens take."""

from __future__ import annotations

import re
from collections.abc import Iterable

MASK = "[REDACTED]"
# Settings whose values must never reach a log line.
SECRET_SETTINGS = (
    "SECRET_KEY",
    "JWT_SECRET_KEY",
    "SMTP_USER",
    "SMTP_PASSWORD",
    "PAYMENT_WEBHOOK_SECRET",
    "METRICS_TOKEN",
)
# Shorter values are too likely to match ordinary words.
MIN_SECRET_LENGTH = 6
_PATTERNS = (
    # A JSON Web Token, wherever it appears.
    (re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), MASK),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), rf"\1 {MASK}"),
    # key=value, key: value and "key": "value" for names that carry credentials.
    (
        re.compile(
            r"(?i)((?:password|passwd|secret|token|api[_-]?key|authorization|signature)"
            r"[\w-]*[\"']?\s*[:=]\s*[\"']?)[^\"'\s&,;}]+"
        ),
        rf"\1{MASK}",
    ),
    # Credentials inside URLs: scheme://user:password@host.
    (re.compile(r"(://[^/\s:@]+:)[^/\s@]+@"), rf"\1{MASK}@"),
    # A calendar feed's URL is its credential: /calendar/<token>.ics.
    (re.compile(r"(/calendar/)[^/?#\s\"']+(\.ics)"), rf"\1{MASK}\2"),
)


class Redactor:
    """Replaces known secret values and token-shaped text with a mask."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        values = {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}
        # Longest first, so a secret containing another is masked whole.
        self.secrets = sorted(values, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        """Return `text` with every secret masked."""
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text


def secrets_from_config(config) -> list[str]:
    """The secret values configured for an app."""
    return [config.get(name) for name in SECRET_SETTINGS if isinstance(config.get(name), str)]

"""Which addresses get mail: one rule for sign-up, the demo data, delivery and our own sender.

An address is mailable when its syntax is valid, the part before the @ is ASCII (we send
without SMTPUTF8, so sign-up refuses what delivery could never send; an internationalised
domain is fine, sent in its ASCII form) and its domain is not special-use. Domains reserved for
testing (`.test`) are mailable only where ALLOW_TEST_EMAIL_DOMAINS says so: a staging stack with
a mail catcher, or `make run`, which only logs mail. Our own From and Reply-To may always be on
one: the sender's domain is never delivered to.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import parseaddr

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email
from flask import current_app

INVALID = "Not a valid email address."
RESERVED_DOMAIN = "This email domain is reserved and cannot receive mail."
NEEDS_SMTPUTF8 = (
    "Use an address whose part before the @ has only ASCII letters, digits and punctuation: "
    "our mail cannot reach this one."
)
TEST_DOMAIN = "test"


class AddressError(ValueError):
    """An address we will not mail; the message says why, in words fit for its owner."""


@dataclass(frozen=True)
class MailableAddress:
    """An address we mail: as stored (normalised, lower-case) and as sent (ASCII domain)."""

    stored: str
    ascii: str


def _under(domain: str, names) -> bool:
    return any(domain == name or domain.endswith("." + name) for name in names)


def mailable(value: str, test_domains: bool) -> MailableAddress:
    """`value` as a mailable address; AddressError saying why it is not one."""
    try:
        # Test domains pass the syntax check here and are decided below, by the setting.
        result = validate_email(value, check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        domain = value.rpartition("@")[2].lower().rstrip(".")
        raise AddressError(
            RESERVED_DOMAIN if _under(domain, SPECIAL_USE_DOMAIN_NAMES) else INVALID
        ) from None
    if result.ascii_email is None:
        raise AddressError(NEEDS_SMTPUTF8)
    if not test_domains and _under(result.ascii_domain, (TEST_DOMAIN,)):
        raise AddressError(RESERVED_DOMAIN)
    return MailableAddress(result.normalized.lower(), result.ascii_email)


def test_domains_allowed() -> bool:
    """Whether this app mails domains reserved for testing (ALLOW_TEST_EMAIL_DOMAINS)."""
    return bool(current_app.config.get("ALLOW_TEST_EMAIL_DOMAINS"))


def app_mailable(value: str) -> MailableAddress:
    """`mailable` under the current app's setting for test domains."""
    return mailable(value, test_domains_allowed())


def recipient(to: str) -> Address:
    """The To address of a message, by the current app's rule; AddressError if not mailable."""
    return Address(addr_spec=app_mailable(to).ascii)


def sender_address(value: str, default_name: str = "") -> Address:
    """`Name <addr>` or a bare address, as our From or Reply-To (test domains allowed)."""
    name, addr = parseaddr(value)
    if not addr or "@" not in addr or name and not value.rstrip().endswith(">"):
        raise AddressError(f"not an email address: {value!r}")
    try:
        spec = mailable(addr, test_domains=True).ascii
    except AddressError as error:
        raise AddressError(f"{value!r}: {error}") from None
    return Address(display_name=name or default_name, addr_spec=spec)

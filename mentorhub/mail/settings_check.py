"""Mail settings, checked when the app is built by the code that will use them.

Run by `init_mail`, so the web server (gunicorn's master builds the app before it forks) and
every worker check them before any work: a bad value stops the process with one line naming
the variable, rather than every mail failing later. Each setting goes through what uses it: the
senders through the address rule, the link bases through the rule links are built by, the
meeting-room template through the meeting-link rule, the TLS choice and CA file through the
code that opens the SMTP connection.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping

from config_env import ConfigError
from mentorhub.calendars import meeting_link_problem, room_link
from mentorhub.mail.addresses import AddressError, sender_address
from mentorhub.mail.links import link_base_problem
from mentorhub.mail.smtp import smtp_security, tls_context

SENDERS = ("FROM_EMAIL", "REPLY_TO_EMAIL")
LINK_BASES = ("PUBLIC_BASE_URL", "FRONTEND_URL", "EMAIL_LOGO_URL")
SAMPLE_ROOM = "mentorhub-room-check"


def check_mail_settings(config: Mapping) -> None:
    """Raise ConfigError, naming the variable, for the first mail setting that cannot work."""
    for name in SENDERS:
        if config.get(name):
            try:
                sender_address(config[name])
            except AddressError as error:
                raise ConfigError(f"{name} cannot be our sender: {error}") from None
    for name in LINK_BASES:
        problem = config.get(name) and link_base_problem(config[name])
        if problem:
            raise ConfigError(f"{name} {problem}, got {config[name]!r}")
    template = config.get("MEETING_LINK_TEMPLATE")
    problem = template and meeting_link_problem(room_link(template, SAMPLE_ROOM))
    if problem:
        raise ConfigError(f"MEETING_LINK_TEMPLATE makes links the link rule refuses: {problem}")
    if config.get("SMTP_HOST") and config.get("EMAIL_BACKEND") != "log":
        _check_smtp_security(config)


def _check_smtp_security(config: Mapping) -> None:
    try:
        use_ssl, use_tls = smtp_security(config)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    if (use_ssl or use_tls) and config.get("SMTP_CA_FILE"):
        try:
            tls_context(config)
        except (OSError, ssl.SSLError) as error:
            raise ConfigError(f"SMTP_CA_FILE cannot be loaded: {error}") from None

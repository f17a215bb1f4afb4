"""SMTP connections: opened one way everywhere, with a timeout, and one kept per app."""

from __future__ import annotations

import logging
import smtplib
import ssl
import time
from collections.abc import Callable, Mapping

from flask import Flask, current_app
from werkzeug.local import LocalProxy

from mentorhub.observability import record_smtp_connection

logger = logging.getLogger(__name__)
EXTENSION_KEY = "mentorhub.smtp"


def tls_context(config: Mapping) -> ssl.SSLContext:
    """A verifying TLS context; SMTP_CA_FILE adds a trusted CA (a test server's own, say)."""
    # smtplib's own default context does not check the certificate, so we always pass ours.
    return ssl.create_default_context(cafile=config.get("SMTP_CA_FILE") or None)


def smtp_security(config: Mapping) -> tuple[bool, bool]:
    """(SSL from the first byte, STARTTLS): SSL on port 465 or SMTP_USE_SSL, STARTTLS on 587 or
    SMTP_USE_TLS; both at once is a setting no connection can honour (ValueError)."""
    port = int(config.get("SMTP_PORT") or 587)
    use_ssl = _flag(config, "SMTP_USE_SSL", port == 465)
    use_tls = _flag(config, "SMTP_USE_TLS", port == 587)
    if use_ssl and use_tls:
        raise ValueError("SMTP_USE_SSL and SMTP_USE_TLS are both on: TLS from the first byte "
                         "(usually port 465) or STARTTLS (usually 587), not both")  # fmt: skip
    return use_ssl, use_tls


def open_smtp(config: Mapping) -> smtplib.SMTP:
    """Connect, secure and log in to the configured SMTP server; the caller closes it.

    SSL from the first byte on port 465 (or SMTP_USE_SSL), STARTTLS on 587 (or SMTP_USE_TLS),
    login when SMTP_USER is set. SMTP_TIMEOUT bounds the connect and every later command.
    """
    host = config.get("SMTP_HOST") or "localhost"
    port = int(config.get("SMTP_PORT") or 587)
    timeout = float(config.get("SMTP_TIMEOUT") or 10.0)
    use_ssl, use_tls = smtp_security(config)
    if use_ssl:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=tls_context(config)
        )
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
    try:
        if use_tls:
            smtp.starttls(context=tls_context(config))
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config.get("SMTP_PASSWORD") or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def close_quietly(smtp: smtplib.SMTP) -> None:
    """Say QUIT if the server still listens, and drop the socket either way."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()


def _flag(config: Mapping, name: str, default: bool) -> bool:
    value = config.get(name)
    return default if value is None else bool(value)


class PersistentSMTP:
    """One SMTP connection kept open across sends, reconnecting after any failure.

    A new connection per mail costs a TCP handshake, the greeting and EHLO (and STARTTLS and
    AUTH on a real relay). Servers drop idle clients, so a connection idle for a while is
    checked with NOOP first; a failed check, or any error while sending, discards it and the
    next send reconnects.
    """

    def __init__(self, connect: Callable[[], smtplib.SMTP], idle_check_seconds: float = 5.0):
        self.connect = connect
        self.idle_check_seconds = idle_check_seconds
        self._smtp: smtplib.SMTP | None = None
        self._last_used = 0.0

    def get(self) -> smtplib.SMTP:
        """A live connection: the kept one if it answers, otherwise a new one."""
        if self._smtp is not None and time.monotonic() - self._last_used > self.idle_check_seconds:
            try:
                code, _ = self._smtp.noop()
                if code != 250:
                    raise smtplib.SMTPServerDisconnected(f"NOOP answered {code}")
            except (smtplib.SMTPException, OSError) as error:
                logger.info("SMTP connection went stale (%s); reconnecting", error)
                self.discard()
        record_smtp_connection(reused=self._smtp is not None)
        if self._smtp is None:
            self._smtp = self.connect()
        self._last_used = time.monotonic()
        return self._smtp

    def discard(self) -> None:
        """Close the kept connection, e.g. after an error left it in an unknown state."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            close_quietly(smtp)


def init_smtp(app: Flask) -> None:
    """Give the app its own kept connection, opened lazily from its own config."""
    app.extensions[EXTENSION_KEY] = PersistentSMTP(lambda: open_smtp(app.config))


def app_smtp() -> PersistentSMTP:
    """The current app's kept connection."""
    return current_app.extensions[EXTENSION_KEY]


# The worker's connection, resolved per app at use: jobs run one at a time in the worker's
# main thread, and each app (two in one test process, say) keeps its own.
worker_smtp: PersistentSMTP = LocalProxy(app_smtp)  # type: ignore[assignment]

"""SMTP connections for Flask-Mail with a timeout, and one long-lived connection per worker."""

from __future__ import annotations

import logging
import smtplib
import time

from flask import current_app
from flask_mail import Connection

logger = logging.getLogger(__name__)


class TimeoutConnection(Connection):
    """Flask-Mail's connection, opened with a socket timeout.

    Flask-Mail calls `smtplib.SMTP(host, port)` with no timeout, so a server that accepts the TCP
    connection and then stalls would block the caller forever. smtplib applies `timeout` to the
    connect and to every later read and write on that socket, which bounds each SMTP command.
    We pass it per connection rather than through `socket.setdefaulttimeout`, which would change
    every socket the process opens (Redis, PostgreSQL) from then on.
    """

    def __init__(self, mail, timeout: float) -> None:
        super().__init__(mail)
        self.timeout = timeout

    def configure_host(self) -> smtplib.SMTP:
        """Connect (SSL or plain, then STARTTLS and login as configured) with the timeout."""
        mail = self.mail
        smtp_class = smtplib.SMTP_SSL if mail.use_ssl else smtplib.SMTP
        host = smtp_class(mail.server, mail.port, timeout=self.timeout)
        try:
            host.set_debuglevel(int(mail.debug))
            if mail.use_tls:
                host.starttls()
            if mail.username and mail.password:
                host.login(mail.username, mail.password)
        except BaseException:
            host.close()
            raise
        return host

    def close(self) -> None:
        """Say QUIT if the server still listens, and drop the socket either way."""
        if self.host is None:
            return
        try:
            self.host.quit()
        except (smtplib.SMTPException, OSError):
            self.host.close()
        self.host = None


def open_connection() -> TimeoutConnection:
    """A connected TimeoutConnection for the current app's mail settings."""
    connection = TimeoutConnection(
        current_app.extensions["mail"], current_app.config["SMTP_TIMEOUT"]
    )
    connection.__enter__()
    return connection


class PersistentSMTP:
    """One SMTP connection kept open across jobs in a worker process.

    A new connection per mail costs a TCP handshake, the greeting and EHLO (and STARTTLS and AUTH
    on a real relay): about half the time of a send to a local server. The connection is checked
    with NOOP when it has been idle, since servers drop idle clients; a failed check, or any error
    while sending, discards it and the next send reconnects.
    """

    def __init__(self, idle_check_seconds: float = 5.0) -> None:
        self.idle_check_seconds = idle_check_seconds
        self._connection: TimeoutConnection | None = None
        self._last_used = 0.0

    def get(self) -> TimeoutConnection:
        """A live connection: the kept one if it answers, otherwise a new one."""
        if self._connection is not None and self._idle_for() > self.idle_check_seconds:
            try:
                code, _ = self._connection.host.noop()
                if code != 250:
                    raise smtplib.SMTPServerDisconnected(f"NOOP answered {code}")
            except (smtplib.SMTPException, OSError) as error:
                logger.info("SMTP connection went stale (%s); reconnecting", error)
                self.discard()
        if self._connection is None:
            self._connection = open_connection()
        self._last_used = time.monotonic()
        return self._connection

    def discard(self) -> None:
        """Close the kept connection, e.g. after an error left it in an unknown state."""
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def _idle_for(self) -> float:
        return time.monotonic() - self._last_used


# The worker's connection: jobs run one at a time in the worker's main thread.
worker_smtp = PersistentSMTP()

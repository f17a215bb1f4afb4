"""Real aiosmtpd servers for tests: plain, implicit TLS and STARTTLS, with or without AUTH.

The certificate is made by `openssl` for `localhost` when the test runs; clients trust it
through the CA-file setting, so certificate verification stays on.
"""

from __future__ import annotations

import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support.servers import free_port

SMTP_USER = "relay-user"
SMTP_PASSWORD = "relay-password"


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for DNS:localhost and its key, as PEM files."""
    cert, key = directory / "localhost.pem", directory / "localhost.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"]
        + ["-addext", "subjectAltName=DNS:localhost"],
        check=True,
        capture_output=True,
    )
    return cert, key


@dataclass
class CountingHandler:
    """Accepts and drops every message; counts NOOPs and successful logins."""

    noops: int = 0
    logins: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_NOOP(self, server, session, envelope, arg) -> str:  # noqa: N802
        """Count the health check's NOOP."""
        with self.lock:
            self.noops += 1
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        """Accept the message."""
        return "250 Message accepted"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        """Accept only SMTP_USER / SMTP_PASSWORD."""
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            SMTP_USER.encode(),
            SMTP_PASSWORD.encode(),
        )
        if ok:
            with self.lock:
                self.logins += 1
        # handled=False: aiosmtpd then answers 535 itself instead of saying nothing.
        return AuthResult(success=ok, handled=False)


class SMTPServer:
    """One aiosmtpd server on a free loopback port, in `plain`, `ssl` or `starttls` mode."""

    def __init__(self, mode: str, cert: tuple[Path, Path] | None = None, auth: bool = False):
        self.mode = mode
        self.port = free_port()
        self.handler = CountingHandler()
        kwargs: dict = {}
        if mode != "plain":
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*cert)
            kwargs["ssl_context" if mode == "ssl" else "tls_context"] = context
            if mode == "starttls":
                kwargs["require_starttls"] = True
        if auth:
            kwargs.update(
                authenticator=self.handler.authenticate,
                auth_required=True,
                # aiosmtpd only counts STARTTLS as TLS; on implicit TLS the socket already is.
                auth_require_tls=mode != "ssl",
            )
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, ready_timeout=10, **kwargs
        )

        self.running = False

    def start(self) -> SMTPServer:
        """Start serving; returns self."""
        self.controller.start()
        self.running = True
        return self

    def stop(self) -> None:
        """Stop serving (if it still is): new connections are refused."""
        if self.running:
            self.controller.stop()
            self.running = False

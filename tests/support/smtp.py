"""A real SMTP server for tests and benchmarks: aiosmtpd on loopback, recording what it accepts.

Plain, implicit TLS or STARTTLS, with or without AUTH. It can be stopped (connections refused)
and started again on the same port, told to stall a message at RCPT or to take a while over
each one. It counts every message by Message-ID, so duplicates show. The TLS certificate is made
by `openssl` for `localhost` when the test runs; clients trust it through the CA-file setting,
so certificate verification stays on.
"""

from __future__ import annotations

import asyncio
import email
import re
import ssl
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.support.servers import free_port
from tests.support.waiting import wait_until

SMTP_USER = "relay-user"
SMTP_PASSWORD = "relay-password"
# The header is found in the raw bytes: parsing every message would cost a benchmark's server
# more than accepting it.
MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)


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


def message_id(content: bytes) -> str:
    """The Message-ID header of a raw message ("" when it has none)."""
    head = content.split(b"\r\n\r\n", 1)[0]
    found = MESSAGE_ID.search(head)
    return found.group(1).decode(errors="replace") if found else ""


class MailSink:
    """An aiosmtpd server on a loopback port (`plain`, `ssl` or `starttls`) and its handler.

    `keep_messages=False` counts without parsing or keeping the messages; `on_accept(message_id,
    epoch_seconds)` is called for each accepted message, in the server's thread.
    """

    def __init__(
        self,
        port: int | None = None,
        *,
        mode: str = "plain",
        certificate: tuple[Path, Path] | None = None,
        auth: bool = False,
        keep_messages: bool = True,
        on_accept: Callable[[str, float], None] | None = None,
    ) -> None:
        self.port = port or free_port()
        self.keep_messages = keep_messages
        self.on_accept = on_accept
        self.messages: list[EmailMessage] = []
        self.accepted = 0
        self.received: Counter[str] = Counter()
        self.times: dict[str, list[float]] = {}
        self.noops = 0
        self.logins = 0
        # Set `stall_after` to N: the (N+1)th message waits at RCPT until `release` is set.
        self.stall_after: int | None = None
        self.stalled = threading.Event()
        self.release = threading.Event()
        # Seconds each message takes to be accepted: keeps workers mid-batch for fault tests.
        self.delay = 0.0
        self._lock = threading.Lock()
        self._options = self._controller_options(mode, certificate, auth)
        self._controller: Controller | None = None

    def _controller_options(
        self, mode: str, certificate: tuple[Path, Path] | None, auth: bool
    ) -> dict:
        options: dict = {}
        if mode != "plain":
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*certificate)
            options["ssl_context" if mode == "ssl" else "tls_context"] = context
            if mode == "starttls":
                options["require_starttls"] = True
        if auth:
            options.update(
                authenticator=self.authenticate,
                auth_required=True,
                # aiosmtpd only counts STARTTLS as TLS; on implicit TLS the socket already is.
                auth_require_tls=mode != "ssl",
            )
        return options

    async def handle_NOOP(self, server, session, envelope, arg) -> str:  # noqa: N802
        """Count the health check's NOOP."""
        with self._lock:
            self.noops += 1
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: N802
        """Take the recipient, or stall here once `stall_after` messages were accepted."""
        if self.stall_after is not None and self.count() >= self.stall_after:
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
        """Accept and record the message (after `delay`)."""
        if self.delay:
            await asyncio.sleep(self.delay)
        identity = message_id(envelope.content)
        parsed = None
        if self.keep_messages:
            parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.accepted += 1
            self.received[identity] += 1
            self.times.setdefault(identity, []).append(time.monotonic())
            if parsed is not None:
                self.messages.append(parsed)
        if self.on_accept is not None:
            self.on_accept(identity, time.time())
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        """Accept only SMTP_USER / SMTP_PASSWORD."""
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            SMTP_USER.encode(),
            SMTP_PASSWORD.encode(),
        )
        if ok:
            with self._lock:
                self.logins += 1
        # handled=False: aiosmtpd then answers 535 itself instead of saying nothing.
        return AuthResult(success=ok, handled=False)

    def start(self) -> MailSink:
        """Listen on the port (again); returns self."""
        self._controller = Controller(
            self, hostname="127.0.0.1", port=self.port, ready_timeout=10, **self._options
        )
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening and drop connections: clients now get 'connection refused'."""
        if self._controller is not None:
            self.release.set()
            self._controller.stop()
            self._controller = None

    def count(self) -> int:
        """How many messages were accepted."""
        with self._lock:
            return self.accepted

    def clear(self) -> None:
        """Forget every message accepted so far."""
        with self._lock:
            self.messages.clear()
            self.accepted = 0
            self.received.clear()
            self.times.clear()

    def wait_for(self, count: int, timeout: float = 60.0) -> list[EmailMessage]:
        """Wait until at least `count` messages arrived; return them all."""
        wait_until(lambda: self.count() >= count, timeout, f"{count} message(s) at the SMTP server")
        with self._lock:
            return list(self.messages)

    def to(self, address: str) -> list[EmailMessage]:
        """Messages addressed to `address`."""
        with self._lock:
            return [m for m in self.messages if m["To"] == address]

    def copies(self) -> Counter[str]:
        """How many copies of each Message-ID arrived."""
        with self._lock:
            return Counter(self.received)

    def repeats(self) -> dict[str, list[float]]:
        """When each Message-ID received more than once arrived (monotonic seconds)."""
        with self._lock:
            return {k: list(v) for k, v in self.times.items() if len(v) > 1}

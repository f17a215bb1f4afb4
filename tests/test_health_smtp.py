"""The SMTP readiness check over TLS with login, and /ready under a burst of callers."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from werkzeug.serving import ThreadedWSGIServer

from tests.support.smtp import SMTP_PASSWORD, SMTP_USER, MailSink, make_certificate

# aiosmtpd warns about its own settings for implicit TLS (see tests/support/smtp.py).
pytestmark = [
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS"),
    pytest.mark.filterwarnings("ignore:Session.login_data is deprecated"),
]


def _ready(app, query: str = ""):
    response = app.test_client().get(f"/ready{query}")
    return response.status_code, response.get_json()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    return make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.mark.parametrize(
    "mode, port_setting", [("ssl", "SMTP_USE_SSL"), ("starttls", "SMTP_USE_TLS")]
)
def test_smtp_check_speaks_tls_and_logs_in(make_app, certificate, mode, port_setting):
    server = MailSink(mode=mode, certificate=certificate, auth=True).start()
    try:
        settings = {
            "SMTP_HOST": "localhost",
            "SMTP_PORT": str(server.port),
            "SMTP_USE_SSL": "false",
            "SMTP_USE_TLS": "false",
            port_setting: "true",
            "SMTP_USER": SMTP_USER,
            "SMTP_PASSWORD": SMTP_PASSWORD,
            "REDIS_URL": "",
        }
        trusted = make_app({"SMTP_CA_FILE": str(certificate[0])}, **settings)
        status, body = _ready(trusted, "?strict=1")
        assert (status, body["checks"]["smtp"]["status"]) == (200, "up"), body
        assert (server.logins, server.noops) == (1, 1)

        wrong_password = make_app(
            {"SMTP_CA_FILE": str(certificate[0])}, **{**settings, "SMTP_PASSWORD": "nope"}
        )
        smtp = _ready(wrong_password)[1]["checks"]["smtp"]
        assert smtp == {**smtp, "status": "down", "error": "SMTPAuthenticationError"}

        # Without the CA file the self-signed certificate is refused: verification is on.
        untrusted = _ready(make_app(**settings))[1]["checks"]["smtp"]
        assert untrusted == {**untrusted, "status": "down", "error": "SSLCertVerificationError"}
        assert server.logins == 1
    finally:
        server.stop()


class BurstServer(ThreadedWSGIServer):
    """A threaded server whose listen backlog takes a burst of 200 connections at once."""

    request_queue_size = 256


@pytest.fixture
def live_server(make_app, certificate) -> Iterator[tuple[str, MailSink]]:
    """The app behind a real threaded HTTP server, with an implicit-TLS SMTP relay."""
    smtp = MailSink(mode="ssl", certificate=certificate, auth=True).start()
    app = make_app(
        {"SMTP_CA_FILE": str(certificate[0])},
        SMTP_HOST="localhost",
        SMTP_PORT=str(smtp.port),
        SMTP_USE_SSL="true",
        SMTP_USER=SMTP_USER,
        SMTP_PASSWORD=SMTP_PASSWORD,
    )
    server = BurstServer("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", smtp
    server.shutdown()
    thread.join()
    smtp.stop()


def test_a_burst_of_ready_calls_opens_a_handful_of_smtp_connections(live_server):
    base_url, smtp = live_server
    barrier = threading.Barrier(200)

    def call(_: int) -> int:
        with requests.Session() as http:
            barrier.wait(timeout=30)
            return http.get(f"{base_url}/ready", timeout=30).status_code

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=200) as pool:
        statuses = list(pool.map(call, range(200)))
    elapsed = time.monotonic() - started
    print(f"\n200 /ready calls in {elapsed:.1f} s opened {smtp.logins} SMTP connection(s)")
    assert statuses == [200] * 200
    # One run per second at most; the burst itself spans only a few seconds.
    assert 1 <= smtp.logins <= int(elapsed) + 1 <= 5, (smtp.logins, elapsed)
    assert smtp.noops == smtp.logins

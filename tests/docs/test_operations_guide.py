"""docs/operations.md's production steps run as written, in order, from a checkout.

The test copies the checkout (without tests/ and bench/, as the image leaves them out), takes
the shell blocks of the "Production" section in order, and changes only what the document tells
the reader to set to their own: the database, Redis and mail relay in the settings it writes to
`.env`, and the web server's port and process count. Blocks that run a server (gunicorn, `flask
worker`) start in a shell of their own, as the document says; the check of `/ready` is repeated
until the worker's heartbeat is in; the rest run once and must succeed. The process environment
sets none of the project's variables, so `.env` is the only source of settings, as on a fresh
host; the virtual environment is the suite's own, and the relay's certificate is trusted
through SSL_CERT_FILE, as a host trusts its relay's CA.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.docs.markdown import code_blocks, section
from tests.docs.shell import run_as_pasted
from tests.docs.test_configuration import variables_read
from tests.support.auth import AuthActions, bearer
from tests.support.checkout import copy_checkout
from tests.support.http import LiveClient
from tests.support.servers import ROOT, ServerProcess, free_port
from tests.support.smtp import SMTP_PASSWORD, SMTP_USER, MailSink, make_certificate
from tests.support.waiting import wait_until

pytestmark = [
    pytest.mark.slow,
    # aiosmtpd's own deprecation, raised by its AUTH handling.
    pytest.mark.filterwarnings("ignore:Session.login_data is deprecated"),
]
DOC_PORT = "8000"
SERVERS = re.compile(r"(^|\s)(gunicorn|flask worker) ", re.M)
SMOKE_TEST_ADDRESS = "you@example.com"


def production_steps() -> list[str]:
    """The shell blocks of docs/operations.md's Production section, in order."""
    blocks = code_blocks(section((ROOT / "docs/operations.md").read_text(), "Production"), "sh")
    assert blocks, "docs/operations.md's Production section has no sh blocks"
    return blocks


def set_to_own(block: str, settings: dict[str, str]) -> str:
    """The block with each `NAME=value` line of `settings` given the test's value."""
    for name, value in settings.items():
        block, found = re.subn(rf"^{name}=.*$", f"{name}={value}", block, flags=re.M)
        assert found == 1, f"the settings in docs/operations.md no longer set {name}"
    return block


def host_environ(port: int, certificate: Path) -> dict[str, str]:
    """A shell on a fresh host with the virtual environment active: no project variable set."""
    project = set(variables_read()) | {"FLASK_APP"}
    environ = {k: v for k, v in os.environ.items() if k not in project}
    venv = Path(sys.executable).parent
    environ.update(
        PATH=f"{venv}{os.pathsep}{os.environ['PATH']}",
        VIRTUAL_ENV=str(venv.parent),
        # Where the web server listens, and one worker process is enough for a test.
        PORT=str(port),
        WEB_CONCURRENCY="1",
        SSL_CERT_FILE=str(certificate),
    )
    return environ


@pytest.fixture
def relay(tmp_path) -> Iterator[tuple[MailSink, Path]]:
    """A mail relay speaking STARTTLS with a login, as the document's settings expect; its CA."""
    certificate, key = make_certificate(tmp_path)
    sink = MailSink(mode="starttls", certificate=(certificate, key), auth=True).start()
    yield sink, certificate
    sink.stop()


@pytest.fixture
def servers() -> Iterator[list[ServerProcess]]:
    """The servers the steps start, stopped at the end whatever happened."""
    started: list[ServerProcess] = []
    yield started
    for server in reversed(started):
        server.stop(timeout=20)


def run_production_steps(
    steps: list[str], checkout: Path, environ: dict, port: int, servers: list[ServerProcess]
) -> None:
    """Run the steps in order, adding the servers they start to `servers`."""
    for number, block in enumerate(steps):
        if SERVERS.search(block):
            log = checkout.parent / f"step-{number}.log"
            servers.append(ServerProcess(["bash", "-c", block], environ, log, cwd=checkout))
            if "gunicorn" in block:
                servers[-1].wait_for_http(f"http://127.0.0.1:{port}/health")
        elif "/ready" in block:
            # Run again until it passes, as a reader would: the worker's first heartbeat is
            # recorded a moment after it starts.
            wait_until(
                lambda block=block: run_as_pasted(block, checkout, environ).returncode == 0,
                90,
                "the documented readiness check to pass",
                lambda block=block: run_as_pasted(block, checkout, environ).stdout[-2000:],
                step=1.0,
            )
        else:
            done = run_as_pasted(block, checkout, environ)
            assert done.returncode == 0, (block, done.stdout[-2000:], done.stderr[-3000:])


def unsubscribe_status(base_url: str, message) -> tuple[int, int]:
    """GET the mail's unsubscribe link on this server, as sent and with its signature broken."""
    link = urlsplit(message["List-Unsubscribe"].strip().strip("<>"))
    token = parse_qs(link.query)["token"][0]
    client = LiveClient(base_url)
    # The signature's first character carries six whole bits; its last may only hold padding.
    payload, _, signature = token.rpartition(".")
    broken = f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    return (
        client.get(link.path, params={"token": token}).status_code,
        client.get(link.path, params={"token": broken}).status_code,
    )


def test_the_production_steps_run_as_written(
    tmp_path, scratch_database, private_redis, relay, servers
):
    sink, certificate = relay
    checkout = copy_checkout(tmp_path / "checkout", leave_out=("tests", "bench"))
    port = free_port()
    environ = host_environ(port, certificate)
    own = {
        "DATABASE_URL": scratch_database("operations"),
        "REDIS_URL": private_redis.url,
        "SMTP_HOST": "localhost",  # the name the relay's certificate is for
        "SMTP_PORT": str(sink.port),
        "SMTP_USER": SMTP_USER,
        "SMTP_PASSWORD": SMTP_PASSWORD,
    }
    steps = production_steps()
    settings = [i for i, block in enumerate(steps) if "cat > .env" in block]
    assert len(settings) == 1, "the Production section should write .env exactly once"
    steps[settings[0]] = set_to_own(steps[settings[0]], own)
    documented = f"http://127.0.0.1:{DOC_PORT}"
    assert any(documented in block for block in steps), f"no step calls {documented}"
    base_url = f"http://127.0.0.1:{port}"
    steps = [block.replace(documented, base_url) for block in steps]

    run_production_steps(steps, checkout, environ, port, servers)
    assert sum("gunicorn" in " ".join(s.command) for s in servers) == 1
    assert len(servers) == 2 and all(s.alive() for s in servers)
    # The smoke test's welcome mail went through the web server, the outbox, the worker
    # and the relay, over STARTTLS with a login.
    [welcome] = sink.wait_for(1)
    assert welcome["To"] == SMOKE_TEST_ADDRESS
    assert sink.logins >= 1
    assert (checkout / ".env").stat().st_mode & 0o077 == 0

    # The web server and the worker sign with one key: a link the worker signed in a mail
    # is accepted by the web server (and a broken signature is not).
    client = LiveClient(base_url)
    auth = AuthActions(client)
    mentor = auth.sign_up("mentor@example.com", is_mentor=True)
    auth.sign_up("student@example.com")
    tokens = auth.sign_in("student@example.com")
    sent = client.post(
        "/api/v1/messages",
        json={"recipient_id": mentor["id"], "body": "Hello"},
        headers=bearer(tokens["access_token"]),
    )
    assert sent.status_code == 201, sent.text
    [notice] = wait_until(
        lambda: [m for m in sink.to("mentor@example.com") if m["List-Unsubscribe"]],
        60,
        "the email about the message",
    )
    assert unsubscribe_status(base_url, notice) == (200, 400)

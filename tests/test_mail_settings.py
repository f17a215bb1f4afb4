"""Every mail setting is checked when the server and the worker start, by the code that uses it.

A bad one stops either process with one line naming the variable, before any work: a sender
the mail path would refuse, a link base that would make broken links, a TLS choice that cannot
be honoured, a meeting-room template whose links the link rule refuses.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.environ import process_environ
from tests.support.servers import ROOT, free_port, run_flask

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
SMTP = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": "587"}
BAD = {
    "FROM_EMAIL": {"FROM_EMAIL": "noreply@localhost"},
    "malformed FROM_EMAIL": {"FROM_EMAIL": "MentorHub noreply@"},
    "REPLY_TO_EMAIL": {"REPLY_TO_EMAIL": "Help <help@example.invalid>"},
    "FRONTEND_URL": {"FRONTEND_URL": "javascript:alert(1)"},
    "PUBLIC_BASE_URL": {"PUBLIC_BASE_URL": "mentorhub.example.com"},
    "EMAIL_LOGO_URL": {"EMAIL_LOGO_URL": "logo.png"},
    "SMTP_USE_SSL": {**SMTP, "SMTP_USE_SSL": "true", "SMTP_USE_TLS": "true"},
    "SMTP_CA_FILE": {**SMTP, "SMTP_CA_FILE": "/nonexistent/relay-ca.pem"},
    "MEETING_LINK_TEMPLATE": {"MEETING_LINK_TEMPLATE": "https://10.0.0.5/{token}"},
}


def variable(case: str) -> str:
    return case.split()[-1]


@pytest.mark.parametrize("case", list(BAD))
def test_a_bad_mail_setting_stops_the_app_with_one_line_naming_it(make_app, case):
    with pytest.raises(SystemExit) as stopped:
        make_app(**BAD[case])
    message = str(stopped.value)
    assert message.startswith(f"mentorhub: configuration error: {variable(case)}"), message
    assert "\n" not in message


def one_error_line(stderr: str) -> list[str]:
    assert "Traceback" not in stderr, stderr
    return [line for line in stderr.splitlines() if "configuration error" in line]


def test_the_server_and_the_worker_stop_before_any_work():
    # The same create_app check as above, in the two processes that start work.
    case = "FROM_EMAIL"
    environ = process_environ(PORT=str(free_port()), **BAD[case])
    server = subprocess.run(
        [GUNICORN, "-c", "gunicorn.conf.py", "wsgi:app"],
        cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert server.returncode != 0
    [line] = one_error_line(server.stderr)
    assert line.startswith(f"mentorhub: configuration error: {case}")
    assert "Booting worker" not in server.stderr
    worker = run_flask(environ, "worker", "--burst", timeout=60)
    assert worker.returncode != 0
    assert one_error_line(worker.stderr) == [line]


def test_a_sender_on_a_domain_reserved_for_testing_is_fine(make_app):
    app = make_app(FROM_EMAIL="MentorHub <noreply@mentorhub.test>", REPLY_TO_EMAIL="a@b.test")
    assert app.config["FROM_EMAIL"] == "MentorHub <noreply@mentorhub.test>"

"""The README's Python example of the service API runs as written and does what its comments say.

It runs in this process, with the settings in the environment as a reader's shell would hold
them: the run's PostgreSQL database and Redis db, and a real SMTP server. A worker then
delivers what the example left in the outbox.
"""

from __future__ import annotations

from mentorhub.extensions import db
from tests.docs.markdown import code_blocks, section
from tests.support.environ import app_environ
from tests.support.servers import ROOT
from tests.support.workers import run_burst


def readme_example() -> str:
    """The Python block of the README's "The services in Python" section."""
    readme = (ROOT / "README.md").read_text()
    blocks = code_blocks(section(readme, "The services in Python"), "python")
    assert len(blocks) == 1, "expected one Python example"
    return blocks[0]


def _text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_the_service_example_runs_as_written(app, make_app, make_user, smtp, monkeypatch):
    user = make_user("user@example.com", name="John Doe")
    user.timezone = "Europe/Berlin"
    db.session.commit()
    mail = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp.port)}
    monkeypatch.delenv("MENTORHUB_ENV", raising=False)
    for name, value in app_environ(**mail).items():
        monkeypatch.setenv(name, value)

    example: dict = {"__name__": "readme_example"}
    try:
        exec(compile(readme_example(), "README.md", "exec"), example)  # noqa: S102
    finally:
        if "app" in example:
            with example["app"].app_context():
                for engine in db.engines.values():
                    engine.dispose()

    # The welcome went out before the call returned; the notification only waits in the outbox.
    assert example["sent"] is True
    [welcome] = smtp.messages
    assert welcome["To"] == "user@example.com"
    assert welcome["Subject"] == "Welcome to MentorHub"
    assert example["row"].status == "pending"
    assert example["card"] == {"id": user.id, "name": "John Doe"}

    run_burst(make_app(**mail))
    [_, confirmation] = smtp.wait_for(2)
    assert confirmation["To"] == "user@example.com"
    # The naive 15:00 is UTC, written in the reader's zone.
    assert "Tue 20 Feb 2024, 16:00 CET (UTC+01:00)" in _text(confirmation)

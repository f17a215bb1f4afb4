"""Web and workers through PgBouncer 1.18 in transaction mode: every answer and every mail.

Migrations run directly against PostgreSQL (their advisory lock is per session); everything
else goes through the pooler with DB_PREPARE_THRESHOLD=off, as docs/deploy.md says.
"""

from __future__ import annotations

from tests.infra.pooled import CLIENTS, RECOUNTS, pooled_run
from tests.infra.traffic import EXPECTED

# Errors a pooler in transaction mode causes when a client relies on its server session.
SESSION_ERRORS = ("prepared statement", "advisory lock", "Traceback", "you don't own a lock")


def test_web_and_workers_through_pgbouncer_in_transaction_mode(migrated_environ, tmp_path):
    run = pooled_run(migrated_environ, tmp_path)

    assert run.tally.unexpected == [], run.tally.unexpected[:20]
    for op in EXPECTED:
        assert run.tally.count(op) > CLIENTS, (op, run.tally.answers)
    assert run.recounts_done == RECOUNTS
    assert set(run.due_mail) == {"sent"}, run.due_mail
    # Each booking mails the student and the mentor; every mail sent reached the server.
    assert run.due_mail["sent"] >= 2 * run.tally.count("book")
    assert run.mails_received == run.due_mail["sent"]
    for name, log in run.logs.items():
        found = [error for error in SESSION_ERRORS if error in log]
        assert not found, f"{name}: {found}\n{log[-5000:]}"

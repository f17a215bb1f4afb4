"""Zero failed requests through a rolling restart behind nginx, POSTs included, and no POST
done twice although nginx may resend those that carry an Idempotency-Key."""

from __future__ import annotations

from tests.infra.rolling import CLIENTS, rolling_restart
from tests.infra.traffic import CREATED_IN, EXPECTED


def test_rolling_restart_answers_every_request(migrated_environ, tmp_path):
    run = rolling_restart(migrated_environ, tmp_path)

    assert run.tally.unexpected == [], (
        f"{len(run.tally.unexpected)} of {run.tally.total()} requests answered otherwise:\n"
        + "\n".join(map(repr, run.tally.unexpected[:20]))
        + "\nnginx:\n"
        + "\n".join(line for line in run.nginx_errors.splitlines() if "[error]" in line)[:3000]
    )
    # Each server stopped on its own, gracefully, within its grace period.
    assert run.exit_codes == [0, 0]
    # Real traffic of every kind went through every step.
    assert run.tally.total() > 50 * CLIENTS
    for op in EXPECTED:
        assert run.tally.count(op) > 5 * CLIENTS, op
    # Every message and booking a client was told of exists once, and no other.
    assert run.created == {op: run.tally.count(op) for op in CREATED_IN}

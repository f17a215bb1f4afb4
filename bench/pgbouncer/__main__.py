"""Web and workers through PgBouncer 1.18 in transaction mode, prepared statements off and on.

    python -m bench.pgbouncer [--runs 3]

Runs tests/infra's pooled run (gunicorn with three workers, two `flask worker`s, sixteen
clients of statistics, dashboards, messages and bookings, three counter recounts, then every
due mail sent) once per setting per round, rounds interleaved, and prints for each run the
requests, the unexpected answers, the mails, and the prepared-statement errors in the logs:

- `off`: DB_PREPARE_THRESHOLD=off, as docs/deploy.md says to run behind such a pooler;
- `default`: psycopg's own threshold (a statement is prepared on its fifth run).

Each run has a new database on the local PostgreSQL and a private redis-server. Needs what
`make test-infra` installs (PgBouncer).
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from pathlib import Path

from bench.common.production import migrated_services
from tests.infra.pooled import pooled_run

SETTINGS = {"off": "off", "default": None}
# Every client shares one address, and the limiter is not what this measures.
ENVIRON = {"RATE_LIMIT_ENABLED": "false", "LOG_LEVEL": "WARNING"}


def main() -> None:
    """Run the rounds; one line per run, then the totals per setting."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    totals = {name: Counter() for name in SETTINGS}
    for round_number in range(1, args.runs + 1):
        for name, threshold in SETTINGS.items():
            services = migrated_services("mentorhub_bench_pooled", **ENVIRON)
            with services as environ, tempfile.TemporaryDirectory() as logs:
                try:
                    run = pooled_run(environ, Path(logs), threshold)
                except AssertionError as failure:
                    print(f"round {round_number} {name:8} failed: {failure}"[:300])
                    totals[name].update(runs=1, failed=1)
                    continue
            errors = sum(log.count("prepared statement") for log in run.logs.values())
            unexpected = Counter(status for _, _, status, _ in run.tally.unexpected)
            print(
                f"round {round_number} {name:8} requests {run.tally.total():6} "
                f"unexpected {len(run.tally.unexpected):5} {dict(unexpected)} "
                f"mails {run.mails_received:5} due {dict(run.due_mail)} "
                f"prepared-statement errors logged {errors}",
                flush=True,
            )
            totals[name].update(
                runs=1,
                requests=run.tally.total(),
                unexpected=len(run.tally.unexpected),
                mails=run.mails_received,
                undelivered=sum(n for status, n in run.due_mail.items() if status != "sent"),
            )
    print("\nsetting   runs  requests  unexpected  mails received  due mails not sent  failed")
    for name, t in totals.items():
        print(
            f"{name:8} {t['runs']:5} {t['requests']:9} {t['unexpected']:11} {t['mails']:15}"
            f" {t['undelivered']:19} {t['failed']:7}"
        )


if __name__ == "__main__":
    main()

"""Rolling restarts behind nginx: failed requests with and without the listener drain, side by side.

    python -m bench.rolling_restart [--runs 3] [--variants none,drain,shipped] [--keys on,off]

Runs tests/infra's rolling restart (two gunicorn servers behind deploy/nginx/mentorhub.conf,
twelve clients of mixed traffic, each server SIGTERMed and replaced, then one HUPed) once per
variant per round, rounds interleaved, and prints requests and unexpected answers of each run,
and the messages and bookings stored beyond the 201s clients got (work whose answer was lost):

- `none`: gunicorn.conf.py without its drain hooks (how gunicorn stops by itself);
- `drain`: workers serve what is queued before exiting, but the listener keeps taking new
  connections until the last one closes it;
- `shipped`: gunicorn.conf.py as it is (the listener first stops taking new handshakes);

each with POSTs carrying an Idempotency-Key (`on`: nginx may send them again) or not (`off`).

Each run has a new database on the local PostgreSQL and a private redis-server. Needs what
`make test-infra` installs (nginx).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from collections import Counter
from pathlib import Path

from bench.common.production import migrated_services
from tests.infra.processes import GUNICORN_CONF
from tests.infra.rolling import rolling_restart

SERVICES = "mentorhub_bench_rolling"
# Every client shares one address, and the limiter is not what this measures.
SETTINGS = {"RATE_LIMIT_ENABLED": "false", "LOG_LEVEL": "WARNING"}
# Hooks each variant takes out of gunicorn.conf.py.
VARIANTS = {
    "none": ("when_ready", "worker_exit", "worker_int", "worker_abort"),
    "drain": ("when_ready",),
    "shipped": (),
}


def variant_conf(directory: Path, name: str) -> Path:
    """gunicorn.conf.py, run as it is, with the variant's hooks removed afterwards."""
    if not VARIANTS[name]:
        return GUNICORN_CONF
    path = directory / f"gunicorn-{name}.conf.py"
    removed = "\n".join(f"del {hook}" for hook in VARIANTS[name])
    path.write_text(
        f"exec(compile(open({str(GUNICORN_CONF)!r}).read(), {str(GUNICORN_CONF)!r}, 'exec'))\n"
        f"{removed}\n"
    )
    return path


def main() -> None:
    """Run the rounds and print one line per run, then the totals per variant."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--variants", default="none,drain,shipped")
    parser.add_argument("--keys", default="on", help="on, off, or on,off")
    args = parser.parse_args()
    variants = [
        (f"{name}/keys-{keys}", name, keys == "on")
        for name in args.variants.split(",")
        for keys in args.keys.split(",")
    ]
    work = Path(tempfile.mkdtemp(prefix="mentorhub-rolling-"))
    totals: dict[str, Counter] = {label: Counter() for label, _, _ in variants}
    kept: list[Path] = []
    try:
        for round_number in range(1, args.runs + 1):
            for label, name, keyed in variants:
                logs = work / f"{label.replace('/', '-')}-{round_number}"
                logs.mkdir()
                with migrated_services(SERVICES, **SETTINGS) as environ:
                    run = rolling_restart(environ, logs, variant_conf(work, name), with_keys=keyed)
                lost = sum(run.created[op] - run.tally.count(op) for op in run.created)
                unexpected = Counter((op, status) for _, op, status, _ in run.tally.unexpected)
                resets = run.nginx_errors.count("Connection reset by peer")
                seconds = sorted(run.tally.seconds)
                p99 = seconds[int(len(seconds) * 0.99)]
                over_1s = sum(1 for value in seconds if value > 1)
                print(
                    f"round {round_number} {label:16} requests {run.tally.total():6} "
                    f"unexpected {len(run.tally.unexpected):3} {dict(unexpected)} "
                    f"stored without a 201 {lost:2}  nginx resets logged {resets:3}  "
                    f"p99 {p99 * 1000:5.0f} ms  max {seconds[-1]:4.1f} s  over 1 s: {over_1s}",
                    flush=True,
                )
                if run.tally.unexpected:
                    kept.append(logs)
                    (logs / "nginx-error.log").write_text(run.nginx_errors)
                else:
                    shutil.rmtree(logs)
                totals[label].update(
                    requests=run.tally.total(),
                    unexpected=len(run.tally.unexpected),
                    runs=1,
                    over_1s=over_1s,
                    lost=lost,
                )
    finally:
        if kept:
            print(f"logs of the runs with unexpected answers: {', '.join(map(str, kept))}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("\nvariant           runs  requests  unexpected  stored without a 201  over 1 s")
    for label, t in totals.items():
        print(
            f"{label:16} {t['runs']:5} {t['requests']:9} {t['unexpected']:11}"
            f" {t['lost']:21} {t['over_1s']:9}"
        )


if __name__ == "__main__":
    main()

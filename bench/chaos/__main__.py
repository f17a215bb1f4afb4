"""Chaos run: MentorHub under mixed HTTP load while its dependencies fail, one command.

    python -m bench.chaos [--duration 150] [--rate 30] [--threads 4] [--drain-timeout 150]

It starts its own PostgreSQL database (dropped at the end), a private redis-server, an aiosmtpd
server counting Message-IDs, gunicorn (gunicorn.conf.py, 2 sync workers) and two `flask worker`
processes, all in production configuration. While seeded users register, book, message, cancel,
reschedule and read statistics, it kills Redis for 30 s, stops SMTP for 30 s, SIGKILLs each
worker once (starting a replacement, as a supervisor would) and terminates the web's and the
workers' database backends several times. Then it waits for every due email to be sent and
prints requests by status class, 5xx, mail delivered, duplicates, lost, and time to drain.
Nothing shared is touched: the machine's Redis and PostgreSQL server keep running.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path

from bench.chaos.load import Traffic
from bench.chaos.report import (
    all_notifications,
    duplicate_lines,
    exceptions_in,
    failure_lines,
    mail_figures,
    request_figures,
    sent_by_type,
    slowest_mail,
    undrained,
)
from bench.chaos.run import Run, run_faults


def main() -> None:
    """Start everything, load it through the faults, drain, report, clean up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=150, help="seconds of load")
    parser.add_argument("--rate", type=float, default=30, help="requests per second")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--mentors", type=int, default=20)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--drain-timeout", type=float, default=150)
    parser.add_argument("--smtp-delay", type=float, default=0.02, help="seconds per accepted mail")
    args = parser.parse_args()
    if args.duration < 120:
        parser.error("--duration must be at least 120 s: the outages are 30 s each")
    started = time.monotonic()
    load = [os.getloadavg()[0]]
    log_dir = Path(tempfile.mkdtemp(prefix="mentorhub-chaos-"))
    run = Run(args, log_dir)
    try:
        print(f"starting servers (logs in {log_dir})", flush=True)
        run.start()
        traffic = Traffic(run.url, run.t0, args.duration)
        traffic.seed(args.mentors, args.students)
        print(
            f"seeded {len(traffic.mentors)} mentors, {len(traffic.students)} students", flush=True
        )
        run.t0 = traffic.t0 = time.monotonic()
        run.t0_epoch = time.time()
        stop = threading.Event()
        driver = threading.Thread(target=traffic.run, args=(stop, args.rate, args.threads))
        driver.start()
        run_faults(run, args.duration)
        time.sleep(max(0.0, run.t0 + args.duration - time.monotonic()))
        stop.set()
        driver.join()
        load.append(os.getloadavg()[0])
        run.note("load stopped")
        drained_at = drain(run, args.drain_timeout)
        report(run, traffic, drained_at, load, time.monotonic() - started)
    finally:
        run.stop()


def drain(run: Run, timeout: float) -> float | None:
    """Wait until no due email is pending or sending; the time it happened, or None."""
    deadline = time.monotonic() + timeout
    shown = 0.0
    while time.monotonic() < deadline:
        left = undrained(run.db)
        if left == 0:
            return time.monotonic() - run.t0
        if time.monotonic() - shown >= 10:
            shown = time.monotonic()
            print(f"  t={shown - run.t0:6.1f}s  {left} due email(s) not sent yet", flush=True)
        time.sleep(0.25)
    return None


def report(run: Run, traffic: Traffic, drained_at: float | None, load: list, took: float) -> None:
    """Print the figures."""
    faults = [t for t, what in run.events if what != "load stopped"]
    last_fault = max(faults)
    print("\n== chaos run ==")
    print(f"load: {run.args.duration:.0f} s, target {run.args.rate:.0f} req/s, "
          f"{run.args.threads} threads; whole run {took:.0f} s")  # fmt: skip
    print(f"setup requests: {dict(traffic.setup.classes())}")
    print("\n".join(request_figures(traffic.tally)))
    classes = traffic.tally.classes()
    print(f"5xx: {classes['5xx']}   no answer: {classes['error']}")
    print("\n".join(failure_lines(traffic.tally, run.t0, run.events)))
    print(f"notifications created: {all_notifications(run.db)}")
    for name, value in mail_figures(run.db, run.smtp).items():
        print(f"  {name}: {value}")
    print(f"  sent by type: {sent_by_type(run.db)}")
    print("\n".join(duplicate_lines(run.smtp, run.t0, run.events)))
    print("last mails sent:")
    print("\n".join(slowest_mail(run.db, run.t0_epoch)))
    if drained_at is None:
        print(f"NOT drained within {run.args.drain_timeout:.0f} s after the load stopped")
    else:
        print(f"time to drain after the last fault (t={last_fault:.1f}s): "
              f"{max(0.0, drained_at - last_fault):.1f} s")  # fmt: skip
    for name, process in run.workers.items():
        print(f"worker {name}: {'alive' if process.alive() else 'DEAD'}; "
              f"outage warnings {process.output().count('Redis unreachable')}")  # fmt: skip
    print(f"gunicorn master: {'alive' if run.web.alive() else 'DEAD'}")
    orphans = [p.name for p in run.killed if not p.group_gone()]
    print(f"killed workers' process groups left behind: {orphans or 'none'}")
    for process in [run.web, *run.killed, *run.workers.values()]:
        found = exceptions_in(process.output())
        if found:
            print(f"exceptions logged by {process.name}:")
            for line, count in found.most_common(8):
                print(f"  {count} x {line}")
    print(f"load average (1 min): {load[0]:.2f} before, {load[-1]:.2f} at the end of the load")


if __name__ == "__main__":
    main()

"""Steady-rate mode of the notification benchmark: N events/s, one notification per transaction.

Several producer processes each commit one welcome notification per transaction at a fixed
pace (as registrations would) and note the wall-clock time of each commit. The SMTP server
notes when it accepts each Message-ID. Latency is acceptance minus commit, per notification.
"""

from __future__ import annotations

import multiprocessing
import os
import pstats
import tempfile
import time
from collections import Counter, defaultdict

from flask import Flask

from bench.common.cpu import cpu_snapshot
from bench.common.figures import percentile
from bench.notifications.batch import cpu_report
from bench.notifications.mail_server import STEADY_PHASE
from bench.notifications.services import Services
from bench.notifications.workers import start_workers, stop_workers
from tests.support.rows import insert_users


def producer(env: dict, emails: list[str], rate: float, start_at: float, out) -> None:
    """Commit one welcome per transaction at `rate`/s from `start_at`; send (id, commit time)."""
    os.environ.update(env)
    from mentorhub import create_app
    from mentorhub.extensions import db
    from mentorhub.services.notifications import notification_service

    app = create_app()
    commits: list[tuple[int, float]] = []
    lag = 0.0
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))  # connect before the clock starts
        db.session.commit()
        for n, address in enumerate(emails):
            due = start_at + n / rate
            pause = due - time.time()
            if pause > 0:
                time.sleep(pause)
            else:
                lag = max(lag, -pause)
            [row] = notification_service.send_notification(address, "welcome", {"name": "U"})
            row_id = row.id
            db.session.commit()
            commits.append((row_id, time.time()))
    out.send((commits, lag))


def run_steady(env: dict, emails: list[str], rate: float, processes: int, accepted) -> dict:
    """Run the producers; return latency figures against the server's acceptance times.

    `accepted()` returns {notification id: [acceptance times]} from the SMTP server.
    """
    ctx = multiprocessing.get_context("spawn")
    per_process = [emails[n::processes] for n in range(processes)]
    start_at = time.time() + 8.0  # room for the spawned interpreters to import and connect
    pipes, procs = [], []
    for share in per_process:
        receive, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=producer, args=(env, share, rate / processes, start_at, send))
        proc.start()
        pipes.append(receive)
        procs.append(proc)
    results = []
    for pipe, proc in zip(pipes, procs, strict=True):
        while not pipe.poll(1.0):
            if not proc.is_alive():
                raise SystemExit(f"producer {proc.pid} died (exit code {proc.exitcode})")
        results.append(pipe.recv())
    for proc in procs:
        proc.join(60)
    commits = dict(c for commits, _ in results for c in commits)
    lag = max(lag for _, lag in results)
    last_commit = max(commits.values())
    achieved = len(commits) / (last_commit - start_at)
    deadline = time.time() + 5.0  # "missing" means: not accepted 5 s after the last commit
    while time.time() < deadline:
        seen = accepted()
        if all(i in seen for i in commits):
            break
        time.sleep(0.05)
    seen = accepted()
    latencies = sorted((seen[i][0] - t) * 1000 for i, t in commits.items() if i in seen)
    copies = Counter(len(seen[i]) for i in commits if i in seen)
    return {
        "asked": rate,
        "achieved": achieved,
        "producer_lag_ms": lag * 1000,
        "committed": len(commits),
        "delivered": len(latencies),
        "missing": len(commits) - len(latencies),
        "duplicates": sum((n - 1) * k for n, k in copies.items()),
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "max": latencies[-1] if latencies else float("nan"),
    }


def report(result: dict) -> str:
    """One line per steady-rate run."""
    return (
        f"steady {result['asked']:.0f}/s asked, {result['achieved']:.0f}/s achieved: "
        f"p50 {result['p50']:.0f} ms  p99 {result['p99']:.0f} ms  max {result['max']:.0f} ms  "
        f"delivered {result['delivered']}/{result['committed']}  missing {result['missing']}  "
        f"duplicates {result['duplicates']}  "
        f"(producer lag up to {result['producer_lag_ms']:.0f} ms)"
    )


GROUPS = (
    ("rq", "/rq/"),
    ("redis-py", "/redis/"),
    ("sqlalchemy", "/sqlalchemy/"),
    ("psycopg", "/psycopg"),
    ("smtplib/socket", "smtplib.py"),
    ("email package", "/email/"),
    ("jinja2", "/jinja2/"),
    ("flask/werkzeug", "/flask"),
    ("mentorhub", "/mentorhub/"),
)


def profile_summary(path: str) -> str:
    """CPU time of the profiled worker per mail it handled, by package (own time)."""
    stats = pstats.Stats(path)
    spent: dict[str, float] = defaultdict(float)
    handled = 0
    for (filename, _, name), (_, calls, own, _, _) in stats.stats.items():
        if name == "_deliver_one" and "/mentorhub/" in filename:
            handled += calls
        group = next((g for g, marker in GROUPS if marker in filename), None)
        if group is None and filename == "~":
            io = any(word in name for word in ("recv", "send", "select", "poll", "connect"))
            group = "socket syscalls" if io else "other builtins"
        spent[group or "other stdlib"] += own
    lines = [f"  one worker's CPU, ms per mail it handled ({handled} mails):"]
    for group, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        lines.append(f"    {group:<24} {seconds * 1000 / max(1, handled):7.3f}")
    return "\n".join(lines)


def steady_runs(services: Services, app: Flask, args, phase, accepts, pids: dict) -> None:
    """Steady-rate runs: `--processes` producers, one notification per transaction."""
    for number, rate in enumerate(float(r) for r in args.rates.split(",") if r):
        services.reset(app)
        count = int(rate * args.seconds)
        with app.app_context():
            emails = insert_users([f"s{n}@example.com" for n in range(count)])
        phase.value = STEADY_PHASE + number
        times: dict[int, list[float]] = {}

        def accepted(wanted=phase.value, times=times) -> dict[int, list[float]]:
            while not accepts.empty():
                got_phase, number_, at = accepts.get()
                if got_phase == wanted:
                    times.setdefault(number_, []).append(at)
            return times

        # Measure the queue, not the safety net.
        env = services.environ(NOTIFICATION_SWEEP_AGE_SECONDS="600")
        name = f"mentorhub-worker-{os.getpid()}-{number}.prof"
        profile = os.path.join(tempfile.gettempdir(), name) if args.profile else None
        workers = start_workers(app, env, 2, profile)
        try:
            groups = {"workers": [w.pid for w in workers], **pids}
            groups["postgres"] = services.postgres_pids()
            before = cpu_snapshot(groups)
            started = time.perf_counter()
            result = run_steady(services.environ(), emails, rate, args.processes, accepted)
            groups["postgres"] = sorted(set(groups["postgres"]) | set(services.postgres_pids()))
            after = cpu_snapshot(groups)
            used = {name: after[name] - before.get(name, 0.0) for name in after}
            used["elapsed"] = time.perf_counter() - started
        finally:
            stop_workers(workers)
        print(report(result))
        print(cpu_report({**used, "producers": 0.0}, result["committed"]))
        if profile and os.path.exists(profile):
            print(profile_summary(profile))
            os.unlink(profile)

"""Notification benchmark (issues 3 and 6), all against local services in one run.

1. The time `send_notification` adds to a request (p50/p99), and one transaction that creates
   1,000 reminders and enqueues them in one pipelined round trip.
2. Delivery of 5,000 queued notifications with 1 and 2 `flask worker` processes, end to end:
   rows pending in PostgreSQL -> jobs in Redis -> messages accepted by a local aiosmtpd server,
   which runs in its own process and counts every message and every distinct Message-ID. Each
   run also prints the CPU time per mail of the workers, the SMTP server, PostgreSQL and Redis
   (from /proc, on Linux), and how busy the machine was, other processes included.
3. A plain smtplib loop to the same server, sending the bytes a worker sends for one welcome
   notification: a new connection per mail, and one reused connection.

4. Steady rate: `--processes` producer processes commit one welcome notification per
   transaction, `--rates` events/s between them, for `--seconds`; two workers deliver. Prints the
   achieved rate, p50/p99/max from each commit to the SMTP server's acceptance, delivered,
   missing (not accepted 5 s after the last commit) and duplicates; `--profile` adds where one
   worker's CPU time goes per event, by package.

Usage: python bench/notifications.py [--count 5000] [--rates 200,300] [--seconds 20] [--profile]
Environment: BENCH_DATABASE_URL (default a `mentorhub_bench_notifications_<pid>` database on
local PostgreSQL, recreated for each phase and dropped at the end). Redis is a private
`redis-server` on a free port, started and stopped by the benchmark, so no other user of the
machine's Redis can disturb it.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import smtplib
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# One database per run (dropped at the end), so two runs on one machine do not clobber each
# other; spawned producer processes inherit the name through the environment.
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL") or (
    f"postgresql://postgres@127.0.0.1:5432/mentorhub_bench_notifications_{os.getpid()}"
)
os.environ["BENCH_DATABASE_URL"] = DATABASE_URL
REDIS_PORT = 0  # set by main() once the private redis-server is up
SECRET = "bench-secret-key-that-is-long-enough-for-signing-tokens"
STEADY_PHASE = 100  # phase numbers of steady-rate runs; the server reports their acceptances


def smtp_server(port: int, total, phase, ready, stop, result, accepts) -> None:
    """Run aiosmtpd in this process; count messages, distinct Message-IDs per phase, and report
    each acceptance (phase, notification id, time) on `accepts` for the steady-rate runs."""
    from aiosmtpd.controller import Controller

    seen: dict[int, set[bytes]] = {}

    class Counter:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            accepted_at = time.time()
            for line in envelope.content.split(b"\r\n", 40):
                if line.lower().startswith(b"message-id:"):
                    # Ids restart with each phase's fresh database: count them per phase.
                    seen.setdefault(phase.value, set()).add(line)
                    number = line.partition(b"notification-")[2].partition(b"@")[0]
                    if number.isdigit() and phase.value >= STEADY_PHASE:
                        accepts.put((phase.value, int(number), accepted_at))
                    break
            with total.get_lock():
                total.value += 1
            return "250 OK"

    controller = Controller(Counter(), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()
    # Acceptances nobody will read must not keep this process from exiting.
    accepts.cancel_join_thread()
    result.send({key: len(ids) for key, ids in seen.items()})


def redis_url() -> str:
    return f"redis://127.0.0.1:{REDIS_PORT}/0"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process (Linux /proc; 0 elsewhere or once it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def machine_busy() -> float:
    """CPU seconds every process on the machine has used (Linux /proc/stat)."""
    try:
        with open("/proc/stat") as stat:
            ticks = [int(n) for n in stat.readline().split()[1:]]
    except OSError:
        return 0.0
    return (sum(ticks) - ticks[3] - ticks[4]) / TICKS  # all but idle and iowait


def postgres_pids() -> list[int]:
    """Server processes of the bench database's connections (local PostgreSQL)."""
    import psycopg
    from sqlalchemy.engine import make_url

    target = make_url(DATABASE_URL)
    admin = target.set(database="postgres").render_as_string(hide_password=False)
    query = "SELECT pid FROM pg_stat_activity WHERE datname = %s"
    with psycopg.connect(admin, autocommit=True) as conn:
        return [pid for (pid,) in conn.execute(query, (target.database,))]


def cpu_snapshot(groups: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds so far of each group of processes, and of the whole machine."""
    snapshot = {name: sum(cpu_seconds(pid) for pid in pids) for name, pids in groups.items()}
    snapshot["machine"] = machine_busy()
    return snapshot


def environ(port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=redis_url(),
        SECRET_KEY=SECRET,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=str(port),
        FLASK_APP="wsgi:app",
        MENTORHUB_ENV="development",
        LOG_LEVEL="WARNING",
        RATE_LIMIT_ENABLED="false",
    )
    return env


def make_app(port: int):
    os.environ.update(environ(port))
    from mentorhub import create_app

    return create_app()


def reset(app) -> None:
    import psycopg
    import redis
    from sqlalchemy.engine import make_url

    from mentorhub.extensions import db

    target = make_url(DATABASE_URL)
    admin = target.set(database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target.database}"')
    with app.app_context():
        db.create_all()
    redis.Redis.from_url(redis_url()).flushdb()


def drop_database() -> None:
    """Drop this run's database."""
    import psycopg
    from sqlalchemy.engine import make_url

    target = make_url(DATABASE_URL)
    admin = target.set(database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)')


def request_path(app, samples: int = 500) -> dict:
    """p50/p99 of send_notification, and of it plus commit (INSERT, COMMIT, enqueue)."""
    from mentorhub.extensions import db
    from mentorhub.models import User
    from mentorhub.services.notifications import notification_service

    with app.app_context():
        user = User(email="bench@example.com", name="Bench", password_hash="x")
        db.session.add(user)
        db.session.commit()
        call, total = [], []
        for _ in range(samples):
            started = time.perf_counter()
            notification_service.send_notification(user.email, "welcome", {"name": "Bench"})
            called = time.perf_counter()
            db.session.commit()
            done = time.perf_counter()
            call.append((called - started) * 1000)
            total.append((done - started) * 1000)
        reminders = time.perf_counter()
        for _ in range(1000):
            notification_service.notify_user(
                user,
                "session_reminder",
                {
                    "topic": "Bench",
                    "scheduled_time": "2030-01-01T10:00:00+00:00",
                    "meeting_link": "https://meet.example/x",
                },
            )
        db.session.commit()
        batch_ms = (time.perf_counter() - reminders) * 1000
    return {
        "call_p50": percentile(call, 50),
        "call_p99": percentile(call, 99),
        "total_p50": percentile(total, 50),
        "total_p99": percentile(total, 99),
        "batch_1000_ms": batch_ms,
    }


def queue_rows(app, count: int) -> list[int]:
    """Insert `count` pending welcome notifications for `count` users (bulk, not timed)."""
    from sqlalchemy import insert, select

    from mentorhub.extensions import db
    from mentorhub.models import Notification, User, utcnow

    with app.app_context():
        db.session.execute(
            insert(User),
            [
                {
                    "email": f"u{n}@example.com",
                    "name": f"User {n}",
                    "password_hash": "x",
                    "is_mentor": False,
                    "created_at": utcnow(),
                }
                for n in range(count)
            ],
        )
        users = db.session.scalars(select(User.id).where(User.email.like("u%@example.com")))
        now = utcnow()
        db.session.execute(
            insert(Notification),
            [
                {
                    "user_id": uid,
                    "type": "welcome",
                    "channel": "email",
                    "data": {"name": "User"},
                    "status": "pending",
                    "attempts": 0,
                    "queued_at": now,
                    "created_at": now,
                    "updated_at": now,
                }
                for uid in users
            ],
        )
        db.session.commit()
        return list(
            db.session.scalars(
                select(Notification.id).where(
                    Notification.status == "pending", Notification.type == "welcome"
                )
            )
        )


def deliver(app, port: int, total, workers: int, count: int, pids: dict) -> tuple[float, dict]:
    """Start workers, enqueue `count` rows; mails/s until the server has them all, and CPU."""
    import redis
    from rq import Worker

    from mentorhub.notifications.job_queue import enqueue, notification_queue

    ids = queue_rows(app, count)
    env = environ(port)
    env["NOTIFICATION_SWEEP_AGE_SECONDS"] = "600"  # measure the queue, not the safety net
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "worker", "notifications"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    try:
        with app.app_context():
            connection = redis.Redis.from_url(redis_url())
            queue = notification_queue()
            while Worker.count(connection=connection, queue=queue) < workers:
                time.sleep(0.1)
            groups = {"workers": [p.pid for p in procs], **pids, "postgres": postgres_pids()}
            before = cpu_snapshot(groups)
            start_count = total.value
            started = time.perf_counter()
            enqueue({None: ids})
        deadline = time.monotonic() + 600
        while total.value - start_count < count:
            if time.monotonic() > deadline:
                raise SystemExit(f"only {total.value - start_count} of {count} arrived in 600 s")
            time.sleep(0.005)
        elapsed = time.perf_counter() - started
        # Connections the workers opened during the run used all their CPU within it.
        groups["postgres"] = sorted(set(groups["postgres"]) | set(postgres_pids()))
        after = cpu_snapshot(groups)
        used = {name: after[name] - before.get(name, 0.0) for name in after}
        return count / elapsed, {"elapsed": elapsed, **used}
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=60)


def cpu_report(cpu: dict, count: int) -> str:
    """CPU per mail of each part, and how busy the machine's two cores were (others too)."""
    ours = ("workers", "smtp server", "postgres", "redis")
    parts = ", ".join(f"{name} {cpu[name] * 1000 / count:.2f}" for name in ours)
    capacity = cpu["elapsed"] * (os.cpu_count() or 1)
    others = max(0.0, cpu["machine"] - sum(cpu[name] for name in ours))
    return (
        f"  cpu ms/mail: {parts}; machine {100 * cpu['machine'] / capacity:.0f}% busy "
        f"({100 * others / capacity:.0f}% other processes)"
    )


def smtplib_loop(port: int, message: bytes, count: int, reuse: bool) -> float:
    started = time.perf_counter()
    if reuse:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            for n in range(count):
                smtp.sendmail("noreply@mentorhub.com", [f"u{n}@example.com"], message)
    else:
        for n in range(count):
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
                smtp.sendmail("noreply@mentorhub.com", [f"u{n}@example.com"], message)
    return count / (time.perf_counter() - started)


def sample_message(app) -> bytes:
    """The bytes a worker sends for one welcome notification, for the smtplib loops."""
    from mentorhub.notifications.compose import PreparedRow, build_email

    with app.app_context():
        email = build_email(PreparedRow(1, 1, "u0@example.com", "welcome", {"name": "User"}, 0))
        return email.as_bytes(app.config["FROM_EMAIL"])


# A worker under cProfile with a CPU clock (time waiting for work is not cost), started after
# the imports and the app are loaded, so only the work loop is measured.
PROFILED_WORKER = """
import cProfile, sys, time
import wsgi
from flask.cli import main
profiler = cProfile.Profile(time.process_time)
sys.argv = ["flask", "worker", "notifications"]
profiler.enable()
try:
    main()
except SystemExit:
    pass
profiler.disable()
profiler.dump_stats({path!r})
"""


def start_workers(env: dict, count: int, profile: str | None = None) -> list:
    """`flask worker notifications` processes; the first under cProfile if `profile` is set."""
    procs = []
    for n in range(count):
        command = ["-m", "flask", "worker", "notifications"]
        if profile and n == 0:
            command = ["-c", PROFILED_WORKER.format(path=profile)]
        procs.append(
            subprocess.Popen(
                [sys.executable, *command],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    return procs


def steady_runs(app, port: int, args, phase, accepts, pids: dict) -> None:
    """Steady-rate runs: `--processes` producers, one notification per transaction."""
    import redis
    from rq import Worker

    from bench._notifications_steady import profile_summary, report, run_steady
    from mentorhub.notifications.job_queue import notification_queue

    for number, rate in enumerate(float(r) for r in args.rates.split(",") if r):
        reset(app)
        count = int(rate * args.seconds)
        emails = make_users(app, count)
        phase.value = STEADY_PHASE + number
        times: dict[int, list[float]] = {}

        def accepted(wanted=phase.value, times=times) -> dict[int, list[float]]:
            while not accepts.empty():
                got_phase, number_, at = accepts.get()
                if got_phase == wanted:
                    times.setdefault(number_, []).append(at)
            return times

        env = environ(port)
        env["NOTIFICATION_SWEEP_AGE_SECONDS"] = "600"  # measure the queue, not the safety net
        profile = f"/tmp/mentorhub-worker-{os.getpid()}-{number}.prof" if args.profile else None
        procs = start_workers(env, 2, profile)
        try:
            with app.app_context():
                connection = redis.Redis.from_url(redis_url())
                while Worker.count(connection=connection, queue=notification_queue()) < 2:
                    time.sleep(0.1)
            groups = {"workers": [p.pid for p in procs], **pids, "postgres": postgres_pids()}
            before = cpu_snapshot(groups)
            started = time.perf_counter()
            result = run_steady(environ(port), emails, rate, args.processes, accepted)
            groups["postgres"] = sorted(set(groups["postgres"]) | set(postgres_pids()))
            after = cpu_snapshot(groups)
            used = {name: after[name] - before.get(name, 0.0) for name in after}
            used["elapsed"] = time.perf_counter() - started
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=60)
        print(report(result))
        print(cpu_report({**used, "producers": 0.0}, result["committed"]))
        if profile and os.path.exists(profile):
            print(profile_summary(profile))
            os.unlink(profile)


def make_users(app, count: int) -> list[str]:
    """`count` users (bulk insert, not timed); their addresses."""
    from sqlalchemy import insert

    from mentorhub.extensions import db
    from mentorhub.models import User

    emails = [f"s{n}@example.com" for n in range(count)]
    with app.app_context():
        rows = [{"email": e, "name": "S", "password_hash": "x", "is_mentor": False} for e in emails]
        db.session.execute(insert(User), rows)
        db.session.commit()
    return emails


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--rates", default="200,300", help="steady-rate runs, events/s")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each steady run")
    parser.add_argument("--processes", type=int, default=2, help="producers in steady runs")
    parser.add_argument("--profile", action="store_true", help="cProfile one steady worker")
    parser.add_argument("--skip-batch", action="store_true", help="steady-rate runs only")
    args = parser.parse_args()
    global REDIS_PORT
    REDIS_PORT = free_port()
    redis_server = subprocess.Popen(
        ["redis-server", "--port", str(REDIS_PORT), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(0.5)
    port = free_port()
    total, phase = multiprocessing.Value("l", 0), multiprocessing.RawValue("l", 0)
    ready, stop = multiprocessing.Event(), multiprocessing.Event()
    receive, send = multiprocessing.Pipe(duplex=False)
    accepts = multiprocessing.Queue()
    server = multiprocessing.Process(
        target=smtp_server, args=(port, total, phase, ready, stop, send, accepts)
    )
    server.start()
    ready.wait(30)
    pids = {"smtp server": [server.pid], "redis": [redis_server.pid]}
    app = make_app(port)
    results: dict[str, float] = {}
    try:
        steady_runs(app, port, args, phase, accepts, pids)
        if args.skip_batch:
            return
        reset(app)
        path = request_path(app)
        print(
            f"send_notification call:        p50 {path['call_p50']:.2f} ms  "
            f"p99 {path['call_p99']:.2f} ms"
        )
        print(
            f"  + commit and enqueue:        p50 {path['total_p50']:.2f} ms  "
            f"p99 {path['total_p99']:.2f} ms"
        )
        print(f"1,000 reminders, one commit:   {path['batch_1000_ms']:.0f} ms (one pipeline)")
        for workers in (1, 2):
            reset(app)
            phase.value = workers
            before = total.value
            rate, cpu = deliver(app, port, total, workers, args.count, pids)
            results[f"workers_{workers}"] = rate
            time.sleep(1)  # a duplicate would arrive now
            delivered = total.value - before
            print(
                f"{workers} worker(s):  {results[f'workers_{workers}']:7.0f} mails/s  "
                f"delivered {delivered} of {args.count}"
            )
            print(cpu_report(cpu, args.count))
            assert delivered == args.count, f"expected exactly {args.count}, got {delivered}"
        phase.value = 0
        message = sample_message(app)
        results["new_conn"] = smtplib_loop(port, message, min(args.count, 2000), reuse=False)
        results["reused"] = smtplib_loop(port, message, args.count, reuse=True)
        print(f"smtplib, new connection each:  {results['new_conn']:7.0f} mails/s")
        print(f"smtplib, one reused connection:{results['reused']:7.0f} mails/s")
        for workers in (1, 2):
            rate = results[f"workers_{workers}"]
            print(
                f"ratio {workers} worker(s): {rate / results['new_conn']:.2f}x new-connection, "
                f"{rate / results['reused']:.2f}x reused-connection"
            )
    finally:
        stop.set()
        server.join(30)
        redis_server.terminate()
        drop_database()
    distinct = receive.recv() if receive.poll(5) else {}
    if args.skip_batch:
        return
    runs = ", ".join(f"{distinct.get(workers)} with {workers} worker(s)" for workers in (1, 2))
    print(f"server: {total.value} messages; distinct Message-IDs: {runs}")
    for workers in (1, 2):
        assert distinct.get(workers) == args.count, f"duplicate Message-IDs: {distinct}"


if __name__ == "__main__":
    main()

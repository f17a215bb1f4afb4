"""Notification benchmark, all against local services in one run.

1. Steady rate: `--processes` producer processes commit one welcome notification per
   transaction, `--rates` events/s between them, for `--seconds`; two workers deliver. Prints the
   achieved rate, p50/p99/max from each commit to the SMTP server's acceptance, delivered,
   missing (not accepted 5 s after the last commit) and duplicates; `--profile` adds where one
   worker's CPU time goes per event, by package.
2. The time `send_notification` adds to a request (p50/p99), and one transaction that creates
   1,000 reminders and enqueues them in one pipelined round trip.
3. Delivery of `--count` queued notifications with 1 and 2 `flask worker` processes, end to end:
   rows pending in PostgreSQL -> jobs in Redis -> messages accepted by a local aiosmtpd server,
   which runs in its own process and counts every message and every distinct Message-ID. Each
   run also prints the CPU time per mail of the workers, the SMTP server, PostgreSQL and Redis
   (from /proc, on Linux), and how busy the machine was, other processes included.
4. A plain smtplib loop to the same server, sending the bytes a worker sends for one welcome
   notification: a new connection per mail, and one reused connection.

Usage: python -m bench.notifications [--count 5000] [--rates 200,300] [--seconds 20] [--profile]
Environment: BENCH_DATABASE_URL (default a `mentorhub_bench_notifications_<pid>` database on
local PostgreSQL, recreated for each phase and dropped at the end). Redis is a private
`redis-server` on a free port, started and stopped by the benchmark, so no other user of the
machine's Redis can disturb it.
"""

from __future__ import annotations

import argparse
import multiprocessing
import time

from bench.notifications import mail_server, request_path
from bench.notifications.batch import cpu_report, deliver, sample_message, smtplib_loop
from bench.notifications.services import Services
from bench.notifications.steady import steady_runs
from tests.support.servers import free_port


def main() -> None:
    """Start the services and the SMTP server process, run every part, report, clean up."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--rates", default="200,300", help="steady-rate runs, events/s")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each steady run")
    parser.add_argument("--processes", type=int, default=2, help="producers in steady runs")
    parser.add_argument("--profile", action="store_true", help="cProfile one steady worker")
    parser.add_argument("--skip-batch", action="store_true", help="steady-rate runs only")
    args = parser.parse_args()
    port = free_port()
    services = Services.start(port)
    total, phase = multiprocessing.Value("l", 0), multiprocessing.RawValue("l", 0)
    ready, stop = multiprocessing.Event(), multiprocessing.Event()
    receive, send = multiprocessing.Pipe(duplex=False)
    accepts = multiprocessing.Queue()
    server = multiprocessing.Process(
        target=mail_server.serve, args=(port, total, phase, ready, stop, send, accepts)
    )
    server.start()
    ready.wait(30)
    pids = {"smtp server": [server.pid], "redis": [services.redis.process.pid]}
    app = services.make_app()
    try:
        steady_runs(services, app, args, phase, accepts, pids)
        if args.skip_batch:
            return
        services.reset(app)
        print(request_path.report(request_path.request_path(app)))
        batch(services, app, args, total, phase, pids)
    finally:
        stop.set()
        server.join(30)
        services.stop()
    distinct = receive.recv() if receive.poll(5) else {}
    if args.skip_batch:
        return
    runs = ", ".join(f"{distinct.get(workers)} with {workers} worker(s)" for workers in (1, 2))
    print(f"server: {total.value} messages; distinct Message-IDs: {runs}")
    for workers in (1, 2):
        assert distinct.get(workers) == args.count, f"duplicate Message-IDs: {distinct}"


def batch(services: Services, app, args, total, phase, pids: dict) -> None:
    """Delivery by 1 and 2 workers, then the smtplib loops, and the ratios between them."""
    results: dict[str, float] = {}
    for workers in (1, 2):
        services.reset(app)
        phase.value = workers
        before = total.value
        rate, cpu = deliver(services, app, total, workers, args.count, pids)
        results[f"workers_{workers}"] = rate
        time.sleep(1)  # a duplicate would arrive now
        delivered = total.value - before
        print(f"{workers} worker(s):  {rate:7.0f} mails/s  delivered {delivered} of {args.count}")
        print(cpu_report(cpu, args.count))
        assert delivered == args.count, f"expected exactly {args.count}, got {delivered}"
    phase.value = 0
    message = sample_message(app)
    port = services.smtp_port
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


if __name__ == "__main__":
    main()

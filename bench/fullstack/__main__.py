"""Benchmark: MentorHub as users run it against a separate bare Flask app, one command.

MentorHub runs with the production config: rate limiter on (token bucket on Redis, exact across
workers, clients far below their limit), cache on Redis, PostgreSQL seeded with 1,000,000 users
and 2,000,000 sessions. The yardstick is `bench/fullstack/bare_app.py`, a bare Flask app with
the same URLs. Both run under gunicorn with the same settings (2 sync workers), are loaded by
wrk from 32 connections, and are measured in interleaved rounds. It prints, per endpoint, both
apps' req/s and p50/p99, and the ratio MentorHub / bare (median of the per-round ratios).

    python -m bench.fullstack [--duration 5] [--rounds 5] [--reuse]

- /api/v1/stats/platform: 5,000 client addresses (X-Forwarded-For, one trusted proxy hop);
- /api/v1/stats/dashboard: 200 different users' access tokens in rotation.

BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/mentorhub_bench_stats) is
created and seeded with `flask seed-demo` (about two minutes) unless --reuse finds it seeded. A
private redis-server is started for the run; nothing else is touched.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import urllib.request
from pathlib import Path

from bench.common.stats_db import database_url, mint_tokens, prepare_database
from bench.common.wrk import run_wrk
from bench.fullstack.settings import fullstack_environ
from tests.support.redis_server import PrivateRedis
from tests.support.servers import ServerProcess, free_port, gunicorn_command

ENDPOINTS = {"platform": "/api/v1/stats/platform", "dashboard": "/api/v1/stats/dashboard"}
CLIENTS = 5000
TOKENS = 200
# Each request: a client address, and for the dashboard one of the users' tokens.
WRK_SCRIPT = """
local requests = {}
local n = 0
local count = 0
init = function(args)
  local path = args[1]
  local tokens = {}
  for line in io.lines(args[2]) do tokens[#tokens + 1] = line end
  for i = 1, %(clients)d do
    local headers = {["X-Forwarded-For"] = "10.1." .. math.floor(i / 256) .. "." .. (i %% 256)}
    if path:find("dashboard") then
      headers["Authorization"] = "Bearer " .. tokens[(i %% #tokens) + 1]
    end
    requests[i] = wrk.format(nil, path, headers)
  end
  count = %(clients)d
end
request = function()
  n = n %% count + 1
  return requests[n]
end
"""


def serve(app: str, env: dict, config: str) -> tuple[ServerProcess, str]:
    """gunicorn, 2 sync workers, the same flags for both apps, once it answers; its URL."""
    port = free_port()
    command = gunicorn_command(
        port, "--config", config, "--workers", "2", "--worker-class", "sync",
        "--backlog", "2048", "--log-level", "warning", app=app,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    return ServerProcess(command, env).wait_for_http(url + ENDPOINTS["platform"]), url


def check_answers(url: str, token: str) -> None:
    """Both endpoints answer 200 with the limiter's headers (the bench must not measure 401s)."""
    for name, path in ENDPOINTS.items():
        request = urllib.request.Request(url + path, headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200, name
            assert response.headers["X-RateLimit-Limit"], f"{name}: limiter is off"


def main() -> None:
    """Seed (once), serve both apps, load them in interleaved rounds, print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--sessions", type=int, default=2_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep an already seeded database")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    redis_server = PrivateRedis().start()
    env = fullstack_environ(redis_server.url)
    servers: dict[str, tuple[ServerProcess, str]] = {}
    load = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as tmp:
        # Both apps get the same (empty) gunicorn config, so only the flags above apply.
        config = Path(tmp, "gunicorn.conf.py")
        config.write_text("")
        tokens_file = Path(tmp, "tokens.txt")
        script = Path(tmp, "load.lua")
        script.write_text(WRK_SCRIPT % {"clients": CLIENTS})
        try:
            prepared = prepare_database(database_url(), env, args.users, args.sessions, args.reuse)
            print("database:", prepared)
            tokens = mint_tokens(env, TOKENS)
            tokens_file.write_text("\n".join(tokens) + "\n")
            servers["mentorhub"] = serve("wsgi:app", env, str(config))
            servers["bare"] = serve("bench.fullstack.bare_app:app", env, str(config))
            check_answers(servers["mentorhub"][1], tokens[0])
            results = rounds(servers, script, tokens_file, args)
            load.append(os.getloadavg()[0])
        finally:
            for process, _ in servers.values():
                process.stop()
            redis_server.kill()
    report(results, args, load)


def rounds(servers: dict, script: Path, tokens: Path, args: argparse.Namespace) -> dict:
    """Interleaved rounds: every (endpoint, app) pair once per round, seconds apart."""
    results: dict[tuple[str, str], list[dict]] = {}
    plan = [(endpoint, app) for endpoint in ENDPOINTS for app in ("bare", "mentorhub")]
    for endpoint, app in plan:  # warm-up: pools, page cache, per-process caches
        wrk(servers[app], script, tokens, endpoint, 2, args.connections)
    for round_no in range(1, args.rounds + 1):
        for endpoint, app in plan:
            result = wrk(servers[app], script, tokens, endpoint, args.duration, args.connections)
            results.setdefault((endpoint, app), []).append(result)
            figures = f"{result['rps']:7.0f} req/s, p99 {result['p99']:6.2f} ms"
            print(f"round {round_no} {endpoint:>9} {app:>9}: {figures}", flush=True)
    return results


def wrk(server, script: Path, tokens: Path, endpoint: str, seconds: int, connections: int) -> dict:
    """One wrk run against one endpoint (the script takes the path and the tokens file)."""
    process, url = server
    arguments = (ENDPOINTS[endpoint], str(tokens))
    return run_wrk(process.pid, url, seconds, connections, str(script), arguments)


def report(results: dict, args: argparse.Namespace, load: list[float]) -> None:
    """Medians per app and endpoint, and MentorHub / bare per round, then the median ratio."""
    print(f"\ngunicorn 2 sync workers each, wrk -t2 -c{args.connections}, "
          f"{args.duration} s x {args.rounds} interleaved rounds; medians")  # fmt: skip
    for endpoint in ENDPOINTS:
        mh, bare = results[(endpoint, "mentorhub")], results[(endpoint, "bare")]
        ratio = statistics.median(m["rps"] / b["rps"] for m, b in zip(mh, bare, strict=True))
        for name, runs in (("bare", bare), ("mentorhub", mh)):
            rps = statistics.median(r["rps"] for r in runs)
            p50 = statistics.median(r["p50"] for r in runs)
            p99 = statistics.median(r["p99"] for r in runs)
            cpu = statistics.median(r["cpu_us"] for r in runs)
            errors = sum(r["errors"] for r in runs)
            figures = f"{rps:7.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms"
            print(f"{endpoint:>9} {name:>9}: {figures}  {cpu:5.0f} us CPU/req  non-2xx {errors}")
        print(f"{endpoint:>9} ratio mentorhub/bare: {ratio:.2f}")
    print(f"load average (1 min): {load[0]:.2f} before, {load[-1]:.2f} after")


if __name__ == "__main__":
    main()

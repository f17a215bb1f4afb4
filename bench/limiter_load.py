"""Servers and load for `bench/limiter.py`: gunicorn per variant, wrk runs, CPU accounting."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import redis
from limiter_app import KEY_PREFIX

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
# Distinct X-Forwarded-For addresses, so the limiters see many clients as in production,
# each far below its limit.
CLIENTS = 5000
WRK_SCRIPT = f"""
local requests = {{}}
local n = 0
init = function(args)
  for i = 1, {CLIENTS} do
    local ip = "10.0." .. math.floor(i / 256) .. "." .. (i % 256)
    requests[i] = wrk.format(nil, "/ping", {{["X-Forwarded-For"] = ip}})
  end
end
request = function()
  n = n % {CLIENTS} + 1
  return requests[n]
end
"""
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(variant: str, redis_url: str, threads: int) -> tuple[subprocess.Popen, str]:
    """Start gunicorn (2 workers, sync or with threads) for one variant; wait until it answers."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "--workers", "2", "--threads", str(threads),
        "--bind", f"127.0.0.1:{port}", "--chdir", str(ROOT), "--pythonpath", f"{ROOT},{BENCH_DIR}",
        "--log-level", "warning", "--no-control-socket", f"limiter_app:create_app({variant!r})",
    ]  # fmt: skip
    env = {**os.environ, "REDIS_URL": redis_url}
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn for {variant} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/ping", timeout=1) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"gunicorn for {variant} did not answer within 30 s")


def workers_cpu_seconds(master: subprocess.Popen) -> float:
    """CPU time (user + system) the gunicorn master's workers have used so far (Linux /proc)."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children").read_text().split()
    ticks = 0
    for pid in children:
        # Fields after "(comm)": state is [0], utime [11], stime [12].
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def run_wrk(
    server: tuple[subprocess.Popen, str],
    script: str,
    seconds: int,
    connections: int,
    script_args: tuple[str, ...] = (),
) -> dict[str, float]:
    """One wrk run: req/s, p50/p99 ms, non-2xx answers and the workers' CPU us per request."""
    master, url = server
    cpu_before = workers_cpu_seconds(master)
    extra = ["--", *script_args] if script_args else []
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script, url, *extra],
        capture_output=True, text=True, check=True, timeout=seconds + 60,
    ).stdout  # fmt: skip
    cpu = workers_cpu_seconds(master) - cpu_before
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    latency = {
        pct: float(value) * UNITS[unit]
        for pct, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    }
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency["50"],
        "p99": latency["99"],
        "cpu_us": 1e6 * cpu / max(requests, 1),
        "errors": int(errors.group(1)) if errors else 0,
    }


def clear_bench_keys(redis_url: str) -> None:
    """Delete the keys this bench created, and nothing else."""
    client = redis.Redis.from_url(redis_url)
    # Moving-window keys carry the bench's prefix; token buckets carry the bench's client
    # addresses (10.0.x.y, from WRK_SCRIPT).
    for pattern in (f"LIMITS:LIMITER/{KEY_PREFIX}:*", "mentorhub-rl:token-bucket/LIMITER/10.0.*"):
        for key in client.scan_iter(match=pattern, count=1000):
            client.delete(key)

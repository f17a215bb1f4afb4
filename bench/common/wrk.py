"""One wrk run against a gunicorn server: throughput, latency, errors and the workers' CPU."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence

from bench.common.cpu import children_cpu_seconds

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def run_wrk(
    master_pid: int,
    url: str,
    seconds: int,
    connections: int,
    script: str | None = None,
    script_args: Sequence[str] = (),
) -> dict[str, float]:
    """Load `url` with `wrk -t2` for `seconds` (through a Lua `script` if given).

    Returns requests, req/s, p50/p99 in ms, non-2xx answers, and the CPU seconds the master's
    workers spent, in total and in microseconds per request.
    """
    cpu_before = children_cpu_seconds(master_pid)
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    command += ["-s", script] if script else []
    command += [url, *(["--", *script_args] if script_args else [])]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    cpu = children_cpu_seconds(master_pid) - cpu_before
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    latency = {
        pct: float(value) * UNITS[unit]
        for pct, value, unit in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    }
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return {
        "requests": requests,
        "seconds": seconds,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency["50"],
        "p99": latency["99"],
        "cpu": cpu,
        "cpu_us": 1e6 * cpu / max(requests, 1),
        "errors": int(errors.group(1)) if errors else 0,
    }

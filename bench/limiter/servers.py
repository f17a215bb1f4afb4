"""Servers and load of the limiter benchmark: a gunicorn per variant, many simulated clients."""

from __future__ import annotations

import redis

from bench.limiter.apps import KEY_PREFIX
from tests.support.servers import ServerProcess, free_port, gunicorn_command

# Distinct X-Forwarded-For addresses, so the limiters see many clients as in production,
# each far below its limit.
CLIENTS = 5000
NETWORK = "10.0"
WRK_SCRIPT = f"""
local requests = {{}}
local n = 0
init = function(args)
  for i = 1, {CLIENTS} do
    local ip = "{NETWORK}." .. math.floor(i / 256) .. "." .. (i % 256)
    requests[i] = wrk.format(nil, "/ping", {{["X-Forwarded-For"] = ip}})
  end
end
request = function()
  n = n % {CLIENTS} + 1
  return requests[n]
end
"""


def start_server(variant: str, environ: dict, threads: int) -> tuple[ServerProcess, str]:
    """gunicorn (2 workers, sync or with threads) for one variant, once it answers; its URL."""
    port = free_port()
    command = gunicorn_command(
        port, "--workers", "2", "--threads", str(threads), "--log-level", "warning",
        "--no-control-socket", app=f"bench.limiter.apps:create_app({variant!r})",
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    return ServerProcess(command, environ).wait_for_http(f"{url}/ping", timeout=30), url


def clear_bench_keys(redis_url: str) -> None:
    """Delete the keys this bench created, and nothing else."""
    client = redis.Redis.from_url(redis_url)
    # Moving-window keys carry the bench's prefix; token buckets carry the bench's client
    # addresses (from WRK_SCRIPT).
    patterns = (f"LIMITS:LIMITER/{KEY_PREFIX}:*", f"mentorhub-rl:token-bucket/LIMITER/{NETWORK}.*")
    for pattern in patterns:
        for key in client.scan_iter(match=pattern, count=1000):
            client.delete(key)

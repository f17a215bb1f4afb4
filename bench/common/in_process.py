"""Requests handed to a WSGI app directly (no server, no load generator), and their profile.

What a request costs in Python, without the scheduling noise of a load benchmark: Redis and
PostgreSQL are the only sockets left.
"""

from __future__ import annotations

import collections
import cProfile
import io
import os
import pstats
import sys
from collections.abc import Callable, Sequence

WSGIApp = Callable[[dict, Callable], object]


def get_environ(path: str, client: int, network: str, token: str | None = None) -> dict:
    """A GET of `path` from simulated client number `client` of `network` ("10.0"), behind one
    proxy hop, with a bearer token if given."""
    environ = {
        "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "bench",
        "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_FORWARDED_FOR": f"{network}.{client // 256 % 256}.{client % 256}",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
        "wsgi.multithread": False, "wsgi.multiprocess": True, "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }  # fmt: skip
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return environ


def serve(
    app: WSGIApp,
    path: str,
    clients: Sequence[int],
    network: str,
    tokens: Sequence[str] = (),
) -> None:
    """Answer one request from each client in turn; every answer must be a 200."""
    statuses: list[str] = []

    def start_response(status: str, headers: list, exc_info: object = None) -> None:
        statuses.append(status)

    for n, client in enumerate(clients):
        token = tokens[n % len(tokens)] if tokens else None
        body = app(get_environ(path, client, network, token), start_response)
        b"".join(body)
        getattr(body, "close", lambda: None)()
    if any(not status.startswith("200") for status in statuses):
        raise SystemExit(f"{path}: non-200 answers {sorted(set(statuses))}")


def package(filename: str, function: str) -> str:
    """The package a profiled function belongs to, for grouping."""
    if "site-packages/" in filename:
        return filename.split("site-packages/")[1].split("/")[0].removesuffix(".py")
    if f"{os.sep}mentorhub{os.sep}" in filename:
        return "mentorhub"
    if filename == "~":  # C functions: the socket calls (and their polls) wait for Redis
        return "socket" if "_socket.socket" in function or "poll" in function else "builtins"
    return "stdlib"


def own_time_by_package(work: Callable[[], None]) -> collections.Counter[str]:
    """Seconds of own time `work` spent in each package, under cProfile."""
    profiler = cProfile.Profile()
    profiler.enable()
    work()
    profiler.disable()
    groups: collections.Counter[str] = collections.Counter()
    for (filename, _, function), row in pstats.Stats(profiler).stats.items():
        groups[package(filename, function)] += row[2]
    return groups

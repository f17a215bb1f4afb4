"""HTTP to a live server (gunicorn, `flask run`) from a test: one request, or a client session."""

from __future__ import annotations

import http.client
import json
from collections.abc import Mapping

import requests


def keyed(headers: Mapping[str, str], key: str) -> dict[str, str]:
    """`headers` and an Idempotency-Key."""
    return {**headers, "Idempotency-Key": key}


def request(
    port: int,
    method: str,
    path: str,
    body: object = None,
    headers: Mapping[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request on a fresh connection: status, headers, body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        all_headers = {"Content-Type": "application/json"} if payload is not None else {}
        all_headers.update(headers or {})
        connection.request(method, path, body=payload, headers=all_headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


class LiveClient:
    """A live server's client, called like a test client: `client.post(path, json=...)`."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()

    def open(self, method: str, path: str, **kwargs) -> requests.Response:
        """One request to `path` on the server."""
        return self.session.request(method, self.base_url + path, timeout=10, **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        """GET `path`."""
        return self.open("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        """POST to `path`."""
        return self.open("POST", path, **kwargs)

"""nginx resends a POST that was already sent only when it carries an Idempotency-Key.

deploy/nginx/mentorhub.conf with two upstreams: a real gunicorn, and in front of the same
gunicorn a proxy that passes the request on and then resets nginx's connection instead of
answering (a server dying just after doing the work). nginx then resends a keyed POST to the
other server, which answers it from the first attempt; a POST without a key gets a 502, its work
done once all the same.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
import uuid

import requests

from tests.infra.front_servers import Nginx
from tests.infra.processes import start_gunicorn
from tests.infra.traffic import register_pair, rows_created
from tests.support.http import keyed
from tests.support.servers import free_port

# Longer than the upstreams' fail_timeout, after which nginx tries the failed server again.
FAIL_TIMEOUT = 6.0


class AnswerLosingProxy(threading.Thread):
    """Passes each request to `target_port`, reads the whole answer, then resets the client."""

    def __init__(self, target_port: int) -> None:
        super().__init__(daemon=True)
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.passed_on = 0

    def run(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            with client:
                request = _read_request(client)
                with socket.create_connection(("127.0.0.1", self.target_port)) as upstream:
                    upstream.sendall(request)
                    while upstream.recv(65536):
                        pass
                self.passed_on += 1
                # Linger 0: close() sends a reset, as a server killed mid-answer would.
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def close(self) -> None:
        """Stop listening."""
        self.listener.close()


def _read_request(connection: socket.socket) -> bytes:
    """One whole request as nginx sends it: head, then Content-Length bytes of body."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += connection.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    lines = [line.partition(b":") for line in head.split(b"\r\n")[1:]]
    length = sum(int(value) for name, _, value in lines if name.lower() == b"content-length")
    while len(body) < length:
        body += connection.recv(65536)
    return head + b"\r\n\r\n" + body


def _post_until_the_proxy_took_one(
    url: str, body: dict, headers, proxy: AnswerLosingProxy
) -> tuple[requests.Response, int]:
    """POST one at a time until nginx sent one through the proxy: its answer, and how many."""
    for sent in range(1, 21):
        before = proxy.passed_on
        answer = requests.post(url, json=body, headers=headers(), timeout=60)
        if proxy.passed_on > before:
            return answer, sent
        assert answer.status_code == 201, answer.text
    raise AssertionError("nginx never sent a request through the proxy")


def test_only_keyed_posts_are_sent_again(migrated_environ, tmp_path):
    port = free_port()
    environ = {**migrated_environ, "TRUSTED_PROXY_HOPS": "1"}
    server = start_gunicorn(environ, port, tmp_path / "web.log")
    proxy = AnswerLosingProxy(port)
    proxy.start()
    nginx = Nginx([port, proxy.port]).start()
    try:
        # Straight to gunicorn: signing up through the proxy could lose its answer.
        pair = register_pair(f"http://127.0.0.1:{port}")
        url = f"{nginx.url}/api/v1/messages"
        auth = {"Authorization": f"Bearer {pair.student_token}"}
        body = {"recipient_id": pair.mentor_id, "body": "Once"}

        lost, plain_sent = _post_until_the_proxy_took_one(url, body, lambda: auth, proxy)
        assert lost.status_code == 502

        time.sleep(FAIL_TIMEOUT)

        def with_a_key() -> dict:
            return keyed(auth, str(uuid.uuid4()))

        resent, keyed_sent = _post_until_the_proxy_took_one(url, body, with_a_key, proxy)
        # Sent again to gunicorn, and answered there from its first attempt.
        assert resent.status_code == 201, resent.text
        assert resent.headers["Idempotent-Replayed"] == "true"
    finally:
        nginx.stop()
        proxy.close()
        server.stop()
    # Every POST did its work exactly once, the one whose answer nginx could not deliver too.
    assert rows_created(migrated_environ["DATABASE_URL"])["message"] == plain_sent + keyed_sent

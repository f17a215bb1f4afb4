"""Mixed client traffic for the infrastructure tests, counting every answer it did not expect.

Each client is a student with a mentor of its own, so its bookings never clash with another
client's (every booking is expected to answer 201). Operations: the public platform statistics,
the student's dashboard, a message to the mentor, and a booking.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import requests

PASSWORD = "infra-password-1"
EXPECTED = {"platform": 200, "dashboard": 200, "message": 201, "book": 201}
WEIGHTS = {"platform": 3, "dashboard": 3, "message": 2, "book": 2}


@dataclass
class Pair:
    """One client's student (who acts) and mentor (who is messaged and booked)."""

    student_token: str
    mentor_id: int
    student_email: str = ""
    mentor_email: str = ""
    slots: itertools.count = field(default_factory=itertools.count)


@dataclass
class Tally:
    """Answers per (operation, status), and every unexpected one with its time and detail."""

    answers: Counter = field(default_factory=Counter)
    unexpected: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, op: str, status: int | None, detail: str = "", seconds: float = 0.0) -> None:
        """Count one answer (None: no HTTP answer at all) and how long it took."""
        with self.lock:
            self.answers[(op, status)] += 1
            self.seconds.append(seconds)
            if status != EXPECTED.get(op, status):
                self.unexpected.append((time.time(), op, status, detail[:300]))

    def total(self) -> int:
        """How many requests were answered or failed."""
        with self.lock:
            return sum(self.answers.values())

    def count(self, op: str) -> int:
        """How many `op` requests got their expected answer."""
        with self.lock:
            return self.answers[(op, EXPECTED[op])]


def register_pair(base_url: str, session: requests.Session | None = None) -> Pair:
    """Register a student and a mentor through the API and sign the student in."""
    http = session or requests.Session()
    api = f"{base_url}/api/v1"
    ids = {}
    for role in ("student", "mentor"):
        address = f"{role}-{uuid.uuid4().hex[:12]}@infra.mentorhub.io"
        body = {"email": address, "password": PASSWORD, "name": role.title()}
        if role == "mentor":
            body["is_mentor"] = True
        created = http.post(f"{api}/auth/register", json=body, timeout=30)
        assert created.status_code == 201, created.text
        ids[role] = (created.json()["id"], address)
    login = {"email": ids["student"][1], "password": PASSWORD}
    signed_in = http.post(f"{api}/auth/login", json=login, timeout=30)
    assert signed_in.status_code == 200, signed_in.text
    token = signed_in.json()["access_token"]
    return Pair(token, ids["mentor"][0], ids["student"][1], ids["mentor"][1])


class Clients:
    """`len(pairs)` threads, each looping over weighted operations until `stop` is set."""

    def __init__(self, base_url: str, pairs: list[Pair], pause: float = 0.01) -> None:
        self.api = f"{base_url}/api/v1"
        self.pairs = pairs
        self.pause = pause
        self.tally = Tally()
        self.stop = threading.Event()
        self.threads = [
            threading.Thread(target=self._loop, args=(pair, n), daemon=True)
            for n, pair in enumerate(pairs)
        ]
        # Slots start tomorrow, half an hour apart: 15-minute sessions never overlap.
        self.first_slot = (datetime.now(UTC) + timedelta(days=1)).replace(second=0, microsecond=0)

    def __enter__(self) -> Clients:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)

    def _loop(self, pair: Pair, seed: int) -> None:
        rng = random.Random(seed)
        http = requests.Session()
        ops, weights = list(WEIGHTS), list(WEIGHTS.values())
        while not self.stop.is_set():
            op = rng.choices(ops, weights)[0]
            method, path, body = self._request(op, pair, rng)
            headers = {"Authorization": f"Bearer {pair.student_token}"}
            started = time.monotonic()
            try:
                answer = http.request(
                    method, self.api + path, json=body, headers=headers, timeout=(5, 60)
                )
            except requests.RequestException as error:
                status, detail = None, f"{type(error).__name__}: {error}"
            else:
                status, detail = answer.status_code, answer.text
            self.tally.add(op, status, detail, time.monotonic() - started)
            self.stop.wait(self.pause)

    def _request(self, op: str, pair: Pair, rng: random.Random) -> tuple[str, str, dict | None]:
        if op == "platform":
            return "GET", "/stats/platform", None
        if op == "dashboard":
            return "GET", "/stats/dashboard", None
        if op == "message":
            return (
                "POST",
                "/messages",
                {"recipient_id": pair.mentor_id, "body": f"hi {rng.random()}"},
            )
        start = self.first_slot + timedelta(minutes=30 * next(pair.slots))
        body = {
            "mentor_id": pair.mentor_id,
            "topic": "Deploy day",
            "scheduled_time": start.isoformat(),
            "duration_minutes": 15,
        }
        return "POST", "/sessions", body

"""Mixed client traffic for the infrastructure tests, counting every answer it did not expect.

Each client is a student with a mentor of its own, so its bookings never clash with another
client's (every booking is expected to answer 201). Operations: the public platform statistics,
the student's dashboard, a message to the mentor, and a booking; each POST with an
Idempotency-Key of its own.
"""

from __future__ import annotations

import itertools
import random
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import requests

from tests.support.auth import AuthActions
from tests.support.databases import Database
from tests.support.http import LiveClient, keyed
from tests.support.traffic import Tally, send

PASSWORD = "infra-password-1"
DOMAIN = "infra.mentorhub.io"
EXPECTED = {"platform": 200, "dashboard": 200, "message": 201, "book": 201}
# The table each creating operation adds a row to.
CREATED_IN = {"message": "messages", "book": "mentor_sessions"}
WEIGHTS = {"platform": 3, "dashboard": 3, "message": 2, "book": 2}


@dataclass
class Pair:
    """One client's student (who acts) and mentor (who is messaged and booked)."""

    student_token: str
    mentor_id: int
    student_email: str = ""
    mentor_email: str = ""
    slots: itertools.count = field(default_factory=itertools.count)


def register_pair(base_url: str) -> Pair:
    """Register a student and a mentor through the API and sign the student in."""
    auth = AuthActions(LiveClient(base_url))
    student, mentor = (f"{role}-{uuid.uuid4().hex[:12]}@{DOMAIN}" for role in ("student", "mentor"))
    auth.sign_up(student, PASSWORD, "Student")
    mentor_id = auth.sign_up(mentor, PASSWORD, "Mentor", is_mentor=True)["id"]
    token = auth.sign_in(student, PASSWORD)["access_token"]
    return Pair(token, mentor_id, student, mentor)


def rows_created(database_url: str) -> dict[str, int]:
    """Rows in the database per creating operation, to compare with the 201s clients got."""
    database = Database(database_url)
    return {
        op: database.execute(f"SELECT count(*) FROM {table}")[0][0]
        for op, table in CREATED_IN.items()
    }


class Clients:
    """`len(pairs)` threads, each looping over weighted operations until `stop` is set."""

    def __init__(
        self, base_url: str, pairs: list[Pair], pause: float = 0.01, with_keys: bool = True
    ) -> None:
        self.api = f"{base_url}/api/v1"
        self.pairs = pairs
        self.pause = pause
        # Every POST carries an Idempotency-Key of its own (a load balancer may resend it).
        self.with_keys = with_keys
        self.tally = Tally(EXPECTED)
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
            key = keyed({}, str(uuid.uuid4())) if self.with_keys and body else {}
            url = self.api + path
            send(http, self.tally, op, method, url, pair.student_token, json=body, headers=key)
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

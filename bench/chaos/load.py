"""The chaos run's traffic: seeded mentors and students doing what users do, at a steady pace.

Each thread picks an operation by weight (register, book, message, cancel, reschedule, read
stats) and keeps to its share of the target rate. Every answer is counted (`Tally`); a 5xx or a
transport error is kept with its time, route and first bytes, to be explained later.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import requests

from tests.support.traffic import Tally, send

DOMAIN = "chaos.mentorhub.io"
PASSWORD = "chaos-password-1"
WEIGHTS = {
    "register": 8,
    "book": 25,
    "message": 18,
    "cancel": 8,
    "reschedule": 8,
    "stats_platform": 18,
    "stats_dashboard": 10,
    "sessions_list": 5,
}


@dataclass
class Account:
    """A seeded user and its access token."""

    id: int
    token: str
    is_mentor: bool


class Traffic:
    """Seeds accounts through the API, then drives mixed load until told to stop."""

    def __init__(self, base_url: str, t0: float, duration: float) -> None:
        self.base = base_url + "/api/v1"
        self.t0, self.duration = t0, duration
        self.mentors: list[Account] = []
        self.students: list[Account] = []
        self.sessions: list[tuple[int, Account, Account]] = []
        self.pool_lock = threading.Lock()
        self.tally = Tally()
        self.setup = Tally()

    def seed(self, mentors: int, students: int, threads: int = 4) -> None:
        """Register and log in the accounts the load uses (their welcome mails count too)."""
        plan = [True] * mentors + [False] * students
        chunks = [plan[n::threads] for n in range(threads)]
        workers = [threading.Thread(target=self._seed_some, args=(c,)) for c in chunks]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        if not self.mentors or not self.students:
            raise SystemExit(f"seeding failed: {self.setup.classes()} {self.setup.unexpected[:3]}")

    def _seed_some(self, roles: list[bool]) -> None:
        http = requests.Session()
        for is_mentor in roles:
            address = f"seed-{uuid.uuid4().hex[:12]}@{DOMAIN}"
            body = {"email": address, "password": PASSWORD, "name": "Seed", "is_mentor": is_mentor}
            created = self._call(http, self.setup, "register", "POST", "/auth/register", json=body)
            login = {"email": address, "password": PASSWORD}
            tokens = self._call(http, self.setup, "login", "POST", "/auth/login", json=login)
            if created is None or tokens is None:
                continue
            account = Account(created["id"], tokens["access_token"], is_mentor)
            with self.pool_lock:
                (self.mentors if is_mentor else self.students).append(account)

    def run(self, stop: threading.Event, rate: float, threads: int) -> None:
        """Drive `rate` requests per second from `threads` threads until `stop` is set."""
        workers = [
            threading.Thread(target=self._loop, args=(stop, threads / rate, n), daemon=True)
            for n in range(threads)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()

    def _loop(self, stop: threading.Event, interval: float, seed: int) -> None:
        rng = random.Random(seed)
        http = requests.Session()
        ops, weights = list(WEIGHTS), list(WEIGHTS.values())
        next_at = time.monotonic()
        while not stop.is_set():
            op = rng.choices(ops, weights)[0]
            getattr(self, f"_op_{op}")(http, rng)
            next_at += interval
            stop.wait(max(0.0, next_at - time.monotonic()))

    def _call(self, http, tally: Tally, op: str, method: str, path: str, token=None, **kw):
        response = send(http, tally, op, method, self.base + path, token, (3, 20), **kw)
        if response is None or response.status_code >= 300:
            return None
        return response.json() if response.content else {}

    def _slot(self, rng: random.Random) -> str:
        if rng.random() < 0.15:
            # Its one-hour reminder falls due while the load still runs: scheduled jobs too.
            offset = 3600 + rng.uniform(40, max(60.0, self.duration - 30))
            at = datetime.now(UTC) + timedelta(seconds=offset - (time.monotonic() - self.t0))
            at = at.replace(microsecond=0)
        else:
            day = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
            at = day + timedelta(days=rng.randint(2, 300), minutes=15 * rng.randint(0, 95))
        return at.isoformat()

    def _op_register(self, http, rng) -> None:
        address = f"new-{uuid.uuid4().hex[:12]}@{DOMAIN}"
        body = {"email": address, "password": PASSWORD, "name": "New User"}
        self._call(http, self.tally, "register", "POST", "/auth/register", json=body)

    def _op_book(self, http, rng) -> None:
        student, mentor = rng.choice(self.students), rng.choice(self.mentors)
        body = {
            "mentor_id": mentor.id,
            "topic": "Chaos engineering",
            "scheduled_time": self._slot(rng),
            "duration_minutes": 15,
        }
        made = self._call(http, self.tally, "book", "POST", "/sessions", student.token, json=body)
        if made is not None:
            with self.pool_lock:
                self.sessions.append((made["id"], student, mentor))

    def _op_message(self, http, rng) -> None:
        sender, recipient = rng.choice(self.students), rng.choice(self.mentors)
        if rng.random() < 0.5:
            sender, recipient = recipient, sender
        body = {"recipient_id": recipient.id, "body": f"hello {rng.random():.6f}"}
        self._call(http, self.tally, "message", "POST", "/messages", sender.token, json=body)

    def _pick_session(self, rng, remove: bool):
        with self.pool_lock:
            if not self.sessions:
                return None
            n = rng.randrange(len(self.sessions))
            return self.sessions.pop(n) if remove else self.sessions[n]

    def _op_cancel(self, http, rng) -> None:
        picked = self._pick_session(rng, remove=True)
        if picked is None:
            return self._op_stats_platform(http, rng)
        session_id, student, mentor = picked
        who = rng.choice((student, mentor))
        path = f"/sessions/{session_id}/cancel"
        self._call(http, self.tally, "cancel", "POST", path, who.token, json={"reason": "chaos"})

    def _op_reschedule(self, http, rng) -> None:
        picked = self._pick_session(rng, remove=False)
        if picked is None:
            return self._op_stats_platform(http, rng)
        session_id, student, mentor = picked
        who = rng.choice((student, mentor))
        body = {"scheduled_time": self._slot(rng)}
        path = f"/sessions/{session_id}/reschedule"
        self._call(http, self.tally, "reschedule", "POST", path, who.token, json=body)

    def _op_stats_platform(self, http, rng) -> None:
        self._call(http, self.tally, "stats_platform", "GET", "/stats/platform")

    def _op_stats_dashboard(self, http, rng) -> None:
        who = rng.choice(self.students + self.mentors)
        self._call(http, self.tally, "stats_dashboard", "GET", "/stats/dashboard", who.token)

    def _op_sessions_list(self, http, rng) -> None:
        who = rng.choice(self.students)
        self._call(http, self.tally, "sessions_list", "GET", "/sessions", who.token)

"""Revocation checks in one Redis round trip, with the database as the durable record.

Every revocation is committed to the database first, then written through to Redis. A request
reads three keys: whether the store is in sync, whether its sign-in (token family) was signed
out, and the user's sign-out-everywhere generation. They usually ride along on the rate
limiter's round trip (`mentorhub.redis_prefetch`); otherwise one MGET asks for them. While Redis
is unreachable the same question goes to the database, so revocations hold through an outage.
A Redis that lost its data (restart, flush) has no sync marker; so does one this process could
not reach for a while, since writes may have missed it. Then one process copies the live
revocations from the database back into Redis while the others ask the database.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mentorhub import redis_prefetch
from mentorhub.auth.revocation_sync import (
    FAMILY,
    GENERATION,
    RESYNC_LOCK,
    SYNCED,
    copy_to_redis,
    seconds_until,
)
from mentorhub.extensions import db
from mentorhub.models.token import RevokedToken, TokenGeneration
from mentorhub.models.types import utcnow
from mentorhub.outage_gate import OutageGate

logger = logging.getLogger(__name__)

# Only ever raises the stored generation, so two concurrent sign-outs cannot lower it.
RAISE_GENERATION = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
end
return 1
"""


class RevocationStore:
    """Answers "is this token revoked?" from Redis, or from the database when Redis cannot."""

    # While Redis is down, one request per process tries it again this often.
    RECHECK_SECONDS = 1.0

    def __init__(self, redis_url: str | None, timeout: float, refresh_lifetime: timedelta) -> None:
        self.refresh_lifetime = refresh_lifetime
        self.client = self.bulk = None
        if redis_url:
            options = {"socket_timeout": timeout, "socket_connect_timeout": timeout}
            self.client = redis.Redis.from_url(redis_url, retry=Retry(NoBackoff(), 0), **options)
            # The resync writes many keys at once: it may take longer than one lookup.
            self.bulk = redis.Redis.from_url(redis_url, socket_timeout=5, socket_connect_timeout=1)
            self.raise_generation = self.client.register_script(RAISE_GENERATION)
        self.gate = OutageGate(self.RECHECK_SECONDS)

    def is_revoked(self, family: str, user_id: int, generation: int) -> bool:
        """Whether the sign-in was signed out, or the user signed out everywhere since."""
        answer = self._ask_redis(family, user_id)
        if answer is None:
            answer = self._ask_database(family, user_id)
        family_revoked, current_generation = answer
        return family_revoked or generation < current_generation

    def revoke_family(self, family: str, expires_at: datetime) -> None:
        """Record a signed-out sign-in until its refresh token would have expired."""
        if db.session.get(RevokedToken, family) is None:
            db.session.add(RevokedToken(jti=family, expires_at=expires_at))
            try:
                db.session.commit()
            except IntegrityError:
                db.session.rollback()  # signed out concurrently: the outcome is the same
        ttl = seconds_until(expires_at, utcnow())
        self._write(lambda client: client.set(FAMILY + family, 1, ex=ttl))

    def next_generation(self, user_id: int) -> int:
        """Raise the user's generation, so every token minted before now is revoked."""
        generation = self._bump(user_id)
        ttl = math.ceil(self.refresh_lifetime.total_seconds())
        self._write(
            lambda client: self.raise_generation(
                keys=[GENERATION + str(user_id)], args=[generation, ttl], client=client
            )
        )
        return generation

    def _bump(self, user_id: int, retry: bool = True) -> int:
        row = db.session.get(TokenGeneration, user_id, with_for_update=True)
        if row is None:
            row = TokenGeneration(user_id=user_id, generation=0)
            db.session.add(row)
        row.generation += 1
        row.changed_at = utcnow()
        generation = row.generation
        try:
            db.session.commit()
        except IntegrityError:
            # Another request created the row first: lock that one and raise it instead.
            db.session.rollback()
            if not retry:
                raise
            return self._bump(user_id, retry=False)
        return generation

    def current_generation(self, user_id: int) -> int:
        """The generation new tokens of this user carry (read at sign-in, from the database)."""
        value = db.session.scalar(
            select(TokenGeneration.generation).where(TokenGeneration.user_id == user_id)
        )
        return value or 0

    def resync(self) -> bool:
        """Copy every live revocation from the database into Redis; False if another does it."""
        if self.bulk is None or not self.bulk.set(RESYNC_LOCK, 1, nx=True, ex=60):
            return False
        try:
            copy_to_redis(self.bulk, self.refresh_lifetime)
        finally:
            self.bulk.delete(RESYNC_LOCK)
        logger.info("token revocations copied from the database into Redis")
        return True

    def lookup_keys(self, family: str, user_id: int) -> list[str]:
        """The Redis keys that answer a check: sync marker, family, user's generation."""
        return [SYNCED, FAMILY + family, GENERATION + str(user_id)]

    def _ask_redis(self, family: str, user_id: int) -> tuple[bool, int] | None:
        if self.client is None or not self.gate.should_try():
            return None
        keys = self.lookup_keys(family, user_id)
        # Read ahead by the rate limiter's round trip when this process sees Redis up.
        ahead = None if self.gate.down else redis_prefetch.fetched(keys)
        try:
            synced, revoked, generation = ahead or self.client.mget(keys)
            if self.gate.down:
                self._mark_up()
                synced = None
        except redis.RedisError as error:
            self._mark_down(error)
            return None
        if synced is None:
            self._try_resync()
            return None
        return revoked is not None, int(generation or 0)

    def _ask_database(self, family: str, user_id: int) -> tuple[bool, int]:
        revoked = select(RevokedToken.jti).where(RevokedToken.jti == family).exists()
        generation = (
            select(TokenGeneration.generation)
            .where(TokenGeneration.user_id == user_id)
            .scalar_subquery()
        )
        family_revoked, current = db.session.execute(select(revoked, generation)).one()
        return bool(family_revoked), current or 0

    def _write(self, call) -> None:
        if self.client is None:
            return
        try:
            call(self.client)
        except redis.RedisError as error:
            # Committed already: the database answers until Redis is back and resynced.
            self._mark_down(error)

    def _try_resync(self) -> None:
        try:
            self.resync()
        except redis.RedisError as error:
            self._mark_down(error)

    def _mark_down(self, error: redis.RedisError) -> None:
        if not self.gate.mark_down():
            return
        logger.warning(
            "revocation store unreachable (%s); checking tokens in the database until it is back",
            type(error).__name__,
        )

    def _mark_up(self) -> None:
        self.gate.mark_up()
        # Revocations written meanwhile may have missed Redis: make the next check resync it.
        self.client.delete(SYNCED)
        logger.info("revocation store reachable again; resyncing it from the database")

"""Redis's copy of the revocations: its key names, and rebuilding it from the database."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import redis
from sqlalchemy import select

from mentorhub.extensions import db
from mentorhub.models.token import RevokedToken, TokenGeneration
from mentorhub.models.types import utcnow

PREFIX = "mentorhub-auth:"
# Present while Redis holds every live revocation; missing after a restart, a flush, or a
# write that could not reach it.
SYNCED = PREFIX + "synced"
RESYNC_LOCK = PREFIX + "resync-lock"
FAMILY = PREFIX + "fam:"
GENERATION = PREFIX + "gen:"
BATCH = 5000


def seconds_until(moment: datetime, now: datetime) -> int:
    """A key's time to live: whole seconds until `moment`, at least one."""
    return max(1, math.ceil((moment - now).total_seconds()))


def copy_to_redis(client: redis.Redis, refresh_lifetime: timedelta) -> None:
    """Write every revocation that still matters into Redis, then mark it in sync."""
    now = utcnow()
    pipe = client.pipeline(transaction=False)
    families = (
        select(RevokedToken.jti, RevokedToken.expires_at)
        .where(RevokedToken.expires_at > now)
        .execution_options(yield_per=BATCH)
    )
    for count, (family, expires_at) in enumerate(db.session.execute(families), 1):
        pipe.set(FAMILY + family, 1, ex=seconds_until(expires_at, now))
        if count % BATCH == 0:
            pipe.execute()
    # A generation older than a refresh token's life outlived every token it revoked.
    generations = (
        select(TokenGeneration.user_id, TokenGeneration.generation, TokenGeneration.changed_at)
        .where(TokenGeneration.changed_at > now - refresh_lifetime)
        .execution_options(yield_per=BATCH)
    )
    for count, (user_id, generation, changed_at) in enumerate(db.session.execute(generations), 1):
        pipe.set(
            GENERATION + str(user_id),
            generation,
            ex=seconds_until(changed_at + refresh_lifetime, now),
        )
        if count % BATCH == 0:
            pipe.execute()
    pipe.set(SYNCED, 1)
    pipe.execute()

"""Bare extension instances, bound to the app by `create_app` through `init_app`."""

from flask_caching import Cache
from flask_jwt_extended import JWTManager
from flask_limiter import HeaderNames, Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_rq import RQ
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from mentorhub.openapi import MentorHubApi
from mentorhub.ratelimit.policy import (
    LIMITER_RETRY_AFTER,
    client_limit,
    is_excluded_path,
    route_cost,
)


class Base(DeclarativeBase):
    """Declarative base whose constraint names are stable, so migrations can refer to them."""

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
cache = Cache()
# Flask-Limiter keeps its strategy and application limits on the instance for the life of the
# process, so they are fixed here and read each app's settings per request (ratelimit.policy);
# the token bucket itself is the storage (ratelimit.storage), bound per app by create_app.
limiter = Limiter(
    key_func=get_remote_address,
    strategy="moving-window",
    application_limits=[client_limit],
    application_limits_cost=route_cost,
    application_limits_exempt_when=is_excluded_path,
    headers_enabled=True,
    header_name_mapping={HeaderNames.RETRY_AFTER: LIMITER_RETRY_AFTER},
)
jwt = JWTManager()
rq = RQ()
api = MentorHubApi()

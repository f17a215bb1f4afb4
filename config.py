"""MentorHub configuration: one class per environment, read from the process environment.

Values come from environment variables (and a `.env` file, loaded by `create_app`), read by
`config_env`'s typed readers, each failing with a one-line `ConfigError` naming the variable.
`Config` reads them in one short section per concern.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from dotenv import dotenv_values

from config_env import (
    ConfigError,
    Env,
    choice,
    is_local_url,
    limit_string,
    meeting_link_template,
    offset_minutes,
    prepare_threshold,
    rate_limit_strategy,
    route_costs,
)

BASE_DIR = Path(__file__).resolve().parent
DEFAULT_SECRET = "dev-insecure-secret-key-do-not-use-in-production"
PLACEHOLDER_SECRETS = {
    "",
    DEFAULT_SECRET,
    "your-secret-key",
    "secret",
    "changeme",
    "change-me",
    "secret-key",
    "dev",
}
MIN_SECRET_BYTES = 32


def database_url(raw: str | None, instance_dir: Path) -> str:
    """Map plain `postgresql://` URLs to the psycopg 3 driver; default to SQLite."""
    if raw is None:
        return f"sqlite:///{instance_dir / 'mentorhub.db'}"
    for prefix in ("postgresql://", "postgres://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


# The refund rule cancellation emails state unless PAYMENT_CANCELLATION_POLICY says otherwise.
DEFAULT_CANCELLATION_POLICY = (
    "A cancelled session is refunded in full to the card or account it was paid from; "
    "refunds usually show within 5 to 10 business days."
)


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    TESTING = False
    DEBUG = False
    # werkzeug's scrypt: slow on purpose, so a stolen table is expensive to crack.
    PASSWORD_HASH_METHOD = "scrypt"

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = Env(os.environ if environ is None else environ)
        # One section per concern, each a short method below; later ones may read earlier ones.
        self._read_logs_and_metrics(env)
        self._read_platform(env)
        self._read_database(env)
        self._read_redis(env)
        self._read_mail(env)
        self._read_tokens(env)
        self._read_rate_limits(env)
        self._read_stats_and_probes(env)
        self._read_payments(env)
        self._read_notifications(env)
        self._read_retention(env)
        self._read_idempotency(env)
        self._set_openapi()

    def _read_logs_and_metrics(self, env: Env) -> None:
        self.LOG_LEVEL = (env.str("LOG_LEVEL", "INFO") or "INFO").upper()
        self.LOG_FORMAT = (env.str("LOG_FORMAT", "text") or "text").lower()
        if self.LOG_FORMAT not in ("text", "json"):
            raise ConfigError(f"LOG_FORMAT must be text or json, got {self.LOG_FORMAT!r}")
        # /metrics answers only with `Authorization: Bearer METRICS_TOKEN` when it is set.
        self.METRICS_ENABLED = env.bool("METRICS_ENABLED", True)
        self.METRICS_TOKEN = env.str("METRICS_TOKEN")
        # Each `flask worker` serves its own metrics on this port (0: off); one port per worker.
        self.WORKER_METRICS_PORT = env.int("WORKER_METRICS_PORT", 0)
        self.WORKER_METRICS_ADDR = env.str("WORKER_METRICS_ADDR", "127.0.0.1")

    def _read_platform(self, env: Env) -> None:
        self.SECRET_KEY = env.str("SECRET_KEY", DEFAULT_SECRET)
        self.PLATFORM_NAME = env.str("PLATFORM_NAME", "MentorHub")
        self.PLATFORM_VERSION = env.str("PLATFORM_VERSION", "1.0.0")
        self.PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
        self.MAX_CONTENT_LENGTH = env.int("MAX_CONTENT_LENGTH", 1024 * 1024, minimum=1)
        self.TRUSTED_PROXY_HOPS = env.int("TRUSTED_PROXY_HOPS", 0)

    def _read_database(self, env: Env) -> None:
        self.ALLOW_SQLITE_IN_PRODUCTION = env.bool("ALLOW_SQLITE_IN_PRODUCTION", False)
        instance_dir = Path(env.str("INSTANCE_DIR", str(BASE_DIR / "instance")))
        self.SQLALCHEMY_DATABASE_URI = database_url(env.str("DATABASE_URL"), instance_dir)
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        if self.SQLALCHEMY_DATABASE_URI.startswith("postgresql"):
            self.SQLALCHEMY_ENGINE_OPTIONS.update(
                pool_size=env.int("DB_POOL_SIZE", 5, minimum=1),
                connect_args={
                    "connect_timeout": env.int("DB_CONNECT_TIMEOUT", 5, minimum=1),
                    "prepare_threshold": prepare_threshold(env),
                },
            )
        # A second pool, same database, for single read-only statements (mentorhub.db_read_pool):
        # it skips the liveness ping, because a read can simply be sent again on a fresh
        # connection. Flask-SQLAlchemy gives a bind none of SQLALCHEMY_ENGINE_OPTIONS: repeat them.
        reads = {**self.SQLALCHEMY_ENGINE_OPTIONS, "pool_pre_ping": False}
        self.SQLALCHEMY_BINDS = {"reads": {"url": self.SQLALCHEMY_DATABASE_URI, **reads}}

    def _read_redis(self, env: Env) -> None:
        self.REDIS_URL = env.str("REDIS_URL")
        self.REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", 0.05)
        self.QUEUE_REDIS_TIMEOUT = env.float("QUEUE_REDIS_TIMEOUT", 1.0)

    def _read_mail(self, env: Env) -> None:
        self.SMTP_HOST = env.str("SMTP_HOST")
        self.SMTP_PORT = env.int("SMTP_PORT", 587, minimum=1)
        self.SMTP_USER = env.str("SMTP_USER")
        self.SMTP_PASSWORD = env.str("SMTP_PASSWORD")
        self.SMTP_USE_TLS = env.bool("SMTP_USE_TLS", self.SMTP_PORT == 587)
        self.SMTP_USE_SSL = env.bool("SMTP_USE_SSL", self.SMTP_PORT == 465)
        self.SMTP_TIMEOUT = env.float("SMTP_TIMEOUT", 10.0)
        # Both checked, like every mail setting, by the mail code when the app is built.
        self.FROM_EMAIL = env.str("FROM_EMAIL", "noreply@mentorhub.com")
        self.REPLY_TO_EMAIL = env.str("REPLY_TO_EMAIL")
        # Mail to domains reserved for testing (*.test): a staging stack with a mail catcher,
        # and development, where the demo accounts are on one and mail is only logged.
        self.ALLOW_TEST_EMAIL_DOMAINS = env.bool(
            "ALLOW_TEST_EMAIL_DOMAINS", self.ENV_NAME == "development"
        )
        self.SMTP_CA_FILE = env.str("SMTP_CA_FILE")
        # `log` writes outgoing mail to the log instead of sending it, even with SMTP_HOST set.
        self.EMAIL_BACKEND = choice(env, "EMAIL_BACKEND", ("smtp", "log"), "smtp")
        # Links into the web app (sessions, conversations, booking); PUBLIC_BASE_URL is the API's.
        # Unset, it is the dev web app's usual address, or in production the public address.
        self.FRONTEND_URL = env.str("FRONTEND_URL") or (
            self.PUBLIC_BASE_URL if self.ENV_NAME == "production" else "http://localhost:3000"
        )
        self.MEETING_LINK_TEMPLATE = meeting_link_template(env.str("MEETING_LINK_TEMPLATE"))
        self.EMAIL_LOGO_URL = env.str("EMAIL_LOGO_URL")
        self.EMAIL_LOCALE = env.str("EMAIL_LOCALE", "en_US")
        # What a cancellation email says happens to the money paid for the session: the
        # platform's own refund rule, in one sentence.
        self.PAYMENT_CANCELLATION_POLICY = env.str(
            "PAYMENT_CANCELLATION_POLICY", DEFAULT_CANCELLATION_POLICY
        )

    def _read_tokens(self, env: Env) -> None:
        self.JWT_ALGORITHM = env.str("ALGORITHM", "HS256")
        self.ACCESS_TOKEN_EXPIRE_MINUTES = env.int("ACCESS_TOKEN_EXPIRE_MINUTES", 30, minimum=1)
        self.REFRESH_TOKEN_EXPIRE_DAYS = env.int("REFRESH_TOKEN_EXPIRE_DAYS", 14, minimum=1)
        self.JWT_SECRET_KEY = self.SECRET_KEY
        self.JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=self.ACCESS_TOKEN_EXPIRE_MINUTES)
        self.JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=self.REFRESH_TOKEN_EXPIRE_DAYS)

    def _read_rate_limits(self, env: Env) -> None:
        self.RATE_LIMIT_ENABLED = env.bool("RATE_LIMIT_ENABLED", True)
        self.RATE_LIMIT_REQUESTS = env.int("RATE_LIMIT_REQUESTS", 100, minimum=1)
        self.RATE_LIMIT_WINDOW = env.int("RATE_LIMIT_WINDOW", 60, minimum=1)
        self.RATE_LIMIT_STRATEGY = rate_limit_strategy(env.str("RATE_LIMIT_STRATEGY"))
        self.RATE_LIMIT_EXCLUDE_PATHS = env.list(
            "RATE_LIMIT_EXCLUDE_PATHS", ["/health", "/ready", "/docs", "/openapi.json"]
        )
        self.RATE_LIMIT_ROUTE_COSTS = route_costs(
            env.list("RATE_LIMIT_ROUTE_COSTS", ["/api/v1/auth/login=5", "/api/v1/auth/register=5"])
        )
        self.LOGIN_RATE_LIMIT = limit_string(env, "LOGIN_RATE_LIMIT", "10 per minute")
        # Failed logins only, per (email, client address) and per email from anywhere: a
        # stranger needs several addresses to lock an owner out, and the owner's own address
        # keeps its strict allowance.
        self.LOGIN_EMAIL_CLIENT_RATE_LIMIT = limit_string(
            env, "LOGIN_EMAIL_CLIENT_RATE_LIMIT", "5 per minute;20 per hour"
        )
        self.LOGIN_EMAIL_RATE_LIMIT = limit_string(env, "LOGIN_EMAIL_RATE_LIMIT", "100 per hour")

    def _read_stats_and_probes(self, env: Env) -> None:
        self.STATS_CACHE_TTL = env.int("STATS_CACHE_TTL", 300, minimum=1)
        self.HEALTH_CHECK_TIMEOUT = env.float("HEALTH_CHECK_TIMEOUT", 2.0)
        self.HEALTH_CACHE_SECONDS = env.float("HEALTH_CACHE_SECONDS", 1.0)

    def _read_payments(self, env: Env) -> None:
        self.PAYMENT_WEBHOOK_SECRET = env.str("PAYMENT_WEBHOOK_SECRET")

    def _read_notifications(self, env: Env) -> None:
        # Retries follow a mail server's habits: exponential backoff capped at
        # NOTIFICATION_RETRY_MAX_SECONDS, for NOTIFICATION_MAX_AGE_HOURS from the first failure.
        self.NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", 100, minimum=1)
        self.NOTIFICATION_RETRY_BASE_SECONDS = env.float("NOTIFICATION_RETRY_BASE_SECONDS", 10.0)
        self.NOTIFICATION_RETRY_MAX_SECONDS = env.float("NOTIFICATION_RETRY_MAX_SECONDS", 1800.0)
        self.NOTIFICATION_MAX_AGE_HOURS = env.float("NOTIFICATION_MAX_AGE_HOURS", 24.0)
        self.NOTIFICATION_REMINDER_GRACE_SECONDS = env.float(
            "NOTIFICATION_REMINDER_GRACE_SECONDS", 900.0
        )
        # A worker's claim on a batch; renewed while it lives, so a dead worker's rows return
        # after about this long (plus one sweep interval).
        self.NOTIFICATION_LEASE_SECONDS = max(1.0, env.float("NOTIFICATION_LEASE_SECONDS", 30.0))
        self.SESSION_REMINDER_OFFSETS = [
            offset_minutes(item) for item in env.list("SESSION_REMINDER_OFFSETS", ["1440", "60"])
        ]
        self.MESSAGE_EMAIL_COOLDOWN_SECONDS = env.int("MESSAGE_EMAIL_COOLDOWN_SECONDS", 300)
        self.NOTIFICATION_BATCH_SIZE = env.int("NOTIFICATION_BATCH_SIZE", 50, minimum=1)
        self.NOTIFICATION_JOB_TIMEOUT = env.int("NOTIFICATION_JOB_TIMEOUT", 300, minimum=1)
        self.NOTIFICATION_SWEEP_AGE_SECONDS = env.float("NOTIFICATION_SWEEP_AGE_SECONDS", 60.0)
        self.NOTIFICATION_SWEEP_INTERVAL_SECONDS = max(
            1.0, env.float("NOTIFICATION_SWEEP_INTERVAL_SECONDS", 30.0)
        )

    def _read_retention(self, env: Env) -> None:
        self.NOTIFICATION_RETENTION_DAYS = env.int("NOTIFICATION_RETENTION_DAYS", 90, minimum=1)
        self.RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", 5000, minimum=1)

    def _read_idempotency(self, env: Env) -> None:
        # A key and its first answer are kept at least a day: a client may retry that late.
        self.IDEMPOTENCY_KEY_HOURS = env.int("IDEMPOTENCY_KEY_HOURS", 24, minimum=24)
        # How long a request holding a key is presumed alive. Keep it above GUNICORN_TIMEOUT:
        # past it a retry may take the key over from an attempt that died mid-way.
        self.IDEMPOTENCY_LEASE_SECONDS = env.int("IDEMPOTENCY_LEASE_SECONDS", 60, minimum=1)

    def _set_openapi(self) -> None:
        self.API_TITLE = "MentorHub API"
        self.API_VERSION = self.PLATFORM_VERSION
        self.OPENAPI_VERSION = "3.0.3"
        self.OPENAPI_URL_PREFIX = "/"
        self.OPENAPI_JSON_PATH = "openapi.json"
        self.OPENAPI_SWAGGER_UI_PATH = "/docs"
        # Served by the app from the pinned swagger-ui-bundle package: /docs works offline.
        self.OPENAPI_SWAGGER_UI_URL = "/docs/assets/"

    def validate(self) -> None:
        """Refuse settings that are unsafe for this environment."""


class DevelopmentConfig(Config):
    """Local development on the embedded defaults (SQLite, memory cache, logged email)."""

    ENV_NAME = "development"


class TestingConfig(Config):
    """The test suite: fixtures override the URLs per test module."""

    ENV_NAME = "testing"
    TESTING = True
    # A deliberately cheap hash: at production cost, hashing was most of the suite's run time.
    # Not readable from the environment, so no deployment can pick it.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"


class ProductionConfig(Config):
    """Production: refuses settings that can only be deployment mistakes."""

    ENV_NAME = "production"

    def validate(self) -> None:
        """Refuse a weak secret, SQLite, local links, and mail with nowhere to go."""
        secret = self.SECRET_KEY or ""
        if secret.strip().lower() in PLACEHOLDER_SECRETS:
            raise ConfigError("SECRET_KEY is missing or a placeholder; set a random value")
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ConfigError(f"SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes long")
        sqlite = self.SQLALCHEMY_DATABASE_URI.startswith("sqlite")
        if sqlite and not self.ALLOW_SQLITE_IN_PRODUCTION:
            raise ConfigError(
                "DATABASE_URL is unset or SQLite in production; set a PostgreSQL URL "
                "(or ALLOW_SQLITE_IN_PRODUCTION=true for a single-process demo)"
            )
        if is_local_url(self.PUBLIC_BASE_URL):
            raise ConfigError(
                f"PUBLIC_BASE_URL is unset or local ({self.PUBLIC_BASE_URL}); set the public "
                "address users open links at, e.g. https://mentorhub.example.com"
            )
        if is_local_url(self.FRONTEND_URL):
            raise ConfigError(
                f"FRONTEND_URL is local ({self.FRONTEND_URL}); set the web app's public address"
            )
        if not self.SMTP_HOST and self.EMAIL_BACKEND != "log":
            raise ConfigError(
                "SMTP_HOST is not set; set it, or EMAIL_BACKEND=log to only log outgoing mail"
            )


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def read_environ() -> dict[str, str]:
    """The settings' environment: a `.env` file's values, under the real environment's."""
    # A .env file feeds the settings but never the process environment; real variables win.
    return {k: v for k, v in dotenv_values().items() if v is not None} | dict(os.environ)


def load_config(name: str | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Build and validate the config named by `name` or `MENTORHUB_ENV` (default development)."""
    environ = os.environ if environ is None else environ
    name = (name or environ.get("MENTORHUB_ENV") or "development").strip().lower()
    if name not in CONFIGS:
        raise ConfigError(f"MENTORHUB_ENV must be one of {', '.join(CONFIGS)}, got {name!r}")
    config = CONFIGS[name](environ)
    config.validate()
    return config

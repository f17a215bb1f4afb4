"""MentorHub configuration: one class per environment, read from the process environment.

Values come from environment variables (and a `.env` file, loaded by `create_app`).
Every helper below fails with a one-line `ConfigError` naming the variable, so a typo in a
deployment is reported as such rather than as a traceback deep inside an extension.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from email.utils import parseaddr
from ipaddress import ip_address
from pathlib import Path
from urllib.parse import urlsplit

from limits import parse_many

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


class ConfigError(ValueError):
    """A setting is missing or malformed; the message is one line naming the variable."""


class Env:
    """Typed reads of environment variables that fail with the variable's name."""

    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ

    def str(self, name: str, default: str | None = None) -> str | None:
        """Return the variable, or `default` when it is unset or blank."""
        value = self.environ.get(name, "").strip()
        return value if value else default

    def int(self, name: str, default: int, minimum: int | None = 0) -> int:
        """Return the variable as an integer, refusing anything else."""
        raw = self.str(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError:
            raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
        if minimum is not None and value < minimum:
            raise ConfigError(f"{name} must be at least {minimum}, got {value}")
        return value

    def float(self, name: str, default: float) -> float:
        """Return the variable as a non-negative number, refusing anything else."""
        raw = self.str(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(f"{name} must be a number, got {raw!r}") from None
        if value < 0 or value != value:
            raise ConfigError(f"{name} must be a non-negative number, got {raw!r}")
        return value

    def bool(self, name: str, default: bool) -> bool:
        """Return the variable as a boolean (1/0, true/false, yes/no, on/off)."""
        raw = self.str(name)
        if raw is None:
            return default
        lowered = raw.lower()
        if lowered in {"1", "true", "yes", "on"}:
            return True
        if lowered in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{name} must be a boolean (true/false), got {raw!r}")

    def list(self, name: str, default: list[str]) -> list[str]:
        """Return a comma-separated variable as a list of non-empty items."""
        raw = self.str(name)
        if raw is None:
            return list(default)
        return [item.strip() for item in raw.split(",") if item.strip()]


def database_url(raw: str | None, instance_dir: Path) -> str:
    """Map plain `postgresql://` URLs to the psycopg 3 driver; default to SQLite."""
    if raw is None:
        return f"sqlite:///{instance_dir / 'mentorhub.db'}"
    for prefix in ("postgresql://", "postgres://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


class Config:
    """Settings shared by every environment."""

    ENV_NAME = "base"
    TESTING = False
    DEBUG = False
    # werkzeug's scrypt: slow on purpose, so a stolen table is expensive to crack.
    PASSWORD_HASH_METHOD = "scrypt"

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = Env(os.environ if environ is None else environ)
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
        self.SECRET_KEY = env.str("SECRET_KEY", DEFAULT_SECRET)
        self.PLATFORM_NAME = env.str("PLATFORM_NAME", "MentorHub")
        self.PLATFORM_VERSION = env.str("PLATFORM_VERSION", "1.0.0")
        self.PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
        self.ALLOW_SQLITE_IN_PRODUCTION = env.bool("ALLOW_SQLITE_IN_PRODUCTION", False)
        self.MAX_CONTENT_LENGTH = env.int("MAX_CONTENT_LENGTH", 1024 * 1024, minimum=1)

        instance_dir = Path(env.str("INSTANCE_DIR", str(BASE_DIR / "instance")))
        self.SQLALCHEMY_DATABASE_URI = database_url(env.str("DATABASE_URL"), instance_dir)
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        if self.SQLALCHEMY_DATABASE_URI.startswith("postgresql"):
            self.SQLALCHEMY_ENGINE_OPTIONS.update(
                pool_size=env.int("DB_POOL_SIZE", 5, minimum=1),
                connect_args={
                    "connect_timeout": env.int("DB_CONNECT_TIMEOUT", 5, minimum=1),
                    "prepare_threshold": _prepare_threshold(env),
                },
            )
        # A second pool, same database, for single read-only statements (mentorhub.reads): it
        # skips the liveness ping, because a read can simply be sent again on a fresh connection.
        # Flask-SQLAlchemy gives a bind none of SQLALCHEMY_ENGINE_OPTIONS: repeat them here.
        reads = {**self.SQLALCHEMY_ENGINE_OPTIONS, "pool_pre_ping": False}
        self.SQLALCHEMY_BINDS = {"reads": {"url": self.SQLALCHEMY_DATABASE_URI, **reads}}

        self.REDIS_URL = env.str("REDIS_URL")
        self.REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", 0.05)

        self.SMTP_HOST = env.str("SMTP_HOST")
        self.SMTP_PORT = env.int("SMTP_PORT", 587, minimum=1)
        self.SMTP_USER = env.str("SMTP_USER")
        self.SMTP_PASSWORD = env.str("SMTP_PASSWORD")
        self.SMTP_USE_TLS = env.bool("SMTP_USE_TLS", self.SMTP_PORT == 587)
        self.SMTP_USE_SSL = env.bool("SMTP_USE_SSL", self.SMTP_PORT == 465)
        self.SMTP_TIMEOUT = env.float("SMTP_TIMEOUT", 10.0)
        self.FROM_EMAIL = _address(env, "FROM_EMAIL", "noreply@mentorhub.com")
        self.REPLY_TO_EMAIL = _address(env, "REPLY_TO_EMAIL", None)
        self.SMTP_CA_FILE = env.str("SMTP_CA_FILE")
        # `log` writes outgoing mail to the log instead of sending it, even with SMTP_HOST set.
        self.EMAIL_BACKEND = _choice(env, "EMAIL_BACKEND", ("smtp", "log"), "smtp")
        # Links into the web app (sessions, conversations, booking); PUBLIC_BASE_URL is the API's.
        # Unset, it is the dev web app's usual address, or in production the public address.
        self.FRONTEND_URL = env.str("FRONTEND_URL") or (
            self.PUBLIC_BASE_URL if self.ENV_NAME == "production" else "http://localhost:3000"
        )
        self.MEETING_LINK_TEMPLATE = _meeting_link_template(env.str("MEETING_LINK_TEMPLATE"))
        self.EMAIL_LOGO_URL = env.str("EMAIL_LOGO_URL")
        self.EMAIL_LOCALE = env.str("EMAIL_LOCALE", "en_US")

        self.JWT_ALGORITHM = env.str("ALGORITHM", "HS256")
        self.ACCESS_TOKEN_EXPIRE_MINUTES = env.int("ACCESS_TOKEN_EXPIRE_MINUTES", 30, minimum=1)
        self.REFRESH_TOKEN_EXPIRE_DAYS = env.int("REFRESH_TOKEN_EXPIRE_DAYS", 14, minimum=1)
        self.JWT_SECRET_KEY = self.SECRET_KEY
        self.JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=self.ACCESS_TOKEN_EXPIRE_MINUTES)
        self.JWT_REFRESH_TOKEN_EXPIRES = timedelta(days=self.REFRESH_TOKEN_EXPIRE_DAYS)

        self.RATE_LIMIT_ENABLED = env.bool("RATE_LIMIT_ENABLED", True)
        self.RATE_LIMIT_REQUESTS = env.int("RATE_LIMIT_REQUESTS", 100, minimum=1)
        self.RATE_LIMIT_WINDOW = env.int("RATE_LIMIT_WINDOW", 60, minimum=1)
        self.RATE_LIMIT_STRATEGY = _rate_limit_strategy(env.str("RATE_LIMIT_STRATEGY"))
        self.RATE_LIMIT_EXCLUDE_PATHS = env.list(
            "RATE_LIMIT_EXCLUDE_PATHS", ["/health", "/ready", "/docs", "/openapi.json"]
        )
        self.RATE_LIMIT_ROUTE_COSTS = _route_costs(
            env.list("RATE_LIMIT_ROUTE_COSTS", ["/api/v1/auth/login=5", "/api/v1/auth/register=5"])
        )
        self.LOGIN_RATE_LIMIT = _limit_string(env, "LOGIN_RATE_LIMIT", "10 per minute")
        # Failed logins only, per (email, client address) and per email from anywhere: a
        # stranger needs several addresses to lock an owner out, and the owner's own address
        # keeps its strict allowance.
        self.LOGIN_EMAIL_CLIENT_RATE_LIMIT = _limit_string(
            env, "LOGIN_EMAIL_CLIENT_RATE_LIMIT", "5 per minute;20 per hour"
        )
        self.LOGIN_EMAIL_RATE_LIMIT = _limit_string(env, "LOGIN_EMAIL_RATE_LIMIT", "100 per hour")
        self.TRUSTED_PROXY_HOPS = env.int("TRUSTED_PROXY_HOPS", 0)

        self.STATS_CACHE_TTL = env.int("STATS_CACHE_TTL", 300, minimum=1)
        self.HEALTH_CHECK_TIMEOUT = env.float("HEALTH_CHECK_TIMEOUT", 2.0)
        self.HEALTH_CACHE_SECONDS = env.float("HEALTH_CACHE_SECONDS", 1.0)

        self.PAYMENT_WEBHOOK_SECRET = env.str("PAYMENT_WEBHOOK_SECRET")
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
            _offset_minutes(item) for item in env.list("SESSION_REMINDER_OFFSETS", ["1440", "60"])
        ]
        self.MESSAGE_EMAIL_COOLDOWN_SECONDS = env.int("MESSAGE_EMAIL_COOLDOWN_SECONDS", 300)
        self.NOTIFICATION_BATCH_SIZE = env.int("NOTIFICATION_BATCH_SIZE", 50, minimum=1)
        self.NOTIFICATION_JOB_TIMEOUT = env.int("NOTIFICATION_JOB_TIMEOUT", 300, minimum=1)
        self.NOTIFICATION_SWEEP_AGE_SECONDS = env.float("NOTIFICATION_SWEEP_AGE_SECONDS", 60.0)
        self.NOTIFICATION_SWEEP_INTERVAL_SECONDS = max(
            1.0, env.float("NOTIFICATION_SWEEP_INTERVAL_SECONDS", 30.0)
        )
        self.QUEUE_REDIS_TIMEOUT = env.float("QUEUE_REDIS_TIMEOUT", 1.0)
        self.NOTIFICATION_RETENTION_DAYS = env.int("NOTIFICATION_RETENTION_DAYS", 90, minimum=1)
        self.RETENTION_BATCH_SIZE = env.int("RETENTION_BATCH_SIZE", 5000, minimum=1)

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


def _offset_minutes(item: str) -> int:
    try:
        return int(item)
    except ValueError:
        raise ConfigError(
            f"SESSION_REMINDER_OFFSETS must be minutes separated by commas, got {item!r}"
        ) from None


# Only the token bucket: see mentorhub/ratelimit/storage.py for why the others went.
RATE_LIMIT_STRATEGIES = ("token-bucket",)


def _rate_limit_strategy(raw: str | None) -> str:
    strategy = (raw or "token-bucket").lower()
    if strategy not in RATE_LIMIT_STRATEGIES:
        raise ConfigError(
            f"RATE_LIMIT_STRATEGY must be one of {', '.join(RATE_LIMIT_STRATEGIES)}, got {raw!r}"
        )
    return strategy


def _route_costs(items: list[str]) -> dict[str, int]:
    costs: dict[str, int] = {}
    for item in items:
        path, _, cost = item.rpartition("=")
        if not path.startswith("/") or not cost.strip().isdigit() or int(cost) < 1:
            raise ConfigError(
                f"RATE_LIMIT_ROUTE_COSTS must be /path=cost pairs separated by commas, got {item!r}"
            )
        costs[path.strip()] = int(cost)
    return costs


def _choice(env: Env, name: str, choices: tuple[str, ...], default: str) -> str:
    value = (env.str(name, default) or default).lower()
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _address(env: Env, name: str, default: str | None) -> str | None:
    value = env.str(name, default)
    if value is None:
        return None
    display_name, address = parseaddr(value)
    if "@" not in address or (display_name and not value.endswith(">")):
        raise ConfigError(f"{name} must be an address or 'Name <address>', got {value!r}")
    return value


def _prepare_threshold(env: Env) -> int | None:
    # psycopg prepares a statement on the server after this many runs on one connection. A
    # pooler in transaction mode (PgBouncer before 1.21) hands each transaction any server
    # connection, where that statement does not exist: `off` never prepares.
    raw = env.str("DB_PREPARE_THRESHOLD") or "5"
    if raw.lower() == "off":
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise ConfigError(f"DB_PREPARE_THRESHOLD must be a whole number or off, got {raw!r}")
    return int(raw)


def _meeting_link_template(value: str | None) -> str | None:
    if value is not None and (not value.startswith("https://") or "{token}" not in value):
        raise ConfigError(
            f"MEETING_LINK_TEMPLATE must be an https URL containing {{token}}, got {value!r}"
        )
    return value


def _limit_string(env: Env, name: str, default: str) -> str:
    value = env.str(name, default) or default
    try:
        parse_many(value)
    except ValueError:
        raise ConfigError(f"{name} must be a limit like '10 per minute', got {value!r}") from None
    return value


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
        if _is_local_url(self.PUBLIC_BASE_URL):
            raise ConfigError(
                f"PUBLIC_BASE_URL is unset or local ({self.PUBLIC_BASE_URL}); set the public "
                "address users open links at, e.g. https://mentorhub.example.com"
            )
        if _is_local_url(self.FRONTEND_URL):
            raise ConfigError(
                f"FRONTEND_URL is local ({self.FRONTEND_URL}); set the web app's public address"
            )
        if not self.SMTP_HOST and self.EMAIL_BACKEND != "log":
            raise ConfigError(
                "SMTP_HOST is not set; set it, or EMAIL_BACKEND=log to only log outgoing mail"
            )


def _is_local_url(url: str | None) -> bool:
    """Whether `url` is missing, malformed, or points at this machine rather than the public."""
    parts = urlsplit(url or "")
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return True
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(name: str | None = None, environ: Mapping[str, str] | None = None) -> Config:
    """Build and validate the config named by `name` or `MENTORHUB_ENV` (default development)."""
    environ = os.environ if environ is None else environ
    name = (name or environ.get("MENTORHUB_ENV") or "development").strip().lower()
    if name not in CONFIGS:
        raise ConfigError(f"MENTORHUB_ENV must be one of {', '.join(CONFIGS)}, got {name!r}")
    config = CONFIGS[name](environ)
    config.validate()
    return config

"""Reading config.py's settings from the environment: typed, and failing with one line.

Every reader fails with a `ConfigError` naming the variable, so a typo in a deployment is
reported as such rather than as a traceback deep inside an extension.
"""

from __future__ import annotations

from collections.abc import Mapping
from ipaddress import ip_address
from urllib.parse import urlsplit

from limits import parse_many


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


def offset_minutes(item: str) -> int:
    """One SESSION_REMINDER_OFFSETS item: minutes before a session."""
    try:
        return int(item)
    except ValueError:
        raise ConfigError(
            f"SESSION_REMINDER_OFFSETS must be minutes separated by commas, got {item!r}"
        ) from None


# Only the token bucket: see mentorhub/ratelimit/storage.py for why the others went.
RATE_LIMIT_STRATEGIES = ("token-bucket",)


def rate_limit_strategy(raw: str | None) -> str:
    """RATE_LIMIT_STRATEGY, of which only the token bucket remains."""
    strategy = (raw or "token-bucket").lower()
    if strategy not in RATE_LIMIT_STRATEGIES:
        raise ConfigError(
            f"RATE_LIMIT_STRATEGY must be one of {', '.join(RATE_LIMIT_STRATEGIES)}, got {raw!r}"
        )
    return strategy


def route_costs(items: list[str]) -> dict[str, int]:
    """RATE_LIMIT_ROUTE_COSTS: `/path=cost` items as a dict."""
    costs: dict[str, int] = {}
    for item in items:
        path, _, cost = item.rpartition("=")
        if not path.startswith("/") or not cost.strip().isdigit() or int(cost) < 1:
            raise ConfigError(
                f"RATE_LIMIT_ROUTE_COSTS must be /path=cost pairs separated by commas, got {item!r}"
            )
        costs[path.strip()] = int(cost)
    return costs


def choice(env: Env, name: str, choices: tuple[str, ...], default: str) -> str:
    """A variable that must be one of `choices` (lower-cased)."""
    value = (env.str(name, default) or default).lower()
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def prepare_threshold(env: Env) -> int | None:
    """DB_PREPARE_THRESHOLD: psycopg's `prepare_threshold`, or None for `off`."""
    # psycopg prepares a statement on the server after this many runs on one connection. A
    # pooler in transaction mode (PgBouncer before 1.21) hands each transaction any server
    # connection, where that statement does not exist: `off` never prepares.
    raw = env.str("DB_PREPARE_THRESHOLD") or "5"
    if raw.lower() == "off":
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise ConfigError(f"DB_PREPARE_THRESHOLD must be a whole number or off, got {raw!r}")
    return int(raw)


def meeting_link_template(value: str | None) -> str | None:
    """MEETING_LINK_TEMPLATE: an https URL with a `{token}` to fill in."""
    if value is not None and (not value.startswith("https://") or "{token}" not in value):
        raise ConfigError(
            f"MEETING_LINK_TEMPLATE must be an https URL containing {{token}}, got {value!r}"
        )
    return value


def limit_string(env: Env, name: str, default: str) -> str:
    """A Flask-Limiter limit such as `10 per minute` (several joined by `;`)."""
    value = env.str(name, default) or default
    try:
        parse_many(value)
    except ValueError:
        raise ConfigError(f"{name} must be a limit like '10 per minute', got {value!r}") from None
    return value


def is_local_url(url: str | None) -> bool:
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

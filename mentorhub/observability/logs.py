"""Log lines for operators: human-readable or one JSON object per line, ids attached, no secrets.

Only the `mentorhub` logger (the app's own, `app.logger`) gets a handler: the root logger and
other libraries' loggers belong to whoever runs the process. Either format writes one record
per line whatever a client sent (`log_text`), with secrets masked (`redaction`); gunicorn's own
lines use the same formatters (`server_logs`).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from flask import Flask, has_request_context
from flask_jwt_extended import get_jwt_identity

from mentorhub.observability.log_text import indented, json_line, one_line
from mentorhub.observability.redaction import Redactor, secrets_from_config
from mentorhub.observability.request_id import current_request_id

LOGGER_NAME = "mentorhub"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


def _user_id() -> str | None:
    if not has_request_context():
        return None
    try:
        return get_jwt_identity()
    except RuntimeError:
        # No token was checked on this request (yet): the user is not known.
        return None


class ContextFilter(logging.Filter):
    """Puts the request id and the user id (when known) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Attach the ids; never drops a record."""
        record.request_id = current_request_id() or "-"
        record.user_id = _user_id()
        return True


class TextFormatter(logging.Formatter):
    """The default, human-readable line: secrets masked, a client's text kept to its line."""

    def __init__(self, redact: Redactor, fmt: str = TEXT_FORMAT, datefmt: str | None = None):
        super().__init__(fmt, datefmt)
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        """The record's line, then its traceback (if any) indented below it."""
        record.message = one_line(self.redact(record.getMessage()))
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        line = self.formatMessage(record)
        below = []
        if record.exc_info:
            below.append(self.formatException(record.exc_info))
        elif record.exc_text:
            below.append(record.exc_text)
        if record.stack_info:
            below.append(self.formatStack(record.stack_info))
        return "".join([line, *("\n" + indented(self.redact(text)) for text in below)])


class JsonFormatter(logging.Formatter):
    """One JSON object per line: timestamp, level, logger, message, ids, exception."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        """Format as a single-line JSON object, secrets masked."""
        request_id = record.__dict__.get("request_id")
        entry = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": self.redact(record.getMessage()),
            "request_id": None if request_id in (None, "-") else request_id,
        }
        user_id = record.__dict__.get("user_id")
        if user_id is not None:
            entry["user_id"] = str(user_id)
        # Fields of an access line (gunicorn's), its path masked like the message.
        for name, value in record.__dict__.get("http", {}).items():
            entry[name] = self.redact(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exception"] = self.redact(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exception"] = self.redact(record.exc_text)
        return json_line(json.dumps(entry, ensure_ascii=False, default=str))


class AppLogHandler(logging.StreamHandler):
    """The handler MentorHub installs on its logger; replaced when another app is built."""


def share_handler(logger_name: str) -> None:
    """Send another logger's lines through MentorHub's handler (a worker's RQ lines, say)."""
    ours = [h for h in logging.getLogger(LOGGER_NAME).handlers if isinstance(h, AppLogHandler)]
    target = logging.getLogger(logger_name)
    for old in [h for h in target.handlers if isinstance(h, AppLogHandler)]:
        target.removeHandler(old)
    for handler in ours:
        target.addHandler(handler)


def configure_logging(app: Flask) -> None:
    """Give the `mentorhub` logger its handler, format (LOG_FORMAT) and level (LOG_LEVEL)."""
    level = logging.getLevelName(app.config["LOG_LEVEL"])
    if not isinstance(level, int):
        level = logging.INFO
    redact = Redactor(secrets_from_config(app.config))
    handler = AppLogHandler(sys.stderr)
    if app.config.get("LOG_FORMAT") == "json":
        handler.setFormatter(JsonFormatter(redact))
    else:
        handler.setFormatter(TextFormatter(redact))
    handler.addFilter(ContextFilter())
    logger = logging.getLogger(LOGGER_NAME)
    for old in [h for h in logger.handlers if isinstance(h, AppLogHandler)]:
        logger.removeHandler(old)
    logger.addHandler(handler)
    logger.setLevel(level)

"""gunicorn's own lines (access and error) written the way the app writes its own.

gunicorn logs through its own loggers, so LOG_FORMAT and the app's masking would not reach
them. `gunicorn.conf.py` names `ServerLogger` as its `logger_class`: after gunicorn has set up
its handlers (`--access-logfile`, `--error-logfile`, as documented), their lines go through the
app's formatters instead: one JSON object per line under LOG_FORMAT=json, with the request id
and the access line's fields; in either format, feed and unsubscribe tokens masked and control
characters escaped. The settings are read as the app reads them (environment and `.env`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from gunicorn.glogging import Logger

from config import ConfigError, load_config, read_environ
from mentorhub.observability.logs import JsonFormatter, TextFormatter
from mentorhub.observability.redaction import Redactor, secrets_from_config


class AccessFields(logging.Filter):
    """Puts an access line's request id and fields on its record, for the JSON formatter."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Read them from gunicorn's atoms; never drops a record."""
        atoms = record.args
        if isinstance(atoms, Mapping):
            record.request_id = atoms["{x-request-id}o"]
            status = str(atoms["s"])
            record.http = {
                "method": atoms["m"],
                "path": atoms["U"],
                "status": int(status) if status.isdigit() else status,
                "duration_ms": atoms["M"],
                "remote_addr": atoms["h"],
            }
        return True


class ServerLogger(Logger):
    """gunicorn's logger, its stream and file handlers given MentorHub's formatters."""

    def setup(self, cfg) -> None:
        """Set up as gunicorn does, then format its lines as the app's."""
        super().setup(cfg)
        try:
            settings = load_config(None, read_environ())
        except ConfigError:
            return  # the master reports it in one line from on_starting, and stops
        redact = Redactor(secrets_from_config(vars(settings)))
        as_json = settings.LOG_FORMAT == "json"
        for log, fmt, datefmt in (
            (self.error_log, self.error_fmt, self.datefmt),
            (self.access_log, self.access_fmt, None),
        ):
            for handler in log.handlers:
                if not isinstance(handler, logging.StreamHandler):
                    continue  # syslog keeps gunicorn's own format
                handler.setFormatter(
                    JsonFormatter(redact) if as_json else TextFormatter(redact, fmt, datefmt)
                )
                if log is self.access_log:
                    handler.addFilter(AccessFields())

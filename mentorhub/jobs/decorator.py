"""`@job(queue)`: what every RQ job needs around its body, written once."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from flask import has_app_context

from mentorhub.extensions import db

logger = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")


def job(queue: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Declare an RQ job that runs on `queue`, inside the app `flask worker` provides.

    A failure is logged with its traceback, then raised again so RQ records the job as failed
    too. Whatever happens, the job's database session ends with it, so the next job starts on
    a fresh one. Called outside an app context, the job refuses to start.
    """

    def decorate(func: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(func)
        def run(*args: P.args, **kwargs: P.kwargs) -> T:
            if not has_app_context():
                raise RuntimeError(f"job {func.__name__} needs the app: run it with `flask worker`")
            try:
                return func(*args, **kwargs)
            except Exception:
                logger.exception("job %s%s failed", func.__name__, args)
                raise
            finally:
                db.session.remove()

        run.queue = queue  # type: ignore[attr-defined]
        return run

    return decorate

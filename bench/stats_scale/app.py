"""The app the stats benchmark serves: MentorHub plus what the benchmark needs to measure.

- `/bench/bare`: a bare Flask JSON endpoint on the same app and server, the yardstick;
- `/bench/platform-uncached`: the platform totals read on every request (counters, no cache);
- `/bench/platform-count`: the naive four `COUNT(*)` queries the counters replace;
- an `X-Bench-SQL` response header with the number of SQL statements the request ran, so the
  load generator can add up statements across every gunicorn worker.

gunicorn loads it as `bench.stats_scale.app:app`, configured from the environment like `wsgi.py`.
"""

from __future__ import annotations

from flask import Flask, Response, g, has_request_context, jsonify
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from mentorhub import create_app
from mentorhub.extensions import db
from mentorhub.models import MentorSession, User
from mentorhub.services.stats import platform_totals


def build() -> Flask:
    """MentorHub with the benchmark's extra endpoints and statement counter."""
    application = create_app()

    @event.listens_for(Engine, "before_cursor_execute")
    def count_statement(conn, cursor, statement, parameters, context, executemany) -> None:
        if has_request_context():
            g.bench_sql = g.get("bench_sql", 0) + 1

    @application.after_request
    def report_statements(response: Response) -> Response:
        response.headers["X-Bench-SQL"] = str(g.get("bench_sql", 0))
        return response

    @application.get("/bench/bare")
    def bare():
        return jsonify(status="ok")

    @application.get("/bench/platform-uncached")
    def platform_uncached():
        return jsonify(platform_totals())

    @application.get("/bench/platform-count")
    def platform_count():
        users = db.session.scalar(select(func.count()).select_from(User))
        mentors = db.session.scalar(select(func.count()).where(User.is_mentor.is_(True)))
        students = db.session.scalar(select(func.count()).where(User.is_mentor.is_(False)))
        sessions = db.session.scalar(select(func.count()).select_from(MentorSession))
        return jsonify(
            total_users=users,
            total_mentors=mentors,
            total_students=students,
            total_sessions=sessions,
        )

    return application


app = build()

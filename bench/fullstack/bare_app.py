"""The full-stack benchmark's yardstick: a separate bare Flask app with the same two URLs.

No extensions, no limiter, no database: each route answers a constant JSON body of the same
shape as MentorHub's. gunicorn loads it as `bench.fullstack.bare_app:app`.
"""

from __future__ import annotations

from flask import Flask, jsonify

app = Flask(__name__)

PLATFORM = {
    "total_users": 1_000_000,
    "total_mentors": 100_000,
    "total_students": 900_000,
    "total_sessions": 2_000_000,
    "platform_name": "MentorHub",
    "version": "1.0.0",
}
DASHBOARD = {
    "total_courses": 3,
    "in_progress": 1,
    "completed": 2,
    "total_sessions": 4,
    "upcoming_sessions": 1,
    "completed_sessions": 2,
    "total_reviews": 1,
    "average_rating": 4.5,
}


@app.get("/api/v1/stats/platform")
def platform():
    """The platform body, constant."""
    return jsonify(PLATFORM)


@app.get("/api/v1/stats/dashboard")
def dashboard():
    """The dashboard body, constant."""
    return jsonify(DASHBOARD)

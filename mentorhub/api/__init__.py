"""HTTP API blueprints mounted under /api/v1 (health probes live at the root)."""

from mentorhub.api.auth import blp as auth_blp
from mentorhub.api.calendar import blp as calendar_blp
from mentorhub.api.courses import blp as courses_blp
from mentorhub.api.messages import blp as messages_blp
from mentorhub.api.notifications import blp as notifications_blp
from mentorhub.api.payments import blp as payments_blp
from mentorhub.api.sessions import blp as sessions_blp
from mentorhub.api.stats import blp as stats_blp

BLUEPRINTS = [
    auth_blp,
    stats_blp,
    sessions_blp,
    courses_blp,
    messages_blp,
    payments_blp,
    notifications_blp,
    calendar_blp,
]

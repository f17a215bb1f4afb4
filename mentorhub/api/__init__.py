"""HTTP API blueprints mounted under /api/v1 (health probes live at the root)."""

from mentorhub.api.auth import blp as auth_blp
from mentorhub.api.stats import blp as stats_blp

BLUEPRINTS = [auth_blp, stats_blp]

"""MentorHub's `flask` commands."""

from mentorhub.cli.health import ready
from mentorhub.cli.notifications import notifications
from mentorhub.cli.retention import retention
from mentorhub.cli.seed import seed_demo
from mentorhub.cli.stats import stats
from mentorhub.cli.users import create_user
from mentorhub.cli.worker import worker

COMMANDS = [seed_demo, stats, create_user, notifications, worker, retention, ready]

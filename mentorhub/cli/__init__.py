"""MentorHub's `flask` commands."""

from mentorhub.cli.seed import seed_demo
from mentorhub.cli.users import create_user

COMMANDS = [seed_demo, create_user]

"""timezones and calendars

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    _calendars_upgrade()


def downgrade():
    _calendars_downgrade()


# Time zones and calendars: each user's IANA zone (existing users get UTC) and private feed
# token, and each session's iCalendar SEQUENCE (existing sessions start at 0).
def _calendars_upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False)
        )
        batch_op.add_column(sa.Column("calendar_token", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_users_calendar_token"), ["calendar_token"])
    with op.batch_alter_table("mentor_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sequence", sa.Integer(), server_default="0", nullable=False))


def _calendars_downgrade():
    with op.batch_alter_table("mentor_sessions", schema=None) as batch_op:
        batch_op.drop_column("sequence")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_users_calendar_token"), type_="unique")
        batch_op.drop_column("calendar_token")
        batch_op.drop_column("timezone")

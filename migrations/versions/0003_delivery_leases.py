"""delivery leases: who holds a claim, when retries started failing, and the expired status

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Spelled out rather than imported: a migration must keep meaning what it meant when written.
OLD_STATUSES = ("pending", "sending", "sent", "failed", "cancelled", "skipped")
NEW_STATUSES = OLD_STATUSES + ("expired",)


def _check(statuses: tuple[str, ...]) -> str:
    return "status IN ({})".format(", ".join(f"'{s}'" for s in statuses))


def upgrade():
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.drop_constraint(op.f("ck_notifications_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_notifications_status"), _check(NEW_STATUSES))


def downgrade():
    # An expired reminder was never sent: `cancelled` is the closest older status.
    op.execute("UPDATE notifications SET status = 'cancelled' WHERE status = 'expired'")
    with op.batch_alter_table("notifications") as batch_op:
        batch_op.drop_constraint(op.f("ck_notifications_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_notifications_status"), _check(OLD_STATUSES))
        batch_op.drop_column("first_failed_at")
        batch_op.drop_column("claimed_by")

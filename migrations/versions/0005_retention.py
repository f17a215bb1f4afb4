"""retention

Revision ID: 0005
Revises: 0004

No schema change: pruning revocations uses the existing `expires_at` index, and pruning
notifications walks the primary key (see mentorhub/retention.py), so no index is added that
every notification write would have to maintain.
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

"""auth token families

Revision ID: 0002
Revises: 22df9d2b00d6
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0002"
down_revision = "22df9d2b00d6"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass

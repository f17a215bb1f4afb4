"""auth token families

Revision ID: 0002
Revises: 22df9d2b00d6
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "22df9d2b00d6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "token_generations",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_token_generations_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_token_generations")),
    )


def downgrade():
    op.drop_table("token_generations")

"""problems.track and problems.prerequisites: the curriculum's tracks and advice

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 14:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("track", sa.String(length=16), server_default="scan", nullable=False)
        )
        batch_op.add_column(sa.Column("prerequisites", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.drop_column("prerequisites")
        batch_op.drop_column("track")

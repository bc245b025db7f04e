"""Regrades (attempts.regrade_of / regrade_batch_id / priority, regrade_batches) and
draft problems (problems.draft)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 17:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "regrade_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("problem_version_id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "scope IN ('all', 'passed', 'failed')", name=op.f("ck_regrade_batches_scope")
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problems.id"],
            name=op.f("fk_regrade_batches_problem_id_problems"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["problem_version_id"],
            ["problem_versions.id"],
            name=op.f("fk_regrade_batches_problem_version_id_problem_versions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["users.id"],
            name=op.f("fk_regrade_batches_requested_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regrade_batches")),
    )
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("draft", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("regrade_of", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("regrade_batch_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("priority", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_index(batch_op.f("ix_attempts_regrade_of"), ["regrade_of"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_attempts_regrade_batch_id"), ["regrade_batch_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_attempts_regrade_of_attempts"),
            "attempts",
            ["regrade_of"],
            ["id"],
            ondelete="CASCADE",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_attempts_regrade_batch_id_regrade_batches"),
            "regrade_batches",
            ["regrade_batch_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_attempts_regrade_batch_id_regrade_batches"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_attempts_regrade_of_attempts"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_attempts_regrade_batch_id"))
        batch_op.drop_index(batch_op.f("ix_attempts_regrade_of"))
        batch_op.drop_column("priority")
        batch_op.drop_column("regrade_batch_id")
        batch_op.drop_column("regrade_of")
    op.drop_table("regrade_batches")
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.drop_column("draft")

"""attempts.status may be 'cancelled': ended by its owner before a verdict

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 13:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BEFORE = ("queued", "running", "passed", "failed", "error", "timeout", "memory", "system_error")
AFTER = (*BEFORE, "cancelled")


def _check(values: tuple[str, ...]) -> str:
    return f"status IN ({', '.join(repr(v) for v in values)})"


def _replace(values: tuple[str, ...]) -> None:
    # batch mode: SQLite cannot alter a CHECK constraint in place, so the table is copied.
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_attempts_status"), type_="check")
        batch_op.create_check_constraint(op.f("ck_attempts_status"), _check(values))


def upgrade() -> None:
    _replace(AFTER)


def downgrade() -> None:
    # Cancelled attempts have no verdict; the old schema cannot hold them.
    op.execute("DELETE FROM attempts WHERE status = 'cancelled'")
    _replace(BEFORE)

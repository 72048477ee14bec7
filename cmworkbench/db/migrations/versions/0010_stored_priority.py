"""The day's priority score stored and indexed (``cmworkbench.db.scoring``).

* ``ix_task_owner_priority``: a person's open tasks by score, so Today's plan and backlog read
  their first rows from the index instead of scoring and sorting every due task of the book.
* ``score_day``: the days every open task was scored for. None yet: the stored scores come
  from before (the day-independent part only), so the first look at a plan after this
  migration, or the next generation, scores them all for its day.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 21:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "score_day",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("scored_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index(
        "ix_task_owner_priority", "task", ["owner_id", "status", "priority", "due_at", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_task_owner_priority", table_name="task")
    op.drop_table("score_day")

"""Indexes for Today's plan at a million customers.

* ``ix_task_origin``: Today leaves out the tasks an open call-back continues; finding them must
  not read every task of the branch.
* ``ix_task_owner_status_due`` gains the columns the day's filters read (kind, snooze,
  deadline, rule, creation): the fixed items, the backlog counted by kind and the tasks added
  since the plan was made are found in the index alone, without reading each of a book's tens
  of thousands of due tasks from the table. Same leading columns: every query that used it
  still does.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 20:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


COVERING = [
    "owner_id",
    "status",
    "due_at",
    "kind",
    "snoozed_until",
    "deadline_at",
    "rule",
    "created_at",
]


def upgrade() -> None:
    op.create_index("ix_task_origin", "task", ["origin_task_id"])
    op.drop_index("ix_task_owner_status_due", table_name="task")
    op.create_index("ix_task_owner_status_due", "task", COVERING)


def downgrade() -> None:
    op.drop_index("ix_task_owner_status_due", table_name="task")
    op.create_index("ix_task_owner_status_due", "task", ["owner_id", "status", "due_at"])
    op.drop_index("ix_task_origin", table_name="task")

"""Today's plan: a task's deadline, call-backs, the purposes of a contact, the day's plan

* ``task.deadline_at``: the last moment the work keeps its rule; past it the task is overdue
  (逾期). NULL: the task is overdue once its due day has passed (a deadline-type task: a
  post-loan check, an after-sale return visit). A contact task is due at the cadence's ideal
  day and overdue past its maximum (``cadence.*.max_days``).
* ``task.origin_task_id``: the task a call-back continues (the customer asked to be called
  again at a time): the call-back held closes it too.
* ``interaction_purpose``: what a logged contact was for, one row per task kind it served
  (and the task, when logged from one): purpose-specific figures count only those.
* ``day_plan`` and ``day_plan_item``: the part of a person's Today fitted to the day's
  capacity, fixed when the list is first opened that day (rows do not shift as work is done)
  and grown by pulling from the backlog.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN (nullable, no default): no copy of a task table of millions of rows.
    op.add_column(
        "task", sa.Column("deadline_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
    )
    if op.get_bind().dialect.name == "sqlite":  # Alembic would want a copy for the key
        op.execute("ALTER TABLE task ADD COLUMN origin_task_id INTEGER REFERENCES task (id)")
    else:
        op.add_column(
            "task",
            sa.Column("origin_task_id", sa.Integer(), sa.ForeignKey("task.id"), nullable=True),
        )
    op.create_table(
        "interaction_purpose",
        sa.Column("interaction_id", sa.Integer(), nullable=False),
        sa.Column("task_kind", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["interaction_id"], ["interaction.id"]),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"]),
        sa.PrimaryKeyConstraint("interaction_id", "task_kind"),
    )
    op.create_index(
        "ix_interaction_purpose_kind", "interaction_purpose", ["task_kind", "interaction_id"]
    )
    op.create_table(
        "day_plan",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("made_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("meetings", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("staff_id", "day"),
    )
    op.create_table(
        "day_plan_item",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("pulled", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id", "day"], ["day_plan.staff_id", "day_plan.day"]),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"]),
        sa.PrimaryKeyConstraint("staff_id", "day", "task_id"),
    )


def downgrade() -> None:
    op.drop_table("day_plan_item")
    op.drop_table("day_plan")
    op.drop_index("ix_interaction_purpose_kind", table_name="interaction_purpose")
    op.drop_table("interaction_purpose")
    op.execute("ALTER TABLE task DROP COLUMN origin_task_id")
    op.execute("ALTER TABLE task DROP COLUMN deadline_at")

"""Sales goals (issue 28): a measure's goal for the branch, a team or a manager in a year, a
month or the part of a week in a month, set for the year and broken down.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_AT = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "goal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("measure", _TEXT(length=40), nullable=False),
        sa.Column("period", _TEXT(length=12), nullable=False),
        sa.Column("holder", _TEXT(length=24), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column("rule", _TEXT(length=12), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", _AT(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["branch_id"], ["branch.id"]),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["updated_by_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("measure", "period", "holder", name="uq_goal_measure_period_holder"),
    )
    op.create_index("ix_goal_period", "goal", ["period", "measure"])


def downgrade() -> None:
    op.drop_index("ix_goal_period", table_name="goal")
    op.drop_table("goal")

"""Satisfaction on the sources' scale (完全满意 5, 满意 4, 一般 3, 不满意 2, 很不满意 1).

* ``complaint.satisfaction_answer``: the answer as the customer gave it, beside its score.
* ``complaint.satisfaction_old_scale``: the scores recorded before, when 满意 was stored as 5,
  are kept as they were and marked, so the reports can say how many of them a figure holds.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("complaint") as batch:
        batch.add_column(
            sa.Column(
                "satisfaction_answer", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True
            )
        )
        batch.add_column(
            sa.Column(
                "satisfaction_old_scale", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    complaint = sa.table(
        "complaint",
        sa.column("satisfaction", sa.Integer()),
        sa.column("satisfaction_old_scale", sa.Boolean()),
    )
    op.execute(
        complaint.update()
        .where(complaint.c.satisfaction.is_not(None))
        .values(satisfaction_old_scale=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("complaint") as batch:
        batch.drop_column("satisfaction_old_scale")
        batch.drop_column("satisfaction_answer")

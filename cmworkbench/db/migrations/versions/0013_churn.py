"""Churn reaches the supervisor (issue 22 item 4).

* ``customer.member_count``: a group customer's members on our service (集团成员数), as the
  last import gave it; a drop between two imports above ``tasks.churn_member_drop`` is a
  churn signal (members leaving in bulk).
* ``interaction.retention_result``: how a held contact for a retention task (挽留) ended:
  ``retained``, ``at_risk`` or ``lost``; a partial index over the contacts that have one
  (the report's retention figure).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customer") as batch:
        batch.add_column(sa.Column("member_count", sa.Integer(), nullable=True))
    with op.batch_alter_table("interaction") as batch:
        batch.add_column(
            sa.Column(
                "retention_result", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=True
            )
        )
    op.create_index(
        "ix_interaction_retention",
        "interaction",
        ["happened_at"],
        sqlite_where=sa.text("retention_result IS NOT NULL"),
        postgresql_where=sa.text("retention_result IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_interaction_retention", table_name="interaction")
    with op.batch_alter_table("interaction") as batch:
        batch.drop_column("retention_result")
    with op.batch_alter_table("customer") as batch:
        batch.drop_column("member_count")

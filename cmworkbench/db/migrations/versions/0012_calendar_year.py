"""The years' holidays the admin enters (``cmw calendar set``), which win over the package's.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_year",
        sa.Column("year", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("holidays", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("workdays", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("set_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("set_by_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("calendar_year")

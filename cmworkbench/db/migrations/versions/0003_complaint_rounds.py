"""complaint hand-off and reopen rounds

The back-office hand-off names who has it (``backoffice_to``); a reopened ticket starts a
new resolution clock (``clock_started_at``, ``reopen_count``), so its SLA warnings and
escalations of the new round are told again.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 15:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("backoffice_to", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("reopen_count", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("clock_started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("complaint", schema=None) as batch_op:
        batch_op.drop_column("clock_started_at")
        batch_op.drop_column("reopen_count")
        batch_op.drop_column("backoffice_to")

"""Staff directories as written (issue 22 item 1; telecom handbook: an important group's
internal staff directory, 通讯录, is refreshed at least every 6 months, and each manager
collects or refreshes at least 2 groups' directories a month).

* ``customer.directory_refreshed_at``: when the group's directory was last confirmed or
  updated (by hand, by editing a contact, by an import of its contacts); the generation's
  six-month rule counts from it.
* ``directory_refresh``: each refresh, who and how (``hand``, ``contact``, ``import``): the
  report counts each manager's groups refreshed in a period from it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customer") as batch:
        batch.add_column(
            sa.Column("directory_refreshed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    op.create_table(
        "directory_refresh",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_directory_refresh_at", "directory_refresh", ["at"])
    op.create_index("ix_directory_refresh_customer_id", "directory_refresh", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_directory_refresh_customer_id", table_name="directory_refresh")
    op.drop_index("ix_directory_refresh_at", table_name="directory_refresh")
    op.drop_table("directory_refresh")
    with op.batch_alter_table("customer") as batch:
        batch.drop_column("directory_refreshed_at")

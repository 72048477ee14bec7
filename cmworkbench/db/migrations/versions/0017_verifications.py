"""Data quality (issue 25): what each verification of a customer file found.

* ``verification``: a check of a file's fields, by hand or by an authoritative import, with
  the fields checked, how many were right and the corrections.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_AT = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "verification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("at", _AT(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("source", _TEXT(length=40), nullable=False),
        sa.Column("checked", sa.Integer(), nullable=False),
        sa.Column("confirmed", sa.Integer(), nullable=False),
        sa.Column("fields", _TEXT(length=400), nullable=False),
        sa.Column("detail", _TEXT(length=1000), nullable=True),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_verification_at", "verification", ["at"])
    op.create_index("ix_verification_customer_at", "verification", ["customer_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_verification_customer_at", table_name="verification")
    op.drop_index("ix_verification_at", table_name="verification")
    op.drop_table("verification")

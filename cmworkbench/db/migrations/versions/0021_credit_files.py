"""Credit files (issue 29): a loan's investigation checklist, guarantors, the manager's and the
risk manager's signatures, its history and the post-loan checks scheduled from its approval.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_AT = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "credit_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("holding_id", sa.Integer(), nullable=True),
        sa.Column("product", _TEXT(length=100), nullable=False),
        sa.Column("amount_yuan", sa.Integer(), nullable=False),
        sa.Column("term_months", sa.Integer(), nullable=False),
        sa.Column("purpose", _TEXT(length=200), nullable=False),
        sa.Column("risk_grade", _TEXT(length=16), nullable=False),
        sa.Column("total_assets_yuan", sa.Integer(), nullable=True),
        sa.Column("total_liabilities_yuan", sa.Integer(), nullable=True),
        sa.Column("monthly_sales_yuan", sa.Integer(), nullable=True),
        sa.Column("settlement", _TEXT(length=200), nullable=True),
        sa.Column("collection", _TEXT(length=200), nullable=True),
        sa.Column("collateral", _TEXT(length=200), nullable=True),
        sa.Column("collateral_value_yuan", sa.Integer(), nullable=True),
        sa.Column("state", _TEXT(length=12), nullable=False),
        sa.Column("file_version", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("schedule_from", sa.Date(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("risk_manager_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", _AT(), nullable=True),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("signed_at", _AT(), nullable=True),
        sa.Column("returned_at", _AT(), nullable=True),
        sa.Column("return_comment", _TEXT(length=500), nullable=True),
        sa.Column("created_at", _AT(), nullable=False),
        sa.Column("updated_at", _AT(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.ForeignKeyConstraint(["holding_id"], ["holding.id"]),
        sa.ForeignKeyConstraint(["previous_id"], ["credit_file.id"]),
        sa.ForeignKeyConstraint(["owner_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["risk_manager_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["submitted_by_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_credit_file_customer", "credit_file", ["customer_id", "state"])
    op.create_index("ix_credit_file_risk", "credit_file", ["risk_manager_id", "state"])
    op.create_index("ix_credit_file_owner", "credit_file", ["owner_id", "state"])
    op.create_index("ix_credit_file_holding", "credit_file", ["holding_id"])
    op.create_table(
        "credit_item",
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("item", _TEXT(length=24), nullable=False),
        sa.Column("result", _TEXT(length=8), nullable=True),
        sa.Column("finding", _TEXT(length=500), nullable=True),
        sa.Column("note", _TEXT(length=500), nullable=True),
        sa.Column("document_ref", _TEXT(length=100), nullable=True),
        sa.Column("checked_by_id", sa.Integer(), nullable=True),
        sa.Column("checked_at", _AT(), nullable=True),
        sa.ForeignKeyConstraint(["file_id"], ["credit_file.id"]),
        sa.ForeignKeyConstraint(["checked_by_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("file_id", "item"),
    )
    op.create_table(
        "credit_guarantor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("name", _TEXT(length=100), nullable=False),
        sa.Column("id_no", _TEXT(length=18), nullable=True),
        sa.Column("relation", _TEXT(length=40), nullable=True),
        sa.Column("net_assets_yuan", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", _AT(), nullable=False),
        sa.ForeignKeyConstraint(["file_id"], ["credit_file.id"]),
        sa.ForeignKeyConstraint(["added_by_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_credit_guarantor_file_id", "credit_guarantor", ["file_id"])
    op.create_table(
        "credit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("at", _AT(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("action", _TEXT(length=16), nullable=False),
        sa.Column("note", _TEXT(length=500), nullable=True),
        sa.ForeignKeyConstraint(["file_id"], ["credit_file.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_credit_event_file_id", "credit_event", ["file_id"])
    op.create_table(
        "post_loan_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_at", _AT(), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("interaction_id", sa.Integer(), nullable=True),
        sa.Column("findings", _TEXT(length=2000), nullable=True),
        sa.Column("escalated_at", _AT(), nullable=True),
        sa.ForeignKeyConstraint(["file_id"], ["credit_file.id"]),
        sa.ForeignKeyConstraint(["done_by_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["interaction_id"], ["interaction.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("file_id", "seq", name="uq_post_loan_check_seq"),
    )
    op.create_index("ix_post_loan_check_due", "post_loan_check", ["done_at", "due_on"])


def downgrade() -> None:
    op.drop_index("ix_post_loan_check_due", table_name="post_loan_check")
    op.drop_table("post_loan_check")
    op.drop_index("ix_credit_event_file_id", table_name="credit_event")
    op.drop_table("credit_event")
    op.drop_index("ix_credit_guarantor_file_id", table_name="credit_guarantor")
    op.drop_table("credit_guarantor")
    op.drop_table("credit_item")
    for name in ("holding", "owner", "risk", "customer"):
        op.drop_index(f"ix_credit_file_{name}", table_name="credit_file")
    op.drop_table("credit_file")

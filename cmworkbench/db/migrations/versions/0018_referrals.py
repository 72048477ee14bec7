"""Referrals and leads (issue 26): prospects without a customer number, the referrals tellers
and lobby staff make, and the first contact a manager owes them.

* ``lead``: a prospect (name, phone, ID number, need, product), in the pool or allocated;
* ``lead_contact``: a contact with a lead before it is a customer (a logged contact once it
  merges);
* ``referral``: a customer or lead referred to a manager, its first-contact clock and outcome;
* ``task.lead_id``: a first-contact task owed to a lead.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_AT = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "lead",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", _TEXT(length=64), nullable=False),
        sa.Column("phone", _TEXT(length=32), nullable=True),
        sa.Column("id_number", _TEXT(length=18), nullable=True),
        sa.Column("need", _TEXT(length=500), nullable=True),
        sa.Column("product", _TEXT(length=16), nullable=True),
        sa.Column("source", _TEXT(length=16), nullable=False),
        sa.Column("referrer_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("status", _TEXT(length=10), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("match_customer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _AT(), nullable=False),
        sa.Column("allocated_at", _AT(), nullable=True),
        sa.Column("closed_at", _AT(), nullable=True),
        sa.Column("drop_reason", _TEXT(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["referrer_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["owner_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.ForeignKeyConstraint(["match_customer_id"], ["customer.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_lead_phone", "lead", ["phone"])
    op.create_index("ix_lead_id_number", "lead", ["id_number"])
    op.create_index("ix_lead_owner_status", "lead", ["owner_id", "status"])
    if op.get_bind().dialect.name == "sqlite":  # Alembic would want a copy for the key
        op.execute("ALTER TABLE task ADD COLUMN lead_id INTEGER REFERENCES lead (id)")
    else:
        op.add_column(
            "task", sa.Column("lead_id", sa.Integer(), sa.ForeignKey("lead.id"), nullable=True)
        )
    op.create_table(
        "lead_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("at", _AT(), nullable=False),
        sa.Column("kind", _TEXT(length=10), nullable=False),
        sa.Column("outcome", _TEXT(length=32), nullable=False),
        sa.Column("note", _TEXT(length=500), nullable=True),
        sa.Column("interaction_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["interaction_id"], ["interaction.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_lead_contact_lead_id", "lead_contact", ["lead_id"])
    op.create_table(
        "referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", _AT(), nullable=False),
        sa.Column("referrer_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("need", _TEXT(length=500), nullable=False),
        sa.Column("product", _TEXT(length=16), nullable=False),
        sa.Column("to_id", sa.Integer(), nullable=True),
        sa.Column("received_at", _AT(), nullable=True),
        sa.Column("contact_due", _AT(), nullable=True),
        sa.Column("contacted_at", _AT(), nullable=True),
        sa.Column("window_ends", sa.Date(), nullable=False),
        sa.Column("status", _TEXT(length=10), nullable=False),
        sa.Column("outcome_at", _AT(), nullable=True),
        sa.Column("outcome_by_id", sa.Integer(), nullable=True),
        sa.Column("holding_id", sa.Integer(), nullable=True),
        sa.Column("lost_reason", _TEXT(length=200), nullable=True),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["referrer_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"]),
        sa.ForeignKeyConstraint(["to_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["outcome_by_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["holding_id"], ["holding.id"]),
        sa.ForeignKeyConstraint(["task_id"], ["task.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_referral_at", "referral", ["at"])
    op.create_index("ix_referral_referrer_at", "referral", ["referrer_id", "at"])
    op.create_index("ix_referral_to_status", "referral", ["to_id", "status"])
    op.create_index("ix_referral_customer_status", "referral", ["customer_id", "status"])
    op.create_index("ix_referral_lead", "referral", ["lead_id"])


def downgrade() -> None:
    for index in (
        "ix_referral_lead",
        "ix_referral_customer_status",
        "ix_referral_to_status",
        "ix_referral_referrer_at",
        "ix_referral_at",
    ):
        op.drop_index(index, table_name="referral")
    op.drop_table("referral")
    op.drop_index("ix_lead_contact_lead_id", table_name="lead_contact")
    op.drop_table("lead_contact")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE task DROP COLUMN lead_id")
    else:
        op.drop_column("task", "lead_id")  # its foreign key goes with it
    op.drop_index("ix_lead_owner_status", table_name="lead")
    op.drop_index("ix_lead_id_number", table_name="lead")
    op.drop_index("ix_lead_phone", table_name="lead")
    op.drop_table("lead")

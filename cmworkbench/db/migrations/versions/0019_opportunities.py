"""Opportunities (issue 27): the big-customer pipeline's records and their history.

* ``opportunity``: a chance of business with a customer or a lead, its step, value, next step,
  proposal (cost, expected return, the supervisor's decision) and outcome;
* ``opportunity_event``: its history (made, moved, proposal, decided, won, lost);
* ``promise.opportunity_id``: the opportunity a negotiation round's feedback promise is about.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_AT = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "opportunity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("lead_id", sa.Integer(), nullable=True),
        sa.Column("referral_id", sa.Integer(), nullable=True),
        sa.Column("product", _TEXT(length=16), nullable=False),
        sa.Column("need", _TEXT(length=500), nullable=False),
        sa.Column("value_yuan", sa.Integer(), nullable=False),
        sa.Column("expected_close", sa.Date(), nullable=False),
        sa.Column("stage", _TEXT(length=24), nullable=False),
        sa.Column("stage_since", _AT(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("next_step", _TEXT(length=200), nullable=True),
        sa.Column("next_due", _AT(), nullable=True),
        sa.Column("status", _TEXT(length=10), nullable=False),
        sa.Column("closed_at", _AT(), nullable=True),
        sa.Column("close_reason", _TEXT(length=200), nullable=True),
        sa.Column("cost_yuan", sa.Integer(), nullable=True),
        sa.Column("return_yuan", sa.Integer(), nullable=True),
        sa.Column("proposal", _TEXT(length=10), nullable=True),
        sa.Column("proposal_comment", _TEXT(length=500), nullable=True),
        sa.Column("proposal_at", _AT(), nullable=True),
        sa.Column("decided_at", _AT(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("last_step_at", _AT(), nullable=False),
        sa.Column("created_at", _AT(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"]),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"]),
        sa.ForeignKeyConstraint(["owner_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_opportunity_owner_status", "opportunity", ["owner_id", "status", "stage"])
    op.create_index("ix_opportunity_customer_status", "opportunity", ["customer_id", "status"])
    op.create_index("ix_opportunity_proposal", "opportunity", ["proposal"])
    op.create_table(
        "opportunity_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("opportunity_id", sa.Integer(), nullable=False),
        sa.Column("at", _AT(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("action", _TEXT(length=16), nullable=False),
        sa.Column("from_stage", _TEXT(length=24), nullable=True),
        sa.Column("to_stage", _TEXT(length=24), nullable=True),
        sa.Column("note", _TEXT(length=500), nullable=True),
        sa.ForeignKeyConstraint(["opportunity_id"], ["opportunity.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_opportunity_event_opportunity_id", "opportunity_event", ["opportunity_id"])
    op.create_index("ix_opportunity_event_at", "opportunity_event", ["at"])
    if op.get_bind().dialect.name == "sqlite":  # Alembic would want a copy for the key
        op.execute(
            "ALTER TABLE promise ADD COLUMN opportunity_id INTEGER REFERENCES opportunity (id)"
        )
    else:
        op.add_column(
            "promise",
            sa.Column(
                "opportunity_id", sa.Integer(), sa.ForeignKey("opportunity.id"), nullable=True
            ),
        )
    op.create_index("ix_promise_opportunity", "promise", ["opportunity_id"])


def downgrade() -> None:
    op.drop_index("ix_promise_opportunity", table_name="promise")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE promise DROP COLUMN opportunity_id")
    else:
        op.drop_column("promise", "opportunity_id")
    op.drop_index("ix_opportunity_event_at", table_name="opportunity_event")
    op.drop_index("ix_opportunity_event_opportunity_id", table_name="opportunity_event")
    op.drop_table("opportunity_event")
    op.drop_index("ix_opportunity_proposal", table_name="opportunity")
    op.drop_index("ix_opportunity_customer_status", table_name="opportunity")
    op.drop_index("ix_opportunity_owner_status", table_name="opportunity")
    op.drop_table("opportunity")

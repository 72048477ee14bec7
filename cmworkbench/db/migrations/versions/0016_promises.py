"""Promises with a clock (issue 24): what a manager owes a customer by a deadline.

* ``promise`` and ``promise_event``: the promise, its state and its history;
* ``holding.promised_on`` (the activation date promised) and ``holding.at_risk_since``;
* ``ix_notification_object``: the notices already sent about the records a sweep reads.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_AT = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "promise",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("made_by_id", sa.Integer(), nullable=True),
        sa.Column("kind", _TEXT(length=32), nullable=False),
        sa.Column("what", _TEXT(length=500), nullable=False),
        sa.Column("channel", _TEXT(length=10), nullable=True),
        sa.Column("made_at", _AT(), nullable=False),
        sa.Column("due_at", _AT(), nullable=False),
        sa.Column("clock_start", _AT(), nullable=False),
        sa.Column("clock_seconds", sa.Integer(), nullable=False),
        sa.Column("clock_business", sa.Boolean(), nullable=False),
        sa.Column("next_step_at", _AT(), nullable=True),
        sa.Column("state", _TEXT(length=10), nullable=False),
        sa.Column("done_at", _AT(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("cancel_reason", _TEXT(length=200), nullable=True),
        sa.Column("complaint_id", sa.Integer(), nullable=True),
        sa.Column("holding_id", sa.Integer(), nullable=True),
        sa.Column("interaction_id", sa.Integer(), nullable=True),
        sa.Column("done_interaction_id", sa.Integer(), nullable=True),
        sa.Column("idem_key", _TEXT(length=120), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["customer_id"], ["customer.id"]),
        sa.ForeignKeyConstraint(["owner_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["made_by_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["closed_by_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["complaint_id"], ["complaint.id"]),
        sa.ForeignKeyConstraint(["holding_id"], ["holding.id"]),
        sa.ForeignKeyConstraint(["interaction_id"], ["interaction.id"]),
        sa.ForeignKeyConstraint(["done_interaction_id"], ["interaction.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("idem_key"),
    )
    op.create_index("ix_promise_next_step", "promise", ["next_step_at"])
    op.create_index("ix_promise_owner_state", "promise", ["owner_id", "state", "due_at"])
    op.create_index("ix_promise_customer_state", "promise", ["customer_id", "state"])
    op.create_index("ix_promise_complaint", "promise", ["complaint_id"])
    op.create_table(
        "promise_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("promise_id", sa.Integer(), nullable=False),
        sa.Column("at", _AT(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("action", _TEXT(length=16), nullable=False),
        sa.Column("note", _TEXT(length=500), nullable=True),
        sa.ForeignKeyConstraint(["promise_id"], ["promise.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_promise_event_promise_id", "promise_event", ["promise_id"])
    op.create_index("ix_notification_object", "notification", ["object_type", "object_id"])
    with op.batch_alter_table("holding") as batch:
        batch.add_column(sa.Column("promised_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("at_risk_since", _AT(), nullable=True))


def downgrade() -> None:
    op.drop_index("ix_notification_object", "notification")
    with op.batch_alter_table("holding") as batch:
        batch.drop_column("at_risk_since")
        batch.drop_column("promised_on")
    op.drop_index("ix_promise_event_promise_id", "promise_event")
    op.drop_table("promise_event")
    for name in ("ix_promise_complaint", "ix_promise_customer_state"):
        op.drop_index(name, "promise")
    op.drop_index("ix_promise_owner_state", "promise")
    op.drop_index("ix_promise_next_step", "promise")
    op.drop_table("promise")

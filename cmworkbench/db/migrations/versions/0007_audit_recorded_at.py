"""audit_log.recorded_at: the real time beside the business time

``at`` is the business time (``--now`` / ``CMW_NOW`` may set it: tests, support, replaying a
day); ``recorded_at`` is the wall-clock time the row was written, which nothing can set, so a
backdated unmasked export cannot hide from ``cmw audit --since``. Rows written before this
revision get their ``at`` (the best that is known of them).

The log is append-only (revision 0005): the triggers refusing UPDATE are set aside for the
backfill, in the same transaction, and put back.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_NO_UPDATE = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log"
    " BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
)


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.add_column(
        "audit_log", sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
    )
    if postgresql:
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
        op.execute("UPDATE audit_log SET recorded_at = at")
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update")
    else:
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute("UPDATE audit_log SET recorded_at = at")
        op.execute(SQLITE_NO_UPDATE)
    op.create_index("ix_audit_recorded_at", "audit_log", ["recorded_at"])


def downgrade() -> None:
    op.drop_index("ix_audit_recorded_at", table_name="audit_log")
    op.execute("ALTER TABLE audit_log DROP COLUMN recorded_at")  # keeps the triggers

"""audit log append-only

The database itself refuses to change or remove an audit row: a trigger before UPDATE and
before DELETE on audit_log aborts the statement. Nothing in the application updates or deletes
audit rows; this guards against a mistake or a hand-written statement.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 17:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MESSAGE = "audit_log is append-only"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
            # restrict_violation (SQLSTATE 23001): an integrity error, as SQLite's ABORT is
            f" BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation'; END; $$"
        )
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log"
                " FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
            )
        return
    for event in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER audit_log_no_{event.lower()} BEFORE {event} ON audit_log"
            f" BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for event in ("update", "delete"):
        op.execute(
            f"DROP TRIGGER IF EXISTS audit_log_no_{event}" + (" ON audit_log" if postgresql else "")
        )
    if postgresql:
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")

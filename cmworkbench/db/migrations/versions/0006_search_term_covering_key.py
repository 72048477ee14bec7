"""search_term: the primary key covers the ranking columns on PostgreSQL

A look-up ranks the matching terms by class and recency. On SQLite the table is its primary
key B-tree (WITHOUT ROWID), so every column is in the index already. On PostgreSQL the key
held only ``(owner_id, term, kind, customer_id)``: a two-letter initials query matching
thousands of a manager's customers read the table for ``cls_rank`` and ``recency`` too. The
key now carries them (``INCLUDE``), so the scan is index-only: at a million customers the
service's p95 went from 10.1 ms to about 5.4 ms (bench/lookup.py, see the README).

Rebuilding the key locks ``search_term`` for as long as it takes (a few seconds per million
customers' terms): run ``cmw init`` for this upgrade outside opening hours.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 21:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = "owner_id, term, kind, customer_id"


def _replace_key(include: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "ALTER TABLE search_term DROP CONSTRAINT search_term_pkey,"
        f" ADD CONSTRAINT search_term_pkey PRIMARY KEY ({KEY}){include}"
    )


def upgrade() -> None:
    _replace_key(" INCLUDE (cls_rank, recency)")


def downgrade() -> None:
    _replace_key("")

"""Money and goal amounts as 64-bit integers on PostgreSQL.

``INTEGER`` there is 32-bit: 2,147,483,647 yuan. A group customer's assets or yearly revenue,
a corporate deposit, a credit file's collateral, or the branch's deposit goal (2,500,000,000
yuan in a large branch) pass it, and the import (which accepts up to 10^15 yuan) or the goal
breakdown then failed on the server with "integer out of range". SQLite's integers are 64-bit
already (its ``BIGINT`` is the same ``INTEGER`` storage), so nothing is rewritten there.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS: dict[str, dict[str, bool]] = {
    "customer": {"assets_yuan": True, "revenue_yuan": True},
    "customer_metric": {"assets_yuan": True, "revenue_yuan": True},
    "holding": {"amount_yuan": True},
    "opportunity": {"value_yuan": False, "cost_yuan": True, "return_yuan": True},
    "goal": {"amount": False},
    "credit_file": {
        "amount_yuan": False,
        "total_assets_yuan": True,
        "total_liabilities_yuan": True,
        "monthly_sales_yuan": True,
        "collateral_value_yuan": True,
    },
    "credit_guarantor": {"net_assets_yuan": False},
}
"""Table → money column → nullable."""


def _retype(old: type[sa.types.TypeEngine], new: type[sa.types.TypeEngine]) -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, columns in COLUMNS.items():
        for column, nullable in columns.items():
            op.alter_column(
                table, column, type_=new(), existing_type=old(), existing_nullable=nullable
            )


def upgrade() -> None:
    _retype(sa.Integer, sa.BigInteger)


def downgrade() -> None:
    _retype(sa.BigInteger, sa.Integer)

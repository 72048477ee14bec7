"""The search queue says whether a customer's terms changed, or only what the index copies.

A logged call or visit changes the customer's ``updated_at`` (the index's recency) and nothing
the terms are made from; rewriting the terms read the name's pinyin, which loaded pypinyin's
dictionaries into the session (55 MiB and 0.3 s, issue 30: fifty sessions on one server). The
triggers now record ``terms``: true when a term's source changed (the name, kind, phones, ID
number, customer number; a key person added, changed or removed; a new customer), false when
only the copied columns did (owner, backup, class, tier, ``updated_at``); a queued customer
stays true until drained. :func:`cmworkbench.db.search.drain` rewrites the terms of the
first and only updates the copied columns of the second.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 23:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COPIED = "cls, tier, owner_id, backup_id, updated_at"
_SOURCES = ("name", "kind", "phone", "phone2", "id_number", "customer_no")
_EVENTS = {
    "search_customer_insert": ("INSERT", "customer"),
    "search_customer_update": (f"UPDATE OF {', '.join(_SOURCES)}, {_COPIED}", "customer"),
    "search_customer_delete": ("DELETE", "customer"),
    "search_contact_insert": ("INSERT", "contact"),
    "search_contact_update": ("UPDATE OF name, phone, customer_id", "contact"),
    "search_contact_delete": ("DELETE", "contact"),
}


def _queue(customer: str, terms: str, sqlite: bool) -> str:
    """Queue ``customer``; ``terms`` (SQL) whether its terms changed; a queued customer whose
    terms changed stays so."""
    keep = (
        "max(search_dirty.terms, excluded.terms)"
        if sqlite
        else "search_dirty.terms OR excluded.terms"
    )
    return (
        f"INSERT INTO search_dirty (customer_id, terms) VALUES ({customer}, {terms})"
        f" ON CONFLICT (customer_id) DO UPDATE SET terms = {keep};"
    )


def _changed(sqlite: bool) -> str:
    differs = "IS NOT" if sqlite else "IS DISTINCT FROM"
    return "(" + " OR ".join(f"NEW.{c} {differs} OLD.{c}" for c in _SOURCES) + ")"


def _sqlite_triggers() -> list[str]:
    yes = "1"
    return [
        "CREATE TRIGGER search_customer_insert AFTER INSERT ON customer BEGIN "
        + _queue("NEW.id", yes, True)
        + " END",
        f"CREATE TRIGGER search_customer_update AFTER {_EVENTS['search_customer_update'][0]}"
        " ON customer BEGIN " + _queue("NEW.id", _changed(True), True) + " END",
        "CREATE TRIGGER search_customer_delete AFTER DELETE ON customer BEGIN"
        " DELETE FROM search_dirty WHERE customer_id = OLD.id; END",
        "CREATE TRIGGER search_contact_insert AFTER INSERT ON contact BEGIN "
        + _queue("NEW.customer_id", yes, True)
        + " END",
        f"CREATE TRIGGER search_contact_update AFTER {_EVENTS['search_contact_update'][0]}"
        " ON contact BEGIN "
        + _queue("NEW.customer_id", yes, True)
        + " "
        + _queue("OLD.customer_id", yes, True)
        + " END",
        "CREATE TRIGGER search_contact_delete AFTER DELETE ON contact BEGIN "
        + _queue("OLD.customer_id", yes, True)
        + " END",
    ]


def _postgresql_functions() -> dict[str, str]:
    return {
        "search_queue_customer": (
            "BEGIN IF TG_OP = 'DELETE' THEN"
            " DELETE FROM search_dirty WHERE customer_id = OLD.id;"
            " ELSIF TG_OP = 'INSERT' THEN "
            + _queue("NEW.id", "true", False)
            + " ELSE "
            + _queue("NEW.id", _changed(False), False)
            + " END IF; RETURN NULL; END;"
        ),
        "search_queue_contact": (
            "BEGIN IF TG_OP <> 'INSERT' THEN "
            + _queue("OLD.customer_id", "true", False)
            + " END IF; IF TG_OP <> 'DELETE' THEN "
            + _queue("NEW.customer_id", "true", False)
            + " END IF; RETURN NULL; END;"
        ),
    }


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column(
        "search_dirty",
        sa.Column("terms", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    if dialect == "sqlite":
        for name in _EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        for statement in _sqlite_triggers():
            op.execute(statement)
    elif dialect == "postgresql":
        for name, (_event, table) in _EVENTS.items():
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for name, body in _postgresql_functions().items():
            op.execute(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql"
                f" AS $$ {body} $$"
            )
        for name, (event, table) in _EVENTS.items():
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table}"
                f" FOR EACH ROW EXECUTE FUNCTION search_queue_{table}()"
            )


def downgrade() -> None:
    from importlib.util import module_from_spec, spec_from_file_location
    from pathlib import Path

    spec = spec_from_file_location(
        "_0002", Path(__file__).with_name("0002_customer_search_index.py")
    )
    assert spec is not None and spec.loader is not None
    before = module_from_spec(spec)
    spec.loader.exec_module(before)  # its triggers, as they were
    dialect = op.get_bind().dialect.name
    # the triggers go first: SQLite copies the table to drop a column, and checks the
    # triggers that name it as it renames the copy
    if dialect == "sqlite":
        for name in _EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        for name, (_event, table) in _EVENTS.items():
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        for name in before.POSTGRESQL_FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    with op.batch_alter_table("search_dirty") as batch_op:
        batch_op.drop_column("terms")
    statements = {"sqlite": before.SQLITE_TRIGGERS, "postgresql": before.POSTGRESQL_TRIGGERS}
    for statement in statements.get(dialect, []):
        op.execute(statement)

"""Migrations: up from empty, in step with the models, idempotent, upgrade from the first.

With ``CMW_TEST_DATABASE=postgresql`` they run on an empty PostgreSQL database (plpgsql
triggers included), and down and up again."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import POSTGRESQL
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from cmworkbench.db import migrate
from cmworkbench.db.engine import make_engine


@pytest.fixture
def engine(request, tmp_path):
    """An empty database: a SQLite file, or a PostgreSQL database of its own."""
    if POSTGRESQL:
        postgres = request.getfixturevalue("postgres")
        name = postgres.create_empty()
        engine = make_engine(postgres.url_of(name))
        yield engine
        engine.dispose()
        postgres.drop(name)
        return
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    yield engine
    engine.dispose()


def test_up_from_empty_creates_every_table(engine):
    before, after = migrate.upgrade(engine)
    assert before is None
    assert after == migrate.head_revision()
    tables = set(inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables


def test_migrations_match_the_models(engine):
    """A model change without a migration fails here."""
    migrate.upgrade(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []


def test_init_twice_is_a_no_op(engine):
    migrate.upgrade(engine)
    before, after = migrate.upgrade(engine)
    assert before == after == migrate.head_revision()


def test_a_database_of_the_first_revision_upgrades_to_head(engine):
    first = sorted(migrate.known_revisions())[0]
    migrate.upgrade(engine, first)
    assert migrate.current_revision(engine) == first
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_known_head_constant_matches_alembic():
    assert migrate.head_revision() == migrate.SCHEMA_HEAD


def test_schema_check_without_alembic(engine):
    assert not migrate.schema_is_current(engine)
    migrate.upgrade(engine)
    assert migrate.schema_is_current(engine)


@pytest.mark.sqlite_only
def test_a_locked_database_is_an_error_not_an_empty_database(tmp_path):
    """Another process holding the lock must not make a current database look
    uninitialised (a scheduler candidate once quit with "run cmw init" that way)."""
    import sqlite3

    from sqlalchemy import create_engine
    from sqlalchemy.exc import OperationalError

    path = tmp_path / "locked.db"
    migrate.upgrade(create_engine(f"sqlite:///{path}"))  # rollback journal: a writer blocks
    holder = sqlite3.connect(path)
    holder.execute("BEGIN EXCLUSIVE")
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.05})
    try:
        with pytest.raises(OperationalError, match="locked"):
            migrate.schema_is_current(engine)
        holder.rollback()
        assert migrate.schema_is_current(engine)
    finally:
        holder.close()
        engine.dispose()


def test_a_foreign_database_is_not_touched(engine):
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE ledger (id INTEGER)"))
    with pytest.raises(migrate.ForeignDatabase):
        migrate.upgrade(engine)
    assert inspect(engine).get_table_names() == ["ledger"]


def test_down_to_the_first_revision_and_up_again(engine):
    """Every downgrade removes what its upgrade made (triggers and functions included)."""
    from alembic import command

    migrate.upgrade(engine)
    first = sorted(migrate.known_revisions())[0]
    cfg = migrate._config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, first)
    assert migrate.current_revision(engine) == first
    migrate.upgrade(engine)
    assert migrate.schema_is_current(engine)


@pytest.mark.skipif(not POSTGRESQL, reason="PostgreSQL only")
def test_postgresql_search_terms_compare_in_code_point_order(engine):
    """The search look-up's ranges (``term < prefix || U+10FFFF``) need the "C" collation."""
    migrate.upgrade(engine)
    with engine.connect() as conn:
        collation = conn.execute(
            text(
                "SELECT collation_name FROM information_schema.columns"
                " WHERE table_name = 'search_term' AND column_name = 'term'"
            )
        ).scalar()
        triggers = conn.execute(
            text("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal")
        ).scalar()
    assert collation == "C"
    assert triggers == 8  # six search-queue triggers, two audit append-only triggers


@pytest.mark.skipif(not POSTGRESQL, reason="PostgreSQL only")
def test_postgresql_look_up_is_an_index_only_scan(engine):
    """Ranking reads class and recency from the key itself (migration 0006): no heap reads."""
    from cmworkbench.db.search import ranked_statement
    from cmworkbench.domain.scope import OwnerScope
    from cmworkbench.domain.search_terms import parse_query

    migrate.upgrade(engine)
    parsed = parse_query("zw")
    assert parsed is not None
    sql, params = ranked_statement(parsed, OwnerScope(owner_ids=(3, 4)))
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL enable_seqscan = off"))
        conn.execute(text("SET LOCAL enable_bitmapscan = off"))
        plan = conn.execute(text("EXPLAIN " + sql), {**params, "limit": 50, "offset": 0}).all()
    scans = [row[0] for row in plan if " on search_term" in row[0]]
    assert scans, plan
    assert all("Index Only Scan using search_term_pkey" in scan for scan in scans), scans


@pytest.mark.sqlite_only
def test_sqlite_pragmas_are_on(engine):
    migrate.upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_0007_keeps_the_audit_rows_gives_them_their_time_and_stays_append_only(engine):
    """Upgrading from 0006: every audit row gets ``recorded_at`` = its ``at`` (the best known
    of it), and the log still refuses changes afterwards."""
    from sqlalchemy.exc import DBAPIError

    migrate.upgrade(engine, "0006")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_log (at, action, object_type, detail) VALUES"
                " ('2026-11-23 00:30:00', 'export', 'customer', 'before 0007')"
            )
        )
    migrate.upgrade(engine)
    with engine.connect() as conn:
        at, recorded = conn.execute(text("SELECT at, recorded_at FROM audit_log")).one()
    assert recorded == at
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET detail = 'changed'"))


def test_satisfaction_recorded_before_the_sources_scale_is_kept_and_marked(engine):
    """Revision 0011 on a database of the release before (both databases): a ticket closed
    with 满意, stored then as 5, is still 5 and marked as on the old scale; one without a
    score is not marked."""
    migrate.upgrade(engine, "0010")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO branch (id, code, name) VALUES (1, 'B1', '城东支行')"))
        conn.execute(text(
            "INSERT INTO staff (id, login, name, role, branch_id, active, created_at, version)"
            " VALUES (1, 'wangfang', '王芳', 'manager', 1, TRUE, '2026-11-01 00:00:00', 1)"
        ))  # fmt: skip
        conn.execute(text(
            "INSERT INTO customer (id, customer_no, kind, name, owner_id, is_vip, is_government,"
            " is_dual_span, is_benchmark, status, created_at, updated_at, version) VALUES"
            " (1, 'C003', 'group', '小张便利店', 1, FALSE, FALSE, FALSE, FALSE, 'active',"
            " '2026-11-01 00:00:00', '2026-11-01 00:00:00', 1)"
        ))  # fmt: skip
        for ticket, satisfaction in ((1, "5"), (2, "NULL")):
            conn.execute(text(
                "INSERT INTO complaint (id, ticket_no, customer_id, channel, category, kind,"
                " severity, description, owner_id, received_by_id, status, rejected_solution,"
                " received_at, satisfaction, paused_seconds, breached, reopen_count, version)"
                f" VALUES ({ticket}, 'T{ticket}', 1, 'phone', 'fee', 'normal', 'normal', '扣费',"
                f" 1, 1, 'closed', FALSE, '2026-11-02 02:00:00', {satisfaction}, 0, FALSE, 0, 1)"
            ))  # fmt: skip
    migrate.upgrade(engine)
    query = "SELECT satisfaction, satisfaction_old_scale, satisfaction_answer FROM complaint"
    with engine.connect() as conn:
        rows = conn.execute(text(query + " ORDER BY id")).all()
    assert [(r[0], bool(r[1]), r[2]) for r in rows] == [(5, True, None), (None, False, None)]

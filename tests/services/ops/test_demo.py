"""``cmw demo``'s builder: deterministic, realistic, within the business rules, all or nothing."""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from cmworkbench import clock, i18n
from cmworkbench.config import Settings
from cmworkbench.db.engine import make_engine
from cmworkbench.db.migrate import upgrade
from cmworkbench.db.models import Complaint, Customer
from cmworkbench.domain import idcard
from cmworkbench.domain.demo_data import VALID_MOBILE_PREFIXES
from cmworkbench.services.complaints.sla import calendar, refresh_dues
from cmworkbench.services.core.errors import InvalidInput
from cmworkbench.services.core.login import find_actor
from cmworkbench.services.ops import demo
from cmworkbench.services.ops.demo import DEMO_LOGIN, DemoSummary, build_demo
from cmworkbench.services.ops.demo import sink as demo_sink
from cmworkbench.services.workbench import Workbench

NOW = "2026-11-23T08:30"
TABLES = (
    "branch", "team", "staff", "customer", "contact", "holding", "interaction",
    "customer_metric", "complaint", "complaint_event", "task", "work_log", "visit_plan",
    "visit_plan_item", "opportunity", "opportunity_event", "credit_file", "credit_guarantor",
    "credit_event", "post_loan_check", "notification",
)  # fmt: skip


def _fresh(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    return engine


def _rows(engine: Engine, sql: str, **params: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(text(sql), params).all())


def _dump(engine: Engine, tables: tuple[str, ...] = TABLES) -> dict[str, list[Any]]:
    return {t: _rows(engine, f"SELECT * FROM {t} ORDER BY id") for t in tables}


def _stored(moment: datetime) -> str:
    """An instant as SQLite stores it (naive UTC text), for comparisons in SQL."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


@pytest.fixture
def frozen() -> Iterator[datetime]:
    clock.freeze(NOW)
    yield clock.now()
    clock.set_now(None)


@pytest.fixture(scope="module")
def branch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, DemoSummary]]:
    """One 5,000-customer demo branch shared by the read-only checks."""
    clock.freeze(NOW)
    try:
        engine = _fresh(tmp_path_factory.mktemp("demo") / "demo.db")
        summary = build_demo(engine=engine, customers=5000, seed=1)
    finally:
        clock.set_now(None)
    yield engine, summary
    engine.dispose()


def test_same_seed_and_clock_give_identical_data(tmp_path: Path, frozen: datetime) -> None:
    first = _fresh(tmp_path / "a.db")
    second = _fresh(tmp_path / "b.db")
    build_demo(engine=first, customers=1200, seed=11)
    build_demo(engine=second, customers=1200, seed=11)
    assert _dump(first) == _dump(second)


def test_another_seed_gives_other_customers_but_the_same_logins(
    tmp_path: Path, frozen: datetime
) -> None:
    first = _fresh(tmp_path / "a.db")
    second = _fresh(tmp_path / "b.db")
    build_demo(engine=first, customers=300, seed=11)
    build_demo(engine=second, customers=300, seed=12)
    assert _dump(first, ("customer",)) != _dump(second, ("customer",))
    logins = "SELECT id, login, role, grade, team_id, backup_id FROM staff ORDER BY id"
    assert _rows(first, logins) == _rows(second, logins)


def test_demo_login_is_the_first_manager(branch: tuple[Engine, DemoSummary]) -> None:
    """The TUI opens a demo database (branch code DEMO) as its first manager by id."""
    engine, _ = branch
    first = _rows(engine, "SELECT login FROM staff WHERE role = 'manager' ORDER BY id LIMIT 1")
    assert first == [(DEMO_LOGIN,)] and DEMO_LOGIN == "zhangwei"
    assert _rows(engine, "SELECT code FROM branch") == [("DEMO",)]
    logins = {r[0] for r in _rows(engine, "SELECT login FROM staff")}
    assert {"admin", "head", "zhangwei", "lina"} <= logins


def test_summary_counts_the_rows_written(branch: tuple[Engine, DemoSummary]) -> None:
    engine, summary = branch
    count = {t: _rows(engine, f"SELECT COUNT(*) FROM {t}")[0][0] for t in TABLES}
    # the named roster of 19, the front line of six tellers and lobby staff (referrers) and
    # the two risk managers
    assert (count["staff"], count["customer"]) == (summary.staff, summary.customers) == (27, 5000)
    assert count["contact"] == summary.contacts
    assert count["holding"] == summary.holdings
    assert count["interaction"] == summary.interactions
    assert count["task"] == summary.tasks
    assert count["complaint"] == summary.complaints
    assert count["complaint_event"] == summary.complaint_events
    assert count["customer_metric"] == summary.metrics
    assert count["work_log"] > 0
    assert (count["branch"], count["team"]) == (1, 3)
    assert _rows(engine, "PRAGMA foreign_key_check") == []


def test_class_and_kind_proportions(branch: tuple[Engine, DemoSummary]) -> None:
    engine, _ = branch
    classes = Counter(dict(_rows(engine, "SELECT cls, COUNT(*) FROM customer GROUP BY cls")))
    total = sum(classes.values())
    a, b = classes["A1"] + classes["A2"], classes["B1"] + classes["B2"]
    assert a / total == pytest.approx(0.10, abs=0.015)
    assert b / total == pytest.approx(0.20, abs=0.02)
    assert classes["C"] / total == pytest.approx(0.70, abs=0.025)
    assert classes["A1"] / a == pytest.approx(0.30, abs=0.07)
    assert classes["B1"] / b == pytest.approx(0.30, abs=0.05)
    groups = _rows(engine, "SELECT COUNT(*) FROM customer WHERE kind = 'group'")[0][0]
    assert groups / total == pytest.approx(0.25, abs=0.025)


def test_tiers_follow_assets(branch: tuple[Engine, DemoSummary]) -> None:
    engine, _ = branch
    rows = _rows(
        engine,
        "SELECT tier, MIN(assets_yuan), MAX(assets_yuan), COUNT(*) FROM customer "
        "WHERE kind = 'individual' GROUP BY tier",
    )
    tiers = {tier: (low, high, n) for tier, low, high, n in rows}
    assert set(tiers) == {"diamond", "gold", "mid_high", "mass"}
    assert tiers["mid_high"][0] >= 200_000, "mid/high-end starts at RMB 200,000"
    assert tiers["mass"][1] < 200_000
    assert tiers["gold"][0] >= 1_000_000 and tiers["diamond"][0] > tiers["gold"][1]
    assert _rows(
        engine,
        "SELECT COUNT(*) FROM customer WHERE kind = 'group' "
        "AND (tier IS NOT NULL OR revenue_yuan IS NULL OR id_number IS NOT NULL)",
    ) == [(0,)]


def test_every_id_number_is_valid_unique_and_matches_the_birthday(
    branch: tuple[Engine, DemoSummary],
) -> None:
    """But for the few older files with a missing, legacy (15-digit) or mistyped number
    (demo/quality.py: the data-quality figures have something to find)."""
    engine, _ = branch
    people = _rows(engine, "SELECT id_number, birthday FROM customer WHERE kind = 'individual'")
    assert people
    valid = [(n, b) for n, b in people if n is not None and idcard.validate(n) is None]
    assert len(valid) > 0.95 * len(people)
    for number, birthday in valid:
        assert number[6:14] == birthday.replace("-", "")
    for number, birthday in people:
        if number is not None and len(number) == 15:
            assert idcard.upgrade(number)[6:14] == birthday.replace("-", "")
    numbers = [n for n, _ in people if n is not None]
    assert len(set(numbers)) == len(numbers)


def test_every_phone_is_a_plausible_mobile(branch: tuple[Engine, DemoSummary]) -> None:
    engine, _ = branch
    phones = [
        phone
        for sql in (
            "SELECT phone FROM customer UNION ALL SELECT phone2 FROM customer",
            "SELECT phone FROM contact UNION ALL SELECT phone2 FROM contact",
            "SELECT phone FROM staff",
        )
        for (phone,) in _rows(engine, sql)
        if phone is not None
    ]
    assert len(phones) > 5000
    # A few older files hold a mistyped number, a digit dropped (demo/quality.py).
    mistyped = [p for p in phones if len(p) == 10 and p[:3] in VALID_MOBILE_PREFIXES]
    assert len(mistyped) < 0.03 * len(phones)
    bad = [p for p in phones if not (len(p) == 11 and p.isdigit()) and p not in mistyped]
    bad += [p for p in phones if p[:3] not in VALID_MOBILE_PREFIXES]
    assert bad == []


def test_owners_grades_allow_their_customers_classes(branch: tuple[Engine, DemoSummary]) -> None:
    engine, _ = branch
    grades = Settings().grades
    rows = _rows(
        engine,
        "SELECT c.cls, c.kind, s.role, s.grade, COUNT(*) FROM customer c "
        "JOIN staff s ON s.id = c.owner_id GROUP BY c.cls, c.kind, s.role, s.grade",
    )
    for cls, _kind, role, grade, _n in rows:
        if cls == "C":  # [workload]: C-class customers are the phone managers', one-to-many
            assert role == "phone_manager"
        else:
            assert role == "manager" and cls in grades[grade], (cls, grade)
    a_grades = {grade for cls, _k, _r, grade, _n in rows if cls.startswith("A")}
    assert a_grades == {"senior", "first"}


def test_books_are_sized_by_the_workload_rule(branch: tuple[Engine, DemoSummary]) -> None:
    """Every manager's book is under its rule (150 households) and the books are even; a
    phone manager's under 3,000; about 1.5% of the customers wait in the branch pool."""
    engine, summary = branch
    books = _rows(
        engine,
        "SELECT s.role, COUNT(*) FROM customer c JOIN staff s ON s.id = c.owner_id"
        " GROUP BY s.id, s.role",
    )
    managers = [n for role, n in books if role == "manager"]
    phone = [n for role, n in books if role == "phone_manager"]
    assert max(managers) <= 150 and max(managers) - min(managers) <= 2, managers
    assert max(phone) <= 3000
    (pooled,) = _rows(engine, "SELECT COUNT(*) FROM customer WHERE owner_id IS NULL")[0]
    assert 0.005 * summary.customers < pooled < 0.03 * summary.customers


def test_a_larger_branch_is_staffed_by_the_same_rule() -> None:
    """At 1,000,000 customers the branch has thousands of managers in teams of four under a
    supervisor, so one manager's book is the size of one at 5,000."""
    from cmworkbench.services.ops.demo.customers import AB_SHARE
    from cmworkbench.services.ops.demo.staff import needed, staffing

    managers, phone = needed(1_000_000, AB_SHARE, Settings().workload)
    assert 1_000_000 * 0.3 * 0.985 / managers <= 150 * 0.85
    team = staffing(1, managers, phone)
    roles = [m.role for m in team.members]
    assert (roles.count("manager"), roles.count("phone_manager")) == (managers, phone)
    assert len({m.login for m in team.members}) == len(team.members), "logins are unique"
    by_team: dict[int | None, int] = {}
    for m in team.members:
        if m.role == "manager":
            by_team[m.team] = by_team.get(m.team, 0) + 1
    assert max(by_team.values()) == 4
    assert all(m.backup_id for m in team.members if m.role in ("manager", "phone_manager"))


def test_every_manager_has_a_backup_in_the_same_team(branch: tuple[Engine, DemoSummary]) -> None:
    engine, _ = branch
    staff = {
        r[0]: r[1:] for r in _rows(engine, "SELECT id, role, team_id, backup_id, login FROM staff")
    }
    managers = [i for i, (role, *_rest) in staff.items() if role in ("manager", "phone_manager")]
    assert len(managers) == 14
    for i in managers:
        _role, team, backup, login = staff[i]
        assert backup is not None, login
        assert staff[backup][1] == team, login
        assert staff[backup][2] == i, "A/B partners back each other up"
    mismatched = _rows(
        engine,
        "SELECT COUNT(*) FROM customer c JOIN staff s ON s.id = c.owner_id "
        "WHERE c.backup_id IS NOT s.backup_id",
    )
    assert mismatched == [(0,)], "a customer's B role is the owner's partner"


def test_group_customers_have_one_to_four_key_persons(branch: tuple[Engine, DemoSummary]) -> None:
    engine, _ = branch
    rows = _rows(
        engine,
        "SELECT c.id, COUNT(k.id), SUM(k.role = 'decision_maker') FROM customer c "
        "LEFT JOIN contact k ON k.customer_id = c.id WHERE c.kind = 'group' GROUP BY c.id",
    )
    assert rows
    # The first is the decision maker, but in a few older files (about one group in seven)
    # no key person's role was recorded (demo/quality.py).
    assert all(1 <= n <= 4 and deciders <= 1 for _id, n, deciders in rows)
    assert sum(deciders == 0 for _id, _n, deciders in rows) < 0.25 * len(rows)
    individuals = "SELECT COUNT(*) FROM contact k JOIN customer c ON c.id = k.customer_id "
    assert _rows(engine, individuals + "WHERE c.kind = 'individual'") == [(0,)]


def test_history_and_holdings_are_plausible(branch: tuple[Engine, DemoSummary]) -> None:
    engine, summary = branch
    now = clock.parse_instant(NOW)
    assert 1.6 <= summary.interactions / summary.customers <= 2.4
    assert 1.3 <= summary.holdings / summary.customers <= 1.8
    earliest, latest = _rows(engine, "SELECT MIN(happened_at), MAX(happened_at) FROM interaction")[
        0
    ]
    # The last contact of a C-class customer may be as old as its rule allows (180 days) and,
    # for the few overdue, a little older; the customers with a shorter rhythm have 120 days.
    assert _stored(now - timedelta(days=180 + 75 + 3)) < earliest and latest < _stored(now)
    soon = _rows(
        engine,
        "SELECT COUNT(*) FROM holding WHERE matures_on BETWEEN '2026-11-24' AND '2027-01-22'",
    )[0][0]
    assert soon > 100, "some products mature in the coming 60 days"
    loans = _rows(
        engine, "SELECT COUNT(*), COUNT(next_check_on) FROM holding WHERE product_kind = 'loan'"
    )
    assert loans[0][0] > 0 and loans[0][0] == loans[0][1], "every loan has a post-loan check"
    verified = _rows(engine, "SELECT MIN(info_verified_at), MAX(info_verified_at) FROM customer")
    assert _stored(now - timedelta(days=366)) < verified[0][0] <= verified[0][1] < _stored(now)


def test_complaints_follow_the_rules(branch: tuple[Engine, DemoSummary]) -> None:
    engine, summary = branch
    assert 10 <= summary.complaints <= 45, "about one complaint per 200 customers"
    statuses = dict(_rows(engine, "SELECT status, COUNT(*) FROM complaint GROUP BY status"))
    assert statuses.get("closed", 0) > 0 and set(statuses) - {"closed"}
    closed = _rows(
        engine,
        "SELECT c.satisfaction, c.return_call_at, c.closed_at, s.role, c.owner_id = "
        "c.received_by_id FROM complaint c JOIN staff s ON s.id = c.closed_by_id "
        "WHERE c.status = 'closed'",
    )
    for satisfaction, return_call_at, closed_at, role, first_owner in closed:
        assert 1 <= satisfaction <= 5 and return_call_at <= closed_at
        assert role == "supervisor" and first_owner
    first_events = _rows(
        engine,
        "SELECT e.action FROM complaint_event e WHERE e.id IN "
        "(SELECT MIN(id) FROM complaint_event GROUP BY complaint_id)",
    )
    assert len(first_events) == summary.complaints
    assert {a for (a,) in first_events} == {"receive"}


def test_demo_tickets_carry_the_configured_deadlines(branch: tuple[Engine, DemoSummary]) -> None:
    engine, _ = branch
    with Session(engine) as session:
        rows = session.exec(
            select(Complaint, Customer).join(
                Customer, col(Customer.id) == col(Complaint.customer_id)
            )
        ).all()
        assert rows
        for complaint, customer in rows:
            stored = (complaint.first_response_due, complaint.resolution_due)
            refresh_dues(complaint, customer, Settings(), calendar(Settings()))
            assert stored == (complaint.first_response_due, complaint.resolution_due)
        session.rollback()


def test_the_search_triggers_are_back_after_the_bulk_load(
    branch: tuple[Engine, DemoSummary],
) -> None:
    engine, _ = branch
    names = _rows(
        engine,
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_%'"
        " ORDER BY name",
    )
    assert [n for (n,) in names] == [
        f"search_{table}_{event}"
        for table in ("contact", "customer")
        for event in ("delete", "insert", "update")
    ]
    assert _rows(engine, "SELECT COUNT(*) FROM search_dirty") == [(0,)]  # indexed, queue empty


def test_each_manager_starts_with_tasks_due_today_and_overdue(
    branch: tuple[Engine, DemoSummary],
) -> None:
    engine, _ = branch
    now = clock.parse_instant(NOW)
    end_of_day = _stored(now.replace(hour=16))  # 24:00 at the branch (UTC+8)
    rows = _rows(
        engine,
        "SELECT s.login, SUM(t.due_at < :now), SUM(t.due_at >= :now AND t.due_at < :eod), "
        "SUM(t.status = 'done' AND t.closed_at IS NOT NULL) FROM staff s JOIN task t "
        "ON t.owner_id = s.id AND t.rule = 'demo' WHERE s.role IN ('manager', 'phone_manager') "
        "GROUP BY s.login",
        now=_stored(now),
        eod=end_of_day,
    )
    assert len(rows) == 14
    assert all(overdue > 0 and today > 0 and done > 0 for _login, overdue, today, done in rows)


def test_a_second_build_is_refused(branch: tuple[Engine, DemoSummary]) -> None:
    engine, summary = branch
    i18n.set_language("en")
    with pytest.raises(InvalidInput, match="already holds customers"):
        build_demo(engine=engine, customers=10, seed=2)
    i18n.set_language("zh_CN")
    with pytest.raises(InvalidInput, match="已有客户数据"):
        build_demo(engine=engine, customers=10, seed=2)
    assert _rows(engine, "SELECT COUNT(*) FROM customer") == [(summary.customers,)]


def test_a_taken_login_is_refused(tmp_path: Path, frozen: datetime) -> None:
    """Staff added before the demo keep their login; the demo refuses rather than rename."""
    engine = _fresh(tmp_path / "t.db")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO branch (id, code, name) VALUES (1, '0101', '城东支行')"))
        conn.execute(
            text(
                "INSERT INTO staff (login, name, role, branch_id, active, created_at, version) "
                "VALUES ('lina', '李娜', 'admin', 1, 1, '2026-01-05 01:00:00.000000', 1)"
            )
        )
    with pytest.raises(InvalidInput, match="登录名 lina 已存在"):
        build_demo(engine=engine, customers=10)
    assert _rows(engine, "SELECT COUNT(*) FROM staff") == [(1,)]


def test_ids_continue_after_existing_rows(tmp_path: Path, frozen: datetime) -> None:
    engine = _fresh(tmp_path / "t.db")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO branch (id, code, name) VALUES (1, '0101', '城东支行')"))
    summary = build_demo(engine=engine, customers=20)
    assert _rows(engine, "SELECT id FROM branch WHERE code = 'DEMO'") == [(2,)]
    assert summary.customers == 20


@pytest.mark.parametrize("count", [pytest.param(-1, id="negative"), pytest.param(10**8, id="huge")])
def test_an_impossible_count_is_refused(tmp_path: Path, count: int) -> None:
    with pytest.raises(InvalidInput, match=str(count)):
        build_demo(engine=_fresh(tmp_path / "t.db"), customers=count)


def test_progress_is_reported_per_chunk(
    tmp_path: Path, frozen: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "CHUNK", 100)
    calls: list[tuple[int, int]] = []
    engine = _fresh(tmp_path / "t.db")
    build_demo(engine=engine, customers=250, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(100, 250), (200, 250), (250, 250)]


def test_the_chunk_size_does_not_change_the_data(
    tmp_path: Path, frozen: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _fresh(tmp_path / "whole.db")
    build_demo(engine=whole, customers=700, seed=3)
    monkeypatch.setattr(demo, "CHUNK", 100)
    chunked = _fresh(tmp_path / "chunked.db")
    build_demo(engine=chunked, customers=700, seed=3)
    assert _dump(chunked) == _dump(whole)


def test_a_failed_build_leaves_nothing_behind(
    tmp_path: Path, frozen: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(demo, "CHUNK", 100)
    engine = _fresh(tmp_path / "t.db")

    def interrupted(done: int, total: int) -> None:
        if done == 200:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_demo(engine=engine, customers=300, progress=interrupted)
    assert {t: len(rows) for t, rows in _dump(engine).items()} == dict.fromkeys(TABLES, 0)
    build_demo(engine=engine, customers=50)  # the database is usable afterwards


def test_core_path_writes_the_same_rows_as_the_sqlite_path(
    tmp_path: Path, frozen: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Other databases go through SQLAlchemy Core; on SQLite both paths must store the same."""
    raw = _fresh(tmp_path / "raw.db")
    build_demo(engine=raw, customers=300, seed=5)
    monkeypatch.setattr(demo, "open_sink", demo_sink.CoreSink)
    core = _fresh(tmp_path / "core.db")
    build_demo(engine=core, customers=300, seed=5)
    assert _dump(core) == _dump(raw)
    with Session(raw) as session:
        customer = session.exec(select(Customer).where(Customer.id == 1)).one()
    assert customer.info_verified_at is not None
    assert customer.info_verified_at.tzinfo is not None
    assert customer.info_verified_at < clock.now()
    assert isinstance(customer.is_vip, bool)


def test_work_logs_cover_the_working_days_with_one_missing(
    branch: tuple[Engine, DemoSummary],
) -> None:
    """On Monday 11-23 every manager and phone manager has submitted the logs of the working
    days before (none for today, due tonight); 张伟's of Friday 11-20 is missing."""
    engine, _ = branch
    rows = _rows(
        engine,
        "SELECT s.login, w.day, w.submitted_at FROM work_log w JOIN staff s ON s.id = w.staff_id",
    )
    days = {str(day) for _login, day, _at in rows}
    assert "2026-11-23" not in days and "2026-11-21" not in days, "no log today nor on Saturday"
    zhang = {str(day) for login, day, _at in rows if login == "zhangwei"}
    assert "2026-11-20" not in zhang and "2026-11-19" in zhang
    assert all(at is not None for _l, _d, at in rows)
    writers = {login for login, _d, _at in rows}
    (book_holders,) = _rows(
        engine, "SELECT COUNT(*) FROM staff WHERE role IN ('manager', 'phone_manager')"
    )[0]
    assert len(writers) == book_holders


def test_demo_tickets_are_numbered_as_real_ones(branch: tuple[Engine, DemoSummary]) -> None:
    """T + the day received + that day's sequence (T202611230001), as the intake numbers them,
    so a ticket taken today continues the day's numbers instead of clashing."""
    engine, _ = branch
    tickets = [r[0] for r in _rows(engine, "SELECT ticket_no FROM complaint ORDER BY ticket_no")]
    assert tickets and all(re.fullmatch(r"T\d{8}\d{4}", no) for no in tickets), tickets[:3]
    by_day: dict[str, list[int]] = {}
    for no in tickets:
        by_day.setdefault(no[1:9], []).append(int(no[9:]))
    assert all(seq == list(range(1, len(seq) + 1)) for seq in by_day.values())


def test_contacts_follow_each_customers_cadence(branch: tuple[Engine, DemoSummary]) -> None:
    """A steady branch: most customers were last called or visited within their rule's ideal
    days, about a quarter of the A/B-class are due (a few of the C-class), very few past the
    maximum (the coverage target is 95%)."""
    engine, _ = branch
    settings = Settings()
    rows = _rows(
        engine,
        "SELECT c.cls, MAX(i.happened_at) FROM customer c JOIN interaction i"
        " ON i.customer_id = c.id AND i.kind IN ('call', 'visit') AND NOT c.is_vip"
        " AND c.tier IS NOT 'diamond' AND c.tier IS NOT 'gold' AND NOT c.is_government"
        " GROUP BY c.id",
    )
    today = clock.parse_instant(NOW).date()
    bands: dict[str, Counter[str]] = {"AB": Counter(), "C": Counter()}
    for cls, last in rows:
        rule = settings.cadence[cls]
        age = (today - datetime.fromisoformat(last[:10]).date()).days
        band = "kept" if age < rule.ideal_days else "due" if age <= rule.max_days else "over"
        bands["C" if cls == "C" else "AB"][band] += 1
    ab, c = bands["AB"], bands["C"]
    assert ab["kept"] / ab.total() > 0.6 and 0.15 < ab["due"] / ab.total() < 0.35
    assert c["due"] / c.total() < 0.1, "phone managers reach C customers soon after they fall due"
    assert (ab["over"] + c["over"]) / (ab.total() + c.total()) < 0.05


def test_recent_contacts_closed_their_tasks(branch: tuple[Engine, DemoSummary]) -> None:
    """The work of the last weeks is on record: a done task per held contact since the first
    of last month, closed when the contact was logged, a few of them after their deadline."""
    engine, _ = branch
    done = _rows(
        engine,
        "SELECT COUNT(*), SUM(closed_at > deadline_at) FROM task WHERE status = 'done'"
        " AND kind = 'contact' AND closed_at >= '2026-10-01'",
    )[0]
    held = _rows(
        engine,
        "SELECT COUNT(*) FROM interaction WHERE happened_at >= '2026-09-30 16:00'"
        " AND purpose IN ('routine', 'product') AND outcome IN ('reached', 'done')"
        " AND kind IN ('call', 'visit', 'sms')",
    )[0][0]
    assert done[0] == held > 0
    assert 0 < done[1] < done[0] * 0.1


def test_this_weeks_visit_plans_are_in_review_and_past_weeks_were_held(
    branch: tuple[Engine, DemoSummary],
) -> None:
    """张伟's plan for this week is approved (Today shows its visits), a colleague's waits for
    the supervisor; the last weeks' plans were approved and their visits held, each item
    linked to the visit its manager logged."""
    engine, _ = branch
    plans = _rows(
        engine,
        "SELECT s.login, p.week, p.status, p.approved_snapshot, p.decided_by_id,"
        " (SELECT COUNT(*) FROM visit_plan_item v WHERE v.plan_id = p.id)"
        " FROM visit_plan p JOIN staff s ON s.id = p.owner_id",
    )
    this_week = {login: (status, snap, n) for login, week, status, snap, _by, n in plans
                 if week == "2026-W48"}  # fmt: skip
    status, snapshot, items = this_week[DEMO_LOGIN]
    assert status == "approved" and items >= 1
    today = _rows(
        engine,
        "SELECT COUNT(*) FROM visit_plan_item v JOIN visit_plan p ON p.id = v.plan_id"
        " JOIN staff s ON s.id = p.owner_id WHERE s.login = :login"
        " AND v.starts_at > :now AND v.starts_at < :end",
        login=DEMO_LOGIN, now=_stored(clock.parse_instant(NOW)),
        end=_stored(clock.parse_instant("2026-11-23T18:00")),
    )  # fmt: skip
    assert today == [(1,)], "the demo login's Today shows a visit of the approved plan"
    assert len(json.loads(snapshot)) == items
    assert "submitted" in {s for s, _snap, _n in this_week.values()}
    past = [row for row in plans if row[1] < "2026-W48"]
    assert past and all(status == "approved" and by for _l, _w, status, _s, by, _n in past)
    mismatched = _rows(
        engine,
        "SELECT COUNT(*) FROM visit_plan_item v JOIN visit_plan p ON p.id = v.plan_id"
        " JOIN interaction i ON i.id = v.interaction_id"
        " WHERE i.kind <> 'visit' OR i.staff_id <> p.owner_id OR i.customer_id <> v.customer_id",
    )
    assert mismatched == [(0,)]
    done = _rows(engine, "SELECT COUNT(*) FROM visit_plan_item WHERE status = 'done'")[0][0]
    assert done > 0


def test_complaints_are_in_every_state_and_one_ran_over(branch: tuple[Engine, DemoSummary]) -> None:
    """Some wait for the return call, some for the supervisor's close; one open ticket is
    past its resolution deadline."""
    engine, _ = branch
    statuses = {row[0] for row in _rows(engine, "SELECT DISTINCT status FROM complaint")}
    assert {"received", "in_progress", "resolved", "return_call_done", "closed"} <= statuses
    late = _rows(
        engine,
        "SELECT COUNT(*) FROM complaint WHERE status NOT IN ('resolved', 'return_call_done',"
        " 'closed') AND resolution_due < :now",
        now=_stored(clock.parse_instant(NOW)),
    )
    assert late == [(1,)]


# -- the pipeline (issue 27) ------------------------------------------------------------------

_OPPORTUNITIES = (
    "SELECT o.id, o.stage, o.status, o.value_yuan, s.login, o.proposal, o.cost_yuan,"
    " o.return_yuan, o.stage_since, o.last_step_at, o.created_at, o.version, o.next_due,"
    " o.closed_at, o.close_reason, o.expected_close, o.customer_id, o.referral_id, o.owner_id"
    " FROM opportunity o JOIN staff s ON s.id = o.owner_id"
)


def _opportunities(engine: Engine) -> list[Any]:
    return _rows(engine, _OPPORTUNITIES)


def test_the_pipeline_is_alive_in_every_step(branch: tuple[Engine, DemoSummary]) -> None:
    """Every open step holds open opportunities, more in the early steps than the late ones,
    张伟's own in each; the last step holds the month's won ones, at a realistic win rate; the
    values are the products' (a group's loan in the millions, a card in tens of thousands)."""
    engine, _ = branch
    stages = Settings().pipeline.stages
    rows = _opportunities(engine)
    open_at = Counter(r.stage for r in rows if r.status == "open")
    assert set(open_at) == set(stages[:-1]), open_at
    assert open_at[stages[0]] + open_at[stages[1]] > 2 * (open_at[stages[-3]] + open_at[stages[-2]])
    mine = {r.stage for r in rows if r.status == "open" and r.login == DEMO_LOGIN}
    assert mine == set(stages[:-1]), "张伟 has open opportunities in every open step"
    won = [r for r in rows if r.status == "won"]
    lost = [r for r in rows if r.status == "lost"]
    assert won and {r.stage for r in won} == {stages[-1]}
    assert DEMO_LOGIN in {r.login for r in won}
    assert 0.30 <= len(won) / (len(won) + len(lost)) <= 0.45
    assert all(r.close_reason for r in won + lost), "a lost one has its reason"
    assert all(r.value_yuan > 0 for r in rows)
    by_product = {
        product: (low, high)
        for product, low, high in _rows(
            engine,
            "SELECT o.product, MIN(value_yuan), MAX(value_yuan) FROM opportunity o"
            " JOIN customer c ON c.id = o.customer_id WHERE c.kind = 'group' GROUP BY o.product",
        )
    }
    assert by_product["loan"][0] >= 1_000_000 and by_product["card"][1] < 100_000
    logins = {r[0] for r in _rows(engine, "SELECT login FROM staff WHERE role = 'manager'")}
    assert {r.login for r in rows} >= logins, "every manager works some"
    now = clock.parse_instant(NOW).date()
    due = [r.expected_close for r in rows if r.status == "open"]
    assert all(now < datetime.fromisoformat(day).date() < now + timedelta(days=200) for day in due)


def test_proposals_wait_for_the_supervisor_and_one_came_back(
    branch: tuple[Engine, DemoSummary],
) -> None:
    """At the proposal step most proposals clear the ratio; a few below it wait for the
    supervisor; the one 王芳 returned to 张伟 with a comment is a follow-up on his Today, as
    ``return_proposal`` makes it."""
    engine, _ = branch
    pipeline = Settings().pipeline
    rows = _opportunities(engine)
    ratio = pipeline.min_return_ratio
    proposals = Counter(r.proposal for r in rows if r.proposal is not None)
    assert proposals["clear"] > proposals["waiting"] > 0 and proposals["approved"] > 0
    for r in rows:
        if r.proposal in ("waiting", "returned"):
            assert (r.status, r.stage) == ("open", pipeline.proposal_stage)
        if r.proposal == "clear":
            assert r.return_yuan >= r.cost_yuan * ratio
        elif r.proposal is not None:
            assert r.return_yuan < r.cost_yuan * ratio
    (returned,) = [r for r in rows if r.proposal == "returned"]
    assert returned.login == DEMO_LOGIN
    tasks = _rows(
        engine,
        "SELECT t.kind, t.rule, t.idem_key, t.status, t.customer_id, s.login FROM task t"
        " JOIN staff s ON s.id = t.owner_id WHERE t.rule = 'proposal_returned'",
    )
    key = f"proposal_returned:{returned.id}:{returned.version}"
    assert tasks == [
        ("follow_up", "proposal_returned", key, "open", returned.customer_id, DEMO_LOGIN)
    ]
    supervisors = _rows(
        engine,
        "SELECT DISTINCT v.login FROM opportunity o JOIN staff s ON s.id = o.owner_id"
        " JOIN staff v ON v.team_id = s.team_id AND v.role = 'supervisor'"
        " WHERE o.proposal = 'waiting'",
    )
    assert ("wangfang",) in supervisors


def test_each_opportunitys_history_agrees_with_it(branch: tuple[Engine, DemoSummary]) -> None:
    """Made ("new") when it was created, moved a step at a time, a week or three at each; its
    last move's step is where it stands since then; its last step and version are the history's;
    a few have gone quiet, most have a next step in the coming days."""
    engine, _ = branch
    stages = Settings().pipeline.stages
    history: dict[int, list[Any]] = {}
    for e in _rows(
        engine,
        "SELECT opportunity_id, at, action, from_stage, to_stage FROM opportunity_event"
        " ORDER BY opportunity_id, at, id",
    ):
        history.setdefault(e.opportunity_id, []).append(e)
    rows = _opportunities(engine)
    assert set(history) == {r.id for r in rows}
    now = _stored(clock.parse_instant(NOW))
    gaps = []
    for r in rows:
        events = history[r.id]
        assert events[0].action == "new" and events[0].at == r.created_at
        assert all(e.at < now for e in events)
        went = [e for e in events if e.to_stage is not None]
        assert went[-1].to_stage == r.stage and went[-1].at == r.stage_since
        moves = [e for e in events if e.action == "move"]
        for before, after in zip(went, moves, strict=False):
            assert after.from_stage == before.to_stage
            assert stages.index(after.to_stage) == stages.index(after.from_stage) + 1
        gaps += [
            (datetime.fromisoformat(b.at) - datetime.fromisoformat(a.at)).days
            for a, b in itertools.pairwise(went)
        ]
        stepped = [e.at for e in events if e.action not in ("approve", "return")]
        assert r.last_step_at == max(stepped)
        assert r.version == 1 + sum(e.action not in ("new", "propose") for e in events)
        assert (r.closed_at is not None) == (r.status != "open")
    gaps.sort()
    assert 7 <= gaps[len(gaps) // 2] <= 21, "a week or three a step"
    still = [r for r in rows if r.status == "open"]
    stale = _stored(clock.parse_instant(NOW) - timedelta(days=Settings().pipeline.stale_days))
    quiet = [r for r in still if r.last_step_at < stale or r.next_due < now]
    assert 0 < len(quiet) < len(still) * 0.25
    assert any(r.last_step_at < stale for r in still) and any(r.next_due < now for r in still)
    assert {r.login for r in quiet} >= {DEMO_LOGIN}


def test_opportunities_from_referrals_keep_to_the_referral(
    branch: tuple[Engine, DemoSummary],
) -> None:
    """A few came from referrals the manager reached: the same customer, product and manager,
    made after the first contact; they are open, so the referral stays open too."""
    engine, _ = branch
    linked = _rows(
        engine,
        "SELECT o.customer_id, r.customer_id, o.product, r.product, o.owner_id, r.to_id,"
        " o.created_at, r.contacted_at, o.status, r.status FROM opportunity o"
        " JOIN referral r ON r.id = o.referral_id",
    )
    assert linked
    for cid, referred, product, wanted, owner, to, made, contacted, status, state in linked:
        assert (cid, product, owner) == (referred, wanted, to)
        assert contacted is not None and made > contacted
        assert (status, state) == ("open", "open")
    # No other opportunity is with a customer referred this month: winning it would convert.
    others = _rows(
        engine,
        "SELECT COUNT(*) FROM opportunity o JOIN referral r ON r.customer_id = o.customer_id"
        " WHERE o.referral_id IS NULL",
    )
    assert others == [(0,)]


def test_the_services_work_the_demos_pipeline(tmp_path: Path, frozen: datetime) -> None:
    """What the demo wrote is what the services read and change: 王芳 sees 张伟's waiting
    proposal and approves it; 张伟 sends the returned one again (its follow-up closes), moves it
    on and wins it."""
    engine = _fresh(tmp_path / "t.db")
    build_demo(engine=engine, customers=1200, seed=5)
    settings = Settings()
    with engine.connect() as conn:
        zhang, wang = (find_actor(conn, login) for login in (DEMO_LOGIN, "wangfang"))
    board = Workbench(engine, settings, zhang).opportunities.board()
    assert all(group.count > 0 for group in board.stages)
    waiting = Workbench(engine, settings, wang).opportunities.waiting()
    assert DEMO_LOGIN in {o.owner for o in waiting}
    mine = next(o for o in waiting if o.owner == DEMO_LOGIN)
    approved = Workbench(engine, settings, wang).opportunities.approve(
        opportunity_id=mine.id, version=mine.version
    )
    assert approved.proposal == "approved"
    works = Workbench(engine, settings, zhang).opportunities
    (returned,) = [o for o in works.list() if o.proposal == "returned"]
    revised = works.propose(
        opportunity_id=returned.id, cost=10_000, expected_return=30_000, version=returned.version
    )
    assert revised.proposal == "clear"
    assert _rows(engine, "SELECT status FROM task WHERE rule = 'proposal_returned'") == [("done",)]
    moved = works.move(opportunity_id=revised.id, version=revised.version)
    assert works.won(opportunity_id=moved.id, version=moved.version).status == "won"


def _goals(engine: Engine, measure: str, period: str) -> dict[str, int]:
    """Holder → amount of ``measure``'s goals in ``period``."""
    rows = _rows(
        engine,
        "SELECT holder, amount FROM goal WHERE measure = :m AND period = :p",
        m=measure,
        p=period,
    )
    return dict(rows)


def test_the_years_goals_are_set_and_their_parts_sum(branch: tuple[Engine, DemoSummary]) -> None:
    """Every configured measure has a 2026 goal, broken down so each whole is its parts: the
    branch's year is its months and its teams' years, each team's its managers'."""
    engine, _ = branch
    teams = dict(_rows(engine, "SELECT 'staff:' || id, 'team:' || team_id FROM staff"))
    for measure in Settings().goals.measures:
        year = _goals(engine, measure, "2026")
        (whole,) = [amount for holder, amount in year.items() if holder.startswith("branch:")]
        assert whole >= 12, measure
        months = [_goals(engine, measure, f"2026-{m:02d}") for m in range(1, 13)]
        assert sum(amount for month in months for h, amount in month.items() if "branch" in h) == (
            whole
        )
        team_years = {h: a for h, a in year.items() if h.startswith("team:")}
        assert sum(team_years.values()) == whole, measure  # every demo manager is in a team
        for team, amount in team_years.items():
            members = [a for h, a in year.items() if teams.get(h) == team]
            assert sum(members) == amount, (measure, team)
        november = months[10]
        assert sum(a for h, a in november.items() if h.startswith("team:")) == sum(
            a for h, a in november.items() if h.startswith("branch:")
        )


def test_novembers_results_are_near_novembers_goals(branch: tuple[Engine, DemoSummary]) -> None:
    """By the demo's Monday, two thirds into November, the leaderboard has something to say:
    of new customers, products opened and visits done (the measures most managers do every
    week), at least two thirds of the managers are between 30% and 150% of their month's
    goal; deposits (a handful of A1 deposits make most of the yuan), opportunities won and
    referrals converted (a few a month for the whole branch) are near it for the branch."""
    from cmworkbench.services.goals.api import per_staff

    engine, _ = branch
    settings = Settings()
    phone = {
        f"staff:{i}" for (i,) in _rows(engine, "SELECT id FROM staff WHERE role = 'phone_manager'")
    }
    for measure in settings.goals.measures:
        goals = _goals(engine, measure, "2026-11")
        with Session(engine) as session:
            done = per_staff(session, settings, measure, "2026-11")
        staff = {h: a for h, a in goals.items() if h.startswith("staff:") and a > 0}
        branch_goal = sum(a for h, a in goals.items() if h.startswith("branch:"))
        share = sum(done.values()) / branch_goal
        assert 0.3 <= share <= 1.5, (measure, share)
        if measure in ("new_customers", "products_opened", "visits_done"):
            near = [h for h, a in staff.items() if 0.3 <= done.get(int(h[6:]), 0) / a <= 1.5]
            assert len(near) >= 2 * len(staff) / 3, (measure, len(near), len(staff))
    # the head's correction: phone managers visit nobody, so they have no visits this month
    visits = _goals(engine, "visits_done", "2026-11")
    assert phone and all(visits[h] == 0 for h in phone)

"""The demo's credit files (issue 29): two risk managers, files in every state with the history
the credit services write, post-loan checks done by visits, the next ones due; the risk
managers' queues and the demo login's Today are alive on the first run, and the services work
what the demo wrote."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.engine import make_engine
from cmworkbench.db.migrate import upgrade
from cmworkbench.domain import credit as rules
from cmworkbench.services.core.login import find_actor
from cmworkbench.services.credit.api import escalate_overdue
from cmworkbench.services.ops.demo import DEMO_LOGIN, build_demo
from cmworkbench.services.tasks.generate import generate
from cmworkbench.services.workbench import Workbench

NOW = "2026-11-23T08:30"
TODAY = date(2026, 11, 23)
SETTINGS = Settings()


def _fresh(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    return engine


def _rows(engine: Engine, sql: str, **params: Any) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(text(sql), params).all())


def _as(engine: Engine, login: str) -> Workbench:
    with engine.connect() as conn:
        actor = find_actor(conn, login)
    return Workbench(engine, SETTINGS, actor)


def _instant(stored: str) -> datetime:
    return datetime.fromisoformat(stored).replace(tzinfo=UTC)


@pytest.fixture(scope="module")
def branch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One 5,000-customer demo branch shared by the read-only checks."""
    clock.freeze(NOW)
    try:
        engine = _fresh(tmp_path_factory.mktemp("credit") / "demo.db")
        build_demo(engine=engine, customers=5000, seed=7)
    finally:
        clock.set_now(None)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _at_the_demos_now() -> None:
    clock.freeze(NOW)


def test_every_state_is_there_with_two_risk_managers(branch: Engine) -> None:
    risk = _rows(branch, "SELECT login, role, team_id FROM staff WHERE role = 'risk_manager'")
    assert sorted(risk) == [("fengkong", "risk_manager", None), ("qinlan", "risk_manager", None)]
    states = Counter(s for (s,) in _rows(branch, "SELECT state FROM credit_file"))
    assert set(states) == set(rules.STATES), "every state of a file"
    assert (states["returned"], states["superseded"]) == (1, 1)
    assert 15 <= sum(states.values()) <= 60, "tens of files, not thousands"
    assert states["approved"] > states["draft"] + states["submitted"]
    mine = Counter(
        s
        for (s,) in _rows(
            branch,
            "SELECT f.state FROM credit_file f JOIN staff s ON s.id = f.owner_id"
            " WHERE s.login = :login",
            login=DEMO_LOGIN,
        )
    )
    assert mine == {"draft": 1, "submitted": 1, "returned": 1, "approved": 2}
    # both risk managers have files waiting for their signature, a few working days old
    for login in ("fengkong", "qinlan"):
        queue = _as(branch, login).credit.queue()
        waiting = [f for f in queue if f.state == "submitted"]
        assert waiting, login
        assert all(
            f.submitted_at is not None and (TODAY - f.submitted_at.date()).days <= 7
            for f in waiting
        )
    assert any(f.owner == DEMO_LOGIN for f in _as(branch, "fengkong").credit.queue())


def test_each_file_is_as_the_services_would_have_left_it(branch: Engine) -> None:
    files = _rows(
        branch,
        "SELECT id, state, amount_yuan, submitted_at, signed_at, created_at, version,"
        " updated_at FROM credit_file",
    )
    credit = SETTINGS.credit
    touching = {"check", "figures", "guarantor", "submit", "sign", "return", "superseded"}
    for file_id, state, amount, submitted, signed, created, version, updated in files:
        items = _rows(
            branch, "SELECT item, result, note FROM credit_item WHERE file_id = :f", f=file_id
        )
        nets = [
            n
            for (n,) in _rows(
                branch, "SELECT net_assets_yuan FROM credit_guarantor WHERE file_id = :f", f=file_id
            )
        ]
        assert sorted(i[0] for i in items) == sorted(credit.items)
        blocking = rules.blocking(credit, amount, [rules.ItemState(*i) for i in items], nets)
        if state == "draft":
            assert any(result is None for _, result, _ in items), "a draft has items open"
        else:  # signed by the manager at least: every item checked, the guarantors cover it
            assert blocking == [], (file_id, blocking)
            assert rules.coverage(amount, nets) >= credit.guarantor_coverage
        if state in ("approved", "superseded"):
            assert submitted < signed, file_id
        events = _rows(
            branch, "SELECT at, action FROM credit_event WHERE file_id = :f ORDER BY id", f=file_id
        )
        assert [at for at, _ in events] == sorted(at for at, _ in events)
        assert events[0] == (created, "new") or events[0][1] == "revise"
        assert version == 1 + sum(action in touching for _, action in events)
        assert updated == max([created] + [at for at, a in events if a in touching])
        assert _instant(events[-1][0]) < clock.now()


def test_post_loan_checks_were_done_by_visits_and_the_next_are_due(branch: Engine) -> None:
    done = _rows(
        branch,
        "SELECT pc.id, pc.due_on, pc.done_at, i.kind, i.status, i.purpose, i.note, pc.findings,"
        " t.status, t.closed_at FROM post_loan_check pc"
        " JOIN interaction i ON i.id = pc.interaction_id"
        " JOIN task t ON t.idem_key = 'post_loan:check:' || pc.id"
        " WHERE pc.done_at IS NOT NULL",
    )
    assert len(done) >= 5
    for _, _due, at, kind, status, purpose, note, findings, task, closed in done:
        assert (kind, status, purpose, task, closed) == ("visit", "done", "post_loan", "done", at)
        assert note == findings and findings
    late = [
        r for r in done if _instant(r[2]).astimezone(clock.branch_tz()).date().isoformat() > r[1]
    ]
    assert len(late) < len(done) / 3, "most on their day, some late"
    # the open checks: one of last week not done, escalated to the supervisor and the risk
    # manager; the others due from today on, some this week
    open_checks = _rows(
        branch, "SELECT id, due_on, escalated_at FROM post_loan_check WHERE done_at IS NULL"
    )
    overdue = [r for r in open_checks if r[1] < TODAY.isoformat()]
    assert len(overdue) == 1 and overdue[0][2] is not None
    told = _rows(
        branch,
        "SELECT s.role FROM notification n JOIN staff s ON s.id = n.recipient_id"
        " WHERE n.idem_key LIKE :key",
        key=f"post_loan_overdue:{overdue[0][0]}:%",
    )
    assert sorted(r for (r,) in told) == ["risk_manager", "supervisor"]
    with Session(branch) as session:  # the sweep finds nothing left to tell
        assert escalate_overdue(session=session, settings=SETTINGS) == 0
    this_week = [r for r in open_checks if TODAY.isoformat() <= r[1] <= "2026-11-27"]
    assert len(this_week) >= 2
    # the superseded version kept its checks' history, its newer version the open check
    (old, new) = _rows(
        branch,
        "SELECT o.id, n.id FROM credit_file o JOIN credit_file n ON n.previous_id = o.id"
        " WHERE o.state = 'superseded' AND n.state = 'approved'",
    )[0]
    assert _rows(branch, "SELECT COUNT(*) FROM post_loan_check WHERE file_id = :f", f=old)[0][0]
    assert _rows(
        branch, "SELECT COUNT(*) FROM post_loan_check WHERE file_id = :f AND done_at IS NULL", f=new
    ) == [(1,)]


def test_the_returned_file_is_on_the_demo_logins_today_with_its_comment(branch: Engine) -> None:
    (file_id, comment, returned) = _rows(
        branch, "SELECT id, return_comment, returned_at FROM credit_file WHERE state = 'returned'"
    )[0]
    tasks = _rows(
        branch,
        "SELECT kind, status, note, idem_key FROM task WHERE rule = 'credit_returned'"
        " AND status = 'open'",
    )
    iso = _instant(returned).isoformat()
    assert tasks == [("follow_up", "open", comment, f"credit_returned:{file_id}:{iso}")]
    assert _instant(returned).astimezone(clock.branch_tz()).date() == date(2026, 11, 20)
    rows = _as(branch, DEMO_LOGIN).tasks.today()
    assert any(r.kind == "follow_up" and f"#{file_id}" in (r.task_reason or "") for r in rows)


def test_the_services_work_the_demos_credit_files(tmp_path: Path) -> None:
    """After the morning's generation 张伟's post-loan check is on his Today and a visit with
    findings closes it; he submits the returned file again (its follow-up closes); the risk
    manager signs a waiting file."""
    engine = _fresh(tmp_path / "t.db")
    build_demo(engine=engine, customers=1200, seed=5)
    with engine.begin() as conn:
        generate(conn, SETTINGS)
    zhang = _as(engine, DEMO_LOGIN)
    keys = {
        r.task_id: _rows(engine, "SELECT idem_key FROM task WHERE id = :t", t=r.task_id)[0][0]
        for r in zhang.tasks.today()
        if r.kind == "post_loan"
    }
    (task_id, key) = next((t, k) for t, k in keys.items() if k.startswith("post_loan:check:"))
    check_id = int(key.rsplit(":", 1)[1])
    zhang.tasks.log_visit(task_id, "done", note="厂区正常生产，库存与账面相符")
    (file_id, findings) = _rows(
        engine, "SELECT file_id, findings FROM post_loan_check WHERE id = :c", c=check_id
    )[0]
    assert findings == "厂区正常生产，库存与账面相符"
    assert zhang.credit.show(file_id).checks[-1].done_at is None, "the next one is scheduled"
    files = {f.state: f for f in zhang.credit.list()}
    returned = files["returned"]
    zhang.credit.check(returned.id, "ledger", "pass", finding="已补充近三个月流水")
    again = zhang.credit.submit(returned.id)
    assert again.file.state == "submitted" and again.file.risk_manager == "qinlan"
    assert _rows(engine, "SELECT status FROM task WHERE rule = 'credit_returned'")[-1] == ("done",)
    fengkong = _as(engine, "fengkong")
    waiting = [f for f in fengkong.credit.queue() if f.state == "submitted"]
    signed = fengkong.credit.sign(waiting[0].id)
    assert signed.file.state == "approved" and signed.checks[-1].done_at is None

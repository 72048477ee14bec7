"""Daily task generation: each rule at its boundary, idempotency, closing what has gone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from cmworkbench import clock
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import (
    Branch,
    Complaint,
    Contact,
    Customer,
    CustomerMetric,
    Holding,
    Interaction,
    Staff,
)
from cmworkbench.services.tasks.generate import generate

TODAY = date(2026, 11, 23)  # a Monday; the clock is frozen at 08:30 that day


@pytest.fixture
def branch(engine: Engine, frozen_clock):
    with unit_of_work(engine) as s:
        b = Branch(code="0101", name="城东支行")
        s.add(b)
        s.flush()
        m = Staff(
            login="zhangwei", name="张伟", role="manager", branch_id=b.id, created_at=clock.now()
        )
        s.add(m)
        s.flush()
        return m.id


def customer(
    engine: Engine, owner: int, number: str, *, cls: str = "A1", days_old: int = 400, **fields
) -> int:
    at = clock.now() - timedelta(days=days_old)
    with unit_of_work(engine) as s:
        c = Customer.model_validate(
            {
                "customer_no": number,
                "kind": fields.pop("kind", "individual"),
                "name": "客户" + number,
                "cls": cls,
                "owner_id": owner,
                "created_at": at,
                "updated_at": at,
                "info_verified_at": fields.pop("verified_at", clock.now()),
                **fields,
            }
        )
        s.add(c)
        s.flush()
        return c.id


def contact(
    engine: Engine,
    owner: int,
    customer_id: int,
    days_ago: int,
    kind: str = "call",
    status: str = "done",
    purpose: str | None = None,
) -> None:
    at = clock.now() - timedelta(days=days_ago)
    with unit_of_work(engine) as s:
        s.add(
            Interaction(
                customer_id=customer_id,
                staff_id=owner,
                kind=kind,
                status=status,
                happened_at=at,
                outcome="reached" if kind == "call" else "done",
                purpose=purpose,
                created_at=at,
            )
        )


def run(engine: Engine, settings, day: date = TODAY):
    with engine.begin() as conn:
        return generate(conn, settings, day)


def tasks(engine: Engine, kind: str) -> list[tuple]:
    """(customer no, due_at as aware UTC, status, rule) of the tasks of ``kind``."""
    with engine.connect() as conn:
        rows = list(
            conn.execute(
                text(
                    "SELECT c.customer_no, t.due_at, t.status, t.rule FROM task t JOIN customer c"
                    " ON c.id = t.customer_id WHERE t.kind = :k ORDER BY c.customer_no"
                ),
                {"k": kind},
            )
        )
    return [(no, _aware(due), status, rule) for no, due, status, rule in rows]


def _aware(stored: str | datetime) -> datetime:
    """A stored instant: an ISO string on SQLite, an aware datetime on PostgreSQL."""
    if isinstance(stored, datetime):
        return stored.astimezone(UTC)
    return datetime.fromisoformat(stored).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("cls", "days_ago", "expected"),
    [
        pytest.param("A1", 19, False, id="A1-called-19-days-ago-is-not-due"),
        pytest.param("A1", 20, True, id="A1-called-20-days-ago-is-due-today"),
        pytest.param("A1", 31, True, id="A1-called-31-days-ago-is-overdue"),
        pytest.param("B1", 44, False, id="B1-called-44-days-ago-is-not-due"),
        pytest.param("B1", 45, True, id="B1-called-45-days-ago-is-due"),
        pytest.param("C", 149, False, id="C-called-149-days-ago-is-not-due"),
    ],
)
def test_contact_cadence_from_the_last_logged_contact(
    engine, settings, branch, cls, days_ago, expected
):
    c = customer(engine, branch, "C001", cls=cls)
    contact(engine, branch, c, days_ago)
    run(engine, settings)
    found = tasks(engine, "contact")
    assert bool(found) is expected
    if expected:
        due = found[0][1]
        assert due.astimezone(clock.branch_tz()).date() == TODAY - timedelta(
            days=days_ago
        ) + timedelta(days=settings.cadence[cls].ideal_days)


def test_an_sms_does_not_count_for_an_A1_customer(engine, settings, branch):
    c = customer(engine, branch, "C001", cls="A1")
    contact(engine, branch, c, 30, kind="call")
    contact(engine, branch, c, 2, kind="sms")
    run(engine, settings)
    assert len(tasks(engine, "contact")) == 1


def test_vip_rule_is_stricter_than_the_class_rule(engine, settings, branch):
    c = customer(engine, branch, "C001", cls="C", is_vip=True)
    contact(engine, branch, c, 50)
    run(engine, settings)
    assert tasks(engine, "contact")[0][3] == "cadence.vip"


def test_generation_is_idempotent(engine, settings, branch):
    c = customer(engine, branch, "C001")
    contact(engine, branch, c, 40)
    first = run(engine, settings)
    second = run(engine, settings)
    assert first.created["contact"] == 1
    assert second.total_created == 0
    assert len(tasks(engine, "contact")) == 1


def test_a_later_contact_closes_the_task_and_the_next_period_gets_a_new_one(
    engine, settings, branch
):
    c = customer(engine, branch, "C001")
    contact(engine, branch, c, 40)
    run(engine, settings)
    contact(engine, branch, c, 0)
    result = run(engine, settings)
    assert result.closed == 1
    assert [t[2] for t in tasks(engine, "contact")] == ["done"]
    later = run(engine, settings, TODAY + timedelta(days=25))
    assert later.created["contact"] == 1


@pytest.mark.parametrize(
    ("cls", "verified_days_ago", "expected"),
    [
        pytest.param("A1", 29, False, id="A1-verified-29-days-ago-is-fresh"),
        pytest.param("A1", 31, True, id="A1-verified-31-days-ago-is-due"),
        pytest.param("B1", 59, False, id="B1-verified-59-days-ago-is-fresh"),
        pytest.param("B1", 61, True, id="B1-verified-61-days-ago-is-due"),
        pytest.param("C", None, True, id="never-verified-is-due"),
    ],
)
def test_info_reverification_by_class(engine, settings, branch, cls, verified_days_ago, expected):
    at = None if verified_days_ago is None else clock.now() - timedelta(days=verified_days_ago)
    customer(engine, branch, "C001", cls=cls, verified_at=at)
    run(engine, settings)
    assert bool(tasks(engine, "verify_info")) is expected


@pytest.mark.parametrize(
    ("birthday", "expected"),
    [
        pytest.param(date(1970, 11, 26), True, id="birthday-in-3-days"),
        pytest.param(date(1970, 11, 27), False, id="birthday-in-4-days"),
        pytest.param(date(1970, 11, 23), True, id="birthday-today"),
    ],
)
def test_care_for_key_persons_birthdays(engine, settings, branch, birthday, expected):
    c = customer(engine, branch, "C001", kind="group")
    with unit_of_work(engine) as s:
        s.add(Contact(customer_id=c, name="刘总", birthday=birthday, is_key_person=True,
                      updated_at=clock.now()))  # fmt: skip
    run(engine, settings)
    assert bool(tasks(engine, "care")) is expected


def test_a_groups_plain_contacts_birthdays_make_no_care_task(engine, settings, branch):
    """An imported staff directory (通讯录) holds hundreds of a group's people: their birthdays
    must not flood Today. Care goes to the key persons (and to individual customers)."""
    c = customer(engine, branch, "C001", kind="group")
    with unit_of_work(engine) as s:
        for n in range(20):
            s.add(Contact(customer_id=c, name=f"员工{n}", birthday=date(1980, 11, 24),
                          updated_at=clock.now()))  # fmt: skip
        s.add(Contact(customer_id=c, name="刘总", birthday=date(1970, 11, 24), is_key_person=True,
                      role="decision_maker", updated_at=clock.now()))  # fmt: skip
    run(engine, settings)
    assert len(tasks(engine, "care")) == 1


def test_after_sale_return_visit_until_one_is_logged(engine, settings, branch):
    c = customer(engine, branch, "C001", cls="C", days_old=30)  # no cadence task yet
    with unit_of_work(engine) as s:
        s.add(
            Holding(
                customer_id=c,
                product="宽带套餐",
                product_kind="telecom",
                activated_on=TODAY - timedelta(days=10),
            )
        )
        s.add(
            Holding(
                customer_id=c,
                product="专线",
                product_kind="telecom",
                activated_on=TODAY - timedelta(days=3),
            )
        )
    run(engine, settings)
    found = tasks(engine, "after_sale")
    assert len(found) == 1, "only the one activated 7+ days ago"
    assert found[0][1].astimezone(clock.branch_tz()).date() == date(2026, 11, 13) + timedelta(
        days=61
    )  # 2 months after 2026-11-13


def test_after_sale_not_created_once_the_return_visit_was_made(engine, settings, branch):
    c = customer(engine, branch, "C001")
    with unit_of_work(engine) as s:
        s.add(
            Holding(
                customer_id=c,
                product="宽带套餐",
                product_kind="telecom",
                activated_on=TODAY - timedelta(days=20),
            )
        )
    contact(engine, branch, c, 5, purpose="after_sale")  # day 15: inside its window
    run(engine, settings)
    assert tasks(engine, "after_sale") == []


def test_maturity_and_post_loan_within_their_lead_times(engine, settings, branch):
    c = customer(engine, branch, "C001")
    with unit_of_work(engine) as s:
        s.add(
            Holding(
                customer_id=c,
                product="定期存款",
                product_kind="deposit",
                matures_on=TODAY + timedelta(days=30),
            )
        )
        s.add(
            Holding(
                customer_id=c,
                product="大额存单",
                product_kind="deposit",
                matures_on=TODAY + timedelta(days=31),
            )
        )
        s.add(
            Holding(
                customer_id=c,
                product="经营贷",
                product_kind="loan",
                next_check_on=TODAY + timedelta(days=7),
            )
        )
        s.add(
            Holding(
                customer_id=c,
                product="房贷",
                product_kind="loan",
                next_check_on=TODAY + timedelta(days=8),
            )
        )
    run(engine, settings)
    assert len(tasks(engine, "maturity")) == 1
    assert len(tasks(engine, "post_loan")) == 1


def test_the_maturity_call_falls_due_as_many_days_ahead_as_the_branch_says(
    engine, settings, branch
):
    """A branch that calls ten days before a deposit matures (``maturity_due_days = 10``):
    the call for a deposit maturing on 12-03 is due on 11-23 and overdue after 12-03."""
    c = customer(engine, branch, "C001")
    with unit_of_work(engine) as s:
        s.add(Holding(customer_id=c, product="定期存款", product_kind="deposit",
                      matures_on=date(2026, 12, 3)))  # fmt: skip
    ten = replace(settings, tasks=replace(settings.tasks, maturity_due_days=10))
    run(engine, ten)
    (found,) = tasks(engine, "maturity")
    assert found[1].astimezone(clock.branch_tz()).date() == date(2026, 11, 23)


def test_complaint_return_call_within_the_month_of_resolution(engine, settings, branch):
    c = customer(engine, branch, "C001")
    with unit_of_work(engine) as s:
        s.add(
            Complaint(
                ticket_no="T1",
                customer_id=c,
                channel="phone",
                category="fee",
                description="多扣费",
                owner_id=branch,
                received_by_id=branch,
                status="resolved",
                received_at=clock.now(),
                resolved_at=clock.now(),
            )
        )
    run(engine, settings)
    due = tasks(engine, "return_call")[0][1].astimezone(clock.branch_tz())
    assert due.date() == date(2026, 11, 30)


@pytest.mark.parametrize(
    ("before", "after", "status", "expected"),
    [
        pytest.param(1_000_000, 600_000, "active", True, id="assets-down-40-percent"),
        pytest.param(1_000_000, 800_000, "active", False, id="assets-down-20-percent"),
        pytest.param(1_000_000, 1_000_000, "at_risk", True, id="marked-at-risk"),
    ],
)
def test_churn_signals_open_a_retention_task(
    engine, settings, branch, before, after, status, expected
):
    c = customer(engine, branch, "C001", status=status)
    contact(engine, branch, c, 1)
    with unit_of_work(engine) as s:
        s.add(CustomerMetric(customer_id=c, month="2026-09", assets_yuan=before))
        s.add(CustomerMetric(customer_id=c, month="2026-10", assets_yuan=after))
    run(engine, settings)
    made = tasks(engine, "retention")
    assert bool(made) is expected
    if made:  # due when the branch opens today, as the list shows it: not at midnight
        due = made[0][1].astimezone(clock.branch_tz())
        assert (due.date(), due.strftime("%H:%M")) == (date(2026, 11, 23), "08:30"), due


def test_lost_customers_and_customers_without_owner_get_nothing(engine, settings, branch):
    customer(engine, branch, "C001", status="lost", verified_at=None)
    run(engine, settings)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM task")).scalar() == 0


def test_cli_generate_prints_created_and_closed(engine, settings, branch, capsys):
    from cmworkbench.cli import main

    customer(engine, branch, "C001", verified_at=None)
    url = engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "--now", "2026-11-23T06:30", "generate", "--date", "2026-11-23"]) == 0
    out = capsys.readouterr().out
    assert "新建任务" in out and "verify_info: 1" in out


def test_a_generation_by_hand_is_the_day_s_run_the_scheduler_does_not_repeat(
    engine, settings, branch, capsys
):
    """At 07:10 IT runs ``cmw generate`` (the 06:30 job had not run): the day's slot is
    recorded, and the scheduler, started at 07:15, does not generate the day again (at a
    million customers that held the write lock for most of a minute)."""
    from cmworkbench.cli import main
    from cmworkbench.services.ops import lease

    customer(engine, branch, "C001", verified_at=None)
    url = engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "--now", "2026-11-23T07:10", "generate"]) == 0
    with engine.connect() as conn:
        runs = conn.execute(text("SELECT job_id, slot, outcome, holder FROM job_run")).all()
    assert [tuple(r) for r in runs] == [("generate", "2026-11-23", "done", lease.BY_HAND)]
    clock.freeze("2026-11-23T07:15")
    assert lease.take(engine, "scheduler-a", 30)
    ran = lease.run_scheduled(
        engine,
        settings,
        holder="scheduler-a",
        job_id="generate",
        slot="2026-11-23",
        workdays_only=True,
        work=lambda session, config: "generated again",
    )
    assert ran is None
    assert main(["--db", url, "--now", "2026-11-23T07:20", "generate"]) == 0, "by hand: runs"
    assert main(["--db", url, "--now", "2026-11-23T07:25", "generate", "--date", "2026-11-24"]) == 0
    with engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM job_run")).scalar() == 1


def deadlines(engine: Engine, kind: str) -> list[tuple[str, datetime, datetime | None]]:
    """(customer no, due_at, deadline_at) of the open tasks of ``kind``, as aware UTC."""
    with engine.connect() as conn:
        rows = list(
            conn.execute(
                text(
                    "SELECT c.customer_no, t.due_at, t.deadline_at FROM task t JOIN customer c"
                    " ON c.id = t.customer_id WHERE t.kind = :k AND t.status = 'open'"
                    " ORDER BY c.customer_no"
                ),
                {"k": kind},
            )
        )
    return [(no, _aware(due), _aware(last) if last else None) for no, due, last in rows]


def test_a_contact_task_is_due_at_the_ideal_day_and_overdue_only_past_the_maximum(
    engine, settings, branch
):
    c = customer(engine, branch, "C001", cls="A1")
    contact(engine, branch, c, 25)
    run(engine, settings)
    called = clock.now() - timedelta(days=25)
    [(_, due, deadline)] = deadlines(engine, "contact")
    assert due == called + timedelta(days=settings.cadence["A1"].ideal_days)
    assert deadline == called + timedelta(days=settings.cadence["A1"].max_days)


def test_a_contact_task_made_before_deadlines_gets_its_deadline_on_the_next_run(
    engine, settings, branch
):
    c = customer(engine, branch, "C001", cls="B1")
    contact(engine, branch, c, 50)
    run(engine, settings)
    with engine.begin() as conn:  # as a task of the release before deadlines looks
        conn.execute(text("UPDATE task SET deadline_at = NULL"))
    result = run(engine, settings)
    assert (result.total_created, result.closed) == (0, 0)
    called = clock.now() - timedelta(days=50)
    [(_, _, deadline)] = deadlines(engine, "contact")
    assert deadline == called + timedelta(days=settings.cadence["B1"].max_days)
    before = _all_tasks(engine)
    again = run(engine, settings)
    assert (again.total_created, again.closed) == (0, 0)
    assert _all_tasks(engine) == before, "a second run changes nothing"


def test_a_maturity_task_is_due_a_week_ahead_and_overdue_past_the_maturity_day(
    engine, settings, branch
):
    c = customer(engine, branch, "C001")
    matures_on = TODAY + timedelta(days=5)
    with unit_of_work(engine) as s:
        s.add(
            Holding(
                customer_id=c, product="定期存款", product_kind="deposit", matures_on=matures_on
            )
        )
    run(engine, settings)
    [(_, due, deadline)] = deadlines(engine, "maturity")
    tz = clock.branch_tz()
    assert due.astimezone(tz).date() == matures_on - timedelta(days=7)
    assert deadline is not None and deadline.astimezone(tz).date() == matures_on
    with engine.begin() as conn:
        conn.execute(text("UPDATE task SET deadline_at = NULL"))
    run(engine, settings)
    assert deadlines(engine, "maturity")[0][2] == deadline


def test_other_tasks_have_no_deadline_of_their_own(engine, settings, branch):
    customer(engine, branch, "C001", verified_at=None)
    run(engine, settings)
    assert [last for _, _, last in deadlines(engine, "verify_info")] == [None]


def _all_tasks(engine: Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(text("SELECT * FROM task ORDER BY id"))]

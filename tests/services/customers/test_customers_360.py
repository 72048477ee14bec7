"""The customer 360 view and the small writes behind its keys, as a branch uses them.

The branch: two teams. 王芳 (team 1) owns the A1 customer 杭州西湖茶业 (C001), backed up by
李强; 赵磊 (team 2) owns C900. It is Monday 23 November 2026, 08:30 at the branch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

import pytest
from conftest import Factory
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from cmworkbench import clock, i18n
from cmworkbench.config import PrivacySettings, Settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import (
    AuditLog,
    Complaint,
    ComplaintEvent,
    Contact,
    Customer,
    Holding,
    Interaction,
    Staff,
    Task,
)
from cmworkbench.domain import idcard
from cmworkbench.services.complaints import intake as complaints
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import Conflict, InvalidInput, NotFound, OutOfScope
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.validation import FieldsInvalid
from cmworkbench.services.customers import profile as customers
from cmworkbench.services.customers.profile import CustomerInvalid
from cmworkbench.services.customers.schemas import CustomerEdit
from cmworkbench.services.customers.verification import verify_file
from cmworkbench.services.tasks import actions as tasks
from cmworkbench.services.tasks import contacts as interactions

RowT = TypeVar("RowT")
PHONE = "13812345678"
ID_NUMBER = idcard.make("330106", date(1985, 6, 6), 123)  # 330106198506061238
BAD_ID = ID_NUMBER[:17] + "3"  # the check digit should be 8


@dataclass(frozen=True)
class Branch:
    """Who is who in the test branch."""

    wang: Actor
    li: Actor
    zhao: Actor
    admin: Actor
    mine: str
    """C001, 王芳's A1 customer."""
    theirs: str
    """C900, 赵磊's customer in the other team."""


def actor(staff: Staff) -> Actor:
    assert staff.id is not None
    return Actor(staff.id, staff.login, staff.name, staff.role, staff.branch_id, staff.team_id)


def add(session: Session, row: RowT) -> RowT:
    session.add(row)
    session.flush()
    return row


def customer_id(session: Session, customer_no: str) -> int:
    found = session.exec(select(Customer.id).where(Customer.customer_no == customer_no)).one()
    assert found is not None
    return found


def days_ago(days: int, hour: int = 10) -> datetime:
    """``days`` before today at ``hour``:00 branch time, as an aware UTC instant."""
    day = clock.today() - timedelta(days=days)
    return clock.parse_instant(f"{day.isoformat()}T{hour:02d}:00")


def contact_log(
    s: Session, customer_no: str, staff: Actor, kind: str, ago: int, **extra: object
) -> Interaction:
    """An interaction ``ago`` days before today (done, unless ``extra`` says otherwise)."""
    return add(
        s,
        Interaction.model_validate(
            {
                "customer_id": customer_id(s, customer_no),
                "staff_id": staff.id,
                "kind": kind,
                "happened_at": days_ago(ago),
                "created_at": clock.now(),
                **extra,
            }
        ),
    )


@pytest.fixture(autouse=True)
def _monday(frozen_clock: datetime) -> None:
    """Every test runs at Monday 23 November 2026, 08:30 (the conftest clock)."""


@pytest.fixture
def branch(build: Callable[[], AbstractContextManager[Factory]]) -> Branch:
    with build() as f:
        b = f.branch()
        team1, team2 = f.team(b, "对公一组"), f.team(b, "对公二组")
        wang = f.staff(b, "wangfang", "王芳", team=team1)
        li = f.staff(b, "liqiang", "李强", team=team1)
        zhao = f.staff(b, "zhaolei", "赵磊", team=team2)
        admin = f.staff(b, "it", "信息科", role="admin")
        mine = f.customer(wang, "C001", "杭州西湖茶业", cls="A1")
        mine.backup_id, mine.phone, mine.id_number = li.id, PHONE, ID_NUMBER
        mine.opened_on = date(2020, 3, 1)
        f.customer(zhao, "C900", "钱塘建设", cls="B1")
        return Branch(actor(wang), actor(li), actor(zhao), actor(admin), "C001", "C900")


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """One unit of work, as the workbench runs each service call."""
    with unit_of_work(engine) as s:
        yield s


def view(engine: Engine, who: Actor, customer_no: str) -> customers.Customer360:
    with unit_of_work(engine) as s:
        return customers.get_customer_360(
            session=s, actor=who, settings=Settings(), customer_no=customer_no
        )


def stored(engine: Engine, customer_no: str) -> Customer:
    with unit_of_work(engine) as s:
        return s.exec(select(Customer).where(Customer.customer_no == customer_no)).one()


def audit_rows(engine: Engine, action: str | None = None) -> list[AuditLog]:
    with unit_of_work(engine) as s:
        query = select(AuditLog).order_by(col(AuditLog.id))
        if action is not None:
            query = query.where(AuditLog.action == action)
        return list(s.exec(query).all())


# -- the 360 view -------------------------------------------------------------------------


def test_the_360_shows_phone_and_id_masked_with_the_A_and_B_roles(
    engine: Engine, branch: Branch
) -> None:
    profile = view(engine, branch.wang, "c001").profile
    assert profile.phone == "138****5678"
    assert profile.id_number == "3301**********1238"
    assert PHONE not in repr(profile) and ID_NUMBER not in repr(profile)
    assert (profile.owner_login, profile.owner_name) == ("wangfang", "王芳")
    assert (profile.backup_login, profile.backup_name) == ("liqiang", "李强")
    assert profile.version == 1


@pytest.mark.parametrize(
    ("cls", "verified_days_ago", "overdue"),
    [
        pytest.param("A1", 31, True, id="A1-verified-31-days-ago-is-overdue"),
        pytest.param("A1", 30, False, id="A1-verified-30-days-ago-is-on-the-line"),
        pytest.param("A1", 29, False, id="A1-verified-29-days-ago-is-fresh"),
        pytest.param("A1", None, True, id="A1-never-verified-is-overdue"),
        pytest.param("B1", 45, False, id="B1-verified-45-days-ago-is-fresh"),
        pytest.param("C", 181, True, id="C-verified-181-days-ago-is-overdue"),
    ],
)
def test_basic_data_freshness_follows_the_class_rule(
    engine: Engine, branch: Branch, cls: str, verified_days_ago: int | None, overdue: bool
) -> None:
    with unit_of_work(engine) as s:
        row = s.get(Customer, customer_id(s, branch.mine))
        assert row is not None
        row.cls = cls
        row.info_verified_at = None if verified_days_ago is None else days_ago(verified_days_ago)
    profile = view(engine, branch.wang, branch.mine).profile
    assert profile.days_since_verified == verified_days_ago
    assert profile.freshness_max_days == Settings().freshness[cls].max_days
    assert profile.verification_overdue is overdue


def test_holdings_show_the_soonest_maturity_first(engine: Engine, branch: Branch) -> None:
    with unit_of_work(engine) as s:
        cid = customer_id(s, branch.mine)
        for product, matures in (
            ("活期存款", None),
            ("三年定期", date(2027, 6, 1)),
            ("稳享理财 90 天", date(2026, 12, 3)),
        ):
            add(
                s,
                Holding(
                    customer_id=cid, product=product, product_kind="deposit", matures_on=matures
                ),
            )
    holdings = view(engine, branch.wang, branch.mine).holdings
    assert [h.product for h in holdings] == ["稳享理财 90 天", "三年定期", "活期存款"]
    assert [h.days_to_maturity for h in holdings] == [10, 190, None]


def test_key_persons_come_first_and_their_phones_are_masked(engine: Engine, branch: Branch) -> None:
    with unit_of_work(engine) as s:
        cid, now = customer_id(s, branch.mine), clock.now()
        add(s, Contact(customer_id=cid, name="前台", phone="0571-88886666", updated_at=now))
        add(
            s,
            Contact(
                customer_id=cid,
                name="陈总",
                role="decision_maker",
                phone="13900001111",
                is_key_person=True,
                updated_at=now,
            ),
        )
    contacts = view(engine, branch.wang, branch.mine).contacts
    assert [(c.name, c.phone) for c in contacts] == [
        ("陈总", "139****1111"),
        ("前台", "057******6666"),
    ]


def test_key_persons_are_listed_in_the_sources_order_of_roles(
    engine: Engine, branch: Branch
) -> None:
    """决策人, 执行人, 使用人, 影响人, 内线 (the sources' key persons), then the other people."""
    with unit_of_work(engine) as s:
        cid, now = customer_id(s, branch.mine), clock.now()
        people = (
            ("周内线", "inside_contact"), ("吴使用", "user"), ("前台", "contact"),
            ("郑影响", "influencer"), ("王执行", "executor"), ("陈决策", "decision_maker"),
        )  # fmt: skip
        for name, role in people:
            key = role != "contact"
            add(
                s, Contact(customer_id=cid, name=name, role=role, is_key_person=key, updated_at=now)
            )
    contacts = view(engine, branch.wang, branch.mine).contacts
    assert [c.role for c in contacts] == [
        "decision_maker", "executor", "user", "influencer", "inside_contact", "contact",
    ]  # fmt: skip


def test_the_timeline_merges_contacts_and_complaint_steps_newest_first(
    engine: Engine, branch: Branch, build: Callable[[], AbstractContextManager[Factory]]
) -> None:
    with build() as f:
        s = f.session
        cid = customer_id(s, branch.mine)
        contact_log(
            s,
            branch.mine,
            branch.wang,
            "visit",
            10,
            purpose="routine",
            outcome="done",
            note="面谈续约",
            next_step="周五前报价",
        )
        contact_log(s, branch.mine, branch.li, "call", 2, outcome="no_answer")
        contact_log(
            s,
            branch.mine,
            branch.wang,
            "visit",
            0,
            status="planned",
            happened_at=None,
            planned_at=days_ago(-3),
        )
        wang = s.get(Staff, branch.wang.id)
        customer = s.get(Customer, cid)
        assert wang is not None and customer is not None
        ticket = f.complaint(wang, customer, "T202611180001")
        assert ticket.id is not None
        add(
            s,
            ComplaintEvent(
                complaint_id=ticket.id,
                at=days_ago(5),
                staff_id=wang.id,
                action="receive",
                to_status="received",
            ),
        )
    timeline = view(engine, branch.wang, branch.mine).timeline
    assert [e.kind for e in timeline] == [
        "call",
        "complaint",
        "visit",
    ]  # the planned visit is not history
    assert [e.at for e in timeline] == sorted((e.at for e in timeline), reverse=True)
    call, complaint, visit = timeline
    assert (call.summary, call.staff_name) == ("无人接听", "李强")
    assert complaint.summary.startswith("投诉 T202611180001 受理 · 资费类 · 月租费扣费有误")
    assert visit.summary == "已完成 · 日常维护 · 面谈续约 · 下一步：周五前报价"
    assert visit.staff_name == "王芳"


def test_the_timeline_keeps_the_newest_hundred(engine: Engine, branch: Branch) -> None:
    with unit_of_work(engine) as s:
        for n in range(130):
            contact_log(s, branch.mine, branch.wang, "call", n, outcome="reached")
    timeline = view(engine, branch.wang, branch.mine).timeline
    assert len(timeline) == 100
    assert timeline[0].at == days_ago(0) and timeline[-1].at == days_ago(99)


def test_open_tasks_and_open_complaints_only(
    engine: Engine, branch: Branch, build: Callable[[], AbstractContextManager[Factory]]
) -> None:
    with build() as f:
        s = f.session
        cid = customer_id(s, branch.mine)
        wang, customer = s.get(Staff, branch.wang.id), s.get(Customer, cid)
        assert wang is not None and customer is not None
        for status, due in (("open", 2), ("done", 1), ("open", 1)):
            add(
                s,
                Task(
                    kind="contact",
                    customer_id=cid,
                    owner_id=branch.wang.id,
                    status=status,
                    due_at=days_ago(-due),
                    reason=f"{status}-{due}",
                    created_at=clock.now(),
                ),
            )
        f.complaint(wang, customer, "T202611200001", status="in_progress")
        f.complaint(wang, customer, "T202610010001", status="closed")
    seen = view(engine, branch.wang, branch.mine)
    assert [t.reason for t in seen.open_tasks] == ["open-1", "open-2"]
    assert [c.ticket_no for c in seen.open_complaints] == ["T202611200001"]
    assert seen.open_complaints[0].owner_name == "王芳"


def test_an_A1_customer_called_40_days_ago_is_overdue_whatever_the_sms_since(
    engine: Engine, branch: Branch
) -> None:
    with unit_of_work(engine) as s:
        contact_log(s, branch.mine, branch.wang, "call", 40)
        contact_log(s, branch.mine, branch.wang, "sms", 5)
    nxt = view(engine, branch.wang, branch.mine).next_contact
    assert nxt is not None
    assert nxt.rule == "A1"
    assert nxt.last_contact_at == days_ago(40)
    assert nxt.due_on == clock.today() - timedelta(days=20)
    assert nxt.overdue_on == clock.today() - timedelta(days=10)
    assert nxt.overdue and nxt.due


def test_a_customer_never_contacted_counts_from_the_day_the_workbench_took_it_on_as_today_does(
    engine: Engine, branch: Branch
) -> None:
    """C001's account opened in 2020 and it came into the workbench today (its record made
    now), never contacted: the 360 view counts from today, as the daily generation and the
    coverage figure do, so it is due in A1's 20 days and not overdue (an imported book is not
    all overdue the day it is imported)."""
    nxt = view(engine, branch.wang, branch.mine).next_contact
    assert nxt is not None and nxt.last_contact_at is None
    assert nxt.due_on == clock.today() + timedelta(days=20)
    assert not nxt.overdue


def test_another_teams_customer_is_refused_and_an_unknown_number_not_found(
    engine: Engine, branch: Branch
) -> None:
    with pytest.raises(NotFound) as hidden:
        view(engine, branch.wang, branch.theirs)
    with pytest.raises(NotFound) as missing:
        view(engine, branch.wang, "C404")
    # word for word the same refusal: it must not tell that another team's customer exists
    assert str(hidden.value) == str(missing.value).replace("C404", branch.theirs)
    assert view(engine, branch.li, branch.mine).profile.customer_no == "C001"  # the B role


# -- reveal -------------------------------------------------------------------------------


def test_reveal_gives_the_clear_value_and_writes_the_audit_log(
    engine: Engine, branch: Branch, session: Session
) -> None:
    value = customers.reveal(
        session=session,
        actor=branch.wang,
        settings=Settings(),
        customer_no=branch.mine,
        field_name="id_number",
    )
    session.commit()
    assert value == ID_NUMBER
    (row,) = audit_rows(engine, "reveal")
    assert (row.staff_id, row.object_type, row.field_name) == (
        branch.wang.id,
        "customer",
        "id_number",
    )
    assert row.customer_id == row.object_id and row.at == clock.now()


def test_reveal_is_refused_to_a_role_not_allowed(engine: Engine, branch: Branch) -> None:
    settings = dataclasses.replace(
        Settings(), privacy=PrivacySettings(reveal_roles=["supervisor", "branch_head"])
    )
    with (
        unit_of_work(engine) as s,
        pytest.raises(OutOfScope, match="客户经理无权查看完整的联系电话"),
    ):
        customers.reveal(
            session=s,
            actor=branch.wang,
            settings=settings,
            customer_no=branch.mine,
            field_name="phone",
        )
    assert audit_rows(engine, "reveal") == []


def test_the_administrator_may_not_reveal_by_default(engine: Engine, branch: Branch) -> None:
    with (
        unit_of_work(engine) as s,
        pytest.raises(OutOfScope, match="系统管理员无权查看完整的证件号码"),
    ):
        customers.reveal(
            session=s,
            actor=branch.admin,
            settings=Settings(),
            customer_no=branch.mine,
            field_name="id_number",
        )


def test_reveal_of_another_field_is_refused_naming_it(engine: Engine, branch: Branch) -> None:
    with unit_of_work(engine) as s, pytest.raises(InvalidInput, match="address"):
        customers.reveal(
            session=s,
            actor=branch.wang,
            settings=Settings(),
            customer_no=branch.mine,
            field_name="address",
        )


def test_reveal_is_refused_outside_the_book(engine: Engine, branch: Branch) -> None:
    with unit_of_work(engine) as s, pytest.raises(NotFound):
        customers.reveal(
            session=s,
            actor=branch.wang,
            settings=Settings(),
            customer_no=branch.theirs,
            field_name="phone",
        )
    assert audit_rows(engine, "reveal") == []


# -- editing ------------------------------------------------------------------------------


def update(engine: Engine, who: Actor, version: int, **changes: str) -> customers.CustomerProfile:
    with unit_of_work(engine) as s:
        return customers.update_customer(
            session=s,
            actor=who,
            settings=Settings(),
            customer_no="C001",
            version=version,
            changes=CustomerEdit(**changes),
        )


def test_a_bad_id_check_digit_is_refused_naming_the_field_and_nothing_changes(
    engine: Engine, branch: Branch
) -> None:
    with pytest.raises(CustomerInvalid) as refused:
        update(engine, branch.wang, 1, id_number=BAD_ID, address="文三路 90 号")
    assert str(refused.value) == "证件号码：校验位应为 8，而不是 3"
    assert refused.value.fields == {"id_number": "校验位应为 8，而不是 3"}
    row = stored(engine, branch.mine)
    assert (row.id_number, row.address, row.version) == (ID_NUMBER, None, 1)
    assert audit_rows(engine) == []


def test_every_problem_is_reported_at_once_in_one_line(engine: Engine, branch: Branch) -> None:
    with pytest.raises(CustomerInvalid) as refused:
        update(
            engine,
            branch.wang,
            1,
            name="  ",
            phone="1381234",
            cls="D",
            preferred_hours="11:30-09:00",
            status="gone",
        )
    assert set(refused.value.fields) == {"name", "phone", "cls", "preferred_hours", "status"}
    message = str(refused.value)
    assert "\n" not in message and message.count("；") == 4
    # In the order of the form's fields.
    assert message.startswith("客户名称：不能为空；客户分类：D 无效，应为 A1、A2、B1、B2、C 之一；")
    assert "；联系电话：1381234 不是有效号码：手机号为 11 位数字" in message


def test_messages_follow_the_language(engine: Engine, branch: Branch) -> None:
    i18n.set_language("en")
    with pytest.raises(CustomerInvalid, match=r"^ID number: check digit should be 8, not 3$"):
        update(engine, branch.wang, 1, id_number=BAD_ID)


def test_a_stale_version_is_a_conflict_naming_who_and_nothing_changes(
    engine: Engine, branch: Branch
) -> None:
    clock.freeze("2026-11-23T08:10")
    update(engine, branch.li, 1, address="文三路 90 号")  # 李强, the B role, was faster
    clock.freeze("2026-11-23T08:30")
    with pytest.raises(Conflict) as refused:
        update(engine, branch.wang, 1, address="天目山路 1 号", phone="13900000000")
    assert str(refused.value).startswith(
        "客户 C001 已被李强（liqiang）于 2026-11-23 08:10 修改，在您打开之后；本次修改没有保存"
    )
    row = stored(engine, branch.mine)
    assert (row.address, row.phone, row.version) == ("文三路 90 号", PHONE, 2)
    assert len(audit_rows(engine, "update")) == 1


def test_a_saved_edit_bumps_the_version_and_audits_each_changed_field_masked(
    engine: Engine, branch: Branch
) -> None:
    profile = update(
        engine,
        branch.wang,
        1,
        phone="１３９ ００００ ０１１１",  # full-width digits and spaces, as a Chinese IME types
        address="文三路 90 号",
        name="杭州西湖茶业",  # unchanged: no audit row
        preferred_hours="9:00-11:30",
    )
    assert profile.version == 2 and profile.phone == "139****0111"
    row = stored(engine, branch.mine)
    assert (row.phone, row.preferred_hours, row.version) == ("13900000111", "09:00-11:30", 2)
    assert row.updated_at == clock.now()
    details = {r.field_name: r.detail for r in audit_rows(engine, "update")}
    assert details == {
        "phone": "138****5678 → 139****0111",
        "address": "— → 文三路 90 号",
        "preferred_hours": "— → 09:00-11:30",
    }


@pytest.mark.parametrize(
    ("typed", "stored_as"),
    [
        pytest.param("+86 138-1234-5678", "13812345678", id="mobile-with-country-code-and-dashes"),
        pytest.param("010-12345678", "010-12345678", id="beijing-landline"),
        pytest.param("（0571）8888888", "0571-8888888", id="bracketed-area-code-full-width"),
        pytest.param("", None, id="empty-clears-the-second-phone"),
    ],
)
def test_phones_are_stored_normalised(
    engine: Engine, branch: Branch, typed: str, stored_as: str | None
) -> None:
    update(engine, branch.wang, 1, phone2=typed)
    assert stored(engine, branch.mine).phone2 == stored_as


def test_a_class_the_owners_grade_may_not_hold_is_refused(engine: Engine, branch: Branch) -> None:
    with unit_of_work(engine) as s:
        wang = s.get(Staff, branch.wang.id)
        assert wang is not None
        wang.grade = "second"  # second-grade managers own B and C books
    with pytest.raises(CustomerInvalid) as refused:
        update(engine, branch.wang, 1, cls="A2")
    assert "王芳 的级别（second）不能管理 A2 类客户" in refused.value.fields["cls"]
    update(engine, branch.wang, 1, cls="A1", address="文三路 90 号")  # A1 already: kept
    update(engine, branch.wang, 2, cls="B1")
    assert stored(engine, branch.mine).cls == "B1"


def test_a_verification_stamps_now_bumps_the_version_and_audits(
    engine: Engine, branch: Branch
) -> None:
    with unit_of_work(engine) as s:
        done = verify_file(
            session=s, actor=branch.wang, settings=Settings(), customer_no=branch.mine
        )
        assert done.corrected == ()
        profile = customers.get_customer_360(
            session=s, actor=branch.wang, settings=Settings(), customer_no=branch.mine
        ).profile
    assert profile.info_verified_at == clock.now()
    assert (profile.days_since_verified, profile.verification_overdue) == (0, False)
    assert profile.version == 2
    (row,) = audit_rows(engine, "verify")
    assert (row.field_name, row.detail) == ("info_verified_at", "— → 2026-11-23 08:30")


def test_the_audit_trail_of_a_customer_reads_who_what_when(engine: Engine, branch: Branch) -> None:
    update(engine, branch.wang, 1, address="文三路 90 号")
    with unit_of_work(engine) as s:
        (entry,) = audit.entries_for_customer(session=s, actor=branch.li, customer_no=branch.mine)
        with pytest.raises(NotFound):
            audit.entries_for_customer(session=s, actor=branch.zhao, customer_no=branch.mine)
    assert (entry.staff_name, entry.action, entry.field_name) == ("王芳", "update", "address")
    assert entry.at == clock.now()


# -- the keys of the 360 screen: log a contact, add a task, take a complaint ---------------


def test_logging_a_call_creates_a_done_interaction_now(engine: Engine, branch: Branch) -> None:
    with unit_of_work(engine) as s:
        new_id = interactions.log_contact(
            session=s,
            actor=branch.wang,
            customer_no=branch.mine,
            kind="call",
            outcome="reached",
            note="确认续约意向",
            duration_minutes=6,
        ).interaction_id
    with unit_of_work(engine) as s:
        row = s.get(Interaction, new_id)
    assert row is not None
    assert (row.kind, row.status, row.outcome, row.staff_id) == (
        "call",
        "done",
        "reached",
        branch.wang.id,
    )
    assert row.happened_at == clock.now()
    assert [a.object_type for a in audit_rows(engine, "create")] == ["interaction"]
    nxt = view(engine, branch.wang, branch.mine).next_contact
    assert nxt is not None and nxt.last_contact_at == clock.now() and not nxt.due


def test_a_cancelled_visit_is_history_but_keeps_no_cadence(engine: Engine, branch: Branch) -> None:
    with unit_of_work(engine) as s:
        interactions.log_contact(
            session=s, actor=branch.wang, customer_no=branch.mine, kind="visit", outcome="cancelled"
        )
    seen = view(engine, branch.wang, branch.mine)
    assert seen.timeline[0].summary == "已取消"
    assert seen.next_contact is not None and seen.next_contact.last_contact_at is None


@pytest.mark.parametrize(
    ("kind", "outcome", "field"),
    [
        pytest.param("call", "done", "outcome", id="done-is-a-visit-outcome"),
        pytest.param("visit", "no_answer", "outcome", id="no-answer-is-a-call-outcome"),
        pytest.param("fax", "sent", "kind", id="fax-is-no-contact-kind"),
    ],
)
def test_an_outcome_must_fit_the_kind_of_contact(
    engine: Engine, branch: Branch, kind: str, outcome: str, field: str
) -> None:
    with unit_of_work(engine) as s, pytest.raises(FieldsInvalid) as refused:
        interactions.log_contact(
            session=s, actor=branch.wang, customer_no=branch.mine, kind=kind, outcome=outcome
        )
    assert set(refused.value.fields) == {field}


def test_a_task_belongs_to_whoever_adds_it(engine: Engine, branch: Branch) -> None:
    due = clock.parse_instant("2026-11-26T10:00")
    with unit_of_work(engine) as s:
        new_id = tasks.add_task(
            session=s, actor=branch.li, customer_no=branch.mine, due_at=due, note="回电确认报价"
        )
    with unit_of_work(engine) as s:
        row = s.get(Task, new_id)
    assert row is not None
    assert (row.owner_id, row.kind, row.status) == (branch.li.id, "manual", "open")
    assert row.priority == 50 + 10  # scored as it is written: an A1 customer, a manual task
    assert (row.due_at, row.reason, row.note) == (due, "回电确认报价", "回电确认报价")
    assert [t.reason for t in view(engine, branch.wang, branch.mine).open_tasks] == ["回电确认报价"]


def test_a_task_needs_a_due_instant_with_a_timezone_and_a_note(
    engine: Engine, branch: Branch
) -> None:
    with unit_of_work(engine) as s, pytest.raises(FieldsInvalid) as refused:
        tasks.add_task(
            session=s,
            actor=branch.wang,
            customer_no=branch.mine,
            due_at=datetime(2026, 11, 26, 10, 0),
            note=" ",
        )
    assert set(refused.value.fields) == {"due_at", "note"}
    assert str(refused.value).startswith("到期时间：没有时区")


def test_taking_a_complaint_numbers_the_ticket_and_records_its_receipt(
    engine: Engine, branch: Branch
) -> None:
    def take(description: str) -> str:
        with unit_of_work(engine) as s:
            return complaints.open_complaint(
                session=s,
                actor=branch.li,
                customer_no=branch.mine,
                category="fee",
                description=description,
                severity="major",
            )

    assert take("套餐外流量扣费") == "T202611230001"
    assert take("宽带装机延误") == "T202611230002"
    with unit_of_work(engine) as s:
        row = s.exec(select(Complaint).where(Complaint.ticket_no == "T202611230001")).one()
        events = s.exec(select(ComplaintEvent).where(ComplaintEvent.complaint_id == row.id)).all()
    assert (row.owner_id, row.received_by_id, row.status) == (
        branch.li.id,
        branch.li.id,
        "received",
    )
    # a major complaint: resolved and replied within 24 hours (telecom handbook)
    assert (row.received_at, row.resolution_due) == (clock.now(), clock.now() + timedelta(hours=24))
    assert [(e.action, e.to_status, e.staff_id) for e in events] == [
        ("receive", "received", branch.li.id)
    ]
    assert len(view(engine, branch.wang, branch.mine).open_complaints) == 2


def test_the_keys_refuse_a_customer_outside_the_book(engine: Engine, branch: Branch) -> None:
    who, theirs = branch.wang, branch.theirs
    with unit_of_work(engine) as s:
        with pytest.raises(NotFound):
            interactions.log_contact(
                session=s, actor=who, customer_no=theirs, kind="call", outcome="reached"
            )
        with pytest.raises(NotFound):
            tasks.add_task(
                session=s, actor=who, customer_no=theirs, due_at=clock.now(), note="回电"
            )
        with pytest.raises(NotFound):
            complaints.open_complaint(
                session=s, actor=who, customer_no=theirs, category="fee", description="扣费"
            )
    with unit_of_work(engine) as s:
        assert s.exec(select(Interaction)).all() == []
        assert s.exec(select(Task)).all() == []
        assert s.exec(select(Complaint)).all() == []
        assert s.exec(select(AuditLog)).all() == []


def test_a_contacts_role_is_set_within_scope_and_refused_otherwise(
    engine: Engine, branch: Branch
) -> None:
    """王芳 makes her customer's contact an inside contact (内线); 赵磊, of the other team,
    cannot touch it; a contact is changed only through its own customer; a role that does
    not exist is refused naming the roles."""
    with unit_of_work(engine) as s:
        contact = add(s, Contact(customer_id=customer_id(s, branch.mine), name="小周",
                                 updated_at=clock.now()))  # fmt: skip
        contact_id = contact.id or 0
    with unit_of_work(engine) as s:
        listed = customers.edit_contact(session=s, actor=branch.wang, customer_no=branch.mine,
                                        contact_id=contact_id, role="inside_contact",
                                        key_person=True)  # fmt: skip
        assert [(c.name, c.role, c.is_key_person) for c in listed] == [
            ("小周", "inside_contact", True)
        ]
    with unit_of_work(engine) as s, pytest.raises(NotFound):  # not in his scope: not shown
        customers.edit_contact(session=s, actor=branch.zhao, customer_no=branch.mine,
                               contact_id=contact_id, role="user", key_person=False)  # fmt: skip
    with unit_of_work(engine) as s, pytest.raises(NotFound):
        customers.edit_contact(session=s, actor=branch.zhao, customer_no=branch.theirs,
                               contact_id=contact_id, role="user", key_person=False)  # fmt: skip
    with unit_of_work(engine) as s, pytest.raises(FieldsInvalid) as refused:
        customers.edit_contact(session=s, actor=branch.wang, customer_no=branch.mine,
                               contact_id=contact_id, role="boss", key_person=True)  # fmt: skip
    assert "boss" in refused.value.fields["role"] and "决策人" in refused.value.fields["role"]
    with unit_of_work(engine) as s:
        stored = s.get(Contact, contact_id)
        assert stored is not None and (stored.role, stored.is_key_person) == (
            "inside_contact",
            True,
        )


def test_the_360_view_highlights_maturities_within_the_branchs_lead_time(
    engine: Engine, branch: Branch
) -> None:
    """The maturity call's window is config (``tasks.maturity_lead_days``), not a number of
    the screen's: a branch that calls 45 days ahead sees 45 days' maturities highlighted."""
    settings = Settings()
    tasks = dataclasses.replace(settings.tasks, maturity_lead_days=45)
    ahead = dataclasses.replace(settings, tasks=tasks)
    with unit_of_work(engine) as s:
        seen = customers.get_customer_360(session=s, actor=branch.wang, settings=ahead,
                                          customer_no=branch.mine)  # fmt: skip
    assert seen.maturity_lead_days == 45
    assert view(engine, branch.wang, branch.mine).maturity_lead_days == 30

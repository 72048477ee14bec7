"""Scope, table-driven: every use case, every role, whose record, against the real database.

Given one branch with two teams and a second branch:

* team 1: supervisor ``S1``, managers ``M1`` and ``M2``, phone manager ``P1``; ``M2`` backs up
  (AB角) one of ``M1``'s customers, not the other;
* team 2: supervisor ``S2`` and manager ``M3``;
* ``S0``, a supervisor who leads no team yet; the branch head ``H``; the administrator ``A``;
* the other branch: one manager in no team, with one customer;

and each of ``M1``, ``M3`` and the other branch's manager owning a customer with a contact, an
overdue task, a planned visit, open complaints, an on-site day, a notification, a draft and an
SSH key;

when each actor calls each use case of :class:`Workbench` (and each service entry point the
CLI calls with an actor, see :data:`ENTRY_MODULES`) on ``M1``'s records (target ``m1``), on
``M3``'s in the other team (``m3``), on the other branch's (``far``) or on their own things
(``self``), then the outcome is the one :data:`TABLE` says:

* ``ok``: it returns; a read shows the record, a write changed the database;
* ``--``: hidden: it returns, but a list leaves the record out (a write changes nothing);
* ``no`` / ``nf`` / ``ii``: refused with :class:`OutOfScope` / :class:`NotFound` /
  :class:`InvalidInput` and a translated message, and the database is unchanged.

Speed: the world is built once per module into a template file. Reads and refusals share one
copy of it (``PRAGMA data_version`` proves each case left it untouched); every write expected
to succeed gets a copy of its own.
"""

from __future__ import annotations

import base64
import importlib
import inspect
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import MONDAY_MORNING, Factory
from sqlalchemy import Engine, text
from sqlmodel import select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.engine import make_engine, unit_of_work
from cmworkbench.db.migrate import upgrade
from cmworkbench.db.models import (
    AppState,
    Complaint,
    Contact,
    Customer,
    Notification,
    OnsiteDay,
    SshKey,
    Staff,
    StaffLeave,
    VisitPlan,
    VisitPlanItem,
    WorkLog,
)
from cmworkbench.services import audit, ssh_keys, staff_admin, visits
from cmworkbench.services.actor import Actor
from cmworkbench.services.complaints import Change, act, open_complaint
from cmworkbench.services.customers import CustomerEdit
from cmworkbench.services.errors import InvalidInput, NotFound, OutOfScope, ServiceError
from cmworkbench.services.login import find_actor
from cmworkbench.services.visit_proposals import ProposedVisit
from cmworkbench.services.workbench import Workbench

ENTRY_MODULES = (
    "cmworkbench.services.audit",
    "cmworkbench.services.handover",
    "cmworkbench.services.ssh_keys",
    "cmworkbench.services.staff_admin",
    "cmworkbench.services.visits",
)
"""Modules whose service entry points (public functions with keyword-only ``session`` and
``actor``) the CLI or a screen may call with an actor without going through a
:class:`Workbench` method: each such function needs rows too, keyed ``module.function``
(``audit.search``). Add a module here and the completeness test names what lacks a row."""

NOT_USE_CASES = {"run": "the mechanism every method calls; each use case has its own row"}
"""Public :class:`Workbench` attributes that are no use case of their own."""

SETTINGS = Settings()
MONDAY = date(2026, 11, 23)
FRIDAY = date(2026, 11, 20)
WEEK = "2026-W48"
NEXT_WEEK = "2026-W49"
ACTORS = ("M1", "M2", "P1", "S1", "S2", "S0", "H", "A")
"""The columns of :data:`TABLE`; logins are the lower-case names."""
LOGINS = {
    "M1": "m1",
    "M2": "m2",
    "P1": "p1",
    "S1": "s1",
    "S2": "s2",
    "S0": "s0",
    "H": "h",
    "A": "a",
}
REFUSALS: dict[str, type[ServiceError]] = {"no": OutOfScope, "nf": NotFound, "ii": InvalidInput}


def _key(seed: int) -> str:
    """A well-formed ed25519 public key line, different for each ``seed``."""
    blob = b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + bytes([seed]) * 32
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} k{seed}"


NEW_KEY = _key(99)

# -- the world ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One manager's records that the actors try to reach."""

    name: str
    """``m1``, ``m3`` or ``far``."""
    owner: str
    """Login of the manager who owns them."""
    peer: str
    """Another member of the owner's team (whom work may be reassigned to)."""
    customer_no: str
    phone: str
    contact: str
    task_id: int
    item_id: int
    """A planned visit on the owner's (submitted) plan of :data:`WEEK`."""
    ticket: str
    """An open complaint the owner received."""
    closable: str
    """A complaint of the same customer whose return call is done."""
    onsite_id: int
    """The owner's on-site day today."""
    notification_id: int
    notification_title: str
    draft: str
    """Name of the owner's draft."""
    leave_id: int
    """The owner's leave in January."""


@dataclass
class World:
    """The template database, the actors and the targets."""

    template: Path
    folder: Path
    actors: dict[str, Actor]
    targets: dict[str, Target]
    shared: Path | None = None
    shared_engine: Engine | None = None
    copies: int = 0

    def copy(self) -> Path:
        """A fresh copy of the template."""
        self.copies += 1
        path = self.folder / f"case{self.copies}.db"
        shutil.copyfile(self.template, path)
        return path

    def discard(self, path: Path) -> None:
        """Remove a copy and its journal files."""
        for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
            (path.parent / name).unlink(missing_ok=True)

    def shared_db(self) -> tuple[Path, Engine]:
        """The copy that reads and refusals share (made again if something changed it)."""
        if self.shared is None or self.shared_engine is None:
            self.shared = self.copy()
            self.shared_engine = make_engine(f"sqlite:///{self.shared}")
        return self.shared, self.shared_engine

    def spoil_shared(self) -> None:
        """Something wrote to the shared copy: the next case gets a clean one."""
        if self.shared_engine is not None:
            self.shared_engine.dispose()
        self.shared, self.shared_engine = None, None


def _book(f: Factory, owner: Staff, no: str, name: str, phone: str) -> Customer:
    customer = f.customer(owner, no, name)
    customer.phone = phone
    f.session.add(customer)
    return customer


def _target(
    f: Factory, name: str, owner: Staff, peer: Staff, customer: Customer, onsite_at: Customer
) -> Target:
    """Give ``owner`` the records of one target on ``customer``."""
    session, now = f.session, clock.now()
    assert owner.id is not None and customer.id is not None and onsite_at.id is not None
    contact = Contact(
        customer_id=customer.id, name=f"{name}联系人", phone="13900000000", updated_at=now
    )
    contact.is_key_person = True
    task = f.task(owner, "2026-11-23T08:00")
    task.customer_id, task.reason = customer.id, "超期联系"
    plan = VisitPlan(owner_id=owner.id, week=WEEK, status="submitted", submitted_at=now)
    session.add_all([contact, task, plan])
    session.flush()
    assert plan.id is not None and contact.id is not None
    starts = clock.parse_instant("2026-11-25T10:00")
    item = VisitPlanItem(
        plan_id=plan.id,
        customer_id=customer.id,
        contact_id=contact.id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        purpose="courtesy_call",
    )
    onsite = OnsiteDay(
        customer_id=onsite_at.id,
        staff_id=owner.id,
        day=MONDAY,
        place="营业厅",
        starts_at=clock.parse_instant("2026-11-23T10:00"),
        ends_at=clock.parse_instant("2026-11-23T14:00"),
    )
    session.add_all([item, onsite])
    session.flush()
    me = _actor(owner)
    ticket = open_complaint(
        session=session,
        actor=me,
        customer_no=customer.customer_no,
        category="fee",
        description="月租多扣",
        settings=SETTINGS,
    )
    closable = open_complaint(
        session=session,
        actor=me,
        customer_no=customer.customer_no,
        category="service",
        description="排队太久",
        settings=SETTINGS,
    )
    for change in (Change("resolve", resolution="已道歉"), Change("return_call", result="满意")):
        act(session=session, actor=me, settings=SETTINGS, ticket=closable, change=change)
    title = f"{name} 工单预警"
    notice = Notification(
        recipient_id=owner.id,
        kind="sla_warn",
        title=title,
        object_type="complaint",
        object_id=session.exec(select(Complaint.id).where(Complaint.ticket_no == ticket)).one(),
        idem_key=f"scope-table:{name}",
        created_at=now,
    )
    draft = f"complaint:{customer.customer_no}"
    session.add_all(
        [
            notice,
            AppState(staff_id=owner.id, key=f"draft:{draft}", value='{"d": "x"}', updated_at=now),
            SshKey(
                staff_id=owner.id,
                fingerprint=ssh_keys.parse_public_key(_key(owner.id)).fingerprint,
                public_key=" ".join(_key(owner.id).split()[:2]),
                granted_at=now,
            ),
        ]
    )
    leave = StaffLeave(staff_id=owner.id, starts_on=date(2027, 1, 4), ends_on=date(2027, 1, 5))
    session.add(leave)
    session.flush()
    assert task.id and item.id and onsite.id and notice.id and leave.id
    return Target(
        name=name,
        owner=owner.login,
        peer=peer.login,
        customer_no=customer.customer_no,
        phone=customer.phone or "",
        contact=contact.name,
        task_id=task.id,
        item_id=item.id,
        ticket=ticket,
        closable=closable,
        onsite_id=onsite.id,
        notification_id=notice.id,
        notification_title=title,
        draft=draft,
        leave_id=leave.id,
    )


def _actor(staff: Staff) -> Actor:
    assert staff.id is not None
    return Actor(staff.id, staff.login, staff.name, staff.role, staff.branch_id, staff.team_id)


def _own_things(f: Factory, person: Staff, visits_customer: Customer) -> None:
    """What a self-only use case needs of everyone: a saved log of Friday, next week's plan."""
    assert person.id is not None and visits_customer.id is not None
    plan = VisitPlan(owner_id=person.id, week=NEXT_WEEK)
    f.session.add_all([WorkLog(staff_id=person.id, day=FRIDAY, content="周五日志"), plan])
    f.session.flush()
    assert plan.id is not None
    starts = clock.parse_instant("2026-12-02T10:00")
    f.session.add(
        VisitPlanItem(
            plan_id=plan.id,
            customer_id=visits_customer.id,
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
            purpose="courtesy_call",
        )
    )


def build_world(folder: Path) -> World:
    """The branch, the other branch, the people and their records (see the module doc)."""
    template = folder / "template.db"
    engine = make_engine(f"sqlite:///{template}")
    upgrade(engine)
    with unit_of_work(engine) as session:
        f = Factory(session)
        branch = f.branch()
        team1, team2 = f.team(branch, "对公一组"), f.team(branch, "对公二组")
        s1 = f.staff(branch, "s1", "主管一", role="supervisor", team=team1)
        m1 = f.staff(branch, "m1", "经理一", team=team1)
        m2 = f.staff(branch, "m2", "经理二", team=team1)
        p1 = f.staff(branch, "p1", "电话一", role="phone_manager", team=team1)
        s2 = f.staff(branch, "s2", "主管二", role="supervisor", team=team2)
        m3 = f.staff(branch, "m3", "经理三", team=team2)
        head = f.staff(branch, "h", "行长", role="branch_head")
        admin = f.staff(branch, "a", "信息科", role="admin")
        far_branch = f.branch("另一支行", "0202")
        far = f.staff(far_branch, "om", "外行经理")
        s0 = f.staff(branch, "s0", "新主管", role="supervisor")
        backed_up = _book(f, m1, "K101", "西湖茶业", "13800000101")
        backed_up.backup_id = m2.id
        solo = _book(f, m1, "K102", "钱江物流", "13800000102")
        own2 = _book(f, m2, "K201", "之江电子", "13800000201")
        own_p = _book(f, p1, "K301", "小店", "13800000301")
        other_team = _book(f, m3, "K401", "滨江建材", "13800000401")
        far_customer = _book(f, far, "K901", "外地矿业", "13800000901")
        session.flush()
        targets = {
            "m1": _target(f, "m1", m1, m2, backed_up, solo),
            "m3": _target(f, "m3", m3, s2, other_team, other_team),
            "far": _target(f, "far", far, far, far_customer, far_customer),
        }
        for person, customer in (
            (m1, backed_up),
            (m2, own2),
            (p1, own_p),
            (s1, backed_up),
            (s2, other_team),
            (s0, backed_up),
            (head, backed_up),
            (admin, backed_up),
        ):
            _own_things(f, person, customer)
    with engine.connect() as conn:
        actors = {name: find_actor(conn, login) for name, login in LOGINS.items()}
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return World(template, folder, actors, targets)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    clock.freeze(MONDAY_MORNING)
    try:
        built = build_world(tmp_path_factory.mktemp("scope"))
    finally:
        clock.set_now(None)
    yield built
    built.spoil_shared()


# -- the calls ------------------------------------------------------------------------------

Shows = Callable[[Any, Target], bool]


@dataclass(frozen=True)
class Call:
    """How a row calls its use case on a target, and how a read shows the target."""

    run: Callable[[Workbench, Target], Any]
    shows: Shows | None = None
    """For a read (or a write that answers with the record): is the target in the result?
    ``None``: nothing to look for (the actor's own things)."""
    write: bool = False
    own: bool = False
    """It acts on the actor's own things only (one ``self`` line in the table)."""
    changes: bool = True
    """A write that succeeds changes the database (``False``: it may have nothing to do)."""


def _logins(rows: Any, t: Target) -> bool:
    return any(row.login == t.owner for row in rows)


def _tickets(rows: Any, t: Target) -> bool:
    return t.ticket in {row.ticket_no for row in rows}


def _entries_about(entries: Any, t: Target) -> bool:
    return bool(entries) and all(e.customer_no == t.customer_no for e in entries)


def _proposal(t: Target) -> list[ProposedVisit]:
    starts = clock.parse_instant("2026-11-27T14:00")
    return [ProposedVisit(t.customer_no, "", None, "gift", starts, starts + timedelta(hours=1), 1)]


def _service(function: Callable[..., Any], **fixed: Any) -> Callable[..., Any]:
    """Call a service entry point the CLI calls with an actor, through ``Workbench.run``."""

    def call(wb: Workbench, **kwargs: Any) -> Any:
        return wb.run(function, **fixed, **kwargs)

    return call


_search_audit = _service(audit.search)
_grant = _service(ssh_keys.grant_key)
_revoke = _service(ssh_keys.revoke_key)
_move = _service(visits.move_item, settings=SETTINGS)
_add_staff = _service(staff_admin.add_staff, grades=SETTINGS.grades)
_edit_staff = _service(staff_admin.edit_staff, grades=SETTINGS.grades)
_deactivate = _service(staff_admin.deactivate_staff)
_staff_detail = _service(staff_admin.staff_detail)
_add_team = _service(staff_admin.add_team)
_rename_team = _service(staff_admin.rename_team)
_list_teams = _service(staff_admin.list_teams)
_list_leave = _service(staff_admin.list_leave)
_cancel_leave = _service(staff_admin.cancel_leave)

CALLS: dict[str, Call] = {
    # customers and search
    "overview": Call(lambda wb, t: wb.overview(), own=True),
    "staff": Call(lambda wb, t: wb.staff(), lambda r, t: t.owner in {s.login for s in r}),
    "search": Call(
        lambda wb, t: wb.search(t.customer_no),
        lambda r, t: [h.customer_no for h in r] == [t.customer_no],
    ),
    "count": Call(lambda wb, t: wb.count(t.customer_no), lambda r, t: r == 1),
    "customer_360": Call(
        lambda wb, t: wb.customer_360(t.customer_no),
        lambda r, t: r.profile.customer_no == t.customer_no and len(r.open_complaints) == 2,
    ),
    "customer_contacts": Call(
        lambda wb, t: wb.customer_contacts(t.customer_no),
        lambda r, t: [c.name for c in r] == [t.contact],
    ),
    "reveal": Call(
        lambda wb, t: wb.reveal(t.customer_no, "phone"), lambda r, t: r == t.phone, write=True
    ),
    "update_customer": Call(
        lambda wb, t: wb.update_customer(t.customer_no, 1, CustomerEdit(area="滨江")),
        lambda r, t: r.customer_no == t.customer_no and r.area == "滨江",
        write=True,
    ),
    "mark_verified": Call(lambda wb, t: wb.mark_verified(t.customer_no), write=True),
    "log_contact": Call(lambda wb, t: wb.log_contact(t.customer_no, "call", "reached"), write=True),
    "add_task": Call(
        lambda wb, t: wb.add_task(t.customer_no, clock.parse_instant("2026-11-24T10:00"), "回电"),
        write=True,
    ),
    "audit_for_customer": Call(lambda wb, t: wb.audit_for_customer(t.customer_no), _entries_about),
    "audit.search": Call(
        lambda wb, t: _search_audit(wb, customer_no=t.customer_no), _entries_about
    ),
    "audit.search[staff]": Call(
        lambda wb, t: _search_audit(wb, staff_login=t.owner),
        lambda r, t: any(e.staff_login == t.owner for e in r),
    ),
    # today and tasks
    "today": Call(lambda wb, t: wb.today(), lambda r, t: t.task_id in {row.task_id for row in r}),
    "today_counts": Call(lambda wb, t: wb.today_counts(), own=True),
    "log_task_call": Call(lambda wb, t: wb.log_task_call(t.task_id, "reached"), write=True),
    "log_task_visit": Call(lambda wb, t: wb.log_task_visit(t.task_id, "done"), write=True),
    "snooze_task": Call(lambda wb, t: wb.snooze_task(t.task_id, workdays=1), write=True),
    "complete_task": Call(lambda wb, t: wb.complete_task(t.task_id, "已办"), write=True),
    "team_board": Call(lambda wb, t: wb.team_board(), _logins),
    "team_tasks": Call(
        lambda wb, t: wb.team_tasks(t.owner), lambda r, t: [x.id for x in r] == [t.task_id]
    ),
    "reassign_task": Call(lambda wb, t: wb.reassign_task(t.task_id, t.peer, 1), write=True),
    # complaints
    "open_complaint": Call(
        lambda wb, t: wb.open_complaint(t.customer_no, "fee", "扣费"), write=True
    ),
    "complaints": Call(lambda wb, t: wb.complaints(), _tickets),
    "complaints[team]": Call(lambda wb, t: wb.complaints(team=True), _tickets),
    "complaint": Call(
        lambda wb, t: wb.complaint(t.ticket), lambda r, t: r.row.ticket_no == t.ticket
    ),
    "complaint_act": Call(
        lambda wb, t: wb.complaint_act(t.ticket, Change("respond", triage="now")), write=True
    ),
    "complaint_act[close]": Call(
        lambda wb, t: wb.complaint_act(t.closable, Change("close", satisfaction=5)), write=True
    ),
    "complaint_act[reassign]": Call(
        lambda wb, t: wb.complaint_act(t.ticket, Change("reassign", to_login=t.peer)), write=True
    ),
    "complaint_notices": Call(
        lambda wb, t: wb.complaint_notices(),
        lambda r, t: [x[1] for x in r] == [t.notification_title],
    ),
    "complaints_sweep": Call(
        lambda wb, t: wb.complaints_sweep(), write=True, own=True, changes=False
    ),
    # notifications and drafts
    "notifications": Call(
        lambda wb, t: wb.notifications(), lambda r, t: [n.id for n in r] == [t.notification_id]
    ),
    "notifications_unread": Call(lambda wb, t: wb.notifications_unread(), own=True),
    "notifications_since": Call(
        lambda wb, t: wb.notifications_since(0),
        lambda r, t: [n.id for n in r] == [t.notification_id],
    ),
    "notifications_latest_id": Call(lambda wb, t: wb.notifications_latest_id(), own=True),
    "notifications_mark_read": Call(
        lambda wb, t: wb.notifications_mark_read([t.notification_id]), write=True
    ),
    "draft_save": Call(
        lambda wb, t: wb.draft_save("complaint:K101", {"d": "y"}), write=True, own=True
    ),
    "draft_load": Call(lambda wb, t: wb.draft_load(t.draft), lambda r, t: r == {"d": "x"}),
    "draft_clear": Call(lambda wb, t: wb.draft_clear(t.draft), write=True),
    # work log
    "worklog_draft": Call(lambda wb, t: wb.worklog_draft(), own=True),
    "worklog_save": Call(
        lambda wb, t: wb.worklog_save(MONDAY, "今日拜访两户", 0), write=True, own=True
    ),
    "worklog_submit": Call(lambda wb, t: wb.worklog_submit(FRIDAY, 1), write=True, own=True),
    "worklog_missing": Call(lambda wb, t: wb.worklog_missing(), _logins),
    # on-site days
    "record_onsite_day": Call(
        lambda wb, t: wb.record_onsite_day(t.customer_no, MONDAY, "大堂", time(9), time(12)),
        write=True,
    ),
    "add_onsite_counts": Call(
        lambda wb, t: wb.add_onsite_counts(t.onsite_id, {"consultations_group": 2}), write=True
    ),
    "onsite_summary": Call(lambda wb, t: wb.onsite_summary("2026-11", t.owner), _logins),
    # visit plans
    "visit_week": Call(
        lambda wb, t: wb.visit_week(WEEK, t.owner),
        lambda r, t: [i.id for i in r.items] == [t.item_id],
    ),
    "visit_month": Call(
        lambda wb, t: wb.visit_month("2026-11", t.owner),
        lambda r, t: [i.id for i in r.items] == [t.item_id],
    ),
    "export_visits_ical": Call(
        lambda wb, t: wb.export_visits_ical(WEEK, t.owner),
        lambda r, t: f"visit-{t.item_id}@".encode() in r,
        write=True,
    ),
    "visit_plan_vs_actual": Call(lambda wb, t: wb.visit_plan_vs_actual(WEEK, t.owner), _logins),
    # reports: a manager's own figures, the team's for its supervisor, the branch's for the
    #    branch head and the admin
    "report": Call(
        lambda wb, t: wb.report("manager", MONDAY.replace(day=1), MONDAY, staff_login=t.owner),
        lambda r, t: [g.key for g in r.groups] == [t.owner],
    ),
    "report_drill": Call(
        lambda wb, t: wb.report_drill(
            "tasks_done", MONDAY.replace(day=1), MONDAY, staff_login=t.owner
        ),
        lambda r, t: [(x.owner_login, x.ref) for x in r] == [(t.owner, t.customer_no)],
    ),
    "report_trend": Call(
        lambda wb, t: wb.report_trend(1, "tasks_done", staff_login=t.owner),
        lambda r, t: [p.value for p in r["tasks_done"]] == [0.0],
    ),
    "visit_propose": Call(lambda wb, t: wb.visit_propose(WEEK), own=True),
    "visit_add_proposals": Call(
        lambda wb, t: wb.visit_add_proposals(WEEK, _proposal(t)), write=True
    ),
    "visit_add": Call(
        lambda wb, t: wb.visit_add(t.customer_no, date(2026, 11, 26), time(9), "gift"), write=True
    ),
    "visit_checklist": Call(lambda wb, t: wb.visit_checklist(t.item_id, ["带合同"]), write=True),
    "visit_shift": Call(lambda wb, t: wb.visit_shift(t.item_id, slots=1), write=True),
    "visits.move_item": Call(
        lambda wb, t: _move(wb, item_id=t.item_id, start=time(15)), write=True
    ),
    "visit_remove": Call(lambda wb, t: wb.visit_remove(t.item_id), write=True),
    "visit_record": Call(lambda wb, t: wb.visit_record(t.item_id, "done"), write=True),
    "visit_submit": Call(lambda wb, t: wb.visit_submit(NEXT_WEEK), write=True, own=True),
    "visit_approve": Call(lambda wb, t: wb.visit_approve(WEEK, t.owner), write=True),
    "visit_return": Call(lambda wb, t: wb.visit_return(WEEK, t.owner, "再加一户"), write=True),
    # SSH keys (CLI)
    "ssh_keys.grant_key": Call(
        lambda wb, t: _grant(wb, login=t.owner, public_key_text=NEW_KEY), write=True
    ),
    "ssh_keys.revoke_key": Call(lambda wb, t: _revoke(wb, login=t.owner), write=True),
    # staff, teams, leave, handover
    "record_leave": Call(
        lambda wb, t: wb.record_leave(t.owner, date(2026, 12, 7), date(2026, 12, 8)), write=True
    ),
    "handover": Call(lambda wb, t: wb.handover(t.owner, t.peer), write=True),
    "handover[dry_run]": Call(
        lambda wb, t: wb.handover(t.owner, t.peer, dry_run=True),
        lambda r, t: r.from_login == t.owner and r.customers == 2 and not r.done,
    ),
    "staff_admin.add_staff": Call(
        lambda wb, t: _add_staff(wb, login="newbie", name="新人", role="manager"),
        write=True,
        own=True,
    ),
    "staff_admin.edit_staff": Call(
        lambda wb, t: _edit_staff(wb, login=t.owner, phone="13700000000"), write=True
    ),
    "staff_admin.deactivate_staff": Call(lambda wb, t: _deactivate(wb, login=t.owner), write=True),
    "staff_admin.staff_detail": Call(
        lambda wb, t: _staff_detail(wb, login=t.owner), lambda r, t: r.login == t.owner
    ),
    "staff_admin.add_team": Call(lambda wb, t: _add_team(wb, name="零售组"), write=True, own=True),
    "staff_admin.rename_team": Call(
        lambda wb, t: _rename_team(wb, team="对公一组", new_name="公司一组"), write=True, own=True
    ),
    "staff_admin.list_teams": Call(lambda wb, t: _list_teams(wb), own=True),
    "staff_admin.list_leave": Call(
        lambda wb, t: _list_leave(wb, since=date(2026, 12, 1)),
        lambda r, t: any(x.id == t.leave_id for x in r),
    ),
    "staff_admin.cancel_leave": Call(
        lambda wb, t: _cancel_leave(wb, leave_id=t.leave_id), write=True
    ),
}

# -- the table ------------------------------------------------------------------------------

TABLE = """
# use case               target  M1  M2  P1  S1  S2  S0  H   A
# -- customers: seen by the owner, the backup (M2), the team's supervisor, the branch head
#    and the admin; lists leave the rest out (--), naming it is "not found" (nf: the same
#    refusal as for a customer that does not exist); the admin may not reveal
#    (privacy.reveal_roles); S0 leads no team and sees no one's book
overview                 self    ok  ok  ok  ok  ok  ok  ok  ok
staff                    m1      ok  ok  ok  ok  --  --  ok  ok
staff                    m3      --  --  --  --  ok  --  ok  ok
staff                    far     --  --  --  --  --  --  --  --
search                   m1      ok  ok  --  ok  --  --  ok  ok
search                   m3      --  --  --  --  ok  --  ok  ok
search                   far     --  --  --  --  --  --  --  --
count                    m1      ok  ok  --  ok  --  --  ok  ok
count                    m3      --  --  --  --  ok  --  ok  ok
count                    far     --  --  --  --  --  --  --  --
customer_360             m1      ok  ok  nf  ok  nf  nf  ok  ok
customer_360             m3      nf  nf  nf  nf  ok  nf  ok  ok
customer_360             far     nf  nf  nf  nf  nf  nf  nf  nf
customer_contacts        m1      ok  ok  nf  ok  nf  nf  ok  ok
customer_contacts        m3      nf  nf  nf  nf  ok  nf  ok  ok
customer_contacts        far     nf  nf  nf  nf  nf  nf  nf  nf
reveal                   m1      ok  ok  nf  ok  nf  nf  ok  no
reveal                   m3      nf  nf  nf  nf  ok  nf  ok  no
reveal                   far     nf  nf  nf  nf  nf  nf  nf  no
update_customer          m1      ok  ok  nf  ok  nf  nf  ok  ok
update_customer          m3      nf  nf  nf  nf  ok  nf  ok  ok
update_customer          far     nf  nf  nf  nf  nf  nf  nf  nf
mark_verified            m1      ok  ok  nf  ok  nf  nf  ok  ok
mark_verified            m3      nf  nf  nf  nf  ok  nf  ok  ok
mark_verified            far     nf  nf  nf  nf  nf  nf  nf  nf
log_contact              m1      ok  ok  nf  ok  nf  nf  ok  ok
log_contact              m3      nf  nf  nf  nf  ok  nf  ok  ok
log_contact              far     nf  nf  nf  nf  nf  nf  nf  nf
add_task                 m1      ok  ok  nf  ok  nf  nf  ok  ok
add_task                 m3      nf  nf  nf  nf  ok  nf  ok  ok
add_task                 far     nf  nf  nf  nf  nf  nf  nf  nf
audit_for_customer       m1      ok  ok  nf  ok  nf  nf  ok  ok
audit_for_customer       m3      nf  nf  nf  nf  ok  nf  ok  ok
audit_for_customer       far     nf  nf  nf  nf  nf  nf  nf  nf
audit.search             m1      ok  ok  nf  ok  nf  nf  ok  ok
audit.search             m3      nf  nf  nf  nf  ok  nf  ok  ok
audit.search             far     nf  nf  nf  nf  nf  nf  nf  nf
audit.search[staff]      m1      ok  ok  --  ok  no  no  ok  ok
audit.search[staff]      m3      no  no  no  no  ok  no  ok  ok
audit.search[staff]      far     no  no  no  no  no  no  no  no
# -- tasks: worked by their owner (or whoever covers them on leave); the team's work is
#    for its supervisor and the branch head; only the team's supervisor reassigns
today                    m1      ok  --  --  --  --  --  --  --
today                    m3      --  --  --  --  --  --  --  --
today                    far     --  --  --  --  --  --  --  --
today_counts             self    ok  ok  ok  ok  ok  ok  ok  ok
log_task_call            m1      ok  nf  nf  nf  nf  nf  nf  nf
log_task_call            m3      nf  nf  nf  nf  nf  nf  nf  nf
log_task_call            far     nf  nf  nf  nf  nf  nf  nf  nf
log_task_visit           m1      ok  nf  nf  nf  nf  nf  nf  nf
log_task_visit           m3      nf  nf  nf  nf  nf  nf  nf  nf
log_task_visit           far     nf  nf  nf  nf  nf  nf  nf  nf
snooze_task              m1      ok  nf  nf  nf  nf  nf  nf  nf
snooze_task              m3      nf  nf  nf  nf  nf  nf  nf  nf
snooze_task              far     nf  nf  nf  nf  nf  nf  nf  nf
complete_task            m1      ok  nf  nf  nf  nf  nf  nf  nf
complete_task            m3      nf  nf  nf  nf  nf  nf  nf  nf
complete_task            far     nf  nf  nf  nf  nf  nf  nf  nf
team_board               m1      no  no  no  ok  --  --  ok  no
team_board               m3      no  no  no  --  ok  --  ok  no
team_board               far     no  no  no  --  --  --  --  no
team_tasks               m1      no  no  no  ok  no  no  ok  no
team_tasks               m3      no  no  no  no  ok  no  ok  no
team_tasks               far     no  no  no  no  no  no  no  no
reassign_task            m1      no  no  no  ok  no  no  no  no
reassign_task            m3      no  no  no  no  ok  no  no  no
reassign_task            far     no  no  no  no  no  no  no  no
# -- complaints: moved by whoever sees the customer, IT excepted; closed by supervisors
#    (complaints.close_roles); reassigned and listed team-wide by supervisors and the
#    branch head; a sweep by hand reaches the tickets in scope only (see its own test)
open_complaint           m1      ok  ok  nf  ok  nf  nf  ok  no
open_complaint           m3      nf  nf  nf  nf  ok  nf  ok  no
open_complaint           far     nf  nf  nf  nf  nf  nf  nf  no
complaints               m1      ok  --  --  --  --  --  --  --
complaints               m3      --  --  --  --  --  --  --  --
complaints               far     --  --  --  --  --  --  --  --
complaints[team]         m1      no  no  no  ok  --  --  ok  no
complaints[team]         m3      no  no  no  --  ok  --  ok  no
complaints[team]         far     no  no  no  --  --  --  --  no
complaint                m1      ok  ok  nf  ok  nf  nf  ok  ok
complaint                m3      nf  nf  nf  nf  ok  nf  ok  ok
complaint                far     nf  nf  nf  nf  nf  nf  nf  nf
complaint_act            m1      ok  ok  nf  ok  nf  nf  ok  no
complaint_act            m3      nf  nf  nf  nf  ok  nf  ok  no
complaint_act            far     nf  nf  nf  nf  nf  nf  nf  nf
complaint_act[close]     m1      no  no  nf  ok  nf  nf  no  no
complaint_act[close]     m3      nf  nf  nf  nf  ok  nf  no  no
complaint_act[close]     far     nf  nf  nf  nf  nf  nf  nf  nf
complaint_act[reassign]  m1      no  no  nf  ok  nf  nf  ok  no
complaint_act[reassign]  m3      nf  nf  nf  nf  ok  nf  ok  no
complaint_act[reassign]  far     nf  nf  nf  nf  nf  nf  nf  nf
complaint_notices        m1      ok  --  --  --  --  --  --  --
complaint_notices        m3      --  --  --  --  --  --  --  --
complaint_notices        far     --  --  --  --  --  --  --  --
complaints_sweep         self    ok  ok  ok  ok  ok  ok  ok  ok
# -- notifications, drafts, work logs: everyone their own; another's is never listed nor
#    touched (--); who has not submitted a log is for the leads
notifications            m1      ok  --  --  --  --  --  --  --
notifications            m3      --  --  --  --  --  --  --  --
notifications            far     --  --  --  --  --  --  --  --
notifications_unread     self    ok  ok  ok  ok  ok  ok  ok  ok
notifications_since      m1      ok  --  --  --  --  --  --  --
notifications_since      m3      --  --  --  --  --  --  --  --
notifications_since      far     --  --  --  --  --  --  --  --
notifications_latest_id  self    ok  ok  ok  ok  ok  ok  ok  ok
notifications_mark_read  m1      ok  --  --  --  --  --  --  --
notifications_mark_read  m3      --  --  --  --  --  --  --  --
notifications_mark_read  far     --  --  --  --  --  --  --  --
draft_save               self    ok  ok  ok  ok  ok  ok  ok  ok
draft_load               m1      ok  --  --  --  --  --  --  --
draft_load               m3      --  --  --  --  --  --  --  --
draft_load               far     --  --  --  --  --  --  --  --
draft_clear              m1      ok  --  --  --  --  --  --  --
draft_clear              m3      --  --  --  --  --  --  --  --
draft_clear              far     --  --  --  --  --  --  --  --
worklog_draft            self    ok  ok  ok  ok  ok  ok  ok  ok
worklog_save             self    ok  ok  ok  ok  ok  ok  ok  ok
worklog_submit           self    ok  ok  ok  ok  ok  ok  ok  ok
worklog_missing          m1      no  no  no  ok  --  --  ok  no
worklog_missing          m3      no  no  no  --  ok  --  ok  no
worklog_missing          far     no  no  no  --  --  --  --  no
# -- on-site days and visit plans: changed by their owner only, read by the team's
#    supervisor, the branch head and the admin; a visit may be planned (on one's own plan)
#    to any customer in scope; only the team's supervisor approves or returns a plan
record_onsite_day        m1      ok  ok  nf  ok  nf  nf  ok  ok
record_onsite_day        m3      nf  nf  nf  nf  ok  nf  ok  ok
record_onsite_day        far     nf  nf  nf  nf  nf  nf  nf  nf
add_onsite_counts        m1      ok  nf  nf  nf  nf  nf  nf  nf
add_onsite_counts        m3      nf  nf  nf  nf  nf  nf  nf  nf
add_onsite_counts        far     nf  nf  nf  nf  nf  nf  nf  nf
onsite_summary           m1      ok  no  no  ok  no  no  ok  ok
onsite_summary           m3      no  no  no  no  ok  no  ok  ok
onsite_summary           far     no  no  no  no  no  no  no  no
visit_week               m1      ok  no  no  ok  no  no  ok  ok
visit_week               m3      no  no  no  no  ok  no  ok  ok
visit_week               far     no  no  no  no  no  no  no  no
visit_month              m1      ok  no  no  ok  no  no  ok  ok
visit_month              m3      no  no  no  no  ok  no  ok  ok
visit_month              far     no  no  no  no  no  no  no  no
export_visits_ical       m1      ok  no  no  ok  no  no  ok  ok
export_visits_ical       m3      no  no  no  no  ok  no  ok  ok
export_visits_ical       far     no  no  no  no  no  no  no  no
visit_plan_vs_actual     m1      ok  no  no  ok  no  no  ok  ok
visit_plan_vs_actual     m3      no  no  no  no  ok  no  ok  ok
visit_plan_vs_actual     far     no  no  no  no  no  no  no  no
# -- reports: one's own figures (a manager), the team's (its supervisor), the branch's (the
#    branch head and the admin); a colleague outside that is refused, not left out
report                   m1      ok  no  no  ok  no  no  ok  ok
report                   m3      no  no  no  no  ok  no  ok  ok
report                   far     no  no  no  no  no  no  no  no
report_drill             m1      ok  no  no  ok  no  no  ok  ok
report_drill             m3      no  no  no  no  ok  no  ok  ok
report_drill             far     no  no  no  no  no  no  no  no
report_trend             m1      ok  no  no  ok  no  no  ok  ok
report_trend             m3      no  no  no  no  ok  no  ok  ok
report_trend             far     no  no  no  no  no  no  no  no
visit_propose            self    ok  ok  ok  ok  ok  ok  ok  ok
visit_add_proposals      m1      ok  ok  nf  ok  nf  nf  ok  ok
visit_add_proposals      m3      nf  nf  nf  nf  ok  nf  ok  ok
visit_add_proposals      far     nf  nf  nf  nf  nf  nf  nf  nf
visit_add                m1      ok  ok  nf  ok  nf  nf  ok  ok
visit_add                m3      nf  nf  nf  nf  ok  nf  ok  ok
visit_add                far     nf  nf  nf  nf  nf  nf  nf  nf
visit_checklist          m1      ok  nf  nf  nf  nf  nf  nf  nf
visit_checklist          m3      nf  nf  nf  nf  nf  nf  nf  nf
visit_checklist          far     nf  nf  nf  nf  nf  nf  nf  nf
visit_shift              m1      ok  nf  nf  nf  nf  nf  nf  nf
visit_shift              m3      nf  nf  nf  nf  nf  nf  nf  nf
visit_shift              far     nf  nf  nf  nf  nf  nf  nf  nf
visits.move_item         m1      ok  nf  nf  nf  nf  nf  nf  nf
visits.move_item         m3      nf  nf  nf  nf  nf  nf  nf  nf
visits.move_item         far     nf  nf  nf  nf  nf  nf  nf  nf
visit_remove             m1      ok  nf  nf  nf  nf  nf  nf  nf
visit_remove             m3      nf  nf  nf  nf  nf  nf  nf  nf
visit_remove             far     nf  nf  nf  nf  nf  nf  nf  nf
visit_record             m1      ok  nf  nf  nf  nf  nf  nf  nf
visit_record             m3      nf  nf  nf  nf  nf  nf  nf  nf
visit_record             far     nf  nf  nf  nf  nf  nf  nf  nf
visit_submit             self    ok  ok  ok  ok  ok  ok  ok  ok
visit_approve            m1      no  no  no  ok  no  no  no  no
visit_approve            m3      no  no  no  no  ok  no  no  no
visit_approve            far     no  no  no  no  no  no  no  no
visit_return             m1      no  no  no  ok  no  no  no  no
visit_return             m3      no  no  no  no  ok  no  no  no
visit_return             far     no  no  no  no  no  no  no  no
# -- SSH keys (CLI): an administrator, for staff of their branch
ssh_keys.grant_key       m1      no  no  no  no  no  no  no  ok
ssh_keys.grant_key       m3      no  no  no  no  no  no  no  ok
ssh_keys.grant_key       far     no  no  no  no  no  no  no  no
ssh_keys.revoke_key      m1      no  no  no  no  no  no  no  ok
ssh_keys.revoke_key      m3      no  no  no  no  no  no  no  ok
ssh_keys.revoke_key      far     no  no  no  no  no  no  no  no
# -- staff and teams: the administrator of the branch; leave: the team's supervisor, the
#    branch head or the administrator (a manager asks); colleagues of a team see its leave;
#    a handover: the branch head or the administrator, to a manager (m3's peer is S2: ii),
#    and deactivating someone who still owns customers is refused with why (ii)
record_leave             m1      no  no  no  ok  no  no  ok  ok
record_leave             m3      no  no  no  no  ok  no  ok  ok
record_leave             far     no  no  no  no  no  no  no  no
handover                 m1      no  no  no  no  no  no  ok  ok
handover                 m3      no  no  no  no  no  no  ii  ii
handover                 far     no  no  no  no  no  no  no  no
handover[dry_run]        m1      no  no  no  no  no  no  ok  ok
handover[dry_run]        m3      no  no  no  no  no  no  ii  ii
handover[dry_run]        far     no  no  no  no  no  no  no  no
staff_admin.add_staff    self    no  no  no  no  no  no  no  ok
staff_admin.edit_staff   m1      no  no  no  no  no  no  no  ok
staff_admin.edit_staff   m3      no  no  no  no  no  no  no  ok
staff_admin.edit_staff   far     no  no  no  no  no  no  no  no
staff_admin.deactivate_staff m1  no  no  no  no  no  no  no  ii
staff_admin.deactivate_staff m3  no  no  no  no  no  no  no  ii
staff_admin.deactivate_staff far no  no  no  no  no  no  no  no
staff_admin.staff_detail m1      no  no  no  no  no  no  no  ok
staff_admin.staff_detail m3      no  no  no  no  no  no  no  ok
staff_admin.staff_detail far     no  no  no  no  no  no  no  no
staff_admin.add_team     self    no  no  no  no  no  no  no  ok
staff_admin.rename_team  self    no  no  no  no  no  no  no  ok
staff_admin.list_teams   self    ok  ok  ok  ok  ok  ok  ok  ok
staff_admin.list_leave   m1      ok  ok  ok  ok  --  --  ok  ok
staff_admin.list_leave   m3      --  --  --  --  ok  --  ok  ok
staff_admin.list_leave   far     --  --  --  --  --  --  --  --
staff_admin.cancel_leave m1      no  no  no  ok  no  no  ok  ok
staff_admin.cancel_leave m3      no  no  no  no  ok  no  ok  ok
staff_admin.cancel_leave far     no  no  no  no  no  no  no  no
"""


def parse_table(text: str) -> dict[tuple[str, str, str], str]:
    """``(use case, actor, target) → cell`` from the text of :data:`TABLE`."""
    cells: dict[tuple[str, str, str], str] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, target, *row = line.split()
        assert len(row) == len(ACTORS), f"{key} {target}: {len(row)} cells, not {len(ACTORS)}"
        for actor, cell in zip(ACTORS, row, strict=True):
            assert cell in ("ok", "--", *REFUSALS), f"{key} {target} {actor}: {cell!r}"
            cells[(key, actor, target)] = cell
    return cells


EXPECTED = parse_table(TABLE)
"""Every cell of the table."""


# -- running one case -----------------------------------------------------------------------


def _data_version(monitor: sqlite3.Connection) -> int:
    return int(monitor.execute("PRAGMA data_version").fetchone()[0])


def observe(world: World, key: str, who: str, target: str, *, fresh: bool) -> str:
    """What actually happens: ``ok``, ``--``, a refusal code, or what went wrong (a refusal
    that wrote, a read that wrote, an error that is no refusal)."""
    call = CALLS[key]
    if fresh:
        path = world.copy()
        engine = make_engine(f"sqlite:///{path}")
    else:
        path, engine = world.shared_db()
    monitor = sqlite3.connect(path)
    t = world.targets.get(target, world.targets["m1"])
    refusal: str | None = None
    try:
        before = _data_version(monitor)
        try:
            result = call.run(Workbench(engine, SETTINGS, world.actors[who]), t)
        except ServiceError as error:
            refusal = _refusal(error)
        changed = _data_version(monitor) != before
    finally:
        monitor.close()
        if fresh:
            engine.dispose()
            world.discard(path)
    if changed and not fresh:
        world.spoil_shared()
    if refusal is not None:
        return f"{refusal}, but the database changed" if changed else refusal
    return _returned(call, result, t, target, changed)


def _refusal(error: ServiceError) -> str:
    """The cell of a refusal, or what is wrong with it (an error that is no refusal, a
    message that is a bare catalog key)."""
    codes = [code for code, kind in REFUSALS.items() if type(error) is kind]
    if not codes:
        return f"{type(error).__name__}: {error}"
    if not str(error).strip() or re.fullmatch(r"[a-z_]+(\.[a-z_]+)+", str(error)):
        return f"{codes[0]}, but the message is {str(error)!r}"
    return codes[0]


def _returned(call: Call, result: Any, t: Target, target: str, changed: bool) -> str:
    """The outcome of a call that returned ``result``."""
    if not call.write:
        if changed:
            return "ok, but a read wrote to the database"
        if call.shows is None or target == "self":
            return "ok"
        return "ok" if call.shows(result, t) else "--"
    if call.changes and not changed:
        return "--"
    if call.shows is not None and not call.shows(result, t):
        return "ok, but the answer is not about the record"
    return "ok"


# -- the tests ------------------------------------------------------------------------------


def _cases() -> list[Any]:
    return [
        pytest.param(key, actor, target, cell, id=f"{key}-{actor}-{target}-{cell}")
        for (key, actor, target), cell in EXPECTED.items()
    ]


@pytest.mark.parametrize(("key", "actor", "target", "expected"), _cases())
def test_scope(
    world: World, frozen_clock: datetime, key: str, actor: str, target: str, expected: str
) -> None:
    fresh = CALLS[key].write and expected == "ok"
    observed = observe(world, key, actor, target, fresh=fresh)
    assert observed == expected, f"{key} by {actor} on {target}: {observed}, not {expected}"


def test_a_backup_sees_only_the_customers_they_back_up(
    world: World, frozen_clock: datetime
) -> None:
    _path, engine = world.shared_db()
    m1, m2 = (Workbench(engine, SETTINGS, world.actors[name]) for name in ("M1", "M2"))
    assert [hit.customer_no for hit in m1.search("K1")] == ["K101", "K102"]
    assert [hit.customer_no for hit in m2.search("K")] == ["K101", "K201"]
    with pytest.raises(NotFound, match="K102"):
        m2.customer_360("K102")


@pytest.mark.parametrize(
    ("key", "actor", "target", "words"),
    [
        ("complaints[team]", "M2", "m1", "主管和行长"),
        ("open_complaint", "A", "m1", "IT"),
        ("ssh_keys.grant_key", "M1", "m1", "系统管理员"),
        ("ssh_keys.revoke_key", "A", "far", "om"),
    ],
)
def test_a_refusal_says_why(
    world: World, frozen_clock: datetime, key: str, actor: str, target: str, words: str
) -> None:
    _path, engine = world.shared_db()
    bench = Workbench(engine, SETTINGS, world.actors[actor])
    with pytest.raises(OutOfScope, match=words):
        CALLS[key].run(bench, world.targets.get(target, world.targets["m1"]))


def test_naming_a_record_out_of_scope_reads_as_not_found(
    world: World, frozen_clock: datetime
) -> None:
    """The refusal for another's customer or ticket is word for word the one for a record
    that does not exist, naming what was typed, never another team's ticket number."""
    _path, engine = world.shared_db()
    bench = Workbench(engine, SETTINGS, world.actors["S0"])
    with pytest.raises(NotFound) as hidden:
        bench.customer_360("K901")
    with pytest.raises(NotFound) as missing:
        bench.customer_360("K999")
    assert str(hidden.value).replace("K901", "?") == str(missing.value).replace("K999", "?")
    ticket = world.targets["far"].ticket
    with pytest.raises(NotFound) as refused:
        Workbench(engine, SETTINGS, world.actors["M1"]).complaint(ticket)
    assert ticket in str(refused.value)  # what was typed, and nothing else


def test_a_sweep_by_hand_reaches_the_tickets_in_scope_only(
    world: World, frozen_clock: datetime
) -> None:
    path = world.copy()
    engine = make_engine(f"sqlite:///{path}")
    clock.freeze("2026-11-30T09:00")  # a week on: every open ticket is past its deadline
    try:
        Workbench(engine, SETTINGS, world.actors["M2"]).complaints_sweep()
        with engine.connect() as conn:
            query = text("SELECT ticket_no FROM complaint WHERE breached")
            breached = set(conn.execute(query).scalars())
    finally:
        engine.dispose()
    tickets = {name: t.ticket for name, t in world.targets.items()}
    assert tickets["m1"] in breached  # a customer M2 backs up
    assert tickets["m3"] not in breached and tickets["far"] not in breached


def workbench_use_cases() -> set[str]:
    """The public methods of :class:`Workbench`, less :data:`NOT_USE_CASES`."""
    return {
        name
        for name, member in inspect.getmembers(Workbench, inspect.isfunction)
        if not name.startswith("_")
    } - set(NOT_USE_CASES)


def entry_points() -> set[str]:
    """``module.function`` of every service entry point in :data:`ENTRY_MODULES` that no
    :class:`Workbench` method calls."""
    source = inspect.getsource(Workbench)
    reached = {
        getattr(importlib.import_module(f"cmworkbench.services.{module}"), name)
        for module, name in re.findall(r"from cmworkbench\.services\.(\w+) import (\w+)", source)
    }
    found = set()
    for module_name in ENTRY_MODULES:
        module = importlib.import_module(module_name)
        for name, function in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(function):
                continue
            if function.__module__ != module_name or function in reached:
                continue
            parameters = inspect.signature(function).parameters
            keyword_only = {n for n, p in parameters.items() if p.kind is p.KEYWORD_ONLY}
            if {"session", "actor"} <= keyword_only:
                found.add(f"{module_name.rsplit('.', 1)[1]}.{name}")
    return found


def test_every_use_case_has_a_row() -> None:
    wanted = workbench_use_cases() | entry_points()
    called = {key.split("[")[0] for key in CALLS}
    tabled = {key.split("[")[0] for key, _actor, _target in EXPECTED}
    missing = sorted(wanted - called)
    assert not missing, f"no Call in CALLS (and no line in TABLE) for: {', '.join(missing)}"
    untabled = sorted(wanted - tabled)
    assert not untabled, f"no line in TABLE for: {', '.join(untabled)}"
    stale = sorted((called | tabled) - wanted)
    assert not stale, f"rows for what is no use case (renamed? removed?): {', '.join(stale)}"
    assert set(CALLS) == {key for key, _actor, _target in EXPECTED}


def test_every_row_covers_every_actor_and_its_targets() -> None:
    for key in CALLS:
        targets = {target for k, _actor, target in EXPECTED if k == key}
        assert targets in ({"self"}, {"m1", "m3", "far"}), f"{key}: targets {sorted(targets)}"

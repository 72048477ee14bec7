"""Scope, table-driven: every use case, every role, whose record, against the real database.

Given one branch with two teams and a second branch:

* team 1: supervisor ``S1``, managers ``M1`` and ``M2``, phone manager ``P1``; ``M2`` backs up
  (AB角) one of ``M1``'s customers, not the other;
* team 2: supervisor ``S2`` and manager ``M3``;
* ``S0``, a supervisor who leads no team yet; the branch head ``H``; the administrator ``A``;
* ``R``, a teller of team 1 (a referrer: no book, only their own referrals);
* ``K``, the branch's risk manager, in no team (no book either: only the credit files
  submitted to them, which they sign or return, whoever's customer it is in the branch);
* the other branch: one manager in no team, with one customer, a teller and a risk manager;

and each of ``M1``, ``M3`` and the other branch's manager owning a customer with a contact, an
overdue task, a planned visit, open complaints, an on-site day, a notification, a draft, an
SSH key, a referral they received (``m1``'s made by ``R``, ``m3``'s by ``M2``, ``far``'s by
the other branch's teller), an open lead and three credit files of the customer, each ready
to be signed (every item checked, guarantors worth 2.1 × the loan): a draft, one submitted to
their branch's risk manager (``K``; ``far``: the other branch's) and one that risk manager
approved; one more lead waits in the pool;

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
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
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
    Holding,
    Lead,
    MarketReport,
    Notification,
    OnsiteDay,
    Opportunity,
    Promise,
    Referral,
    SshKey,
    Staff,
    StaffLeave,
    VisitPlan,
    VisitPlanItem,
    WorkLog,
)
from cmworkbench.services.complaints.intake import open_complaint
from cmworkbench.services.complaints.lifecycle import act
from cmworkbench.services.complaints.schemas import Change
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import InvalidInput, NotFound, OutOfScope, ServiceError
from cmworkbench.services.core.login import find_actor
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.usecase import use_cases
from cmworkbench.services.credit import files as credit_files
from cmworkbench.services.credit import signing
from cmworkbench.services.customers.schemas import CustomerEdit
from cmworkbench.services.goals.setting import set_goal
from cmworkbench.services.staff import leave, people, ssh_keys, teams
from cmworkbench.services.visits import plans as visits
from cmworkbench.services.visits.schemas import ProposedVisit
from cmworkbench.services.workbench import Workbench

ENTRY_MODULES = (
    "cmworkbench.services.core.audit",
    "cmworkbench.services.customers.handover",
    "cmworkbench.services.staff.ssh_keys",
    "cmworkbench.services.staff.leave",
    "cmworkbench.services.staff.people",
    "cmworkbench.services.staff.teams",
    "cmworkbench.services.visits.plans",
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
ACTORS = ("M1", "M2", "P1", "S1", "S2", "S0", "H", "A", "R", "K")
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
    "R": "r",
    "K": "k",
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
    contact_id: int
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
    market_report_id: int
    """The owner's market report of October."""
    promise_id: int
    """The feedback promise the open complaint owes the customer."""
    product: str
    """A holding of the customer, with a promised activation date."""
    referral_id: int
    """An open referral of the customer, received by the owner."""
    lead_id: int
    """An open lead allocated to the owner."""
    pool_lead_id: int
    """The lead waiting in the pool (the same for every target)."""
    opportunity_id: int
    """An open opportunity of the owner's with the customer, at the step before the proposal."""
    proposal_id: int
    """An open opportunity of the owner's whose proposal (1:1.2) waits for the supervisor."""
    credit_draft_id: int
    """The owner's credit file of the customer ready to submit: every item checked ``pass``,
    guarantors worth 2.1 × the loan."""
    guarantor_id: int
    """The draft's first guarantor."""
    credit_submitted_id: int
    """A file as ready, submitted to the branch's risk manager (``k``; ``far``: ``ok``)."""
    credit_approved_id: int
    """A file as ready, signed by that risk manager."""


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


def _lead(f: Factory, name: str, phone: str, owner: Staff | None) -> int:
    """An open lead (a walk-in), allocated to ``owner`` (``None``: in the pool)."""
    now = clock.now()
    lead = Lead(
        name=name,
        phone=phone,
        need="想了解理财",
        product="wealth",
        source="walk_in",
        owner_id=owner.id if owner is not None else None,
        status="open",
        created_at=now,
        allocated_at=now if owner is not None else None,
        version=1,
    )
    f.session.add(lead)
    f.session.flush()
    assert lead.id is not None
    return lead.id


def _target(
    f: Factory,
    name: str,
    owner: Staff,
    peer: Staff,
    customer: Customer,
    onsite_at: Customer,
    referrer: Staff,
    pool_lead_id: int,
    risk: Staff,
) -> Target:
    """Give ``owner`` the records of one target on ``customer`` (a referral of it by
    ``referrer``, credit files submitted to ``risk``)."""
    session, now = f.session, clock.now()
    assert owner.id is not None and customer.id is not None and onsite_at.id is not None
    assert referrer.id is not None
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
    report = MarketReport(
        author_id=owner.id, month="2026-10", content="竞品降价", submitted_at=now, updated_at=now
    )
    holding = Holding(
        customer_id=customer.id,
        product=f"{name}专线",
        product_kind="telecom",
        promised_on=date(2026, 11, 30),
    )
    referral = Referral(
        at=now,
        referrer_id=referrer.id,
        customer_id=customer.id,
        need="想办理理财",
        product="wealth",
        to_id=owner.id,
        received_at=now,
        window_ends=MONDAY + timedelta(days=SETTINGS.referrals.window_days),
        status="open",
        version=1,
    )
    session.add_all([leave, report, holding, referral])
    session.flush()
    assert task.id and item.id and onsite.id and notice.id and leave.id and report.id
    assert referral.id is not None
    opportunities = [
        Opportunity(
            customer_id=customer.id,
            product="loan",
            need=f"{name}流动资金贷款",
            value_yuan=5_000_000,
            expected_close=MONDAY + timedelta(days=40),
            stage=stage,
            stage_since=now,
            owner_id=owner.id,
            cost_yuan=cost,
            return_yuan=back,
            proposal=proposal,
            proposal_at=now if proposal else None,
            last_step_at=now,
            created_at=now,
            created_by_id=owner.id,
        )
        for stage, cost, back, proposal in (
            ("assess", None, None, None),
            ("solution", 1_000_000, 1_200_000, "waiting"),
        )
    ]
    session.add_all(opportunities)
    session.flush()
    opportunity_id, proposal_id = (o.id for o in opportunities)
    assert opportunity_id is not None and proposal_id is not None
    lead_id = _lead(f, f"{name}意向客户", f"1360000{owner.id:04d}", owner)
    ticket_id = session.exec(select(Complaint.id).where(Complaint.ticket_no == ticket)).one()
    promise_id = session.exec(select(Promise.id).where(Promise.complaint_id == ticket_id)).one()
    assert promise_id is not None
    return Target(
        name=name,
        owner=owner.login,
        peer=peer.login,
        customer_no=customer.customer_no,
        phone=customer.phone or "",
        contact=contact.name,
        contact_id=contact.id,
        task_id=task.id,
        item_id=item.id,
        ticket=ticket,
        closable=closable,
        onsite_id=onsite.id,
        notification_id=notice.id,
        notification_title=title,
        draft=draft,
        leave_id=leave.id,
        market_report_id=report.id,
        promise_id=promise_id,
        product=holding.product,
        referral_id=referral.id,
        lead_id=lead_id,
        pool_lead_id=pool_lead_id,
        opportunity_id=opportunity_id,
        proposal_id=proposal_id,
        **_credit(f, owner, customer, risk),
    )


def _credit(f: Factory, owner: Staff, customer: Customer, risk: Staff) -> dict[str, int]:
    """``owner``'s three credit files on ``customer`` (a draft, one submitted to ``risk``, one
    ``risk`` approved), each investigated and guaranteed enough to be signed: the
    :class:`Target` fields ``credit_*_id`` and ``guarantor_id``."""
    session, me = f.session, _actor(owner)
    check = partial(credit_files.check_item, session=session, actor=me, settings=SETTINGS)
    guarantee = partial(credit_files.add_guarantor, session=session, actor=me, settings=SETTINGS)
    made = []
    for _ in range(3):
        file_id = credit_files.new_file(
            session=session,
            actor=me,
            settings=SETTINGS,
            customer_no=customer.customer_no,
            product="流动资金贷款",
            amount="100万",
            term_months=12,
            purpose="采购原材料",
        ).file.id
        for item in SETTINGS.credit.items:
            check(file_id=file_id, item=item, result="pass", finding="无异常")
        guarantee(file_id=file_id, name="担保人甲", net_assets="150万")
        made.append(guarantee(file_id=file_id, name="担保人乙", net_assets="60万"))
    draft, submitted, approved = made
    for detail in (submitted, approved):
        signing.submit(
            session=session, actor=me, settings=SETTINGS, file_id=detail.file.id, to=risk.login
        )
    signing.sign(session=session, actor=_actor(risk), settings=SETTINGS, file_id=approved.file.id)
    return {
        "credit_draft_id": draft.file.id,
        "guarantor_id": draft.guarantors[0].id,
        "credit_submitted_id": submitted.file.id,
        "credit_approved_id": approved.file.id,
    }


def _actor(staff: Staff) -> Actor:
    assert staff.id is not None
    return Actor(staff.id, staff.login, staff.name, staff.role, staff.branch_id, staff.team_id)


def _own_things(f: Factory, person: Staff, visits_customer: Customer) -> None:
    """What a self-only use case needs of everyone (but a referrer and a risk manager, who
    keep no work log and plan no visit): a saved log of Friday, next week's plan."""
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
        teller = f.staff(branch, "r", "柜员一", role="referrer", team=team1)
        far_teller = f.staff(far_branch, "or", "外行柜员", role="referrer")
        risk = f.staff(branch, "k", "风控一", role="risk_manager")
        far_risk = f.staff(far_branch, "ok", "外行风控", role="risk_manager")
        backed_up = _book(f, m1, "K101", "西湖茶业", "13800000101")
        backed_up.backup_id = m2.id
        solo = _book(f, m1, "K102", "钱江物流", "13800000102")
        own2 = _book(f, m2, "K201", "之江电子", "13800000201")
        own_p = _book(f, p1, "K301", "小店", "13800000301")
        other_team = _book(f, m3, "K401", "滨江建材", "13800000401")
        far_customer = _book(f, far, "K901", "外地矿业", "13800000901")
        session.flush()
        pooled = _lead(f, "池中意向客户", "13600009999", None)
        targets = {
            "m1": _target(f, "m1", m1, m2, backed_up, solo, teller, pooled, risk),
            "m3": _target(f, "m3", m3, s2, other_team, other_team, m2, pooled, risk),
            "far": _target(
                f, "far", far, far, far_customer, far_customer, far_teller, pooled, far_risk
            ),
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
        # the branch's goal of new customers for 2026, broken down evenly (the goals' rows)
        set_goal(
            session=session,
            actor=_actor(head),
            settings=SETTINGS,
            measure="new_customers",
            year=2026,
            amount=1200,
        )
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
    keeps_plan: bool = False
    """A read that keeps the day's plan the first time it is made (``day_plan``, DESIGN.md,
    "A day a manager can work"): run on a copy, and that write is not a fault."""


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
_add_staff = _service(people.add_staff, grades=SETTINGS.grades)
_edit_staff = _service(people.edit_staff, grades=SETTINGS.grades)
_deactivate = _service(people.deactivate_staff)
_staff_detail = _service(people.staff_detail)
_add_team = _service(teams.add_team)
_rename_team = _service(teams.rename_team)
_list_teams = _service(teams.list_teams)
_list_leave = _service(leave.list_leave)
_cancel_leave = _service(leave.cancel_leave)


def _export(wb: Workbench) -> Any:
    """A masked export of the customers in scope, to a file of its own."""
    folder = Path(tempfile.mkdtemp(prefix="cmw-scope-export-"))
    return wb.customers.export(path=folder / "customers.csv")


CALLS: dict[str, Call] = {
    # customers and search
    "reports.overview": Call(lambda wb, t: wb.reports.overview(), own=True),
    "staff.directory": Call(
        lambda wb, t: wb.staff.directory(), lambda r, t: t.owner in {s.login for s in r}
    ),
    "customers.search": Call(
        lambda wb, t: wb.customers.search(t.customer_no),
        lambda r, t: [h.customer_no for h in r] == [t.customer_no],
    ),
    "customers.count": Call(lambda wb, t: wb.customers.count(t.customer_no), lambda r, t: r == 1),
    "customers.view": Call(
        lambda wb, t: wb.customers.view(t.customer_no),
        lambda r, t: r.profile.customer_no == t.customer_no and len(r.open_complaints) == 2,
    ),
    "customers.contacts": Call(
        lambda wb, t: wb.customers.contacts(t.customer_no),
        lambda r, t: [c.name for c in r] == [t.contact],
    ),
    "customers.reveal": Call(
        lambda wb, t: wb.customers.reveal(t.customer_no, "phone"),
        lambda r, t: r == t.phone,
        write=True,
    ),
    "customers.update": Call(
        lambda wb, t: wb.customers.update(t.customer_no, 1, CustomerEdit(area="滨江")),
        lambda r, t: r.customer_no == t.customer_no and r.area == "滨江",
        write=True,
    ),
    "customers.edit_contact": Call(
        lambda wb, t: wb.customers.edit_contact(t.customer_no, t.contact_id, "executor", True),
        lambda r, t: [(c.name, c.role) for c in r] == [(t.contact, "executor")],
        write=True,
    ),
    "customers.file_check": Call(
        lambda wb, t: wb.customers.file_check(t.customer_no),
        lambda r, t: r.customer_no == t.customer_no and r.fields[0].name == "name",
    ),
    "customers.verify": Call(
        lambda wb, t: wb.customers.verify(t.customer_no, unchecked=()), write=True
    ),
    "customers.confirm_directory": Call(
        lambda wb, t: wb.customers.confirm_directory(t.customer_no), write=True
    ),
    "tasks.log_contact": Call(
        lambda wb, t: wb.tasks.log_contact(t.customer_no, "call", "reached"), write=True
    ),
    "tasks.add": Call(
        lambda wb, t: wb.tasks.add(t.customer_no, clock.parse_instant("2026-11-24T10:00"), "回电"),
        write=True,
    ),
    "tasks.open_tasks": Call(lambda wb, t: wb.tasks.open_tasks(t.customer_no, "visit")),
    "customers.export": Call(lambda wb, t: _export(wb), write=True, own=True),
    "customers.audit": Call(lambda wb, t: wb.customers.audit(t.customer_no), _entries_about),
    "audit.search": Call(
        lambda wb, t: _search_audit(wb, customer_no=t.customer_no), _entries_about
    ),
    "audit.search[all]": Call(
        lambda wb, t: _search_audit(wb),
        lambda r, t: any(t.owner == e.staff_login or t.customer_no == e.customer_no for e in r),
    ),
    "audit.search[staff]": Call(
        lambda wb, t: _search_audit(wb, staff_login=t.owner),
        lambda r, t: any(e.staff_login == t.owner for e in r),
    ),
    # today and tasks
    "tasks.today": Call(
        lambda wb, t: wb.tasks.today(),
        lambda r, t: t.task_id in {row.task_id for row in r},
        keeps_plan=True,
    ),
    "tasks.counts": Call(lambda wb, t: wb.tasks.counts(), own=True),
    "tasks.plan": Call(lambda wb, t: wb.tasks.plan(), own=True, keeps_plan=True),
    "tasks.backlog": Call(lambda wb, t: wb.tasks.backlog(), own=True, keeps_plan=True),
    "tasks.pull": Call(lambda wb, t: wb.tasks.pull(), own=True, write=True, changes=False),
    "tasks.log_call": Call(lambda wb, t: wb.tasks.log_call(t.task_id, "reached"), write=True),
    "tasks.log_visit": Call(lambda wb, t: wb.tasks.log_visit(t.task_id, "done"), write=True),
    "tasks.snooze": Call(lambda wb, t: wb.tasks.snooze(t.task_id, workdays=1), write=True),
    "tasks.complete": Call(lambda wb, t: wb.tasks.complete(t.task_id, "已办"), write=True),
    "staff.board": Call(lambda wb, t: wb.staff.board(), _logins),
    "staff.tasks_of": Call(
        lambda wb, t: wb.staff.tasks_of(t.owner), lambda r, t: [x.id for x in r] == [t.task_id]
    ),
    "staff.reassign_task": Call(
        lambda wb, t: wb.staff.reassign_task(t.task_id, t.peer, 1), write=True
    ),
    # complaints
    "complaints.open": Call(
        lambda wb, t: wb.complaints.open(t.customer_no, "fee", "扣费"), write=True
    ),
    "complaints.tickets": Call(lambda wb, t: wb.complaints.tickets(), _tickets),
    "complaints.tickets[team]": Call(lambda wb, t: wb.complaints.tickets(team=True), _tickets),
    "complaints.detail": Call(
        lambda wb, t: wb.complaints.detail(t.ticket), lambda r, t: r.row.ticket_no == t.ticket
    ),
    "complaints.act": Call(
        lambda wb, t: wb.complaints.act(t.ticket, Change("respond", triage="now")), write=True
    ),
    "complaints.act[close]": Call(
        lambda wb, t: wb.complaints.act(t.closable, Change("close", satisfaction=5)), write=True
    ),
    "complaints.act[reassign]": Call(
        lambda wb, t: wb.complaints.act(t.ticket, Change("reassign", to_login=t.peer)), write=True
    ),
    "complaints.notices": Call(
        lambda wb, t: wb.complaints.notices(),
        lambda r, t: [x[1] for x in r] == [t.notification_title],
    ),
    "complaints.sweep": Call(
        lambda wb, t: wb.complaints.sweep(), write=True, own=True, changes=False
    ),
    # promises (承诺)
    "promises.new": Call(
        lambda wb, t: wb.promises.new(t.customer_no, "callback_same_day", "回电说明资费"),
        lambda r, t: r.customer_no == t.customer_no,
        write=True,
    ),
    "promises.incoming": Call(
        lambda wb, t: wb.promises.incoming(t.customer_no, "问账单"),
        lambda r, t: r.customer_no == t.customer_no,
        write=True,
    ),
    "promises.urgent": Call(
        lambda wb, t: wb.promises.urgent(t.customer_no, "government_urgent_card", "补卡"),
        write=True,
    ),
    "promises.at_risk": Call(
        lambda wb, t: wb.promises.at_risk(t.customer_no, t.product),
        lambda r, t: r.customer_no == t.customer_no,
        write=True,
    ),
    "promises.list": Call(
        lambda wb, t: wb.promises.list(team=True),
        lambda r, t: t.promise_id in {p.id for p in r},
    ),
    "promises.keep": Call(
        lambda wb, t: wb.promises.keep(t.promise_id, "已反馈"),
        lambda r, t: r.id == t.promise_id,
        write=True,
    ),
    "promises.cancel": Call(
        lambda wb, t: wb.promises.cancel(t.promise_id, "客户撤回"),
        lambda r, t: r.id == t.promise_id,
        write=True,
    ),
    "promises.sweep": Call(lambda wb, t: wb.promises.sweep(), write=True, own=True, changes=False),
    # notifications and drafts
    "notifications.inbox": Call(
        lambda wb, t: wb.notifications.inbox(),
        lambda r, t: t.notification_id in {n.id for n in r},
    ),
    "notifications.unread": Call(lambda wb, t: wb.notifications.unread(), own=True),
    "notifications.since": Call(
        lambda wb, t: wb.notifications.since(0),
        lambda r, t: t.notification_id in {n.id for n in r},
    ),
    "notifications.latest_id": Call(lambda wb, t: wb.notifications.latest_id(), own=True),
    "notifications.mark_read": Call(
        lambda wb, t: wb.notifications.mark_read([t.notification_id]), write=True
    ),
    "drafts.save": Call(
        lambda wb, t: wb.drafts.save("complaint:K101", {"d": "y"}), write=True, own=True
    ),
    "drafts.load": Call(lambda wb, t: wb.drafts.load(t.draft), lambda r, t: r == {"d": "x"}),
    "drafts.clear": Call(lambda wb, t: wb.drafts.clear(t.draft), write=True),
    # work log
    "worklog.draft": Call(lambda wb, t: wb.worklog.draft(), own=True),
    "worklog.save": Call(
        lambda wb, t: wb.worklog.save(MONDAY, "今日拜访两户", 0), write=True, own=True
    ),
    "worklog.submit": Call(lambda wb, t: wb.worklog.submit(FRIDAY, 1), write=True, own=True),
    "worklog.missing": Call(lambda wb, t: wb.worklog.missing(), _logins),
    "worklog.market_submit": Call(
        lambda wb, t: wb.worklog.market_submit("2026-10", "竞品动态", []), write=True, own=True
    ),
    "worklog.market_list": Call(lambda wb, t: wb.worklog.market_list("2026-10"), _logins),
    "worklog.market_ack": Call(lambda wb, t: wb.worklog.market_ack(t.market_report_id), write=True),
    # on-site days
    "visits.onsite_record": Call(
        lambda wb, t: wb.visits.onsite_record(t.customer_no, MONDAY, "大堂", time(9), time(12)),
        write=True,
    ),
    "visits.onsite_counts": Call(
        lambda wb, t: wb.visits.onsite_counts(t.onsite_id, consultations_group=2), write=True
    ),
    "visits.onsite_summary": Call(
        lambda wb, t: wb.visits.onsite_summary("2026-11", t.owner), _logins
    ),
    # visit plans
    "visits.week": Call(
        lambda wb, t: wb.visits.week(WEEK, t.owner),
        lambda r, t: [i.id for i in r.items] == [t.item_id],
    ),
    "visits.month": Call(
        lambda wb, t: wb.visits.month("2026-11", t.owner),
        lambda r, t: [i.id for i in r.items] == [t.item_id],
    ),
    "visits.ical": Call(
        lambda wb, t: wb.visits.ical(WEEK, t.owner),
        lambda r, t: f"visit-{t.item_id}@".encode() in r,
        write=True,
    ),
    "visits.plan_vs_actual": Call(lambda wb, t: wb.visits.plan_vs_actual(WEEK, t.owner), _logins),
    # reports: a manager's own figures, the team's for its supervisor, the branch's for the
    #    branch head and the admin
    "reports.report": Call(
        lambda wb, t: wb.reports.report(
            "manager", MONDAY.replace(day=1), MONDAY, staff_login=t.owner
        ),
        lambda r, t: [g.key for g in r.groups] == [t.owner],
    ),
    "reports.drill": Call(
        lambda wb, t: wb.reports.drill(
            "tasks_done", MONDAY.replace(day=1), MONDAY, staff_login=t.owner
        ),
        lambda r, t: [(x.owner_login, x.ref) for x in r] == [(t.owner, t.customer_no)],
    ),
    "reports.trend": Call(
        lambda wb, t: wb.reports.trend(weeks=1, figure_key="tasks_done", staff_login=t.owner),
        lambda r, t: [p.value for p in r["tasks_done"]] == [0.0],
    ),
    # the morning leaderboard: the whole branch's, read aloud (a referrer: the referrers only);
    #    the records behind a line as the reports' scope
    "goals.leaderboard": Call(
        lambda wb, t: wb.goals.leaderboard(MONDAY),
        lambda r, t: t.owner in {line.key for line in r.managers},
    ),
    "goals.leaderboard_drill": Call(
        lambda wb, t: wb.goals.leaderboard_drill("visits_done", t.owner, MONDAY)
    ),
    # sales goals: set and broken down by the branch head or the admin; a share changed by hand
    #    (a supervisor: their own team's managers; m3 is alone in his team, so his share is
    #    the team's whole); each sees their own goal, a supervisor their team's
    "goals.set": Call(lambda wb, t: wb.goals.set("visits_done", 2027, 1200), write=True, own=True),
    "goals.breakdown": Call(
        lambda wb, t: wb.goals.breakdown("new_customers", 2026, "book"), write=True, own=True
    ),
    "goals.adjust": Call(
        lambda wb, t: wb.goals.adjust(
            "new_customers", "2026-11", 50 if t.name == "m1" else 25, login=t.owner
        ),
        write=True,
    ),
    "goals.show": Call(
        lambda wb, t: wb.goals.show("new_customers", "2026-11"),
        lambda r, t: t.owner in {g.login for g in r},
    ),
    "visits.propose": Call(lambda wb, t: wb.visits.propose(WEEK), own=True),
    "visits.add_proposals": Call(
        lambda wb, t: wb.visits.add_proposals(WEEK, _proposal(t)), write=True
    ),
    "visits.add": Call(
        lambda wb, t: wb.visits.add(t.customer_no, date(2026, 11, 26), time(9), "gift"), write=True
    ),
    "visits.checklist": Call(lambda wb, t: wb.visits.checklist(t.item_id, ["带合同"]), write=True),
    "visits.shift": Call(lambda wb, t: wb.visits.shift(t.item_id, slots=1), write=True),
    "plans.move_item": Call(lambda wb, t: _move(wb, item_id=t.item_id, start=time(15)), write=True),
    "visits.remove": Call(lambda wb, t: wb.visits.remove(t.item_id), write=True),
    "visits.record": Call(lambda wb, t: wb.visits.record(t.item_id, "done"), write=True),
    "visits.submit": Call(lambda wb, t: wb.visits.submit(NEXT_WEEK), write=True, own=True),
    "visits.waiting": Call(
        lambda wb, t: wb.visits.waiting(), lambda r, t: any(p.owner_login == t.owner for p in r)
    ),
    "visits.approve": Call(lambda wb, t: wb.visits.approve(WEEK, t.owner), write=True),
    "visits.send_back": Call(
        lambda wb, t: wb.visits.send_back(WEEK, t.owner, "再加一户"), write=True
    ),
    # SSH keys (CLI)
    "ssh_keys.grant_key": Call(
        lambda wb, t: _grant(wb, login=t.owner, public_key_text=NEW_KEY), write=True
    ),
    "ssh_keys.revoke_key": Call(lambda wb, t: _revoke(wb, login=t.owner), write=True),
    # staff, teams, leave, handover
    "staff.record_leave": Call(
        lambda wb, t: wb.staff.record_leave(t.owner, date(2026, 12, 7), date(2026, 12, 8)),
        write=True,
    ),
    "customers.handover": Call(lambda wb, t: wb.customers.handover(t.owner, t.peer), write=True),
    "customers.handover[dry_run]": Call(
        lambda wb, t: wb.customers.handover(t.owner, t.peer, dry_run=True),
        lambda r, t: r.from_login == t.owner and r.customers == 2 and not r.done,
    ),
    # the branch pool (the world has none: naming an owned customer is bad input, ii)
    "customers.pool": Call(lambda wb, t: wb.customers.pool(), own=True),
    "customers.pool_candidates": Call(lambda wb, t: wb.customers.pool_candidates(t.customer_no)),
    "customers.pool_assign": Call(
        lambda wb, t: wb.customers.pool_assign([t.customer_no], t.peer), write=True
    ),
    "customers.pool_allocate": Call(
        lambda wb, t: wb.customers.pool_allocate("class"), write=True, own=True, changes=False
    ),
    "customers.pool_claim": Call(lambda wb, t: wb.customers.pool_claim(t.customer_no), write=True),
    "people.add_staff": Call(
        lambda wb, t: _add_staff(wb, login="newbie", name="新人", role="manager"),
        write=True,
        own=True,
    ),
    "people.edit_staff": Call(
        lambda wb, t: _edit_staff(wb, login=t.owner, phone="13700000000"), write=True
    ),
    "people.deactivate_staff": Call(lambda wb, t: _deactivate(wb, login=t.owner), write=True),
    "people.staff_detail": Call(
        lambda wb, t: _staff_detail(wb, login=t.owner), lambda r, t: r.login == t.owner
    ),
    "teams.add_team": Call(lambda wb, t: _add_team(wb, name="零售组"), write=True, own=True),
    "teams.rename_team": Call(
        lambda wb, t: _rename_team(wb, team="对公一组", new_name="公司一组"), write=True, own=True
    ),
    "teams.list_teams": Call(lambda wb, t: _list_teams(wb), own=True),
    "leave.list_leave": Call(
        lambda wb, t: _list_leave(wb, since=date(2026, 12, 1)),
        lambda r, t: any(x.id == t.leave_id for x in r),
    ),
    "leave.cancel_leave": Call(lambda wb, t: _cancel_leave(wb, leave_id=t.leave_id), write=True),
    # referrals and leads
    "referrals.new": Call(
        lambda wb, t: wb.referrals.new("想办流动资金贷款", "loan", customer_no=t.customer_no),
        # a teller is not told the customer number back: the answer names the owner it went to
        lambda r, t: r.referral.customer_no in (t.customer_no, None) and r.referral.to == t.owner,
        write=True,
    ),
    "referrals.list": Call(
        lambda wb, t: wb.referrals.list(), lambda r, t: t.referral_id in {x.id for x in r}
    ),
    "referrals.outcome": Call(
        lambda wb, t: wb.referrals.outcome(t.referral_id, "lost", "客户暂无需求"),
        lambda r, t: r.id == t.referral_id and r.state == "lost",
        write=True,
    ),
    "referrals.board": Call(
        lambda wb, t: wb.referrals.board(), lambda r, t: t.owner in {m.key for m in r.managers}
    ),
    "leads.list": Call(lambda wb, t: wb.leads.list(), lambda r, t: t.lead_id in {x.id for x in r}),
    "opportunities.new": Call(
        lambda wb, t: wb.opportunities.new(
            customer_no=t.customer_no,
            product="card",
            need="公务卡",
            value="5万",
            expected_close="+10",
        ),
        lambda r, t: r.customer_no == t.customer_no,
        write=True,
    ),
    "opportunities.move": Call(
        lambda wb, t: wb.opportunities.move(t.opportunity_id, to_stage="needs"),
        lambda r, t: r.id == t.opportunity_id,
        write=True,
    ),
    "opportunities.propose": Call(
        lambda wb, t: wb.opportunities.propose(t.proposal_id, "100万", "160万"),
        lambda r, t: r.id == t.proposal_id,
        write=True,
    ),
    "opportunities.approve": Call(
        lambda wb, t: wb.opportunities.approve(t.proposal_id),
        lambda r, t: r.id == t.proposal_id,
        write=True,
    ),
    "opportunities.return_proposal": Call(
        lambda wb, t: wb.opportunities.return_proposal(t.proposal_id, "请重新测算"),
        lambda r, t: r.id == t.proposal_id,
        write=True,
    ),
    "opportunities.next_step": Call(
        lambda wb, t: wb.opportunities.next_step(t.opportunity_id, "约财务总监面谈", "+2"),
        lambda r, t: r.id == t.opportunity_id,
        write=True,
    ),
    "opportunities.won": Call(
        lambda wb, t: wb.opportunities.won(t.opportunity_id, "签约"),
        lambda r, t: r.id == t.opportunity_id,
        write=True,
    ),
    "opportunities.lost": Call(
        lambda wb, t: wb.opportunities.lost(t.opportunity_id, "客户选了他行"),
        lambda r, t: r.id == t.opportunity_id,
        write=True,
    ),
    "opportunities.list": Call(
        lambda wb, t: wb.opportunities.list(), lambda r, t: t.opportunity_id in {x.id for x in r}
    ),
    "opportunities.show": Call(
        lambda wb, t: wb.opportunities.show(t.opportunity_id),
        lambda r, t: r.opportunity.id == t.opportunity_id,
    ),
    "opportunities.waiting": Call(
        lambda wb, t: wb.opportunities.waiting(), lambda r, t: t.proposal_id in {x.id for x in r}
    ),
    "opportunities.board": Call(
        lambda wb, t: wb.opportunities.board(),
        lambda r, t: t.opportunity_id in {x.id for g in r.stages for x in g.rows},
    ),
    "leads.allocate": Call(
        lambda wb, t: wb.leads.allocate([t.pool_lead_id], t.owner),
        lambda r, t: [(m.lead_id, m.to_login) for m in r] == [(t.pool_lead_id, t.owner)],
        write=True,
    ),
    "leads.allocate[move]": Call(
        lambda wb, t: wb.leads.allocate([t.lead_id], t.peer),
        lambda r, t: [(m.lead_id, m.to_login) for m in r] == [(t.lead_id, t.peer)],
        write=True,
    ),
    "leads.allocate_by_rule": Call(lambda wb, t: wb.leads.allocate_by_rule(), write=True, own=True),
    "leads.contact": Call(
        lambda wb, t: wb.leads.contact(t.lead_id, "call", "reached", "约周四来行"),
        lambda r, t: r.id == t.lead_id and r.contacts == 1,
        write=True,
    ),
    "leads.merge": Call(
        lambda wb, t: wb.leads.merge(t.lead_id, t.customer_no),
        lambda r, t: r.id == t.lead_id and r.customer_no == t.customer_no,
        write=True,
    ),
    "leads.drop": Call(
        lambda wb, t: wb.leads.drop(t.lead_id, "无意向"),
        lambda r, t: r.id == t.lead_id and r.status == "dropped",
        write=True,
    ),
    # credit files
    "credit.new": Call(
        lambda wb, t: wb.credit.new(
            customer_no=t.customer_no,
            product="流动资金贷款",
            amount="50万",
            term_months=6,
            purpose="备货",
        ),
        lambda r, t: r.file.customer_no == t.customer_no and r.file.state == "draft",
        write=True,
    ),
    "credit.figures": Call(
        lambda wb, t: wb.credit.figures(t.credit_draft_id, monthly_sales="150万"),
        lambda r, t: r.file.id == t.credit_draft_id and r.monthly_sales == 1_500_000,
        write=True,
    ),
    "credit.check": Call(
        lambda wb, t: wb.credit.check(
            t.credit_draft_id, "ledger", "concern", finding="流水波动", note="旺季回款"
        ),
        lambda r, t: r.file.id == t.credit_draft_id,
        write=True,
    ),
    "credit.add_guarantor": Call(
        lambda wb, t: wb.credit.add_guarantor(
            t.credit_draft_id, name="担保人丙", net_assets="50万"
        ),
        lambda r, t: r.file.id == t.credit_draft_id and len(r.guarantors) == 3,
        write=True,
    ),
    "credit.remove_guarantor": Call(
        lambda wb, t: wb.credit.remove_guarantor(t.credit_draft_id, t.guarantor_id),
        lambda r, t: r.file.id == t.credit_draft_id and len(r.guarantors) == 1,
        write=True,
    ),
    "credit.revise": Call(
        lambda wb, t: wb.credit.revise(t.credit_approved_id),
        lambda r, t: r.file.previous_id == t.credit_approved_id and r.file.state == "draft",
        write=True,
    ),
    "credit.submit": Call(
        lambda wb, t: wb.credit.submit(t.credit_draft_id),
        lambda r, t: r.file.id == t.credit_draft_id and r.file.state == "submitted",
        write=True,
    ),
    "credit.sign": Call(
        lambda wb, t: wb.credit.sign(t.credit_submitted_id),
        lambda r, t: r.file.id == t.credit_submitted_id and r.file.state == "approved",
        write=True,
    ),
    "credit.return_file": Call(
        lambda wb, t: wb.credit.return_file(t.credit_submitted_id, "请补充近三个月银行流水"),
        lambda r, t: r.file.id == t.credit_submitted_id and r.file.state == "returned",
        write=True,
    ),
    "credit.show": Call(
        lambda wb, t: wb.credit.show(t.credit_submitted_id),
        lambda r, t: r.file.id == t.credit_submitted_id and r.file.customer_no == t.customer_no,
    ),
    "credit.show[draft]": Call(
        lambda wb, t: wb.credit.show(t.credit_draft_id),
        lambda r, t: r.file.id == t.credit_draft_id,
    ),
    "credit.list": Call(
        lambda wb, t: wb.credit.list(), lambda r, t: t.credit_submitted_id in {f.id for f in r}
    ),
    "credit.list[draft]": Call(
        lambda wb, t: wb.credit.list(), lambda r, t: t.credit_draft_id in {f.id for f in r}
    ),
    "credit.list[customer]": Call(
        lambda wb, t: wb.credit.list(customer_no=t.customer_no),
        lambda r, t: t.credit_submitted_id in {f.id for f in r},
    ),
    "credit.queue": Call(
        lambda wb, t: wb.credit.queue(), lambda r, t: t.credit_submitted_id in {f.id for f in r}
    ),
}

# -- the table ------------------------------------------------------------------------------

TABLE = """
# use case               target  M1  M2  P1  S1  S2  S0  H   A   R   K
# -- customers: seen by the owner, the backup (M2), the team's supervisor, the branch head
#    and the admin; lists leave the rest out (--), naming it is "not found" (nf: the same
#    refusal as for a customer that does not exist); the admin may not reveal
#    (privacy.reveal_roles); S0 leads no team and sees no one's book; R, a referrer, and K,
#    a risk manager, have no book at all: no customer, task, visit, complaint, promise,
#    report, export or work log (K's audit trail is what K did: signing m1's and m3's
#    credit files names their customers, whom the files show K anyway)
reports.overview         self    ok  ok  ok  ok  ok  ok  ok  ok  ok  ok
staff.directory          m1      ok  ok  ok  ok  --  --  ok  ok  --  --
staff.directory          m3      --  --  --  --  ok  --  ok  ok  --  --
staff.directory          far     --  --  --  --  --  --  --  --  --  --
customers.search         m1      ok  ok  --  ok  --  --  ok  ok  --  --
customers.search         m3      --  --  --  --  ok  --  ok  ok  --  --
customers.search         far     --  --  --  --  --  --  --  --  --  --
customers.count          m1      ok  ok  --  ok  --  --  ok  ok  --  --
customers.count          m3      --  --  --  --  ok  --  ok  ok  --  --
customers.count          far     --  --  --  --  --  --  --  --  --  --
customers.view           m1      ok  ok  nf  ok  nf  nf  ok  ok  nf  nf
customers.view           m3      nf  nf  nf  nf  ok  nf  ok  ok  nf  nf
customers.view           far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
customers.contacts       m1      ok  ok  nf  ok  nf  nf  ok  ok  nf  nf
customers.contacts       m3      nf  nf  nf  nf  ok  nf  ok  ok  nf  nf
customers.contacts       far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
customers.reveal         m1      ok  ok  nf  ok  nf  nf  ok  no  no  no
customers.reveal         m3      nf  nf  nf  nf  ok  nf  ok  no  no  no
customers.reveal         far     nf  nf  nf  nf  nf  nf  nf  no  no  no
customers.update         m1      ok  ok  nf  ok  nf  nf  ok  ok  nf  nf
customers.update         m3      nf  nf  nf  nf  ok  nf  ok  ok  nf  nf
customers.update         far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
customers.edit_contact   m1      ok  ok  nf  ok  nf  nf  ok  ok  nf  nf
customers.edit_contact   m3      nf  nf  nf  nf  ok  nf  ok  ok  nf  nf
customers.edit_contact   far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
customers.file_check     m1      ok  ok  nf  ok  nf  nf  ok  ok  nf  nf
customers.file_check     m3      nf  nf  nf  nf  ok  nf  ok  ok  nf  nf
customers.file_check     far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
customers.verify         m1      ok  ok  nf  ok  nf  nf  ok  ok  nf  nf
customers.verify         m3      nf  nf  nf  nf  ok  nf  ok  ok  nf  nf
customers.verify         far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
customers.confirm_directory m1   ok  ok  nf  ok  nf  nf  ok  ok  nf  nf
customers.confirm_directory m3   nf  nf  nf  nf  ok  nf  ok  ok  nf  nf
customers.confirm_directory far  nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
tasks.log_contact        m1      ok  ok  nf  ok  nf  nf  ok  ok  nf  nf
tasks.log_contact        m3      nf  nf  nf  nf  ok  nf  ok  ok  nf  nf
tasks.log_contact        far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
tasks.add                m1      ok  ok  nf  ok  nf  nf  ok  ok  nf  nf
tasks.add                m3      nf  nf  nf  nf  ok  nf  ok  ok  nf  nf
tasks.add                far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
tasks.open_tasks         m1      ok  ok  nf  ok  nf  nf  ok  ok  nf  nf
tasks.open_tasks         m3      nf  nf  nf  nf  ok  nf  ok  ok  nf  nf
tasks.open_tasks         far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
customers.export         self    ok  ok  ok  ok  ok  ok  ok  ok  no  no
customers.audit          m1      ok  ok  nf  ok  nf  nf  ok  ok  nf  nf
customers.audit          m3      nf  nf  nf  nf  ok  nf  ok  ok  nf  nf
customers.audit          far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
audit.search             m1      ok  ok  nf  ok  nf  nf  ok  ok  nf  nf
audit.search             m3      nf  nf  nf  nf  ok  nf  ok  ok  nf  nf
audit.search             far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
audit.search[all]        m1      ok  ok  --  ok  --  --  ok  ok  --  ok
audit.search[all]        m3      --  --  --  --  ok  --  ok  ok  --  ok
audit.search[all]        far     --  --  --  --  --  --  --  --  --  --
audit.search[staff]      m1      ok  ok  --  ok  no  no  ok  ok  no  no
audit.search[staff]      m3      no  no  no  no  ok  no  ok  ok  no  no
audit.search[staff]      far     no  no  no  no  no  no  no  no  no  no
# -- tasks: worked by their owner (or whoever covers them on leave); the team's work is
#    for its supervisor and the branch head; only the team's supervisor reassigns
tasks.today              m1      ok  --  --  --  --  --  --  --  --  --
tasks.today              m3      --  --  --  --  --  --  --  --  --  --
tasks.today              far     --  --  --  --  --  --  --  --  --  --
tasks.counts             self    ok  ok  ok  ok  ok  ok  ok  ok  ok  ok
tasks.plan               self    ok  ok  ok  ok  ok  ok  ok  ok  ok  ok
tasks.backlog            self    ok  ok  ok  ok  ok  ok  ok  ok  ok  ok
tasks.pull               self    ok  ok  ok  ok  ok  ok  ok  ok  ok  ok
tasks.log_call           m1      ok  nf  nf  nf  nf  nf  nf  nf  nf  nf
tasks.log_call           m3      nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
tasks.log_call           far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
tasks.log_visit          m1      ok  nf  nf  nf  nf  nf  nf  nf  nf  nf
tasks.log_visit          m3      nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
tasks.log_visit          far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
tasks.snooze             m1      ok  nf  nf  nf  nf  nf  nf  nf  nf  nf
tasks.snooze             m3      nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
tasks.snooze             far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
tasks.complete           m1      ok  nf  nf  nf  nf  nf  nf  nf  nf  nf
tasks.complete           m3      nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
tasks.complete           far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
staff.board              m1      no  no  no  ok  --  --  ok  no  no  no
staff.board              m3      no  no  no  --  ok  --  ok  no  no  no
staff.board              far     no  no  no  --  --  --  --  no  no  no
staff.tasks_of           m1      no  no  no  ok  no  no  ok  no  no  no
staff.tasks_of           m3      no  no  no  no  ok  no  ok  no  no  no
staff.tasks_of           far     no  no  no  no  no  no  no  no  no  no
staff.reassign_task      m1      no  no  no  ok  no  no  no  no  no  no
staff.reassign_task      m3      no  no  no  no  ok  no  no  no  no  no
staff.reassign_task      far     no  no  no  no  no  no  no  no  no  no
# -- complaints: moved by whoever sees the customer, IT excepted; closed by supervisors
#    (complaints.close_roles); reassigned and listed team-wide by supervisors and the
#    branch head; a sweep by hand reaches the tickets in scope only (see its own test)
complaints.open          m1      ok  ok  nf  ok  nf  nf  ok  no  nf  nf
complaints.open          m3      nf  nf  nf  nf  ok  nf  ok  no  nf  nf
complaints.open          far     nf  nf  nf  nf  nf  nf  nf  no  nf  nf
complaints.tickets       m1      ok  --  --  --  --  --  --  --  --  --
complaints.tickets       m3      --  --  --  --  --  --  --  --  --  --
complaints.tickets       far     --  --  --  --  --  --  --  --  --  --
complaints.tickets[team] m1      no  no  no  ok  --  --  ok  no  no  no
complaints.tickets[team] m3      no  no  no  --  ok  --  ok  no  no  no
complaints.tickets[team] far     no  no  no  --  --  --  --  no  no  no
complaints.detail        m1      ok  ok  nf  ok  nf  nf  ok  ok  nf  nf
complaints.detail        m3      nf  nf  nf  nf  ok  nf  ok  ok  nf  nf
complaints.detail        far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
complaints.act           m1      ok  ok  nf  ok  nf  nf  ok  no  nf  nf
complaints.act           m3      nf  nf  nf  nf  ok  nf  ok  no  nf  nf
complaints.act           far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
complaints.act[close]    m1      no  no  nf  ok  nf  nf  no  no  nf  nf
complaints.act[close]    m3      nf  nf  nf  nf  ok  nf  no  no  nf  nf
complaints.act[close]    far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
complaints.act[reassign] m1      no  no  nf  ok  nf  nf  ok  no  nf  nf
complaints.act[reassign] m3      nf  nf  nf  nf  ok  nf  ok  no  nf  nf
complaints.act[reassign] far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
complaints.notices       m1      ok  --  --  --  --  --  --  --  --  --
complaints.notices       m3      --  --  --  --  --  --  --  --  --  --
complaints.notices       far     --  --  --  --  --  --  --  --  --  --
complaints.sweep         self    ok  ok  ok  ok  ok  ok  ok  ok  ok  ok
# -- promises: made, kept and cancelled by whoever may see the customer (IT makes none: no);
#    urgent business is for government-important customers only (these are not: ii); the
#    lists leave out what is not in scope
promises.new             m1      ok  ok  nf  ok  nf  nf  ok  no  nf  nf
promises.new             m3      nf  nf  nf  nf  ok  nf  ok  no  nf  nf
promises.new             far     nf  nf  nf  nf  nf  nf  nf  no  nf  nf
promises.incoming        m1      ok  ok  nf  ok  nf  nf  ok  no  nf  nf
promises.incoming        m3      nf  nf  nf  nf  ok  nf  ok  no  nf  nf
promises.incoming        far     nf  nf  nf  nf  nf  nf  nf  no  nf  nf
promises.urgent          m1      ii  ii  nf  ii  nf  nf  ii  no  nf  nf
promises.urgent          m3      nf  nf  nf  nf  ii  nf  ii  no  nf  nf
promises.urgent          far     nf  nf  nf  nf  nf  nf  nf  no  nf  nf
promises.at_risk         m1      ok  ok  nf  ok  nf  nf  ok  no  nf  nf
promises.at_risk         m3      nf  nf  nf  nf  ok  nf  ok  no  nf  nf
promises.at_risk         far     nf  nf  nf  nf  nf  nf  nf  no  nf  nf
promises.list            m1      ok  ok  --  ok  --  --  ok  ok  --  --
promises.list            m3      --  --  --  --  ok  --  ok  ok  --  --
promises.list            far     --  --  --  --  --  --  --  --  --  --
promises.keep            m1      ok  ok  nf  ok  nf  nf  ok  no  nf  nf
promises.keep            m3      nf  nf  nf  nf  ok  nf  ok  no  nf  nf
promises.keep            far     nf  nf  nf  nf  nf  nf  nf  no  nf  nf
promises.cancel          m1      ok  ok  nf  ok  nf  nf  ok  no  nf  nf
promises.cancel          m3      nf  nf  nf  nf  ok  nf  ok  no  nf  nf
promises.cancel          far     nf  nf  nf  nf  nf  nf  nf  no  nf  nf
promises.sweep           self    ok  ok  ok  ok  ok  ok  ok  ok  ok  ok
# -- notifications, drafts, work logs: everyone their own; another's is never listed nor
#    touched (--); who has not submitted a log is for the leads; a market report is
#    submitted by a manager, listed for its author and their leads, read by the leads
notifications.inbox      m1      ok  --  --  --  --  --  --  --  --  --
notifications.inbox      m3      --  --  --  --  --  --  --  --  --  --
notifications.inbox      far     --  --  --  --  --  --  --  --  --  --
notifications.unread     self    ok  ok  ok  ok  ok  ok  ok  ok  ok  ok
notifications.since      m1      ok  --  --  --  --  --  --  --  --  --
notifications.since      m3      --  --  --  --  --  --  --  --  --  --
notifications.since      far     --  --  --  --  --  --  --  --  --  --
notifications.latest_id  self    ok  ok  ok  ok  ok  ok  ok  ok  ok  ok
notifications.mark_read  m1      ok  --  --  --  --  --  --  --  --  --
notifications.mark_read  m3      --  --  --  --  --  --  --  --  --  --
notifications.mark_read  far     --  --  --  --  --  --  --  --  --  --
drafts.save              self    ok  ok  ok  ok  ok  ok  ok  ok  ok  ok
drafts.load              m1      ok  --  --  --  --  --  --  --  --  --
drafts.load              m3      --  --  --  --  --  --  --  --  --  --
drafts.load              far     --  --  --  --  --  --  --  --  --  --
drafts.clear             m1      ok  --  --  --  --  --  --  --  --  --
drafts.clear             m3      --  --  --  --  --  --  --  --  --  --
drafts.clear             far     --  --  --  --  --  --  --  --  --  --
worklog.draft            self    ok  ok  ok  ok  ok  ok  ok  ok  no  no
worklog.save             self    ok  ok  ok  ok  ok  ok  ok  ok  no  no
worklog.submit           self    ok  ok  ok  ok  ok  ok  ok  ok  no  no
worklog.missing          m1      no  no  no  ok  --  --  ok  no  no  no
worklog.missing          m3      no  no  no  --  ok  --  ok  no  no  no
worklog.missing          far     no  no  no  --  --  --  --  no  no  no
worklog.market_submit    self    ok  ok  ok  no  no  no  no  no  no  no
worklog.market_list      m1      ok  --  --  ok  --  --  ok  --  --  --
worklog.market_list      m3      --  --  --  --  ok  --  ok  --  --  --
worklog.market_list      far     --  --  --  --  --  --  --  --  --  --
worklog.market_ack       m1      no  no  no  ok  nf  nf  ok  no  no  no
worklog.market_ack       m3      no  no  no  nf  ok  nf  ok  no  no  no
worklog.market_ack       far     no  no  no  nf  nf  nf  nf  no  no  no
# -- on-site days and visit plans: changed by their owner only, read by the team's
#    supervisor, the branch head and the admin; a visit may be planned (on one's own plan)
#    to any customer in scope; only the team's supervisor approves or returns a plan
visits.onsite_record     m1      ok  ok  nf  ok  nf  nf  ok  ok  nf  nf
visits.onsite_record     m3      nf  nf  nf  nf  ok  nf  ok  ok  nf  nf
visits.onsite_record     far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
visits.onsite_counts     m1      ok  nf  nf  nf  nf  nf  nf  nf  nf  nf
visits.onsite_counts     m3      nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
visits.onsite_counts     far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
visits.onsite_summary    m1      ok  no  no  ok  no  no  ok  ok  no  no
visits.onsite_summary    m3      no  no  no  no  ok  no  ok  ok  no  no
visits.onsite_summary    far     no  no  no  no  no  no  no  no  no  no
visits.week              m1      ok  no  no  ok  no  no  ok  ok  no  no
visits.week              m3      no  no  no  no  ok  no  ok  ok  no  no
visits.week              far     no  no  no  no  no  no  no  no  no  no
visits.month             m1      ok  no  no  ok  no  no  ok  ok  no  no
visits.month             m3      no  no  no  no  ok  no  ok  ok  no  no
visits.month             far     no  no  no  no  no  no  no  no  no  no
visits.ical              m1      ok  no  no  ok  no  no  ok  ok  no  no
visits.ical              m3      no  no  no  no  ok  no  ok  ok  no  no
visits.ical              far     no  no  no  no  no  no  no  no  no  no
visits.plan_vs_actual    m1      ok  no  no  ok  no  no  ok  ok  no  no
visits.plan_vs_actual    m3      no  no  no  no  ok  no  ok  ok  no  no
visits.plan_vs_actual    far     no  no  no  no  no  no  no  no  no  no
# -- reports: one's own figures (a manager), the team's (its supervisor), the branch's (the
#    branch head and the admin); a colleague outside that is refused, not left out
reports.report           m1      ok  no  no  ok  no  no  ok  ok  no  no
reports.report           m3      no  no  no  no  ok  no  ok  ok  no  no
reports.report           far     no  no  no  no  no  no  no  no  no  no
reports.drill            m1      ok  no  no  ok  no  no  ok  ok  no  no
reports.drill            m3      no  no  no  no  ok  no  ok  ok  no  no
reports.drill            far     no  no  no  no  no  no  no  no  no  no
reports.trend            m1      ok  no  no  ok  no  no  ok  ok  no  no
reports.trend            m3      no  no  no  no  ok  no  ok  ok  no  no
reports.trend            far     no  no  no  no  no  no  no  no  no  no
# -- the morning leaderboard: everyone in the branch reads every line (it is read aloud at
#    the morning meeting), a referrer or a risk manager the referrers' ranking only (--); the
#    records behind a line are one's own (a manager), the team's (its supervisor), the
#    branch's (H, A)
goals.leaderboard        m1      ok  ok  ok  ok  ok  ok  ok  ok  --  --
goals.leaderboard        m3      ok  ok  ok  ok  ok  ok  ok  ok  --  --
goals.leaderboard        far     --  --  --  --  --  --  --  --  --  --
goals.leaderboard_drill  m1      ok  no  no  ok  no  no  ok  ok  no  no
goals.leaderboard_drill  m3      no  no  no  no  ok  no  ok  ok  no  no
goals.leaderboard_drill  far     no  no  no  no  no  no  no  no  no  no
# -- sales goals: the branch head and the admin set them; a supervisor changes a share of
#    their own team's managers; a manager sees their own goal, a supervisor the team's, a
#    referrer and a risk manager have none (no: no book, no sales goal); another branch's
#    manager is no one to change
goals.set                self    no  no  no  no  no  no  ok  ok  no  no
goals.breakdown          self    no  no  no  no  no  no  ok  ok  no  no
goals.adjust             m1      no  no  no  ok  no  no  ok  ok  no  no
goals.adjust             m3      no  no  no  no  ok  no  ok  ok  no  no
goals.adjust             far     no  no  no  nf  nf  nf  nf  nf  no  no
goals.show               m1      ok  --  --  ok  --  --  ok  ok  no  no
goals.show               m3      --  --  --  --  ok  --  ok  ok  no  no
goals.show               far     --  --  --  --  --  --  --  --  no  no
visits.propose           self    ok  ok  ok  ok  ok  ok  ok  ok  ok  ok
visits.add_proposals     m1      ok  ok  nf  ok  nf  nf  ok  ok  nf  nf
visits.add_proposals     m3      nf  nf  nf  nf  ok  nf  ok  ok  nf  nf
visits.add_proposals     far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
visits.add               m1      ok  ok  nf  ok  nf  nf  ok  ok  nf  nf
visits.add               m3      nf  nf  nf  nf  ok  nf  ok  ok  nf  nf
visits.add               far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
visits.checklist         m1      ok  nf  nf  nf  nf  nf  nf  nf  nf  nf
visits.checklist         m3      nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
visits.checklist         far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
visits.shift             m1      ok  nf  nf  nf  nf  nf  nf  nf  nf  nf
visits.shift             m3      nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
visits.shift             far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
plans.move_item          m1      ok  nf  nf  nf  nf  nf  nf  nf  nf  nf
plans.move_item          m3      nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
plans.move_item          far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
visits.remove            m1      ok  nf  nf  nf  nf  nf  nf  nf  nf  nf
visits.remove            m3      nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
visits.remove            far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
visits.record            m1      ok  nf  nf  nf  nf  nf  nf  nf  nf  nf
visits.record            m3      nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
visits.record            far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
visits.submit            self    ok  ok  ok  ok  ok  ok  ok  ok  ii  ii
visits.waiting           m1      no  no  no  ok  --  --  no  no  no  no
visits.waiting           m3      no  no  no  --  ok  --  no  no  no  no
visits.waiting           far     no  no  no  --  --  --  no  no  no  no
visits.approve           m1      no  no  no  ok  no  no  no  no  no  no
visits.approve           m3      no  no  no  no  ok  no  no  no  no  no
visits.approve           far     no  no  no  no  no  no  no  no  no  no
visits.send_back         m1      no  no  no  ok  no  no  no  no  no  no
visits.send_back         m3      no  no  no  no  ok  no  no  no  no  no
visits.send_back         far     no  no  no  no  no  no  no  no  no  no
# -- SSH keys (CLI): an administrator, for staff of their branch
ssh_keys.grant_key       m1      no  no  no  no  no  no  no  ok  no  no
ssh_keys.grant_key       m3      no  no  no  no  no  no  no  ok  no  no
ssh_keys.grant_key       far     no  no  no  no  no  no  no  no  no  no
ssh_keys.revoke_key      m1      no  no  no  no  no  no  no  ok  no  no
ssh_keys.revoke_key      m3      no  no  no  no  no  no  no  ok  no  no
ssh_keys.revoke_key      far     no  no  no  no  no  no  no  no  no  no
# -- staff and teams: the administrator of the branch; leave: the team's supervisor, the
#    branch head or the administrator (a manager asks); colleagues of a team see its leave;
#    a handover: the branch head or the administrator, to a manager (m3's peer is S2: ii),
#    and deactivating someone who still owns customers is refused with why (ii)
staff.record_leave       m1      no  no  no  ok  no  no  ok  ok  no  no
staff.record_leave       m3      no  no  no  no  ok  no  ok  ok  no  no
staff.record_leave       far     no  no  no  no  no  no  no  no  no  no
customers.handover       m1      no  no  no  no  no  no  ok  ok  no  no
customers.handover       m3      no  no  no  no  no  no  ii  ii  no  no
customers.handover       far     no  no  no  no  no  no  no  no  no  no
customers.handover[dry_run] m1      no  no  no  no  no  no  ok  ok  no  no
customers.handover[dry_run] m3      no  no  no  no  no  no  ii  ii  no  no
customers.handover[dry_run] far     no  no  no  no  no  no  no  no  no  no
# -- the branch pool: supervisors who lead a team, the branch head and the admin list and
#    allocate it; a customer someone owns is not in it (ii); a claim is a manager's, and
#    an owned customer is "not found" to it (nf), whoever owns it
customers.pool           self    no  no  no  ok  ok  no  ok  ok  no  no
customers.pool_allocate  self    no  no  no  ok  ok  no  ok  ok  no  no
customers.pool_candidates m1     no  no  no  ii  ii  no  ii  ii  no  no
customers.pool_candidates m3     no  no  no  ii  ii  no  ii  ii  no  no
customers.pool_candidates far    no  no  no  ii  ii  no  ii  ii  no  no
customers.pool_assign    m1      no  no  no  ii  no  no  ii  ii  no  no
customers.pool_assign    m3      no  no  no  no  ii  no  ii  ii  no  no
customers.pool_assign    far     no  no  no  no  no  no  no  no  no  no
customers.pool_claim     m1      nf  nf  nf  no  no  no  no  no  no  no
customers.pool_claim     m3      nf  nf  nf  no  no  no  no  no  no  no
customers.pool_claim     far     nf  nf  nf  no  no  no  no  no  no  no
people.add_staff         self    no  no  no  no  no  no  no  ok  no  no
people.edit_staff        m1      no  no  no  no  no  no  no  ok  no  no
people.edit_staff        m3      no  no  no  no  no  no  no  ok  no  no
people.edit_staff        far     no  no  no  no  no  no  no  no  no  no
people.deactivate_staff      m1  no  no  no  no  no  no  no  ii  no  no
people.deactivate_staff      m3  no  no  no  no  no  no  no  ii  no  no
people.deactivate_staff      far no  no  no  no  no  no  no  no  no  no
people.staff_detail      m1      no  no  no  no  no  no  no  ok  no  no
people.staff_detail      m3      no  no  no  no  no  no  no  ok  no  no
people.staff_detail      far     no  no  no  no  no  no  no  no  no  no
teams.add_team           self    no  no  no  no  no  no  no  ok  no  no
teams.rename_team        self    no  no  no  no  no  no  no  ok  no  no
teams.list_teams         self    ok  ok  ok  ok  ok  ok  ok  ok  ok  ok
leave.list_leave         m1      ok  ok  ok  ok  --  --  ok  ok  --  --
leave.list_leave         m3      --  --  --  --  ok  --  ok  ok  --  --
leave.list_leave         far     --  --  --  --  --  --  --  --  --  --
leave.cancel_leave       m1      no  no  no  ok  no  no  ok  ok  no  no
leave.cancel_leave       m3      no  no  no  no  ok  no  ok  ok  no  no
leave.cancel_leave       far     no  no  no  no  no  no  no  no  no  no
# -- referrals: a referrer, a manager, a supervisor or the branch head refers any customer of
#    the branch by their exact number (not their own: ii; the other branch's is "not found"
#    like a number that does not exist), IT and the risk manager do not (no); a referral is
#    seen by who made it and who received it (a referrer: their own only), by the leads of
#    either and the branch; its outcome is decided by who received it or leads them (IT, the
#    referrer and the risk manager decide nothing: nf, as for a referral not theirs); the
#    board counts what one sees
referrals.new            m1      ii  ok  ok  ok  ok  ok  ok  no  ok  no
referrals.new            m3      ok  ok  ok  ok  ok  ok  ok  no  ok  no
referrals.new            far     nf  nf  nf  nf  nf  nf  nf  no  nf  no
referrals.list           m1      ok  --  --  ok  --  --  ok  ok  ok  --
referrals.list           m3      --  ok  --  ok  ok  --  ok  ok  --  --
referrals.list           far     --  --  --  --  --  --  --  --  --  --
referrals.outcome        m1      ok  nf  nf  ok  nf  nf  ok  nf  nf  nf
referrals.outcome        m3      nf  nf  nf  nf  ok  nf  ok  nf  nf  nf
referrals.outcome        far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
referrals.board          m1      ok  --  --  ok  --  --  ok  ok  ok  --
referrals.board          m3      --  ok  --  ok  ok  --  ok  ok  --  --
referrals.board          far     --  --  --  --  --  --  --  --  --  --
# -- leads: a manager's own; the pool's and their people's for supervisors who lead a team,
#    the branch head and the admin, who allocate them (to a manager in scope: S2 is none,
#    ii); worked (contact, merge, drop) by the lead's manager or who leads them: IT leads
#    nobody and a referrer or a risk manager sees no lead (nf)
leads.list               m1      ok  --  --  ok  --  --  ok  ok  --  --
leads.list               m3      --  --  --  --  ok  --  ok  ok  --  --
leads.list               far     --  --  --  --  --  --  --  --  --  --
leads.allocate           m1      no  no  no  ok  no  no  ok  ok  no  no
leads.allocate           m3      no  no  no  no  ok  no  ok  ok  no  no
leads.allocate           far     no  no  no  no  no  no  no  no  no  no
leads.allocate[move]     m1      no  no  no  ok  no  no  ok  ok  no  no
leads.allocate[move]     m3      no  no  no  no  ii  no  ii  ii  no  no
leads.allocate[move]     far     no  no  no  no  no  no  no  no  no  no
leads.allocate_by_rule   self    no  no  no  ok  ok  no  ok  ok  no  no
leads.contact            m1      ok  nf  nf  ok  nf  nf  ok  nf  nf  nf
leads.contact            m3      nf  nf  nf  nf  ok  nf  ok  nf  nf  nf
leads.contact            far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
leads.merge              m1      ok  nf  nf  ok  nf  nf  ok  nf  nf  nf
leads.merge              m3      nf  nf  nf  nf  ok  nf  ok  nf  nf  nf
leads.merge              far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
leads.drop               m1      ok  nf  nf  ok  nf  nf  ok  nf  nf  nf
leads.drop               m3      nf  nf  nf  nf  ok  nf  ok  nf  nf  nf
leads.drop               far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
# -- opportunities: a manager works their own (and sees those of the customers they back
#    up); a supervisor their team's, the branch head the branch's, and they decide the
#    proposals of the people they lead (S1 leads m1's owner; H leads no one here: both teams
#    have a supervisor); the admin sees but does not sell; a referrer or a risk manager
#    sees none
opportunities.new        m1      ok  ok  nf  ok  nf  nf  ok  no  no  no
opportunities.new        m3      nf  nf  nf  nf  ok  nf  ok  no  no  no
opportunities.new        far     nf  nf  nf  nf  nf  nf  nf  no  no  no
opportunities.move       m1      ok  ok  nf  ok  nf  nf  ok  no  no  no
opportunities.move       m3      nf  nf  nf  nf  ok  nf  ok  no  no  no
opportunities.move       far     nf  nf  nf  nf  nf  nf  nf  no  no  no
opportunities.propose    m1      ok  ok  nf  ok  nf  nf  ok  no  no  no
opportunities.propose    m3      nf  nf  nf  nf  ok  nf  ok  no  no  no
opportunities.propose    far     nf  nf  nf  nf  nf  nf  nf  no  no  no
opportunities.approve    m1      no  no  no  ok  nf  nf  no  no  no  no
opportunities.approve    m3      no  no  no  nf  ok  nf  no  no  no  no
opportunities.approve    far     no  no  no  nf  nf  nf  nf  no  no  no
opportunities.return_proposal m1     no  no  no  ok  nf  nf  no  no  no  no
opportunities.return_proposal m3     no  no  no  nf  ok  nf  no  no  no  no
opportunities.return_proposal far    no  no  no  nf  nf  nf  nf  no  no  no
opportunities.next_step  m1      ok  ok  nf  ok  nf  nf  ok  no  no  no
opportunities.next_step  m3      nf  nf  nf  nf  ok  nf  ok  no  no  no
opportunities.next_step  far     nf  nf  nf  nf  nf  nf  nf  no  no  no
opportunities.won        m1      ok  ok  nf  ok  nf  nf  ok  no  no  no
opportunities.won        m3      nf  nf  nf  nf  ok  nf  ok  no  no  no
opportunities.won        far     nf  nf  nf  nf  nf  nf  nf  no  no  no
opportunities.lost       m1      ok  ok  nf  ok  nf  nf  ok  no  no  no
opportunities.lost       m3      nf  nf  nf  nf  ok  nf  ok  no  no  no
opportunities.lost       far     nf  nf  nf  nf  nf  nf  nf  no  no  no
opportunities.list       m1      ok  ok  --  ok  --  --  ok  ok  no  no
opportunities.list       m3      --  --  --  --  ok  --  ok  ok  no  no
opportunities.list       far     --  --  --  --  --  --  --  --  no  no
opportunities.show       m1      ok  ok  nf  ok  nf  nf  ok  ok  no  no
opportunities.show       m3      nf  nf  nf  nf  ok  nf  ok  ok  no  no
opportunities.show       far     nf  nf  nf  nf  nf  nf  nf  nf  no  no
opportunities.waiting    m1      --  --  --  ok  --  --  --  --  --  --
opportunities.waiting    m3      --  --  --  --  ok  --  --  --  --  --
opportunities.waiting    far     --  --  --  --  --  --  --  --  --  --
opportunities.board      m1      ok  ok  --  ok  --  --  ok  ok  no  no
opportunities.board      m3      --  --  --  --  ok  --  ok  ok  no  no
opportunities.board      far     --  --  --  --  --  --  --  --  no  no
# -- credit files: made and worked (figures, items, guarantors, a new version of an approved
#    file, the first signature by submitting it) by who sees the customer; the admin sees
#    them (show, list) but works none, nor do the referrer and the risk manager (no); the
#    second signature (sign, return) is the risk manager's (anyone else: no), for any file
#    of the branch submitted to them; a risk manager sees those files only, never a draft,
#    nor a customer to list files by (nf); the queue is theirs (the other branch's file
#    waits in its own risk manager's: --)
credit.new               m1      ok  ok  nf  ok  nf  nf  ok  no  no  no
credit.new               m3      nf  nf  nf  nf  ok  nf  ok  no  no  no
credit.new               far     nf  nf  nf  nf  nf  nf  nf  no  no  no
credit.figures           m1      ok  ok  nf  ok  nf  nf  ok  no  no  no
credit.figures           m3      nf  nf  nf  nf  ok  nf  ok  no  no  no
credit.figures           far     nf  nf  nf  nf  nf  nf  nf  no  no  no
credit.check             m1      ok  ok  nf  ok  nf  nf  ok  no  no  no
credit.check             m3      nf  nf  nf  nf  ok  nf  ok  no  no  no
credit.check             far     nf  nf  nf  nf  nf  nf  nf  no  no  no
credit.add_guarantor     m1      ok  ok  nf  ok  nf  nf  ok  no  no  no
credit.add_guarantor     m3      nf  nf  nf  nf  ok  nf  ok  no  no  no
credit.add_guarantor     far     nf  nf  nf  nf  nf  nf  nf  no  no  no
credit.remove_guarantor  m1      ok  ok  nf  ok  nf  nf  ok  no  no  no
credit.remove_guarantor  m3      nf  nf  nf  nf  ok  nf  ok  no  no  no
credit.remove_guarantor  far     nf  nf  nf  nf  nf  nf  nf  no  no  no
credit.revise            m1      ok  ok  nf  ok  nf  nf  ok  no  no  no
credit.revise            m3      nf  nf  nf  nf  ok  nf  ok  no  no  no
credit.revise            far     nf  nf  nf  nf  nf  nf  nf  no  no  no
credit.submit            m1      ok  ok  nf  ok  nf  nf  ok  no  no  no
credit.submit            m3      nf  nf  nf  nf  ok  nf  ok  no  no  no
credit.submit            far     nf  nf  nf  nf  nf  nf  nf  no  no  no
credit.sign              m1      no  no  no  no  no  no  no  no  no  ok
credit.sign              m3      no  no  no  no  no  no  no  no  no  ok
credit.sign              far     no  no  no  no  no  no  no  no  no  nf
credit.return_file       m1      no  no  no  no  no  no  no  no  no  ok
credit.return_file       m3      no  no  no  no  no  no  no  no  no  ok
credit.return_file       far     no  no  no  no  no  no  no  no  no  nf
credit.show              m1      ok  ok  nf  ok  nf  nf  ok  ok  nf  ok
credit.show              m3      nf  nf  nf  nf  ok  nf  ok  ok  nf  ok
credit.show              far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
credit.show[draft]       m1      ok  ok  nf  ok  nf  nf  ok  ok  nf  nf
credit.show[draft]       m3      nf  nf  nf  nf  ok  nf  ok  ok  nf  nf
credit.show[draft]       far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
credit.list              m1      ok  ok  --  ok  --  --  ok  ok  --  ok
credit.list              m3      --  --  --  --  ok  --  ok  ok  --  ok
credit.list              far     --  --  --  --  --  --  --  --  --  --
credit.list[draft]       m1      ok  ok  --  ok  --  --  ok  ok  --  --
credit.list[draft]       m3      --  --  --  --  ok  --  ok  ok  --  --
credit.list[draft]       far     --  --  --  --  --  --  --  --  --  --
credit.list[customer]    m1      ok  ok  nf  ok  nf  nf  ok  ok  nf  nf
credit.list[customer]    m3      nf  nf  nf  nf  ok  nf  ok  ok  nf  nf
credit.list[customer]    far     nf  nf  nf  nf  nf  nf  nf  nf  nf  nf
credit.queue             m1      no  no  no  no  no  no  no  no  no  ok
credit.queue             m3      no  no  no  no  no  no  no  no  no  ok
credit.queue             far     no  no  no  no  no  no  no  no  no  --
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
        if changed and not call.keeps_plan:
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
    call = CALLS[key]
    fresh = (call.write and expected == "ok") or call.keeps_plan
    observed = observe(world, key, actor, target, fresh=fresh)
    assert observed == expected, f"{key} by {actor} on {target}: {observed}, not {expected}"


def test_a_backup_sees_only_the_customers_they_back_up(
    world: World, frozen_clock: datetime
) -> None:
    _path, engine = world.shared_db()
    m1, m2 = (Workbench(engine, SETTINGS, world.actors[name]) for name in ("M1", "M2"))
    assert [hit.customer_no for hit in m1.customers.search("K1")] == ["K101", "K102"]
    assert [hit.customer_no for hit in m2.customers.search("K")] == ["K101", "K201"]
    with pytest.raises(NotFound, match="K102"):
        m2.customers.view("K102")


@pytest.mark.parametrize(
    ("key", "actor", "target", "words"),
    [
        ("complaints.tickets[team]", "M2", "m1", "主管和行长"),
        ("complaints.open", "A", "m1", "IT"),
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
        bench.customers.view("K901")
    with pytest.raises(NotFound) as missing:
        bench.customers.view("K999")
    assert str(hidden.value).replace("K901", "?") == str(missing.value).replace("K999", "?")
    ticket = world.targets["far"].ticket
    with pytest.raises(NotFound) as refused:
        Workbench(engine, SETTINGS, world.actors["M1"]).complaints.detail(ticket)
    assert ticket in str(refused.value)  # what was typed, and nothing else


def test_a_sweep_by_hand_reaches_the_tickets_in_scope_only(
    world: World, frozen_clock: datetime
) -> None:
    path = world.copy()
    engine = make_engine(f"sqlite:///{path}")
    clock.freeze("2026-11-30T09:00")  # a week on: every open ticket is past its deadline
    try:
        Workbench(engine, SETTINGS, world.actors["M2"]).complaints.sweep()
        with engine.connect() as conn:
            query = text("SELECT ticket_no FROM complaint WHERE breached")
            breached = set(conn.execute(query).scalars())
    finally:
        engine.dispose()
    tickets = {name: t.ticket for name, t in world.targets.items()}
    assert tickets["m1"] in breached  # a customer M2 backs up
    assert tickets["m3"] not in breached and tickets["far"] not in breached


def workbench_use_cases() -> set[str]:
    """``facade.method`` of every use case of every facade of :class:`Workbench`."""
    return {
        f"{name}.{method}"
        for name, facade in Workbench.FACADES.items()
        for method in use_cases(facade)
    }


def entry_points() -> set[str]:
    """``module.function`` of every service entry point in :data:`ENTRY_MODULES` that no
    :class:`Workbench` method calls."""
    reached = {
        case.function
        for facade in Workbench.FACADES.values()
        for case in use_cases(facade).values()
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

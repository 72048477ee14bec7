"""``cmw demo``: fill an empty database with a realistic branch to try the workbench on.

What it builds (proportions from DESIGN.md, details in the ``demo_*`` modules):

* one branch (示例支行, code ``DEMO``) staffed by the workload rule (``[workload]``): the named
  roster of 19 with stable logins (``zhangwei`` — the demo login, the first customer manager
  by id; ``head``, ``admin``, supervisors ``wangfang`` / ``liqiang`` / ``liuyang``, 12 managers
  in A/B pairs, phone managers ``lina`` / ``hehuan``), and as many more numbered managers,
  phone managers and supervisors as the books need (see
  :mod:`cmworkbench.services.ops.demo.staff`);
* customers, about a quarter of them group customers with 1–4 key persons; classes A1/A2/B1/B2/C
  in the value-model proportions; A/B-class with the least-loaded manager whose grade allows
  the class (the default ``grades`` of :mod:`cmworkbench.config`), C-class with the
  least-loaded phone manager, so every book is under its rule; 1.5% without an owner (the
  branch pool, with no history of their own);
* about 1.5 holdings and 2 contacts (calls, visits, SMS, on-site days over the last 120 days)
  per customer, month-end figures for A/B and at-risk customers, one complaint per about 200
  customers with its history, and each manager's open and done tasks;
* the work logs of the last two months' working days, one of them missing for the demo login
  (:mod:`cmworkbench.services.ops.demo.worklogs`).
* a realistic minority of imperfect files (a required field missing, a legacy or mistyped ID
  number or phone, key persons without their role) and what the re-verifications of the last
  two months found (:mod:`cmworkbench.services.ops.demo.quality`), drawn from the customer
  ids, not the random stream;
* the branch's front line: six tellers and lobby staff (role ``referrer``, stable logins, each
  in the manager team they work with) and their referrals of the last month's working days,
  about 150 whatever the size, customers and prospects (leads), with the first contacts, the
  first-contact tasks, the products that converted some and the reasons others were lost
  (:mod:`cmworkbench.services.ops.demo.referrals`);
* each manager's pipeline: a handful of open opportunities in every step, more in the early
  ones, with their history, next steps, proposals (some waiting for the supervisor, one of
  the demo login's returned) and a few gone quiet, and the month's won and lost ones
  (:mod:`cmworkbench.services.ops.demo.opportunities`);
* the year's sales goals of every configured measure, at the branch's own pace and broken
  down to teams, managers, months and weeks, with the head's corrections of the month
  (:mod:`cmworkbench.services.ops.demo.goals`);
* the branch's two risk managers (role ``risk_manager``, stable logins ``fengkong`` and
  ``qinlan``) and the credit files of the last four months, a few per manager: drafts with
  items open, files waiting for the risk manager's signature, one returned with its follow-up,
  approved ones with their post-loan checks done by visits (the next due, one of last week
  overdue and escalated) and one superseded by its revised version
  (:mod:`cmworkbench.services.ops.demo.credit`).

Everything is relative to ``clock.now()`` and drawn from ``random.Random(seed)``: the same
seed and the same ``--now`` give byte-identical data.

Speed: a million customers (about eight million rows, twelve million search terms) must take
under three minutes. Rows are plain tuples generated in chunks, in a child process where one
can be forked (:mod:`.apart`: the drawing is one random stream and cannot be split, so it runs
beside the writing instead of before it), and written here with the DB-API ``executemany`` on
one raw SQLite connection, which also indexes the customers for search as they come
(:class:`~.sink.SqliteSink`); PostgreSQL gets ``COPY``, other databases SQLAlchemy Core
``insert()`` executemany with the values converted back to Python types. The whole build is
one transaction, so a build that is killed or fails leaves the database as it was.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db import scoring, search
from cmworkbench.db.engine import unit_of_work
from cmworkbench.domain import demo_data
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.i18n import t
from cmworkbench.services.complaints.api import refresh_all
from cmworkbench.services.core.errors import InvalidInput
from cmworkbench.services.ops.demo import credit as demo_credit
from cmworkbench.services.ops.demo.activity import INTERACTION_COLUMNS
from cmworkbench.services.ops.demo.apart import can_draw_apart, draw_apart
from cmworkbench.services.ops.demo.complaints import COMPLAINT_COLUMNS, EVENT_COLUMNS, Complaints
from cmworkbench.services.ops.demo.customers import (
    AB_SHARE,
    CONTACT_COLUMNS,
    CUSTOMER_COLUMNS,
    DIRECTORY_COLUMNS,
    HOLDING_COLUMNS,
    METRIC_COLUMNS,
    Chunk,
    Customers,
)
from cmworkbench.services.ops.demo.goals import set_goals
from cmworkbench.services.ops.demo.opportunities import EVENT_COLUMNS as OPPORTUNITY_EVENT_COLUMNS
from cmworkbench.services.ops.demo.opportunities import OPPORTUNITY_COLUMNS, Opportunities
from cmworkbench.services.ops.demo.quality import VERIFICATION_COLUMNS
from cmworkbench.services.ops.demo.referrals import (
    FIRST_CONTACT_COLUMNS,
    LEAD_COLUMNS,
    LEAD_CONTACT_COLUMNS,
    REFERRAL_COLUMNS,
    REFERRERS,
    Referrals,
    referrer_rows,
)
from cmworkbench.services.ops.demo.sink import Sink, open_sink
from cmworkbench.services.ops.demo.staff import (
    BRANCH_CODE,
    BRANCH_NAME,
    DEMO_LOGIN,
    Books,
    Member,
    Staffing,
    needed,
    staffing,
)
from cmworkbench.services.ops.demo.stamps import Stamps
from cmworkbench.services.ops.demo.tasks import TASK_COLUMNS, return_call_tasks, work_tasks
from cmworkbench.services.ops.demo.visits import ITEM_COLUMNS, PLAN_COLUMNS, visit_plans
from cmworkbench.services.ops.demo.worklogs import (
    MARKET_COLUMNS,
    WORKLOG_COLUMNS,
    market_reports,
    work_logs,
)
from cmworkbench.services.promises import api as promises

__all__ = ["CHUNK", "DEMO_LOGIN", "DemoSummary", "build_demo"]

CHUNK = 25_000
"""Customers generated and written per step: bounded memory, one progress call each."""
MAX_CUSTOMERS = 10_000_000
TABLES = (
    "branch", "team", "staff", "customer", "contact", "holding", "interaction",
    "customer_metric", "complaint", "complaint_event", "task", "work_log", "visit_plan",
    "visit_plan_item", "directory_refresh", "market_report", "verification", "lead",
    "lead_contact", "referral", "opportunity", "opportunity_event", "credit_file",
    "credit_guarantor", "credit_event", "post_loan_check", "notification",
)  # fmt: skip
STAFF_COLUMNS = (
    "id", "login", "name", "role", "grade", "branch_id", "team_id", "backup_id", "phone",
    "active", "created_at", "version",
)  # fmt: skip


@dataclass(frozen=True)
class DemoSummary:
    """What a demo build wrote, and how long it took."""

    staff: int
    customers: int
    contacts: int
    holdings: int
    interactions: int
    tasks: int
    complaints: int
    seconds: float
    complaint_events: int = 0
    metrics: int = 0


def build_demo(
    *,
    engine: Engine,
    customers: int = 2000,
    seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
    settings: Settings | None = None,
) -> DemoSummary:
    """Fill an empty database with a demo branch of ``customers`` customers.

    Refused (:class:`InvalidInput`) when the customer table already has rows or a demo login
    is taken. ``progress(done, total)`` is called after each chunk of customers.
    """
    if not 0 <= customers <= MAX_CUSTOMERS:
        raise InvalidInput(t("cli.demo.bad_count", most=MAX_CUSTOMERS, value=customers))
    started = time.perf_counter()
    sink = open_sink(engine)
    settings = settings or Settings()
    people = staffing(0, *needed(customers, AB_SHARE, settings.workload))
    try:
        logins = [m.login for m in people.members] + [login for login, *_ in REFERRERS]
        logins += [login for login, _ in demo_credit.RISK_MANAGERS]
        _refuse_unless_empty(sink, logins)
        counts = _fill(sink, customers, seed, progress, settings)
        sink.finish(TABLES)
    except BaseException:
        sink.rollback()
        raise
    finally:
        sink.close()
    if not sink.indexed:
        # Bulk rows bypass the per-commit index upkeep: index them all at once. Killed here,
        # the customers stay queued in search_dirty and `cmw reindex` finishes the job.
        search.rebuild(engine)
    # The generated tickets' deadlines are rough; put the configured SLA clocks on them. After
    # the index is built: a unit of work indexes every queued customer before it commits,
    # and until rebuild() the whole bulk load is queued (that cost 10 s and 40 MiB at 1M).
    with unit_of_work(engine) as session:
        refresh_all(session=session, settings=settings)
        promises.ensure_feedback(session, settings)  # every open ticket owes feedback
        scoring.rescore(session.connection())  # Today's first look finds today scored
        set_goals(session, settings)  # from the data's own pace: after it is all written
    return DemoSummary(
        staff=counts["staff"],
        customers=counts["customer"],
        contacts=counts["contact"],
        holdings=counts["holding"],
        interactions=counts["interaction"],
        tasks=counts["task"],
        complaints=counts["complaint"],
        seconds=round(time.perf_counter() - started, 3),
        complaint_events=counts["complaint_event"],
        metrics=counts["customer_metric"],
    )


def _refuse_unless_empty(sink: Sink, logins: Sequence[str]) -> None:
    """Demo data only goes into a database without customers, and never renames anyone."""
    if sink.scalar("SELECT COUNT(*) FROM (SELECT 1 FROM customer LIMIT 1) AS c"):
        raise InvalidInput(t("cli.demo.not_empty"))
    taken = sorted(set(sink.column("SELECT login FROM staff")) & set(logins))
    if taken:
        raise InvalidInput(t("cli.demo.login_taken", login=taken[0]))
    if BRANCH_CODE in sink.column("SELECT code FROM branch"):
        raise InvalidInput(t("cli.demo.branch_taken", code=BRANCH_CODE))


def _fill(
    sink: Sink,
    total: int,
    seed: int,
    progress: Callable[[int, int], None] | None,
    settings: Settings,
) -> dict[str, int]:
    """Write everything; returns rows written per table. The rows are drawn in a child
    process where one can be forked (:mod:`.apart`), written here as they come."""
    ids = {name: sink.scalar(f"SELECT COALESCE(MAX(id), 0) FROM {name}") + 1 for name in TABLES}

    def draw(out: Sink, report: Callable[[int, int], None] | None) -> dict[str, int]:
        return _draw(out, total, seed, report, settings, ids)

    if can_draw_apart():
        return draw_apart(draw, sink, progress)
    return draw(sink, progress)


def _draw(
    sink: Sink,
    total: int,
    seed: int,
    progress: Callable[[int, int], None] | None,
    settings: Settings,
    ids: dict[str, int],
) -> dict[str, int]:
    """Draw everything into ``sink``, ids from ``ids`` on; returns rows written per table."""
    # One independent stream per kind of data, all derived from the seed: the customers do not
    # change when the chunk size does (complaints are drawn between chunks).
    seeds = random.Random(seed)
    staff_rng, people_rng, complaint_rng, task_rng = (
        random.Random(seeds.getrandbits(64)) for _ in range(4)
    )
    log_rng = random.Random(seeds.getrandbits(64))
    referral_rng = random.Random(seeds.getrandbits(64))  # drawn last: the others stay as they were
    pipeline_rng = random.Random(seeds.getrandbits(64))  # after the referrals' (the same reason)
    credit_rng = random.Random(seeds.getrandbits(64))  # after the pipeline's (the same reason)
    stamps = Stamps(clock.now(), clock.branch_tz())
    first = dict(ids)
    team = staffing(ids["staff"], *needed(total, AB_SHARE, settings.workload))
    members = _write_branch(sink, staff_rng, stamps, ids, team)
    referrers, rows = referrer_rows(referral_rng, stamps, ids, first["branch"], first["team"])
    sink.insert("staff", STAFF_COLUMNS, rows)
    risk, rows = demo_credit.risk_manager_rows(credit_rng, stamps, ids, first["branch"])
    sink.insert("staff", STAFF_COLUMNS, rows)
    calendar = BranchCalendar.from_settings(settings.calendar)
    referrals = Referrals(referral_rng, stamps, settings, calendar, ids, members, referrers)
    books = Books(members, settings.grades, settings.workload)
    pipelines = Opportunities(
        pipeline_rng, stamps, settings, calendar, ids, members, books.supervisor_of
    )
    loans = demo_credit.Credit(
        credit_rng, stamps, settings, calendar, ids, members, books.supervisor_of, risk
    )
    people = Customers(people_rng, stamps, books, ids, settings)
    complaints = Complaints(complaint_rng, stamps, books, ids)
    done = 0
    while done < total:
        count = min(CHUNK, total - done)
        chunk = people.chunk(count)
        referrals.collect(chunk)  # the first customers walk in
        pipelines.collect(chunk)  # the first of each book are worked
        loans.collect(chunk)  # and the loans of the managers' customers
        _write_chunk(sink, chunk, complaints)
        done += count
        if progress is not None:
            progress(done, total)
    tasks = work_tasks(task_rng, stamps, members, people.samples, ids)
    tasks += return_call_tasks(stamps, ids, complaints.return_calls)
    sink.insert("task", TASK_COLUMNS, tasks)
    plans, visits = visit_plans(
        task_rng, stamps, members, books.supervisor_of, people.interactions.held,
        people.samples, ids,
    )  # fmt: skip
    sink.insert("visit_plan", PLAN_COLUMNS, plans)
    sink.insert("visit_plan_item", ITEM_COLUMNS, visits)
    sink.insert("work_log", WORKLOG_COLUMNS, work_logs(log_rng, stamps, members, calendar, ids))
    due_workdays = settings.reminders.monthly_due_workdays
    reports = market_reports(stamps, members, calendar, due_workdays, books.supervisor_of, ids)
    sink.insert("market_report", MARKET_COLUMNS, reports)
    made = referrals.build()
    sink.insert("lead", LEAD_COLUMNS, made.leads)
    sink.insert("holding", HOLDING_COLUMNS, made.holdings)
    sink.insert("interaction", INTERACTION_COLUMNS, made.interactions)
    sink.insert("task", FIRST_CONTACT_COLUMNS, made.tasks)
    sink.insert("referral", REFERRAL_COLUMNS, made.referrals)
    sink.insert("lead_contact", LEAD_CONTACT_COLUMNS, made.lead_contacts)
    worked = pipelines.build(made.referrals)
    sink.insert("opportunity", OPPORTUNITY_COLUMNS, worked.opportunities)
    sink.insert("opportunity_event", OPPORTUNITY_EVENT_COLUMNS, worked.events)
    sink.insert("task", TASK_COLUMNS, worked.tasks)
    _write_credit(sink, loans.build())
    return {name: ids[name] - first[name] for name in TABLES}


def _write_credit(sink: Sink, made: demo_credit.Written) -> None:
    """The credit files and what hangs off them, parents first."""
    c = demo_credit
    tables: Sequence[tuple[str, Sequence[str], list[tuple[object, ...]]]] = (
        ("credit_file", c.FILE_COLUMNS, made.files),
        ("credit_item", c.ITEM_COLUMNS, made.items),
        ("credit_guarantor", c.GUARANTOR_COLUMNS, made.guarantors),
        ("credit_event", c.EVENT_COLUMNS, made.events),
        ("interaction", INTERACTION_COLUMNS, made.interactions),
        ("task", TASK_COLUMNS, made.tasks),
        ("post_loan_check", c.CHECK_COLUMNS, made.checks),
        ("interaction_purpose", c.PURPOSE_COLUMNS, made.purposes),
        ("notification", c.NOTIFICATION_COLUMNS, made.notifications),
    )
    for table, columns, rows in tables:
        sink.insert(table, columns, rows)


def _write_branch(
    sink: Sink, rng: random.Random, stamps: Stamps, ids: dict[str, int], staff: Staffing
) -> list[Member]:
    """The branch, its teams and staff; A/B partners are set once everyone exists."""
    branch_id, team_id = ids["branch"], ids["team"]
    sink.insert("branch", ("id", "code", "name"), [(branch_id, BRANCH_CODE, BRANCH_NAME)])
    teams = [(team_id + i, branch_id, name) for i, name in enumerate(staff.team_names)]
    sink.insert("team", ("id", "branch_id", "name"), teams)
    members = staff.members
    rows = []
    for m in members:
        hired = stamps.at(stamps.today_ord - 365 - int(rng.random() * 3000), 32_400)
        team = None if m.team is None else team_id + m.team
        rows.append((
            m.id, m.login, m.name, str(m.role), m.grade, branch_id, team, None,
            demo_data.mobile(rng), 1, hired, 1,
        ))  # fmt: skip
    sink.insert("staff", STAFF_COLUMNS, rows)
    sink.update("staff", "backup_id", [(m.backup_id, m.id) for m in members if m.backup_id])
    ids["branch"] += 1
    ids["team"] += len(teams)
    ids["staff"] += len(members)
    return members


def _write_chunk(sink: Sink, chunk: Chunk, complaints: Complaints) -> None:
    """One chunk of customers and everything hanging off them, parents first."""
    complaint_rows, event_rows = complaints.build(chunk.complainants)
    tables: Sequence[tuple[str, Sequence[str], list[tuple[object, ...]]]] = (
        ("customer", CUSTOMER_COLUMNS, chunk.customers),
        ("contact", CONTACT_COLUMNS, chunk.contacts),
        ("holding", HOLDING_COLUMNS, chunk.holdings),
        ("interaction", INTERACTION_COLUMNS, chunk.interactions),
        ("customer_metric", METRIC_COLUMNS, chunk.metrics),
        ("directory_refresh", DIRECTORY_COLUMNS, chunk.directories),
        ("verification", VERIFICATION_COLUMNS, chunk.verifications),
        ("task", TASK_COLUMNS, chunk.tasks),
        ("complaint", COMPLAINT_COLUMNS, complaint_rows),
        ("complaint_event", EVENT_COLUMNS, event_rows),
    )
    for table, columns, rows in tables:
        sink.insert(table, columns, rows)

"""``cmw today``: a person's day as Today plans it (DESIGN.md, "A day a manager can work"):
the fixed-time items first, then the plan fitted to the day's capacity, the capacity used, and
the backlog counted and aged by kind (``--as``, else the operating system's user).

The plan is the one :func:`cmworkbench.services.tasks.plan.today_plan` makes: for today it is
kept at the first look, exactly as when the Today screen opens (``cmw today`` *is* a look at
today); for any other ``--date`` it is computed and nothing is written. ``cmw tasks`` lists
every open task of the day, the backlog's too; this command shows the day's shape.

Customers show as elsewhere in the CLI: number and name (phones and ID numbers, which the
plan does not print, are the masked fields).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from cmworkbench import clock, i18n
from cmworkbench.cli.common import (
    EXIT_OK,
    Commands,
    Handler,
    Parser,
    add_day_command,
    iso_time,
    own_workbench,
    print_json,
    table,
    table_time,
)
from cmworkbench.config import Settings

if TYPE_CHECKING:
    from cmworkbench.services.tasks.schemas import TodayPlan, TodayRow


def register(commands: Commands, common: Parser) -> dict[str, Handler]:
    """Add ``today``."""
    add_day_command(commands, common, "today")
    return {"today": _today}


def _today(args: argparse.Namespace, settings: Settings) -> int:
    """The day's plan as a table, or as JSON (:func:`plan_json`)."""
    from cmworkbench.services.tasks.lead import today_with_leads

    bench = own_workbench(settings, args.login)
    plan = bench.run(today_with_leads, settings=settings, day=args.date)
    if args.json:
        print_json(plan_json(plan))
    else:
        print(plan_text(plan))
    return EXIT_OK


# -- JSON -------------------------------------------------------------------------------------


def plan_json(plan: TodayPlan) -> dict[str, Any]:
    """The day as the JSON contract of ``cmw today --json``: rows in the order of the day
    (``fixed`` then ``plan``), the capacity and what the day uses of it, the backlog by kind.

    A row that is not a task (a planned ``visit``, a ``complaint`` deadline) has ``task_id``
    null and ``ref`` naming it (the visit plan item's id, the ticket number); a task has
    ``ref`` null. ``at`` is a fixed row's time today (null in the plan); ``deadline_at`` is the
    last moment the work keeps its rule: its deadline, else its due time (as ``cmw tasks``
    gives ``deadline``)."""
    return {
        "day": plan.day.isoformat(),
        "capacity": {
            "calls": plan.calls,
            "meetings": plan.meetings,
            "planned_calls": plan.planned_calls,
            "planned_meetings": plan.planned_meetings,
        },
        "done_today": plan.done_today,
        "lead": [lead_json(r) for r in plan.rows if r.section == "lead"],
        "rows": [_row_json(r) for r in plan.rows if r.section != "lead"],
        "backlog": {
            "total": plan.backlog.total,
            "by_kind": {
                kind: {"count": count, "oldest_days": oldest}
                for kind, (count, oldest) in sorted(plan.backlog.by_kind.items())
            },
        },
    }


def lead_json(r: TodayRow) -> dict[str, Any]:
    """A lead's item: its ``kind`` (``ticket_close``, ``plan_waiting``, ``staff_log_missing``
    …), ``reason``, ``due`` (since when it waits, or now), and the record it opens: ``ticket``
    (number), ``plan`` (``{"week", "owner"}``), ``staff`` (the colleague's login),
    ``customer_no``, ``team``; the ones it has not are null."""
    return {
        "kind": r.kind,
        "reason": r.reason,
        "due": iso_time(r.due_at),
        "state": r.state,
        "ticket": r.ref if r.item == "ticket" else None,
        "plan": {"week": r.plan_week, "owner": r.staff_login} if r.item == "plan" else None,
        "staff": r.staff_login,
        "customer_no": r.customer_no,
        "customer_name": r.customer_name,
        "team": r.ref if r.item == "team" else None,
        "version": r.version if r.item in ("ticket", "plan") else None,
    }


def _row_json(r: TodayRow) -> dict[str, Any]:
    task = r.item == "task"
    return {
        "section": r.section,
        "item": r.item,
        "task_id": r.task_id if task else None,
        "ref": None if task else r.ref,
        "kind": r.kind,
        "at": iso_time(r.at),
        "due_at": iso_time(r.due_at),
        "deadline_at": iso_time(r.deadline_at or r.due_at),
        # upcoming / due (应联系) / overdue (逾期: past the deadline)
        "state": r.state,
        "customer_no": r.customer_no,
        "customer_name": r.customer_name,
        "reason": r.reason,
        "score": r.score,
    }


# -- text -------------------------------------------------------------------------------------


def plan_text(plan: TodayPlan) -> str:
    """The day as text: the fixed items, the plan, the capacity line, the backlog."""
    t = i18n.t
    lead = [r for r in plan.rows if r.section == "lead"]
    fixed = [r for r in plan.rows if r.section == "fixed"]
    planned = [r for r in plan.rows if r.section == "plan"]
    parts = [t("cli.today.title", day=plan.day.isoformat())]
    if lead:
        parts.append(t("cli.today.lead", n=len(lead)))
        parts.append(
            table(
                [[i18n.label("lead_kind", r.kind), _record(r), r.reason] for r in lead],
                ["cli.header.kind", "cli.header.record", "cli.header.reason"],
                numbers=False,
            )
        )
    parts.append(t("cli.today.fixed", n=len(fixed)))
    if fixed:
        parts.append(
            table(
                [[_time_of(r), _kind(r), _customer(r), r.reason] for r in fixed],
                ["cli.header.time", "cli.header.kind", "cli.header.customer", "cli.header.reason"],
                numbers=False,
            )
        )
    parts.append(t("cli.today.plan", n=len(planned)))
    if planned:
        parts.append(
            table(
                [
                    [n, _kind(r), _customer(r), table_time(r.due_at), r.reason]
                    for n, r in enumerate(planned, start=1)
                ],
                [
                    "cli.header.rank",
                    "cli.header.kind",
                    "cli.header.customer",
                    "cli.header.due",
                    "cli.header.reason",
                ],
            )
        )
    parts.append(
        t(
            "cli.today.capacity",
            calls=plan.planned_calls,
            calls_max=plan.calls,
            meetings=plan.planned_meetings,
            meetings_max=plan.meetings,
            done=plan.done_today,
        )
    )
    parts.append(t("cli.today.backlog", total=plan.backlog.total))
    if plan.backlog.by_kind:
        by_kind = sorted(plan.backlog.by_kind.items(), key=lambda item: (-item[1][0], item[0]))
        parts.append(
            table(
                [
                    [i18n.label("task_kind", kind), count, oldest]
                    for kind, (count, oldest) in by_kind
                ],
                ["cli.header.kind", "cli.header.count", "cli.header.oldest_days"],
            )
        )
    return "\n\n".join(parts)


def _time_of(r: TodayRow) -> str:
    """A fixed row's time today (a call-back's, a visit's, a complaint deadline's); a task on
    its last day has none of its own: it is to be done within the day."""
    if r.at is None:
        return i18n.t("cli.today.within_the_day")
    return r.at.astimezone(clock.branch_tz()).strftime("%H:%M")


def _record(r: TodayRow) -> str:
    """What a lead's row opens, as text: the ticket and customer, the plan, the colleague."""
    if r.item == "ticket":
        return f"{r.ref} {r.customer_name}"
    if r.item == "customer":
        return _customer(r)
    if r.item == "plan":
        return f"{r.plan_week} {r.customer_name}"
    return r.customer_name or r.ref


def _kind(r: TodayRow) -> str:
    return i18n.label("task_kind", r.kind)


def _customer(r: TodayRow) -> str:
    return " ".join(part for part in (r.customer_no, r.customer_name) if part)

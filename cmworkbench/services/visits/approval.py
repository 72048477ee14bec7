"""Approving weekly visit plans: submit → the supervisor approves or returns with a comment.

The manager submits their plan of a week; the supervisor of the manager's team (only they)
approves it or returns it with a comment. A returned plan puts a ``follow_up`` task on the
manager's Today list, due at once ("计划被退回：<comment>"), closed when they submit again.

Approval stores a JSON snapshot of the visits. Changing an approved plan afterwards sends it
back (status ``submitted``, :func:`cmworkbench.services.visits.plans.touch`) and the supervisor sees
what was added, removed or moved since (:func:`.plans.changes_since_approval`).
"""

from __future__ import annotations

import json

from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Staff, Task, VisitPlan
from cmworkbench.domain.enums import Role, TaskKind, TaskStatus
from cmworkbench.domain.visits import approved_entry
from cmworkbench.i18n import t
from cmworkbench.services.core import audit
from cmworkbench.services.core.errors import Conflict, InvalidInput, NotFound, OutOfScope
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import require_role
from cmworkbench.services.core.validation import FieldsInvalid, text_problem
from cmworkbench.services.visits.plans import (
    LABEL_PREFIX,
    find_plan,
    plan_for_write,
    plan_rows,
    touch,
    week_dates,
    week_plan,
)
from cmworkbench.services.visits.schemas import WaitingPlan

COMMENT_CHARS = 500
RETURN_TASK_KEY = "visit_plan_returned:{plan_id}:{version}"
"""``Task.idem_key`` of the task a return creates: one per return."""


def _audit(session: Session, actor: Actor, plan: VisitPlan, action: str, detail: str) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        object_type="visit_plan",
        object_id=plan.id,
        detail=detail,
    )


def submit(*, session: Session, actor: Actor, week: str, version: int | None = None) -> str:
    """Send the actor's plan of ``week`` to the supervisor; returns the new status.

    A plan with no visit is refused. Submitting closes the task a return had opened.
    """
    plan = plan_for_write(session, actor, week, version)
    assert plan.id is not None
    if not plan_rows(session, plan.id):
        raise InvalidInput(t("visits.empty_plan", week=week))
    if plan.status in ("submitted", "approved"):
        raise Conflict(t("visits.already_submitted", week=week, status=_status(plan.status)))
    plan.status, plan.submitted_at = "submitted", clock.now()
    session.add(plan)
    touch(session, plan, reopen=False)
    _close_return_tasks(session, actor, plan)
    _audit(session, actor, plan, "submit", week)
    return plan.status


def _status(status: str) -> str:
    return t(f"enum.plan_status.{status}")


def _close_return_tasks(session: Session, actor: Actor, plan: VisitPlan) -> None:
    prefix = RETURN_TASK_KEY.format(plan_id=plan.id, version="")
    query = select(Task).where(
        col(Task.idem_key).startswith(prefix), col(Task.status) == TaskStatus.OPEN
    )
    for task in session.exec(query).all():
        task.status, task.closed_at, task.closed_by_id = TaskStatus.DONE, clock.now(), actor.id
        task.version += 1
        session.add(task)


def _plan_to_decide(
    session: Session, actor: Actor, week: str, owner_login: str, version: int | None
) -> tuple[VisitPlan, Staff]:
    """The submitted plan of ``owner_login`` if the actor supervises their team."""
    week_dates(week)
    owner = session.exec(select(Staff).where(col(Staff.login) == owner_login)).one_or_none()
    if owner is None or owner.id is None:
        raise NotFound(t("visits.staff_not_found", login=owner_login))
    if not (
        actor.role == Role.SUPERVISOR
        and actor.team_id is not None
        and owner.team_id == actor.team_id
        and owner.id != actor.id
    ):
        raise OutOfScope(t("visits.not_supervisor", name=owner.name))
    plan = find_plan(session, owner.id, week)
    if plan is None or plan.status != "submitted":
        status = _status(plan.status if plan else "draft")
        raise Conflict(t("visits.not_submitted", week=week, status=status))
    if version is not None and version != plan.version:
        raise Conflict(t("visits.conflict", week=week))
    return plan, owner


def waiting_plans(*, session: Session, actor: Actor, settings: Settings) -> list[WaitingPlan]:
    """The submitted plans of the supervisor's team waiting for a decision, the longest
    waiting first (the queue of Visits ``w`` and of Today): approving a week is ``Enter``,
    read, ``a``. Only a supervisor decides plans (:func:`_plan_to_decide`)."""
    require_role(actor, (Role.SUPERVISOR,), "visits.waiting_supervisor_only")
    if actor.team_id is None:
        return []
    rows = session.exec(
        select(VisitPlan, Staff)
        .join(Staff, col(Staff.id) == col(VisitPlan.owner_id))
        .where(
            col(VisitPlan.status) == "submitted",
            col(Staff.team_id) == actor.team_id,
            col(Staff.id) != actor.id,
            col(Staff.active),
        )
        .order_by(col(VisitPlan.submitted_at), col(VisitPlan.week), col(Staff.login))
    ).all()
    waiting = []
    for plan, owner in rows:
        week = week_plan(
            session=session, actor=actor, settings=settings, week=plan.week, owner_login=owner.login
        )
        waiting.append(
            WaitingPlan(
                week=plan.week,
                owner_login=owner.login,
                owner_name=owner.name,
                submitted_at=plan.submitted_at,
                visits=len(week.items),
                warnings=len(week.warnings),
                version=plan.version,
                changed_since_approval=len(week.changes),
            )
        )
    return waiting


def approve(
    *, session: Session, actor: Actor, week: str, owner_login: str, version: int | None = None
) -> str:
    """Approve a team member's submitted plan; its visits are kept as the approved snapshot."""
    plan, _owner = _plan_to_decide(session, actor, week, owner_login, version)
    assert plan.id is not None
    plan.status, plan.decided_at, plan.decided_by_id = "approved", clock.now(), actor.id
    plan.comment = None
    plan.approved_snapshot = json.dumps(_snapshot(session, plan.id), ensure_ascii=False)
    session.add(plan)
    touch(session, plan, reopen=False)
    _audit(session, actor, plan, "approve", f"{owner_login} {week}")
    return plan.status


def return_plan(
    *,
    session: Session,
    actor: Actor,
    week: str,
    owner_login: str,
    comment: str,
    version: int | None = None,
) -> str:
    """Return a team member's submitted plan with a comment (required); the manager finds a
    follow-up task saying so on Today."""
    if problem := text_problem(comment, most=COMMENT_CHARS, required=True, multiline=True):
        raise FieldsInvalid({"comment": problem}, label_prefix=LABEL_PREFIX)
    plan, owner = _plan_to_decide(session, actor, week, owner_login, version)
    assert owner.id is not None
    text = comment.strip()
    plan.status, plan.decided_at, plan.decided_by_id = "returned", clock.now(), actor.id
    plan.comment = text
    session.add(plan)
    touch(session, plan, reopen=False)
    reason = t("visits.returned_task", week=week, comment=text)
    session.add(
        Task(
            kind=TaskKind.FOLLOW_UP,
            owner_id=owner.id,
            due_at=clock.now(),
            reason=reason[:199] + "…" if len(reason) > 200 else reason,
            note=text,
            rule="visit_plan_returned",
            idem_key=RETURN_TASK_KEY.format(plan_id=plan.id, version=plan.version),
            created_at=clock.now(),
        )
    )
    _audit(session, actor, plan, "return", f"{owner_login} {week}")
    return plan.status


def _snapshot(session: Session, plan_id: int) -> list[dict[str, object]]:
    return [
        approved_entry(item.id or 0, customer.name, item.starts_at, item.purpose)
        for item, customer, _contact in plan_rows(session, plan_id)
    ]

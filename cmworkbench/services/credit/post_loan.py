"""Post-loan checks (贷后检查) of approved credit files: scheduled from the loan's approval by
``[credit]`` rule (:mod:`cmworkbench.domain.credit`), one at a time: the next is scheduled when
one is done, until the loan's term ends.

Each check is a task on the manager's Today (the daily generation makes it
``[tasks] post_loan_lead_days`` ahead, key ``post_loan:check:<id>``:
:mod:`cmworkbench.services.tasks.rules_sql`), closed only by a held visit logged for it with
its findings (:func:`check_done`, called from the logged contact); a call does not close it.
A check not done by its due day reaches the owner's supervisor and the risk manager who signed
the file, once (:func:`escalate_overdue`, the scheduler's sweep). A loan without a file keeps
its imported post-loan date (``holding.next_check_on``).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import CreditFile, Customer, PostLoanCheck, Staff, Task
from cmworkbench.domain import credit as rules
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.i18n import t
from cmworkbench.services.core.notify import insert_notification, leads_of
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.credit.records import event

TASK_KEY = "post_loan:check:"
"""The idempotency key prefix of a check's task (then the check's id)."""


def schedule_next(
    session: Session, settings: Settings, file: CreditFile, after: PostLoanCheck | None = None
) -> PostLoanCheck | None:
    """The check after ``after`` (``None``: the first) of an approved ``file``, unless the
    loan's term has ended by then."""
    assert file.id is not None and file.schedule_from is not None
    credit = settings.credit
    planned = rules.planned_check(
        credit, file.schedule_from, file.risk_grade, after.planned_on if after else None
    )
    if planned > rules.maturity(file.schedule_from, file.term_months):
        return None
    calendar = BranchCalendar.from_settings(settings.calendar)
    check = PostLoanCheck(
        file_id=file.id,
        seq=after.seq + 1 if after else 1,
        planned_on=planned,
        due_on=rules.due_day(calendar, planned),
    )
    session.add(check)
    return check


def check_of(session: Session, task: Task) -> PostLoanCheck | None:
    """The check a post-loan task is for (``None``: an imported post-loan date)."""
    key = task.idem_key or ""
    if not key.startswith(TASK_KEY) or not key[len(TASK_KEY) :].isdigit():
        return None
    return session.get(PostLoanCheck, int(key[len(TASK_KEY) :]))


def check_done(
    session: Session,
    settings: Settings,
    *,
    actor: Actor,
    task: Task,
    interaction_id: int,
    findings: str,
) -> None:
    """A held visit for the check of ``task`` was logged with ``findings``: the check is done
    and the next one scheduled."""
    check = check_of(session, task)
    if check is None or check.done_at is not None:
        return
    check.done_at, check.done_by_id = clock.now(), actor.id
    check.interaction_id, check.findings = interaction_id, findings.strip()[:2000]
    session.add(check)
    file = session.get(CreditFile, check.file_id)
    if file is not None and file.state == "approved":
        schedule_next(session, settings, file, check)
        event(session, actor, file, "post_loan", f"#{check.seq}: {check.findings}")


def escalate_overdue(*, session: Session, settings: Settings) -> int:
    """Checks past their due day and not done: the supervisor (or branch head) of the
    customer's owner, whose Today the check is on, and the risk manager who signed the file
    are told, once per check. Returns how many were told."""
    today = clock.today()
    late = session.exec(
        select(PostLoanCheck, CreditFile)
        .join(CreditFile, col(CreditFile.id) == col(PostLoanCheck.file_id))
        .where(
            col(PostLoanCheck.done_at).is_(None),
            col(PostLoanCheck.escalated_at).is_(None),
            col(PostLoanCheck.due_on) < today,
            col(CreditFile.state) == "approved",
        )
    ).all()
    told = 0
    for check, file in late:
        customer = session.get(Customer, file.customer_id)
        # whose Today the check is on: the customer's owner now (a handover takes it along)
        owner = session.get(Staff, (customer.owner_id if customer else None) or file.owner_id)
        recipients = [s.id for s in leads_of(session, owner)] if owner else []
        if file.risk_manager_id is not None:
            recipients.append(file.risk_manager_id)
        title = t(
            "credit.notice.check_overdue",
            id=file.id,
            name=customer.name if customer else "",
            due=check.due_on.isoformat(),
            owner=owner.name if owner else "",
        )
        for recipient in dict.fromkeys(r for r in recipients if r is not None):
            told += insert_notification(
                session,
                recipient=recipient,
                kind="post_loan_overdue",
                title=title,
                object_type="credit_file",
                object_id=file.id,
                key=f"post_loan_overdue:{check.id}:{recipient}",
            )
        check.escalated_at = clock.now()
        session.add(check)
    return told

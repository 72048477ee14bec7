"""The dual signature (双签, essays on the customer-manager system): the manager signs first by
submitting the file to a risk manager; the risk manager signs it (approved) or returns it with
a comment, which lands on the manager's Today until they submit again: the same round trip as
a week's visit plan. Neither signature is given to a file with an open item or with the
guarantors' cover under the rule; the reasons are named. An approved file is read-only and
its post-loan checks are scheduled (:mod:`.post_loan`).
"""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, col, select

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import CreditFile, Customer, PostLoanCheck, Staff, Task
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.domain.enums import Role, TaskKind
from cmworkbench.domain.pipeline import by_next_workday, short_yuan
from cmworkbench.i18n import t
from cmworkbench.services.core.errors import Conflict, NotFound
from cmworkbench.services.core.keyed_tasks import close_keyed
from cmworkbench.services.core.notify import insert_notification
from cmworkbench.services.core.schemas import Actor
from cmworkbench.services.core.scope import require_role
from cmworkbench.services.core.validation import FieldsInvalid, text_problem
from cmworkbench.services.credit.post_loan import schedule_next
from cmworkbench.services.credit.records import (
    FIELDS,
    SIGNING_ROLES,
    blocking,
    event,
    load,
    open_for_work,
    touched,
)
from cmworkbench.services.credit.schemas import CreditFileDetail
from cmworkbench.services.credit.views import detail

COMMENT_CHARS = 500
RETURNED_KEY = "credit_returned:{id}:"
"""The idempotency key prefix of a returned file's follow-up (then the return's time)."""


def _refuse_blocked(session: Session, settings: Settings, file: CreditFile, key: str) -> None:
    reasons = blocking(session, settings.credit, file)
    if reasons:
        raise Conflict(t(key, id=file.id, reasons="；".join(reasons)))


def submit(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    file_id: int,
    to: str | None = None,
    version: int | None = None,
) -> CreditFileDetail:
    """The manager's signature: the file goes to risk manager ``to`` (a login), else to the
    one it went to before, else to the branch's risk manager with the fewest files waiting."""
    file = open_for_work(session, actor, file_id, version)
    _refuse_blocked(session, settings, file, "credit.cannot_submit")
    risk = _risk_manager(session, actor, file, to)
    now = clock.now()
    file.state, file.risk_manager_id = "submitted", risk.id
    file.submitted_at, file.submitted_by_id = now, actor.id
    file.return_comment = None
    touched(session, file)
    close_keyed(session, actor, RETURNED_KEY.format(id=file.id))
    event(session, actor, file, "submit", f"→ {risk.login}")
    customer = session.get(Customer, file.customer_id)
    assert risk.id is not None
    insert_notification(
        session,
        recipient=risk.id,
        kind="credit_submitted",
        title=t(
            "credit.notice.submitted",
            id=file.id,
            name=customer.name if customer else "",
            amount=short_yuan(file.amount_yuan),
        ),
        object_type="credit_file",
        object_id=file.id,
        key=f"credit_submitted:{file.id}:{now.isoformat()}",
    )
    return detail(session, actor, settings, file_id)


def _risk_manager(session: Session, actor: Actor, file: CreditFile, to: str | None) -> Staff:
    query = select(Staff).where(
        col(Staff.role) == Role.RISK_MANAGER,
        col(Staff.active),
        col(Staff.branch_id) == actor.branch_id,
    )
    if to:
        found = session.exec(query.where(col(Staff.login) == to.strip())).one_or_none()
        if found is None:
            raise NotFound(t("credit.no_such_risk_manager", login=to))
        return found
    if file.risk_manager_id is not None:  # a returned file goes back to who returned it
        before = session.exec(query.where(col(Staff.id) == file.risk_manager_id)).one_or_none()
        if before is not None:
            return before
    waiting = (
        select(func.count())
        .where(
            col(CreditFile.risk_manager_id) == col(Staff.id), col(CreditFile.state) == "submitted"
        )
        .scalar_subquery()
    )
    found = session.exec(query.order_by(waiting, col(Staff.id))).first()
    if found is None:
        raise Conflict(t("credit.no_risk_manager"))
    return found


def _waiting_for(session: Session, actor: Actor, file_id: int, version: int | None) -> CreditFile:
    require_role(actor, SIGNING_ROLES, "credit.sign_role")
    file = load(session, actor, file_id, version)  # a risk manager sees only their own
    if file.state != "submitted":
        raise Conflict(
            t("credit.not_waiting", id=file.id, state=t(f"enum.credit_state.{file.state}"))
        )
    return file


def sign(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    file_id: int,
    version: int | None = None,
) -> CreditFileDetail:
    """The risk manager's signature: the file is approved (read-only from now on), the
    version it replaces is superseded, and the post-loan checks are scheduled from the loan's
    first approval."""
    file = _waiting_for(session, actor, file_id, version)
    _refuse_blocked(session, settings, file, "credit.cannot_sign")
    now = clock.now()
    file.state, file.signed_at = "approved", now
    file.schedule_from = file.schedule_from or clock.today()
    touched(session, file)
    session.flush()
    if file.previous_id is None:
        schedule_next(session, settings, file)
    else:
        _carry_schedule(session, settings, actor, file, file.previous_id)
    event(session, actor, file, "sign")
    _tell_owner(session, file, "credit_signed", "credit.notice.signed")
    return detail(session, actor, settings, file_id)


def _carry_schedule(
    session: Session, settings: Settings, actor: Actor, file: CreditFile, previous_id: int
) -> None:
    """A new version approved: the version it replaces is superseded and the loan's post-loan
    checks, done and open, go on under the new one (the schedule is the loan's, counted from
    its first approval); if none is open, the next is scheduled after the last."""
    previous = session.get(CreditFile, previous_id)
    if previous is not None and previous.state == "approved":
        previous.state = "superseded"
        touched(session, previous)
        event(session, actor, previous, "superseded", f"→ #{file.id}")
    checks = session.exec(
        select(PostLoanCheck)
        .where(col(PostLoanCheck.file_id) == previous_id)
        .order_by(col(PostLoanCheck.seq))
    ).all()
    for check in checks:
        check.file_id = file.id or 0
        session.add(check)
    last = checks[-1] if checks else None
    if last is None or last.done_at is not None:
        schedule_next(session, settings, file, last)


def return_file(
    *,
    session: Session,
    actor: Actor,
    settings: Settings,
    file_id: int,
    comment: str,
    version: int | None = None,
) -> CreditFileDetail:
    """Return a submitted file with a comment (required): a follow-up on the manager's Today,
    due at once and to be answered by the close of the next working day (as a returned
    proposal: a working day to revise it), closed when they submit it again."""
    if problem := text_problem(comment, most=COMMENT_CHARS, required=True, multiline=True):
        raise FieldsInvalid({"comment": problem}, label_prefix=FIELDS)
    file = _waiting_for(session, actor, file_id, version)
    now, now_day = clock.now(), clock.today()
    text = comment.strip()
    file.state, file.returned_at, file.return_comment = "returned", now, text
    touched(session, file)
    event(session, actor, file, "return", text)
    customer = session.get(Customer, file.customer_id)
    reason = t("credit.follow_up.returned", id=file.id, name=customer.name if customer else "")
    session.add(
        Task(
            kind=TaskKind.FOLLOW_UP,
            customer_id=file.customer_id,
            owner_id=file.owner_id,
            due_at=now,
            reason=reason[:200],
            note=text,
            rule="credit_returned",
            idem_key=f"{RETURNED_KEY.format(id=file.id)}{now.isoformat()}",
            created_at=now,
            deadline_at=by_next_workday(BranchCalendar.from_settings(settings.calendar), now_day),
        )
    )
    _tell_owner(session, file, "credit_returned", "credit.notice.returned", comment=text)
    return detail(session, actor, settings, file_id)


def _tell_owner(
    session: Session, file: CreditFile, kind: str, title: str, comment: str = ""
) -> None:
    customer = session.get(Customer, file.customer_id)
    insert_notification(
        session,
        recipient=file.owner_id,
        kind=kind,
        title=t(title, id=file.id, name=customer.name if customer else "", comment=comment),
        object_type="credit_file",
        object_id=file.id,
        key=f"{kind}:{file.id}:{clock.now().isoformat()}",
    )

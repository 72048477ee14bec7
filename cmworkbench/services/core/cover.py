"""Who covers whom while someone is on leave (AB角): "B takes over when A is away" (bank
summaries; DESIGN.md: A and B of a customer are never on leave at the same time).

* A colleague's due **work** (tasks, reminders) falls to their A/B partner
  (``Staff.backup_id``) unless the partner is away too or none is set; then to the
  supervisor of their team (:attr:`Cover.by_owner`).
* A colleague's **complaint tickets** fall to the ticket's customer's B角
  (``Customer.backup_id``) when that is the owner's partner who covers their work; when the
  customer has no B角, or its B角 is no longer the owner's partner (the pairs changed while
  the owner was away, so who stands in is not settled), or the B角 is away too, the owner's
  supervisor (a team without one: the branch head) covers it (:meth:`Cover.of_ticket`). A
  ticket has a clock: it must never fall between two people.

Decided from the records of the day asked about, each time: a leave recorded or cancelled,
or a partner changed, moves the cover at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, col, select

from cmworkbench.db.models import Staff, StaffLeave
from cmworkbench.domain.enums import Role
from cmworkbench.services.core.notify import leads_of


@dataclass(frozen=True)
class Cover:
    """The branch's cover on one day."""

    by_owner: dict[int, int] = field(default_factory=dict)
    """Staff on leave → who covers their work (left out: nobody can)."""
    partner: dict[int, int | None] = field(default_factory=dict)
    """Staff on leave → their A/B partner (``None``: none set)."""
    lead: dict[int, int] = field(default_factory=dict)
    """Staff on leave → who leads them (their team's supervisor, else the branch head)."""

    def away(self) -> list[int]:
        """Ids of the staff on leave."""
        return sorted(self.partner)

    def of_ticket(self, owner_id: int, customer_backup_id: int | None) -> int | None:
        """Who covers a ticket of ``owner_id`` whose customer's B角 is ``customer_backup_id``
        (``None``: the owner is at work, or nobody can)."""
        if owner_id not in self.partner:
            return None
        partner = self.partner[owner_id]
        at_work = partner is not None and self.by_owner.get(owner_id) == partner
        if at_work and customer_backup_id == partner:
            return partner
        return self.lead.get(owner_id)


def on_leave(session: Session, branch_id: int, day: date) -> set[int]:
    """Ids of the branch's staff on leave on ``day``."""
    query = (
        select(StaffLeave.staff_id)
        .join(Staff, col(Staff.id) == col(StaffLeave.staff_id))
        .where(
            col(Staff.branch_id) == branch_id,
            col(StaffLeave.starts_on) <= day,
            col(StaffLeave.ends_on) >= day,
        )
    )
    return set(session.exec(query).all())


def cover_on(session: Session, branch_id: int, day: date) -> Cover:
    """Who covers whom in the branch on ``day`` (see the module)."""
    away = on_leave(session, branch_id, day)
    if not away:
        return Cover()
    cover = Cover()
    for person in session.exec(select(Staff).where(col(Staff.id).in_(away))).all():
        assert person.id is not None
        leads = leads_of(session, person)  # their supervisor, else the branch head
        lead = leads[0].id if leads else None
        supervisor = lead if leads and leads[0].role == Role.SUPERVISOR else None
        partner = person.backup_id
        cover.partner[person.id] = partner
        coverer = partner if partner is not None and partner not in away else supervisor
        if coverer is not None and coverer != person.id:
            cover.by_owner[person.id] = coverer
        if lead is not None and lead != person.id:
            cover.lead[person.id] = lead
    return cover


def coverers(*, session: Session, branch_id: int, day: date) -> dict[int, int]:
    """Who covers whom on ``day``: staff on leave → the colleague their due work falls to
    (the A/B partner unless away too, else the team's supervisor); people nobody can
    cover are left out."""
    return cover_on(session, branch_id, day).by_owner

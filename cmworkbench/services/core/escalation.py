"""What the SLA sweeps share: which steps of a clock are due, and who each step tells.

Two things run on clocks: complaint tickets (``[sla.*]``, :mod:`..complaints.sla`) and
promises (``[promises.*]``, :mod:`..promises.sweep`). Both sweeps read their open records,
measure each clock's used fraction, and hand it here: :func:`due_notices` gives the steps
crossed (:func:`cmworkbench.domain.sla.steps_due`), each for the people its role names
(:class:`Recipients`: the owner, or who covers an owner on leave; the team's supervisor, or
the branch head for a team without one), with the notification's idempotency key, skipping
the keys already told. The sweep writes the notice and its own history line.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from cmworkbench.db.models import Staff
from cmworkbench.domain import sla
from cmworkbench.domain.enums import Role
from cmworkbench.services.core.cover import Cover, cover_on


@dataclass(frozen=True)
class Watched:
    """Whose a record on a clock is: its owner and where they work, and the customer's B角
    (who covers the owner's work while they are on leave)."""

    owner_id: int
    team_id: int | None
    branch_id: int
    customer_backup_id: int | None = None


class Recipients:
    """Who a step's role means for one record (the staff read once per sweep)."""

    def __init__(self, session: Session, day: date) -> None:
        staff = session.exec(select(Staff).where(col(Staff.active))).all()
        self._rows = [(s.id, s.role, s.team_id, s.branch_id, s.name) for s in staff]
        self._names = {r[0]: r[4] for r in self._rows}
        self._session, self._day = session, day
        self._cover: dict[int, Cover] = {}

    def name(self, staff_id: int) -> str:
        return self._names.get(staff_id, "?")

    def of(self, role: str, who: Watched) -> list[int]:
        """The ids ``role`` (``owner``, ``supervisor``, ``branch_head`` …) means for ``who``."""
        if role in ("owner", Role.MANAGER, Role.PHONE_MANAGER):
            # an owner on leave: who covers the work is told instead (core/cover.py)
            if who.branch_id not in self._cover:
                self._cover[who.branch_id] = cover_on(self._session, who.branch_id, self._day)
            cover = self._cover[who.branch_id].of_ticket(who.owner_id, who.customer_backup_id)
            return [cover if cover is not None else who.owner_id]
        if role == Role.SUPERVISOR:
            found = [
                r[0]
                for r in self._rows
                if r[1] == Role.SUPERVISOR and r[2] is not None and r[2] == who.team_id
            ]
            if found:
                return [i for i in found if i is not None]
            role = Role.BRANCH_HEAD  # a team without a supervisor: the branch head is told
        return [r[0] for r in self._rows if r[1] == role and r[3] == who.branch_id and r[0]]


def due_notices(
    fraction: float,
    warn_at: Sequence[float],
    escalate: Sequence[str],
    target: sla.Target,
    who: Watched,
    people: Recipients,
    key: str,
    known: set[str],
) -> Iterator[tuple[str, int, str]]:
    """``(step, recipient, idempotency key)`` of every notice due at ``fraction`` of the
    clock and not yet given: the key is ``key:step:recipient``, and is added to ``known``
    (the keys already in the notification table) as it is given."""
    for step in sla.steps_due(fraction, warn_at, escalate, target):
        for recipient in people.of(step.split("@", 1)[0], who):
            full = f"{key}:{step}:{recipient}"
            if full in known:
                continue
            known.add(full)
            yield step, recipient, full


def step_level(step: str) -> str:
    """``warn`` (a step before the deadline), ``escalate`` (at or after it, to a lead) or
    ``breach`` (the owner told the deadline passed): the notice's kind is ``sla_<level>``
    or ``promise_<level>``, and the history line says the same."""
    if step == "owner@breach":
        return "breach"
    return "warn" if sla.step_point(step) < 1.0 else "escalate"

"""Demo tasks: the work done and the work a manager took on by hand.

The rule-made work of the demo's day comes from the daily task generator (``cmw generate``,
run on the demo by ``scripts/run-demo.sh``), on the history the demo draws in steady state.
Here: the done tasks each recent contact closed (:func:`done_task`, called from
:mod:`.activity`), a few open tasks per manager that no rule makes (a customer's call to
return today, an errand, rarely one left from last week), and the return-call task (投诉回访,
within the same month) of each resolved complaint. Demo tasks carry ``rule = "demo"`` and no
idempotency key, so they never block a rule's own task.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from cmworkbench.domain import demo_data as d
from cmworkbench.domain.enums import Role
from cmworkbench.services.ops.demo.staff import Member
from cmworkbench.services.ops.demo.stamps import Stamps

Row = tuple[object, ...]

TASK_COLUMNS = (
    "id", "kind", "customer_id", "owner_id", "due_at", "priority", "reason", "status", "rule",
    "idem_key", "snoozed_until", "note", "complaint_id", "created_at", "closed_at",
    "closed_by_id", "version", "deadline_at",
)  # fmt: skip
RULE = "demo"
_KIND = d.Weighted((("follow_up", 70), ("manual", 30)))
_REASONS = {
    "contact": "{cls} 类客户到期联系（按联系频次）",
    "follow_up": "客户来电待回复（当天来电当天回复）",
    "verify_info": "{cls} 类客户基础信息待核实（信息更新）",
    "care": "客户关怀",
    "after_sale": "新开通业务售后回访（开通后 2 个月内）",
    "manual": "整理本周客户拜访记录",
}
_PRIORITY = {"A": 3, "B": 2, "C": 1}
# Local due times on a working day: morning call list, late morning, afternoon, before leaving.
_DUE_TIMES = (9 * 3600, 10 * 3600 + 1800, 14 * 3600, 15 * 3600 + 1800, 17 * 3600)
_END_OF_DAY = 17 * 3600 + 1800


def work_tasks(
    rng: random.Random,
    stamps: Stamps,
    members: Sequence[Member],
    samples: Mapping[int, Sequence[tuple[int, str, str]]],
    ids: dict[str, int],
) -> list[Row]:
    """A few open tasks no rule makes, per (phone) manager: due today, coming up, and now
    and then one left over from last week."""
    rows: list[Row] = []
    today = stamps.today_ord
    for m in members:
        if m.role not in (Role.MANAGER, Role.PHONE_MANAGER):
            continue
        book = samples.get(m.id, ())
        plans = [(today, d.pick(rng, _DUE_TIMES)) for _ in range(_few(rng, 1, 3))]
        plans += [(today + _few(rng, 1, 5), _END_OF_DAY) for _ in range(_few(rng, 0, 2))]
        if rng.random() < 0.3:
            plans.append((today - _few(rng, 1, 5), _END_OF_DAY))
        for day, seconds in plans:
            kind = _KIND.pick(rng) if book else "manual"
            customer, cls = d.pick(rng, book)[:2] if kind != "manual" else (None, "C")
            due = stamps.midnight(day) + seconds
            created = min(due - int((1 + rng.random() * 5) * 86_400), stamps.now_epoch - 3600)
            rows.append(_row(stamps, ids, kind, customer, cls, m.id, due, None, created, None))
    return rows


def done_task(
    stamps: Stamps,
    ids: dict[str, int],
    kind: str,
    customer: int,
    cls: str,
    owner: int,
    due: int,
    deadline: int | None,
    closed: int,
) -> Row:
    """A task of ``kind`` for ``customer``, due at ``due`` (UTC epoch), closed as done by its
    owner at ``closed``; it appeared a few days before it was due."""
    created = min(due - 3 * 86_400 + (customer % 7) * 3600, closed - 600)
    return _row(stamps, ids, kind, customer, cls, owner, due, deadline, created, closed)


def _few(rng: random.Random, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high`` inclusive."""
    return low + int(rng.random() * (high - low + 1))


def _row(
    stamps: Stamps,
    ids: dict[str, int],
    kind: str,
    customer: int | None,
    cls: str,
    owner: int,
    due: int,
    deadline: int | None,
    created: int,
    closed: int | None,
) -> Row:
    task_id = ids["task"]
    ids["task"] = task_id + 1
    i = stamps.instant
    return (
        task_id, kind, customer, owner, i(due), _PRIORITY[cls[0]], _reason(kind, cls),
        "open" if closed is None else "done", RULE, None, None, None, None, i(created),
        i(closed) if closed else None, owner if closed else None, 1,
        None if deadline is None else i(deadline),
    )  # fmt: skip


_REASON_TEXT: dict[tuple[str, str], str] = {}


def _reason(kind: str, cls: str) -> str:
    """The task's reason (formatted once per kind and class: a million-customer build writes
    a million tasks)."""
    text = _REASON_TEXT.get((kind, cls))
    if text is None:
        text = _REASON_TEXT[(kind, cls)] = _REASONS[kind].format(cls=cls)
    return text


def return_call_tasks(
    stamps: Stamps, ids: dict[str, int], pending: Sequence[tuple[int, int, int, int, int, str]]
) -> list[Row]:
    """An open return-call task (投诉回访) per resolved complaint, due at the month's end."""
    rows: list[Row] = []
    for complaint, customer, owner, due, resolved, ticket in pending:
        task_id = ids["task"]
        ids["task"] = task_id + 1
        rows.append((
            task_id, "return_call", customer, owner, stamps.instant(due), 3,
            f"投诉 {ticket} 已解决，当月完成回访", "open", RULE, None, None, None, complaint,
            stamps.instant(resolved), None, None, 1, None,
        ))  # fmt: skip
    return rows

"""Demo tasks: what each manager's Today screen starts with.

Each manager and phone manager gets a few open tasks due today, a few overdue and a few
coming up, plus done ones from the last month (so history and the supervisor's view are not
empty). Resolved complaints add their return-call task (投诉回访, within the same month).
The daily task generator adds rule-made tasks on top; demo tasks carry ``rule = "demo"`` and
no idempotency key, so they never block a rule's own task.
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
    "closed_by_id", "version",
)  # fmt: skip
RULE = "demo"
_KIND = d.Weighted((
    ("contact", 30), ("follow_up", 15), ("verify_info", 15), ("maturity", 12), ("care", 10),
    ("after_sale", 8), ("post_loan", 5), ("manual", 5),
))  # fmt: skip
_REASONS = {
    "contact": "{cls} 类客户到期联系（按联系频次）",
    "follow_up": "客户来电待回复（当天来电当天回复）",
    "verify_info": "{cls} 类客户基础信息待核实（信息更新）",
    "maturity": "客户产品即将到期，提醒续作",
    "care": "关键人生日关怀",
    "after_sale": "新开通业务售后回访（开通后 2 个月内）",
    "post_loan": "贷后检查到期",
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
    samples: Mapping[int, Sequence[tuple[int, str]]],
    ids: dict[str, int],
) -> list[Row]:
    """Open (due today, overdue, upcoming) and done tasks for every (phone) manager."""
    rows: list[Row] = []
    today = stamps.today_ord
    for m in members:
        if m.role not in (Role.MANAGER, Role.PHONE_MANAGER):
            continue
        book = samples.get(m.id, ())
        plans = [(today, d.pick(rng, _DUE_TIMES)) for _ in range(_few(rng, 3, 6))]
        plans += [(today - _few(rng, 1, 10), _END_OF_DAY) for _ in range(_few(rng, 2, 5))]
        plans += [(today + _few(rng, 1, 5), _END_OF_DAY) for _ in range(_few(rng, 1, 3))]
        for day, seconds in plans:
            rows.append(_task(rng, stamps, ids, m.id, book, stamps.midnight(day) + seconds, None))
        for _ in range(8 + int(rng.random() * 9)):
            due = stamps.midnight(today - 1 - int(rng.random() * 30)) + _END_OF_DAY
            closed = min(due - int(rng.random() * 2 * 86_400), stamps.now_epoch - 60)
            rows.append(_task(rng, stamps, ids, m.id, book, due, closed))
    return rows


def _few(rng: random.Random, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high`` inclusive."""
    return low + int(rng.random() * (high - low + 1))


def _task(
    rng: random.Random,
    stamps: Stamps,
    ids: dict[str, int],
    owner: int,
    book: Sequence[tuple[int, str]],
    due: int,
    closed: int | None,
) -> Row:
    kind = _KIND.pick(rng) if book else "manual"
    customer, cls = d.pick(rng, book) if book and kind != "manual" else (None, "C")
    task_id = ids["task"]
    ids["task"] = task_id + 1
    created = min(due - int((1 + rng.random() * 5) * 86_400), stamps.now_epoch - 3600)
    if closed is not None:
        closed = max(closed, created + 600)
    i = stamps.instant
    return (
        task_id, kind, customer, owner, i(due), _PRIORITY[cls[0]],
        _REASONS[kind].format(cls=cls), "open" if closed is None else "done", RULE, None, None,
        None, None, i(created), i(closed) if closed else None, owner if closed else None, 1,
    )  # fmt: skip


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
            stamps.instant(resolved), None, None, 1,
        ))  # fmt: skip
    return rows

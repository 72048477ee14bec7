"""Demo work logs (工作日志): what a branch in steady state has on file for the days before.

Every manager and phone manager submitted a log on each working day of the branch calendar in
the last :data:`LOG_DAYS` days before today, in the evening, with a line on the day's work;
except that the demo login missed the last working day (so the reminder and the report show
one gap where a new user looks first), and about one colleague in twenty missed one other day.
About one log in thirty came the next working morning after the doors opened: late (past
``[worklog] cutoff``, which a demo keeps at its default). Today's log is not written yet: it
is due tonight. Last month's market reports are in as a steady branch has them
(:func:`market_reports`).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from cmworkbench.domain import demo_data as d
from cmworkbench.domain import demo_vocab as v
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.domain.enums import Role
from cmworkbench.services.ops.demo.staff import DEMO_LOGIN, Member
from cmworkbench.services.ops.demo.stamps import Stamps

Row = tuple[object, ...]

WORKLOG_COLUMNS = ("id", "staff_id", "day", "content", "submitted_at", "version")
LOG_DAYS = 62
"""How far back the logs go (the report's month and the one before)."""
MISSED_SHARE = 0.05
"""Colleagues (other than the demo login) who missed one day's log."""
LATE_SHARE = 0.03
"""Logs submitted the next working day after its opening (late)."""


def work_logs(
    rng: random.Random,
    stamps: Stamps,
    members: Sequence[Member],
    calendar: BranchCalendar,
    ids: dict[str, int],
) -> list[Row]:
    """The submitted logs of every manager and phone manager (see the module doc)."""
    today = stamps.today_ord
    days = [o for o in range(today - LOG_DAYS, today) if calendar.is_workday(date.fromordinal(o))]
    if not days:
        return []
    rows: list[Row] = []
    for member in members:
        if member.role not in (Role.MANAGER, Role.PHONE_MANAGER):
            continue
        missed = None
        if member.login == DEMO_LOGIN:
            missed = days[-1]
        elif rng.random() < MISSED_SHARE:
            missed = d.pick(rng, days)
        for day in days:
            if day == missed:
                continue
            calls, visits = 8 + int(rng.random() * 20), int(rng.random() * 5)
            if member.role == Role.PHONE_MANAGER:
                calls, visits = 40 + int(rng.random() * 40), 0
            content = f"电话 {calls} 通，拜访 {visits} 户。{d.pick(rng, v.NEXT_STEPS)}"
            draw = rng.random()
            after = calendar.next_workday(date.fromordinal(day + 1)).toordinal()
            if draw < LATE_SHARE and after < today:  # the next morning, 09:00–11:00
                submitted = stamps.at(after, 9 * 3600 + int(draw / LATE_SHARE * 7200))
            else:  # in the evening before leaving, 17:30–19:00
                submitted = stamps.at(day, 17 * 3600 + 1800 + int(draw * 5400))
            rows.append((ids["work_log"], member.id, stamps.day(day), content, submitted, 1))
            ids["work_log"] += 1
    return rows


MARKET_COLUMNS = (
    "id", "author_id", "month", "content", "submitted_at", "updated_at", "acknowledged_by_id",
    "acknowledged_at", "version",
)  # fmt: skip
MARKET_LINES = (
    "同业推出企业专线限时优惠，已提醒重点集团客户关注续约条款",
    "竞争对手在园区设点办理宽带，辖区两家集团有询价",
    "本月同业理财收益率上调，中高端客户有资金外流迹象",
    "新开楼宇入驻企业多，同业已上门营销，建议尽快走访",
)
"""What a month's market intelligence report (市场信息报告) says, one of these."""


def market_reports(
    stamps: Stamps,
    members: Sequence[Member],
    calendar: BranchCalendar,
    due_workdays: int,
    supervisor_of: Mapping[int, int],
    ids: dict[str, int],
) -> list[Row]:
    """Last month's market report of every manager and phone manager, as a steady branch has
    them: nine in ten by the deadline (the first working day of this month plus
    ``due_workdays``, at the close), about one in fifteen after it, a few missing, most read
    by the supervisor the next working day; those not yet due are in for about half the
    people. Drawn from the member's id (the random stream is left as it was)."""
    today = date.fromordinal(stamps.today_ord)
    first = calendar.next_workday(today.replace(day=1))
    month = f"{today.replace(day=1) - timedelta(days=1):%Y-%m}"
    deadline = calendar.monthly_deadline(today, due_workdays)
    due_day, close = deadline.date(), deadline.hour * 3600 + deadline.minute * 60
    rows: list[Row] = []
    for member in members:
        if member.role not in (Role.MANAGER, Role.PHONE_MANAGER):
            continue
        h = member.id * 2_654_435_761 % 100
        if h < 3:
            continue  # missing
        if h < 10:
            sent = calendar.add_workdays(due_day, 1).toordinal()
            seconds = 10 * 3600
        else:
            ahead = h % max(due_workdays, 1)  # working days after the first, up to the due day
            sent = (calendar.add_workdays(first, ahead) if ahead else first).toordinal()
            seconds = min(16 * 3600 + h * 60, close - 60)
        if sent >= stamps.today_ord:
            continue
        read_on = calendar.add_workdays(date.fromordinal(sent), 1).toordinal()
        supervisor = supervisor_of.get(member.id)
        read = supervisor is not None and supervisor != member.id and read_on < stamps.today_ord
        submitted = stamps.at(sent, seconds)
        rows.append((
            ids["market_report"], member.id, month, MARKET_LINES[h % len(MARKET_LINES)],
            submitted, submitted, supervisor if read else None,
            stamps.at(read_on, 9 * 3600 + 1800) if read else None, 2 if read else 1,
        ))  # fmt: skip
        ids["market_report"] += 1
    return rows

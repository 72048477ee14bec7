"""The morning leaderboard in the branch's words (issue 28): on Monday 23 November 2026 the
branch reads out who stands where against November's goals, counted up to Sunday; Friday
is "yesterday", a manager's share is the average over the measures with a goal, equal shares
share a rank in a stable order, each line says how it moved since Friday's meeting, the
tellers are ranked by referrals converted, and every line can be traced to its records.

The world (goals set by the branch head for 2026, shared evenly over four managers):

* new customers: 480 a year, 40 in November: 10 for each manager (team 一: 30, team 二: 10);
* visits done: 960 a year, 80 in November: 20 for each (team 一: 60, team 二: 20);
* no goal on deposits (they are counted, and drilled, but rank nobody).

November so far (the month shown runs from the 1st to Sunday the 22nd; Friday's meeting
counted to Thursday the 19th):

=========  =======================  ======================  ==========  ========
manager    new customers            visits                  Monday      Friday
=========  =======================  ======================  ==========  ========
王芳       6 on the 10th, 2 on the   10 on the 9th           .8+.5=.65   .6+.5=.55
           20th (Friday)
张伟       5 on the 5th, 1 on the    12 on the 12th          .6+.6=.60   .5+.6=.55
           21st (Saturday)
李强       6 on the 3rd              12 on the 12th          .6+.6=.60   .6+.6=.60
孙丽       3 on the 2nd              10 on the 11th, 6 on    .3+.8=.55   .3+.5=.40
                                     the 20th
=========  =======================  ======================  ==========  ========
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from conftest import as_login
from sqlalchemy import Engine

from cmworkbench import clock
from cmworkbench.config import Settings
from cmworkbench.db.models import Customer, Holding, Interaction, Opportunity, Referral, Staff
from cmworkbench.domain.calendar import BranchCalendar
from cmworkbench.services.core.errors import OutOfScope
from cmworkbench.services.core.validation import FieldsInvalid
from cmworkbench.services.goals.leaderboard import span_of

SETTINGS = Settings()
MONDAY = date(2026, 11, 23)


def at(day: str, hour: int = 10) -> datetime:
    return clock.parse_instant(f"2026-11-{day}T{hour:02d}:00")


class World:
    """Adds the month's results of the managers and the tellers."""

    def __init__(self, f: Any) -> None:
        self.f = f
        self.n = 0

    def opened(self, owner: Staff, day: int, count: int) -> None:
        """``count`` customers opened on November ``day``."""
        for _ in range(count):
            self.n += 1
            customer = self.f.customer(owner, f"N{self.n:03d}", f"新客户{self.n:03d}")
            customer.opened_on = date(2026, 11, day)
            self.f.session.add(customer)

    def visits(self, owner: Staff, day: int, count: int) -> None:
        """``count`` visits held on November ``day``, each to a customer of an older book."""
        for _ in range(count):
            self.n += 1
            customer = self.f.customer(owner, f"V{self.n:03d}", f"老客户{self.n:03d}")
            self.f.session.add(
                Interaction(
                    customer_id=customer.id,
                    staff_id=owner.id or 0,
                    kind="visit",
                    status="done",
                    outcome="done",
                    purpose="routine",
                    happened_at=at(f"{day:02d}"),
                    created_at=at(f"{day:02d}"),
                )
            )

    def deposit(self, customer: Customer, day: int, yuan: int, kind: str = "deposit") -> None:
        self.f.session.add(
            Holding(
                customer_id=customer.id or 0,
                product="定期存款" if kind == "deposit" else "稳健理财",
                product_kind=kind,
                opened_on=date(2026, 11, day),
                amount_yuan=yuan,
            )
        )

    def referral(
        self, by: Staff, to: Staff, customer: Customer, made: str, converted: str | None
    ) -> None:
        self.f.session.add(
            Referral(
                at=at(made),
                referrer_id=by.id or 0,
                customer_id=customer.id,
                need="想买理财",
                product="wealth",
                to_id=to.id,
                received_at=at(made),
                window_ends=date(2026, 12, 31),
                status="converted" if converted else "open",
                outcome_at=at(converted) if converted else None,
            )
        )


@pytest.fixture
def branch(engine: Engine, build: Any) -> Iterator[None]:
    """Team 一 (陈主管: 王芳, 张伟, 李强), team 二 (赵主管: 孙丽), 行长, three tellers; the
    goals of 2026 and November's results (see the module)."""
    clock.freeze("2026-11-23T09:00")
    with build() as f:
        home = f.branch()
        one, two = f.team(home, "一组"), f.team(home, "二组")
        wang = f.staff(home, "wangfang", "王芳", team=one)
        zhang = f.staff(home, "zhangwei", "张伟", team=one)
        li = f.staff(home, "liqiang", "李强", team=one)
        sun = f.staff(home, "sunli", "孙丽", team=two)
        f.staff(home, "chenzg", "陈主管", role="supervisor", team=one)
        f.staff(home, "zhaozg", "赵主管", role="supervisor", team=two)
        f.staff(home, "head", "行长", role="branch_head")
        jia = f.staff(home, "teller1", "柜员甲", role="referrer", team=one)
        yi = f.staff(home, "teller2", "柜员乙", role="referrer", team=two)
        f.staff(home, "teller3", "柜员丙", role="referrer")
        w = World(f)
        w.opened(wang, 10, 6)
        w.opened(wang, 20, 2)
        w.opened(zhang, 5, 5)
        w.opened(zhang, 21, 1)
        w.opened(li, 3, 6)
        w.opened(sun, 2, 3)
        w.opened(wang, 23, 1)  # today: counted tomorrow
        w.visits(wang, 9, 10)
        w.visits(zhang, 12, 12)
        w.visits(li, 12, 12)
        w.visits(sun, 11, 10)
        w.visits(sun, 20, 6)
        rich = f.customer(wang, "D001", "存款大户")
        w.deposit(rich, 10, 1_200_000)
        w.deposit(rich, 20, 500_000)
        w.deposit(rich, 20, 300_000, kind="wealth")  # no deposit
        # the tellers: 甲 made 3 (5th, 6th, 20th), 2 converted (10th, 21st); 乙 made 2 (3rd,
        # 4th), both converted (12th, 13th); 丙 none; 张伟's own referral ranks no teller
        w.referral(jia, wang, rich, "05", "10")
        w.referral(jia, wang, rich, "06", "21")
        w.referral(jia, wang, rich, "20", None)
        w.referral(yi, sun, rich, "03", "12")
        w.referral(yi, sun, rich, "04", "13")
        w.referral(zhang, wang, rich, "04", "05")
    head = as_login(engine, "head")
    head.goals.set("new_customers", 2026, 480)
    head.goals.set("visits_done", 2026, 960)
    yield


def lines(board: Any) -> list[tuple[Any, ...]]:
    return [(m.key, m.rank, round(m.share, 4), m.change) for m in board.managers]


def test_monday_s_yesterday_is_friday_and_the_month_runs_to_sunday(
    engine: Engine, branch: None
) -> None:
    board = as_login(engine, "head").goals.leaderboard()
    assert (board.day, board.yesterday, board.through) == (
        MONDAY,
        date(2026, 11, 20),
        date(2026, 11, 22),
    )
    assert (board.month, board.first, board.previous_day) == (
        "2026-11",
        date(2026, 11, 1),
        date(2026, 11, 20),
    )


@pytest.mark.parametrize(
    ("day", "yesterday", "through", "month"),
    [
        pytest.param(
            "2026-11-24", "2026-11-23", "2026-11-23", "2026-11", id="tuesday-reads-monday"
        ),
        pytest.param(
            "2026-11-23", "2026-11-20", "2026-11-22", "2026-11", id="monday-reads-friday-to-sunday"
        ),
        pytest.param(
            "2026-12-01", "2026-11-30", "2026-11-30", "2026-11", id="the-1st-reads-the-month-closed"
        ),
        pytest.param(
            "2026-11-02",
            "2026-10-30",
            "2026-10-31",
            "2026-10",
            id="a-weekend-across-months-stays-in-friday-s-month",
        ),
    ],
)
def test_which_days_a_meeting_counts(day: str, yesterday: str, through: str, month: str) -> None:
    span = span_of(BranchCalendar.from_settings(SETTINGS.calendar), date.fromisoformat(day))
    assert span.yesterday == date.fromisoformat(yesterday)
    assert span.through == date.fromisoformat(through)
    assert span.month == month


def test_managers_rank_by_the_average_share_and_a_tie_keeps_a_stable_order(
    engine: Engine, branch: None
) -> None:
    board = as_login(engine, "head").goals.leaderboard()
    # 李强 and 张伟 both at 60 %: one rank (2), then 4; the tie in login order
    assert lines(board) == [
        ("wangfang", 1, 0.65, 1),  # Friday: 2nd (tied with 张伟) → up one
        ("liqiang", 2, 0.6, -1),  # Friday: 1st → down one
        ("zhangwei", 2, 0.6, 0),
        ("sunli", 4, 0.55, 0),
    ]
    again = as_login(engine, "head").goals.leaderboard()
    assert lines(again) == lines(board), "the same order on every call"
    wang = board.managers[0]
    assert (wang.previous_rank, round(wang.previous_share or 0, 4)) == (2, 0.55)
    by_measure = {m.measure: (m.goal, m.month, m.yesterday) for m in wang.measures}
    assert by_measure["new_customers"] == (10, 8, 2)  # the 2 of Friday; today's not yet
    assert by_measure["visits_done"] == (20, 10, 0)
    assert by_measure["deposit_growth"] == (0, 1_700_000, 500_000)  # no goal: no share
    assert [round(m.gained or 0, 4) for m in board.managers] == [0.1, 0.0, 0.05, 0.15]
    assert (wang.name, wang.team) == ("王芳", "一组")


def test_teams_rank_by_their_managers_results_against_the_team_s_goal(
    engine: Engine, branch: None
) -> None:
    board = as_login(engine, "head").goals.leaderboard()
    # 一组: customers 20/30, visits 34/60 → 37/60; 二组: 3/10 and 16/20 → 55 %
    assert [(t.key, t.rank, round(t.share or 0, 4), t.change) for t in board.teams] == [
        ("一组", 1, round(37 / 60, 4), 0),
        ("二组", 2, 0.55, 0),
    ]
    one = board.teams[0]
    assert {m.measure: (m.goal, m.month) for m in one.measures if m.goal} == {
        "new_customers": (30, 20),
        "visits_done": (60, 34),
    }


def test_one_measure_ranks_by_its_own_share(engine: Engine, branch: None) -> None:
    board = as_login(engine, "head").goals.leaderboard(measure="visits_done")
    # Friday: 李强 and 张伟 12/20 (1st, shared), 孙丽 and 王芳 10/20 (3rd, shared; the
    # same 10 visits: by login)
    assert lines(board) == [
        ("sunli", 1, 0.8, 2),
        ("liqiang", 2, 0.6, -1),
        ("zhangwei", 2, 0.6, -1),
        ("wangfang", 4, 0.5, -1),
    ]
    assert [(m.measures[0].yesterday) for m in board.managers] == [6, 0, 0, 0]
    none = as_login(engine, "head").goals.leaderboard(measure="deposit_growth")
    assert [(m.key, m.rank, m.share) for m in none.managers] == [
        ("liqiang", None, None),
        ("sunli", None, None),
        ("wangfang", None, None),
        ("zhangwei", None, None),
    ], "no goal: no rank, by login"
    with pytest.raises(FieldsInvalid):
        as_login(engine, "head").goals.leaderboard(measure="profit")


def test_the_tellers_rank_by_referrals_converted_then_made(engine: Engine, branch: None) -> None:
    board = as_login(engine, "zhangwei").goals.leaderboard()
    assert [(r.login, r.rank, r.converted, r.made, r.change) for r in board.referrers] == [
        ("teller1", 1, 2, 3, 1),  # Friday: 1 converted, 2 made → 2nd
        ("teller2", 2, 2, 2, -1),
        ("teller3", 3, 0, 0, 0),
    ]


def test_everyone_reads_it_a_teller_only_the_tellers_and_one_s_own_line_is_marked(
    engine: Engine, branch: None
) -> None:
    zhang = as_login(engine, "zhangwei").goals.leaderboard()
    assert [m.key for m in zhang.managers if m.mine] == ["zhangwei"]
    assert [t.key for t in zhang.teams if t.mine] == ["一组"]
    assert len(zhang.managers) == 4, "the whole branch, read aloud"
    teller = as_login(engine, "teller2").goals.leaderboard()
    assert teller.managers == () and teller.teams == ()
    assert [r.login for r in teller.referrers if r.mine] == ["teller2"]


def test_a_line_drills_to_exactly_its_records(engine: Engine, branch: None) -> None:
    head = as_login(engine, "head")
    rows = head.goals.leaderboard_drill("new_customers", "wangfang")
    assert [(r.customer_no, r.day) for r in rows] == [
        *[(f"N{n:03d}", date(2026, 11, 10)) for n in range(1, 7)],
        ("N007", date(2026, 11, 20)),
        ("N008", date(2026, 11, 20)),
    ], "not today's (N024)"
    assert {r.what for r in rows} == {"新开户"} and sum(r.amount for r in rows) == 8
    both = head.goals.leaderboard_drill(None, "wangfang")
    assert [r.measure for r in both] == ["new_customers"] * 8 + ["visits_done"] * 10
    visit = both[-1]
    assert (visit.what, visit.day, visit.name[:3]) == ("拜访 日常维护", date(2026, 11, 9), "老客户")
    deposits = head.goals.leaderboard_drill("deposit_growth", "wangfang")
    assert [(r.customer_no, r.what, r.day, r.amount) for r in deposits] == [
        ("D001", "存款 定期存款", date(2026, 11, 10), 1_200_000),
        ("D001", "存款 定期存款", date(2026, 11, 20), 500_000),
    ]
    friday = head.goals.leaderboard_drill("new_customers", "wangfang", date(2026, 11, 20))
    assert len(friday) == 6, "Friday's meeting counted to Thursday"


def test_the_records_are_the_owner_s_their_supervisor_s_and_the_branch_s(
    engine: Engine, branch: None
) -> None:
    assert as_login(engine, "zhangwei").goals.leaderboard_drill(None, "zhangwei")
    assert as_login(engine, "chenzg").goals.leaderboard_drill(None, "wangfang")
    for login, whose in (("zhangwei", "wangfang"), ("zhaozg", "wangfang"), ("teller1", "wangfang")):
        with pytest.raises(OutOfScope):
            as_login(engine, login).goals.leaderboard_drill(None, whose)


def test_nothing_moves_between_two_calls_on_another_day(engine: Engine, branch: None) -> None:
    """Tuesday: Monday is yesterday; today's customer of 王芳 (the 23rd) counts now."""
    clock.freeze("2026-11-24T09:00")
    board = as_login(engine, "head").goals.leaderboard()
    wang = next(m for m in board.managers if m.key == "wangfang")
    assert {m.measure: (m.month, m.yesterday) for m in wang.measures}["new_customers"] == (9, 1)
    assert board.previous_day == MONDAY
    assert wang.previous_rank == 1


def test_one_measure_far_past_a_small_goal_counts_at_most_200_percent_in_the_average(
    engine: Engine, build: Any
) -> None:
    """A manager who won 6 opportunities against a goal of 1 (600 %) and opened 5 customers
    against 10 (50 %) stands at (200 % + 50 %) / 2 = 125 % overall, not 325 %."""
    clock.freeze("2026-11-23T09:00")
    with build() as f:
        home = f.branch()
        team = f.team(home, "一组")
        wang = f.staff(home, "wangfang", "王芳", team=team)
        f.staff(home, "head", "行长", role="branch_head")
        w = World(f)
        w.opened(wang, 10, 5)
        won = f.customer(wang, "W001", "大客户")
        for n in range(6):
            f.session.add(
                Opportunity(
                    customer_id=won.id,
                    product="loan",
                    need=f"贷款{n}",
                    value_yuan=100,
                    expected_close=date(2026, 12, 31),
                    stage="relationship",
                    stage_since=at("10"),
                    owner_id=wang.id or 0,
                    status="won",
                    closed_at=at("10"),
                    last_step_at=at("10"),
                    created_at=at("02"),
                )
            )
    head = as_login(engine, "head")
    head.goals.set("new_customers", 2026, 120)  # 10 in November
    head.goals.set("opportunities_won", 2026, 12)  # 1 in November
    board = as_login(engine, "head").goals.leaderboard()
    (mine,) = board.managers
    assert round(mine.share, 4) == 1.25
    alone = as_login(engine, "head").goals.leaderboard(measure="opportunities_won")
    assert round(alone.managers[0].share, 4) == 6.0  # one measure: not capped

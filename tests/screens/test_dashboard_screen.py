"""The Dashboard on screen: the report's figures of one's scope, trend, targets, drill-down.

The world is the one of :mod:`test_reports` (November 2026, Monday the 23rd at 08:30): the
branch head sees the branch, 张伟 his own book; every figure is counted by hand there.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import notifications, settled, table_rows
from report_world import template  # noqa: F401 - the module-scoped world, reused
from sqlalchemy import Engine
from textual.widgets import DataTable, Label

from cmworkbench.app import make_app
from cmworkbench.config import Settings
from cmworkbench.db.engine import make_engine
from cmworkbench.screens.dashboard import DashboardScreen
from cmworkbench.screens.report_drill import GoalDrillScreen, ReportDrillScreen
from cmworkbench.services.reports.figures import FIGURES
from cmworkbench.services.workbench import login

SIZE = (80, 24)


@pytest.fixture
def engine(tmp_path: Path, template: Path, frozen_clock: object) -> Iterator[Engine]:  # noqa: F811
    shutil.copyfile(template, tmp_path / "t.db")
    engine = make_engine(f"sqlite:///{tmp_path}/t.db")
    yield engine
    engine.dispose()


def rows(table: DataTable[Any]) -> dict[str, list[str]]:
    """The table's cells as plain text, by the first cell."""
    return {row[0]: row[1:] for row in table_rows(table)}


def title(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector, Label).content)


async def test_the_branch_head_sees_the_branchs_figures_red_below_target_with_a_trend(
    engine: Engine, settings: Settings
) -> None:
    app = make_app(login(engine, settings, "head"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        assert title(app, "#dashboard-title") == "全行 · 2026-11-01 至 2026-11-23"
        table = screen.query_one("#dashboard-figures", DataTable)
        shown = rows(table)
        assert shown["联系覆盖率"][:2] == ["80.0%", "95.0%"]
        assert shown["联系覆盖率"][3] == "4/5"
        assert shown["投诉首响达标率"][:2] == ["50.0%", "95.0%"]
        assert shown["平均解决时长"][0] == "136.0h"
        assert shown["任务完成率"][:2] == ["75.0%", ""]
        assert len(shown["联系覆盖率"][2]) == 8, "eight weeks of bars"
        coverage = table.get_row_at(0)
        assert "red" in str(coverage[1].style), "below its target: red"
        assert "red" not in str(table.get_row_at(5)[1].style), "hours have no target"
        # 80×24: the figures fill the space above the counts and the footer, and scroll with
        # the cursor to the last (the post-loan checks on time)
        assert table.row_count == len(FIGURES) == 30 and table.region.bottom <= 22
        assert table.region.height >= 17
        await pilot.press(*["down"] * 29)
        await settled(pilot)
        assert table.cursor_row == 29
        # the last row's line (header + 30 rows) lies within the scrolled window
        assert table.scroll_y > 0 and table.scroll_y + table.scrollable_content_region.height >= 31
        assert "转介成交率" in rows(table)
        assert (
            shown["转介按时联系率"][:2] == ["50.0%", "95.0%"]
            and shown["转介按时联系率"][3] == "2/4"
        )
        assert "red" in str(table.get_row_at(20)[1].style), "below its target: red"
        assert shown["转介成交率"][:2] == ["33.3%", ""] and shown["转介成交率"][3] == "1/3"
        # the pipeline: sums in 万 of how many opportunities, days, the oldest proposal's wait
        assert shown["商机储备金额"][:2] == ["450.0万", ""] and shown["商机储备金额"][3] == "5 条"
        assert shown["赢单金额"][0] == "30.0万" and shown["赢单金额"][3] == "1 条"
        assert shown["商机赢单率"][0] == "50.0%" and shown["商机赢单率"][3] == "1/2"
        assert shown["平均阶段停留天数"][0] == "8.2天"
        assert shown["平均阶段停留天数"][3] == "7 条平均"
        assert shown["待审批方案"][:2] == ["1", ""] and shown["待审批方案"][3] == "最久 6.9天"
        assert "red" not in str(table.get_row_at(26)[1].style), "the pipeline has no targets"
        # the credit files: how many, the days to sign on average, the checks on time
        assert shown["信贷档案"][:2] == ["9", ""] and shown["信贷档案"][3] == "9 条"
        assert shown["风险经理平均签字天数"][0] == "2.1天"
        assert shown["风险经理平均签字天数"][3] == "3 条平均"
        assert shown["贷后检查按期率"][:2] == ["33.3%", ""] and shown["贷后检查按期率"][3] == "1/3"


async def test_every_figure_is_on_screen_at_100_by_38(engine: Engine, settings: Settings) -> None:
    app = make_app(login(engine, settings, "head"))
    async with app.run_test(size=(100, 38)) as pilot:
        await pilot.press("f6")
        await settled(pilot)
        table = app.screen.query_one("#dashboard-figures", DataTable)
        assert table.region.height == 31 and table.max_scroll_y == 0


async def test_enter_opens_the_records_behind_a_figure_and_esc_comes_back(
    engine: Engine, settings: Settings
) -> None:
    app = make_app(login(engine, settings, "head"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await settled(pilot)
        await pilot.press("enter")
        await settled(pilot)
        assert isinstance(app.screen, ReportDrillScreen)
        assert title(app, "#drill-title") == "全行 · 80.0% = 4 / 5"
        records = app.screen.query_one("#drill-rows", DataTable)
        cells = table_rows(records)
        assert [(row[1], row[4]) for row in cells][:1] == [("A1 K3", "✗")], "misses first"
        assert sorted(row[1].split()[-1] for row in cells) == ["K1", "K2", "K3", "K4", "K9"]
        await pilot.press("escape")
        await settled(pilot)
        assert isinstance(app.screen, DashboardScreen)


async def test_a_manager_sees_their_own_book_and_may_step_back_a_month(
    engine: Engine, settings: Settings
) -> None:
    app = make_app(login(engine, settings, "zhangwei"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await settled(pilot)
        assert title(app, "#dashboard-title") == "张伟 · 2026-11-01 至 2026-11-23"
        shown = rows(app.screen.query_one("#dashboard-figures", DataTable))
        assert shown["联系覆盖率"][0] == "75.0%" and shown["工作日志按时提交率"][3] == "5/15"
        await pilot.press("right_square_bracket")  # December has not begun: nothing happens
        await pilot.press("left_square_bracket")
        await settled(pilot)
        assert title(app, "#dashboard-title") == "张伟 · 2026-10-01 至 2026-10-31"
        shown = rows(app.screen.query_one("#dashboard-figures", DataTable))
        assert shown["投诉首响达标率"][0] == "100.0%", "T4, received in October, in time"


async def test_the_pipelines_records_are_its_opportunities_with_what_the_figure_counts(
    engine: Engine, settings: Settings
) -> None:
    app = make_app(login(engine, settings, "head"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await settled(pilot)
        await pilot.press(*["down"] * 22)  # the pipeline's value
        await pilot.press("enter")
        await settled(pilot)
        assert isinstance(app.screen, ReportDrillScreen)
        assert title(app, "#drill-title") == "全行 · 450.0万（5 条记录）"
        assert title(app, "#drill-about").startswith("期末（本月为此刻）仍在进行中的商机")
        cells = table_rows(app.screen.query_one("#drill-rows", DataTable))
        assert [(row[2], row[4]) for row in cells] == [
            ("客户K9", "200.0万"),
            ("客户K2", "120.0万"),
            ("客户K9", "60.0万"),
            ("客户K1", "50.0万"),
            ("钱多多", "20.0万"),
        ], "the biggest first"
        assert all(row[1].startswith("#") for row in cells), "the opportunity's number first"


# -- the morning leaderboard (``l``) ---------------------------------------------------------


def with_goals(engine: Engine, settings: Settings) -> None:
    """2026's goals set by the branch head: 10 visits and 2 new customers a month each for
    张伟, 李娜 and 孙丽 (team 一: two of them, team 二: one)."""
    head = login(engine, settings, "head")
    head.goals.set("visits_done", 2026, 360)
    head.goals.set("new_customers", 2026, 72)


async def test_l_shows_the_morning_leaderboard_on_80_by_24_with_one_s_own_line(
    engine: Engine, settings: Settings
) -> None:
    with_goals(engine, settings)
    app = make_app(login(engine, settings, "zhangwei"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await settled(pilot)
        await pilot.press("l")
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        assert title(app, "#dashboard-title") == (
            "晨会排行榜 · 昨日 2026-11-20 · 本月 2026-11-01 至 2026-11-22"
        )
        board = screen.query_one("#dashboard-leaderboard", DataTable)
        assert not screen.query_one("#dashboard-figures", DataTable).display
        cells = table_rows(board)
        names = [row[2] or row[3] for row in cells]
        assert sorted(names[:3]) == ["孙丽", "张伟", "李娜"], "the managers first"
        assert names[3:] == ["团队", "对公一组", "对公二组", "转介人", "刘洋"]
        assert [row[0] for row in cells[:3]] == sorted(
            (row[0] for row in cells[:3]), key=lambda r: int(r.strip("*"))
        ), "by rank"
        mine = cells[board.cursor_row]
        assert mine[2] == "张伟" and mine[0].startswith("*"), "the cursor on his own line"
        assert all(row[4].endswith("%") for row in cells[:3])
        # 80×24: every column within the screen, no sideways scrolling
        assert board.region.right <= 80 and board.max_scroll_x == 0
        assert board.region.bottom <= 22
        await pilot.press("l")
        await settled(pilot)
        assert screen.query_one("#dashboard-figures", DataTable).display
        assert title(app, "#dashboard-title") == "张伟 · 2026-11-01 至 2026-11-23"


async def test_enter_on_a_manager_s_line_shows_their_measures_and_records(
    engine: Engine, settings: Settings
) -> None:
    with_goals(engine, settings)
    app = make_app(login(engine, settings, "zhangwei"))
    messages: list[Any] = []
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await pilot.press("f6")
        await settled(pilot)
        await pilot.press("l")
        await settled(pilot)
        await pilot.press("enter")
        await settled(pilot)
        screen = app.screen
        assert isinstance(screen, GoalDrillScreen)
        assert title(app, "#goal-drill-title") == "张伟 · 2026-11-01 至 2026-11-22"
        measures = rows(screen.query_one("#goal-drill-measures", DataTable))
        assert measures["新增客户"][0] == "2" and measures["拜访完成"][0] == "10", "goals"
        assert measures.get("商机赢单", ["—"])[0] == "—", "a result without a goal: shown"
        records = table_rows(screen.query_one("#goal-drill-rows", DataTable))
        visits = [row for row in records if row[0] == "拜访完成"]
        assert len(visits) == int(measures["拜访完成"][1]), "the records are the month's"
        assert all(row[0] in ("新增客户", "拜访完成") for row in records), "measures with a goal"
        await pilot.press("escape")
        await settled(pilot)
        assert isinstance(app.screen, DashboardScreen)
        # a colleague's line: the measures, and a refusal for the records (not his book)
        board = app.screen.query_one("#dashboard-leaderboard", DataTable)
        other = next(i for i, row in enumerate(table_rows(board)) if row[2] == "孙丽")
        board.move_cursor(row=other)
        await pilot.press("enter")
        await settled(pilot, failing=True)
        assert isinstance(app.screen, GoalDrillScreen)
        assert table_rows(app.screen.query_one("#goal-drill-measures", DataTable))
        assert not table_rows(app.screen.query_one("#goal-drill-rows", DataTable))
        assert any("sunli" in text for text, _ in notifications(messages))


async def test_figures_taken_by_the_scheduler_say_when_and_their_records_sum_to_them(
    engine: Engine, settings: Settings
) -> None:
    """The snapshot of 08:30; 张伟 visits K3 at 08:32; at 08:35 the branch head's Dashboard
    shows coverage as of 08:30 (4/5, K3 still a miss) and says so, and the records behind it
    are those of 08:30."""
    from sqlalchemy import text

    from cmworkbench import clock
    from cmworkbench.db.engine import unit_of_work
    from cmworkbench.services.reports import snapshot

    taken = snapshot.take(engine, settings)
    with unit_of_work(engine) as session:
        snapshot.store(session, taken)
        session.connection().execute(
            text(
                "INSERT INTO interaction (customer_id, staff_id, kind, status, happened_at,"
                " created_at) SELECT id, owner_id, 'visit', 'done', :at, :at FROM customer"
                " WHERE customer_no = 'K3'"
            ),
            {"at": "2026-11-23 00:32:00.000000"},
        )
    clock.freeze("2026-11-23T08:35")
    app = make_app(login(engine, settings, "head"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f6")
        await settled(pilot)
        assert (
            title(app, "#dashboard-title")
            == "全行 · 2026-11-01 至 2026-11-23 · 截至 08:30（定时汇总）"
        )
        assert rows(app.screen.query_one("#dashboard-figures", DataTable))["联系覆盖率"][3] == "4/5"
        await pilot.press("enter")
        await settled(pilot)
        assert isinstance(app.screen, ReportDrillScreen)
        assert title(app, "#drill-title") == "全行 · 80.0% = 4 / 5"
        cells = table_rows(app.screen.query_one("#drill-rows", DataTable))
        assert [(row[1], row[4]) for row in cells][:1] == [("A1 K3", "✗")], "K3 as of 08:30"

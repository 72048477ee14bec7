"""On-site service days (驻点): group customers only, at least 2 hours, logged the same day;
the monthly report per manager, within scope."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select
from textual.widgets import Label

from cmworkbench import clock, i18n
from cmworkbench.app import make_app
from cmworkbench.cli import main
from cmworkbench.db.models import AuditLog, Customer, OnsiteDay
from cmworkbench.screens.customer360 import Customer360Screen
from cmworkbench.screens.dialogs.onsite_day import OnsiteDayDialog
from cmworkbench.services.core.errors import InvalidInput, NotFound, OutOfScope
from cmworkbench.services.core.validation import FieldsInvalid
from cmworkbench.services.visits.onsite import (
    monthly_summary,
    record_onsite_day,
    update_onsite_counts,
)
from cmworkbench.services.workbench import login

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = date(2026, 11, 23)


@pytest.fixture
def branch(build, engine, frozen_clock):
    """Team 1: supervisor zhouqiang, managers zhangwei and lina; team 2: manager wangfang;
    branch head chenjie. Group customers G1, G2 (zhangwei), G3 (lina), G4 (wangfang); an
    individual I1 (zhangwei)."""
    with build() as f:
        b = f.branch()
        one, two = f.team(b, "对公一组"), f.team(b, "对公二组")
        zhangwei = f.staff(b, "zhangwei", "张伟", team=one)
        lina = f.staff(b, "lina", "李娜", team=one)
        wangfang = f.staff(b, "wangfang", "王芳", team=two)
        f.staff(b, "zhouqiang", "周强", role="supervisor", team=one)
        f.staff(b, "chenjie", "陈杰", role="branch_head")
        f.customer(zhangwei, "G1", "华东机械集团")
        f.customer(zhangwei, "G2", "江南纺织有限公司")
        f.customer(lina, "G3", "海天物流集团")
        f.customer(wangfang, "G4", "北方钢铁集团")
        person = f.customer(zhangwei, "I1", "刘洋")
        person.kind = "individual"
        f.session.add(person)
    return engine


def _as(engine, settings, who):
    return login(engine, settings, who)


def _record(engine, settings, who="zhangwei", **overrides):
    fields = {
        "customer_no": "G1",
        "day": MONDAY,
        "place": "华东机械集团一楼大厅",
        "start": time(10),
        "end": time(16),
    }
    return _as(engine, settings, who).run(record_onsite_day, **{**fields, **overrides})


def _onsite_rows(engine):
    with Session(engine) as session:
        return session.exec(select(OnsiteDay).order_by(col(OnsiteDay.id))).all()


def test_a_day_at_a_group_customer_is_recorded_with_its_counts(branch, settings):
    onsite_id = _record(
        branch, settings, consultations_personal=12, consultations_group=3, transactions_group=2
    )
    [row] = _onsite_rows(branch)
    assert row.id == onsite_id
    assert row.starts_at == datetime(2026, 11, 23, 10, tzinfo=SHANGHAI).astimezone(UTC)
    assert row.ends_at == datetime(2026, 11, 23, 16, tzinfo=SHANGHAI).astimezone(UTC)
    assert (row.consultations_personal, row.consultations_group) == (12, 3)
    assert (row.transactions_personal, row.transactions_group) == (0, 2)
    with Session(branch) as session:
        audit = session.exec(select(AuditLog).where(AuditLog.object_type == "onsite_day")).one()
    assert audit.action == "create" and audit.object_id == onsite_id


def test_an_individual_customer_is_refused(branch, settings):
    with pytest.raises(InvalidInput, match="集团客户"):
        _record(branch, settings, customer_no="I1")
    assert _onsite_rows(branch) == []


def test_a_day_shorter_than_two_hours_is_refused_naming_the_field(branch, settings):
    with pytest.raises(FieldsInvalid) as refused:
        _record(branch, settings, start=time(10), end=time(11, 30))
    assert set(refused.value.fields) == {"end"}
    message = str(refused.value)
    assert message.startswith("结束时间：")
    assert "至少 2 小时" in message and "1 小时 30 分" in message
    assert _onsite_rows(branch) == []


def test_exactly_two_hours_is_enough(branch, settings):
    assert _record(branch, settings, start=time(14), end=time(16)) > 0


def test_a_past_day_is_refused_because_it_is_logged_the_same_day(branch, settings):
    with pytest.raises(FieldsInvalid, match="当天登记") as refused:
        _record(branch, settings, day=date(2026, 11, 20))
    assert "day" in refused.value.fields
    assert _onsite_rows(branch) == []


def test_every_problem_is_reported_at_once(branch, settings):
    with pytest.raises(FieldsInvalid) as refused:
        _record(branch, settings, place=" ", start=time(15), end=time(10), transactions_personal=-1)
    assert set(refused.value.fields) == {"place", "end", "transactions_personal"}


def test_in_english_the_message_names_the_field(branch, settings):
    i18n.set_language("en")
    with pytest.raises(FieldsInvalid, match=r"^end time: an on-site day lasts at least 2 hours"):
        _record(branch, settings, end=time(11))


def test_a_customer_outside_the_book_is_refused(branch, settings):
    with pytest.raises(NotFound):  # the same refusal as for a customer that does not exist
        _record(branch, settings, customer_no="G3")


def test_the_same_day_at_the_same_customer_is_not_recorded_twice(branch, settings):
    first = _record(branch, settings)
    with pytest.raises(FieldsInvalid, match=str(first)):
        _record(branch, settings, start=time(13), end=time(16))


def test_counts_are_added_during_the_day_but_not_the_day_after(branch, settings):
    onsite_id = _record(branch, settings, consultations_personal=2)
    zhangwei = _as(branch, settings, "zhangwei")
    out = zhangwei.run(
        update_onsite_counts, onsite_id=onsite_id, consultations_personal=3, transactions_group=1
    )
    assert (out.consultations_personal, out.transactions_group) == (5, 1)
    with pytest.raises(FieldsInvalid, match="0 到"):
        zhangwei.run(update_onsite_counts, onsite_id=onsite_id, transactions_group=-2)
    with pytest.raises(NotFound):  # another's day reads as one that does not exist
        _as(branch, settings, "lina").run(
            update_onsite_counts, onsite_id=onsite_id, consultations_group=1
        )
    clock.freeze("2026-11-24T09:00")
    with pytest.raises(FieldsInvalid, match="当天登记"):
        zhangwei.run(update_onsite_counts, onsite_id=onsite_id, consultations_personal=1)
    assert _onsite_rows(branch)[0].consultations_personal == 5


@pytest.fixture
def november(branch, settings):
    """zhangwei: G1 today 10–16 (6 h) and G2 on 5 Nov 10–14 (4 h), plus G1 on 31 Oct (another
    month); lina: G3 today 13–16 (3 h); wangfang: G4 today 10–12 (2 h)."""
    _record(branch, settings, consultations_personal=10, transactions_personal=4)
    _record(branch, settings, "lina", customer_no="G3", start=time(13), consultations_group=5)
    _record(branch, settings, "wangfang", customer_no="G4", end=time(12), transactions_group=1)
    with Session(branch) as session:
        ids = {c.customer_no: c.id for c in session.exec(select(Customer)).all()}
        owner = session.exec(select(Customer).where(Customer.customer_no == "G1")).one().owner_id
        for no, day, hours in (("G2", date(2026, 11, 5), 4), ("G1", date(2026, 10, 31), 5)):
            start = datetime.combine(day, time(10), SHANGHAI)
            session.add(
                OnsiteDay(
                    customer_id=ids[no],
                    staff_id=owner,
                    day=day,
                    place="会议室",
                    starts_at=start,
                    ends_at=start.replace(hour=10 + hours),
                    consultations_group=7,
                )
            )
        session.commit()
    return branch


def test_the_monthly_report_of_a_manager_is_their_own(november, settings):
    [row] = _as(november, settings, "zhangwei").run(monthly_summary, month="2026-11")
    assert (row.login, row.month) == ("zhangwei", "2026-11")
    assert row.totals.days == 2 and row.totals.hours == 10
    assert (row.totals.consultations_personal, row.totals.consultations_group) == (10, 7)
    assert row.totals.transactions_personal == 4
    assert [(c.customer_no, c.figures.days, c.figures.hours) for c in row.customers] == [
        ("G1", 1, 6),
        ("G2", 1, 4),
    ]
    assert len(row.totals.onsite_ids) == 2, "every figure traces back to its records"


def test_a_manager_may_not_read_a_colleagues_report(november, settings):
    with pytest.raises(OutOfScope):
        _as(november, settings, "zhangwei").run(
            monthly_summary, month="2026-11", owner_login="lina"
        )


def test_the_supervisor_sees_the_team_and_not_the_other_team(november, settings):
    supervisor = _as(november, settings, "zhouqiang")
    rows = supervisor.run(monthly_summary, month="2026-11")
    assert [(r.login, r.totals.days, r.totals.hours) for r in rows] == [
        ("lina", 1, 3),
        ("zhangwei", 2, 10),
    ]
    [lina] = supervisor.run(monthly_summary, month="2026-11", owner_login="lina")
    assert lina.totals.consultations_group == 5
    with pytest.raises(OutOfScope):
        supervisor.run(monthly_summary, month="2026-11", owner_login="wangfang")
    with pytest.raises(NotFound):
        supervisor.run(monthly_summary, month="2026-11", owner_login="nobody")


def test_the_branch_head_sees_every_manager_even_without_a_day(november, settings):
    rows = _as(november, settings, "chenjie").run(monthly_summary, month="2026-10")
    assert {r.login: r.totals.days for r in rows} == {"lina": 0, "wangfang": 0, "zhangwei": 1}


@pytest.mark.parametrize("month", ["2026-13", "2026/11", "November", "2026-1"])
def test_a_bad_month_is_refused(november, settings, month):
    with pytest.raises(InvalidInput, match="月份"):
        _as(november, settings, "zhangwei").run(monthly_summary, month=month)


def test_the_cli_prints_the_report_as_json_and_as_a_table(november, capsys):
    url = november.url.render_as_string(hide_password=False)
    argv = ["--db", url, "--now", "2026-11-23T17:00", "onsite", "summary", "--month", "2026-11"]
    assert main([*argv, "--as", "zhouqiang", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["login"] for r in rows] == ["lina", "zhangwei"]
    assert rows[1]["totals"]["hours"] == 10
    assert [c["customer_no"] for c in rows[1]["customers"]] == ["G1", "G2"]
    assert main([*argv, "--as", "zhangwei"]) == 0
    out = capsys.readouterr().out
    assert "驻点天数" in out and "合计" in out and "华东机械集团" in out
    assert main([*argv, "--as", "zhangwei", "--owner", "wangfang"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_the_cli_records_todays_day_and_refuses_a_short_one_naming_the_field(branch, capsys):
    argv = [
        "--db",
        branch.url.render_as_string(hide_password=False),
        "--now",
        "2026-11-23T17:00",
        "onsite",
    ]
    record = [*argv, "record", "G1", "--place", "一楼大厅", "--as", "zhangwei"]
    assert main([*record, "--from", "10:00", "--to", "11:30"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "结束时间" in err and "至少 2 小时" in err
    assert main([*record, "--from", "10:00", "--to", "16:00", "--consultations-group", "3"]) == 0
    assert "已登记驻点" in capsys.readouterr().out
    [row] = _onsite_rows(branch)
    assert (row.day, row.place, row.consultations_group) == (MONDAY, "一楼大厅", 3)
    for bad in (["--from", "10h"], ["--transactions-group", "-1"]):
        with pytest.raises(SystemExit) as usage:
            main([*record, "--from", "10:00", "--to", "16:00", *bad])
        assert usage.value.code == 2
    individual = [*argv, "record", "I1", "--place", "家", "--from", "10:00", "--to", "16:00"]
    assert main([*individual, "--as", "zhangwei"]) == 2
    assert "集团客户" in capsys.readouterr().err.strip().splitlines()[-1]


async def test_o_on_the_360_view_records_the_day_and_refuses_an_individual(branch, settings):
    """Given 张伟's group G1 and individual I1: ``o`` on I1 only says why not; on G1 a day of
    1 h 30 is refused in the dialog naming the end time, then 10:00–16:00 is saved."""
    workbench = login(branch, settings, "zhangwei")
    app = make_app(workbench)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await app.push_screen(Customer360Screen(workbench.customers.view("I1")))
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, Customer360Screen)
        assert any("不是集团客户" in str(n.message) for n in app._notifications)
        app.pop_screen()
        await app.push_screen(Customer360Screen(workbench.customers.view("G1")))
        await pilot.press("o")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, OnsiteDayDialog)
        await pilot.press(*"一楼大厅", "tab", "tab", "ctrl+a", "ctrl+k", *"11:30", "tab", "5")
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is dialog
        error = str(dialog.query_one("#form-error", Label).content)
        assert error.startswith("结束时间：") and "至少 2 小时" in error
        assert _onsite_rows(branch) == []
        await pilot.press("shift+tab", "ctrl+a", "ctrl+k", *"16:00", "ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, Customer360Screen)
    [row] = _onsite_rows(branch)
    assert (row.place, row.consultations_personal) == ("一楼大厅", 5), (
        "a field is selected on focus: 5 replaces the 0"
    )

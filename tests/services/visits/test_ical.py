"""The week's visit plan as an iCalendar file: it parses with a standard parser, round-trips
the times in the branch timezone, keeps UIDs stable, and respects scope."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlmodel import Session, col, select

from cmworkbench import clock, i18n
from cmworkbench.cli import main
from cmworkbench.db.models import Contact, VisitPlan, VisitPlanItem
from cmworkbench.services.core.errors import InvalidInput, NotFound, OutOfScope
from cmworkbench.services.visits.ical import checklist_lines, export_week
from cmworkbench.services.workbench import login

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEK = "2026-W48"
PLANNED = [  # (customer, local start, local end, status)
    ("G1", datetime(2026, 11, 24, 10, 0), datetime(2026, 11, 24, 11, 0), "planned"),
    ("G2", datetime(2026, 11, 26, 14, 30), datetime(2026, 11, 26, 15, 45), "planned"),
    ("G1", datetime(2026, 11, 27, 9, 0), datetime(2026, 11, 27, 10, 0), "cancelled"),
]


@pytest.fixture
def plan(build, engine, frozen_clock):
    """zhangwei's approved plan for 2026-W48 (two visits and a cancelled one); lina (same
    team) and wangfang (other team) are managers; zhouqiang supervises team 1."""
    with build() as f:
        b = f.branch()
        one, two = f.team(b, "对公一组"), f.team(b, "对公二组")
        zhangwei = f.staff(b, "zhangwei", "张伟", team=one)
        f.staff(b, "lina", "李娜", team=one)
        wangfang = f.staff(b, "wangfang", "王芳", team=two)
        f.staff(b, "zhouqiang", "周强", role="supervisor", team=one)
        f.staff(b, "sunli", "孙丽", role="supervisor", team=two)
        g1 = f.customer(zhangwei, "G1", "华东机械集团")
        g1.address = "上海市浦东新区张江路 88 号"
        g2 = f.customer(zhangwei, "G2", "江南纺织有限公司")
        contact = f._add(
            Contact(customer_id=g1.id, name="王建国", title="财务总监", updated_at=clock.now())
        )
        week_plan = f.visit_plan(zhangwei, WEEK)
        week_plan.status = "approved"
        f.visit_plan(wangfang, WEEK)
        customers = {"G1": g1, "G2": g2}
        for no, start, end, status in PLANNED:
            f._add(
                VisitPlanItem(
                    plan_id=week_plan.id,
                    customer_id=customers[no].id,
                    contact_id=contact.id if no == "G1" else None,
                    starts_at=start.replace(tzinfo=SHANGHAI),
                    ends_at=end.replace(tzinfo=SHANGHAI),
                    purpose="courtesy_call",
                    checklist=json.dumps(["带上资费方案", "查看上月账单"], ensure_ascii=False)
                    if no == "G1"
                    else "准备合同样本\n确认到访人数",
                    status=status,
                )
            )
    return engine


def _export(engine, settings, who="zhangwei", **kwargs) -> bytes:
    return login(engine, settings, who).run(export_week, week=WEEK, **kwargs)


def _events(data: bytes):
    return Calendar.from_ical(data).walk("VEVENT")


def _items(engine):
    with Session(engine) as session:
        return session.exec(select(VisitPlanItem).order_by(col(VisitPlanItem.id))).all()


def test_the_file_parses_with_one_event_per_planned_visit(plan, settings):
    data = _export(plan, settings)
    calendar = Calendar.from_ical(data)
    assert calendar["VERSION"] == "2.0"
    [timezone] = calendar.walk("VTIMEZONE")
    assert timezone["TZID"] == "Asia/Shanghai"
    events = calendar.walk("VEVENT")
    items = [i for i in _items(plan) if i.status != "cancelled"]
    assert [str(e["UID"]) for e in events] == [f"visit-{i.id}@cmworkbench" for i in items]


def test_times_round_trip_in_the_branch_timezone_and_in_utc(plan, settings):
    data = _export(plan, settings)
    assert b"DTSTART;TZID=Asia/Shanghai:20261124T100000" in data
    stored = {f"visit-{i.id}@cmworkbench": i for i in _items(plan)}
    for event, (_no, start, end, _status) in zip(_events(data), PLANNED[:2], strict=True):
        item = stored[str(event["UID"])]
        dtstart, dtend = event.decoded("DTSTART"), event.decoded("DTEND")
        assert dtstart.astimezone(SHANGHAI).replace(tzinfo=None) == start
        assert dtend.astimezone(SHANGHAI).replace(tzinfo=None) == end
        assert dtstart.astimezone(UTC) == item.starts_at
        assert dtend.astimezone(UTC) == item.ends_at
        assert event.decoded("DTSTAMP") == clock.now()


def test_the_event_says_who_where_and_what_to_prepare(plan, settings):
    first, second = _events(_export(plan, settings))
    purpose = i18n.label("visit_purpose", "courtesy_call")
    assert str(first["SUMMARY"]) == f"拜访 华东机械集团 · {purpose}"
    assert str(first["LOCATION"]) == "上海市浦东新区张江路 88 号"
    description = str(first["DESCRIPTION"])
    assert "王建国（财务总监）" in description
    assert "- 带上资费方案" in description and "- 查看上月账单" in description
    assert "LOCATION" not in second, "no address on file, no location"
    assert "- 确认到访人数" in str(second["DESCRIPTION"])


def test_uids_are_stable_across_exports(plan, settings):
    first = [str(e["UID"]) for e in _events(_export(plan, settings))]
    clock.freeze("2026-11-23T15:00")
    again = [str(e["UID"]) for e in _events(_export(plan, settings))]
    assert first == again and len(set(first)) == 2


def test_an_approved_plan_is_confirmed_a_draft_tentative(plan, settings):
    assert {str(e["STATUS"]) for e in _events(_export(plan, settings))} == {"CONFIRMED"}
    with Session(plan) as session:
        row = session.exec(select(VisitPlan).where(VisitPlan.week == WEEK)).first()
        assert row is not None
        row.status = "draft"
        session.add(row)
        session.commit()
    assert {str(e["STATUS"]) for e in _events(_export(plan, settings))} == {"TENTATIVE"}


def test_the_supervisor_exports_a_team_members_plan(plan, settings):
    data = _export(plan, settings, "zhouqiang", owner_login="zhangwei")
    assert len(_events(data)) == 2


@pytest.mark.parametrize(
    ("who", "owner"),
    [
        pytest.param("lina", "zhangwei", id="manager-exports-a-colleagues-plan"),
        pytest.param("sunli", "zhangwei", id="supervisor-of-another-team"),
    ],
)
def test_outside_scope_is_refused(plan, settings, who, owner):
    with pytest.raises(OutOfScope):
        _export(plan, settings, who, owner_login=owner)


def test_no_plan_for_the_week_is_a_clear_refusal(plan, settings):
    with pytest.raises(NotFound, match="李娜 没有 2026-W48 的拜访计划"):
        _export(plan, settings, "lina")


@pytest.mark.parametrize("week", ["2026-W99", "2026-W00", "2026W48", "2026-48", "2025-W53"])
def test_a_bad_week_is_refused(plan, settings, week):
    with pytest.raises(InvalidInput, match="ISO 周"):
        login(plan, settings, "zhangwei").run(export_week, week=week)


def test_the_cli_writes_the_file(plan, tmp_path, capsys):
    url = plan.url.render_as_string(hide_password=False)
    target = tmp_path / "plan.ics"
    argv = ["--db", url, "--now", "2026-11-23T08:30", "visits", "export", "--week", WEEK]
    assert main([*argv, "--as", "zhangwei", "-o", str(target)]) == 0
    assert "2" in capsys.readouterr().out
    assert len(Calendar.from_ical(target.read_bytes()).walk("VEVENT")) == 2
    assert main([*argv, "--as", "zhangwei", "-o", "-"]) == 0
    assert "BEGIN:VCALENDAR" in capsys.readouterr().out


def test_the_cli_refuses_a_bad_week_with_one_line(plan, tmp_path, capsys):
    url = plan.url.render_as_string(hide_password=False)
    target = tmp_path / "plan.ics"
    argv = ["--db", url, "visits", "export", "--week", "2026-W99", "--as", "zhangwei"]
    assert main([*argv, "-o", str(target)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "2026-W99" in err and "Traceback" not in err
    assert not target.exists()


def test_the_cli_refuses_a_plan_outside_scope(plan, capsys):
    url = plan.url.render_as_string(hide_password=False)
    argv = ["--db", url, "visits", "export", "--week", WEEK, "--as", "lina", "--owner", "zhangwei"]
    assert main([*argv, "-o", "-"]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("stored", "lines"),
    [
        pytest.param(None, [], id="none"),
        pytest.param('["a", {"text": "b"}]', ["a", "b"], id="json-list"),
        pytest.param("- a\n\n☐ b", ["a", "b"], id="plain-lines"),
    ],
)
def test_checklist_formats(stored, lines):
    assert checklist_lines(stored) == lines

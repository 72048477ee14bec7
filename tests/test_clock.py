"""The clock: one source of now, overridable by --now / CMW_NOW."""

from datetime import UTC, datetime, timedelta

import pytest

from cmworkbench import clock, i18n


@pytest.fixture(autouse=True)
def reset_clock():
    yield
    clock.set_now(None)
    clock.set_timezone("Asia/Shanghai")


def test_real_time_by_default():
    before = datetime.now(UTC)
    assert before - timedelta(seconds=1) <= clock.now() <= datetime.now(UTC) + timedelta(seconds=1)


def test_naive_override_is_branch_local_time():
    clock.freeze("2026-11-23T08:30")
    assert clock.now() == datetime(2026, 11, 23, 0, 30, tzinfo=UTC)
    assert clock.now_local().hour == 8
    assert clock.today().isoformat() == "2026-11-23"


def test_local_date_differs_from_utc_date_just_after_midnight():
    clock.freeze("2026-11-24T00:15")  # 16:15 UTC the day before
    assert clock.now().date().isoformat() == "2026-11-23"
    assert clock.today().isoformat() == "2026-11-24"


def test_aware_override_keeps_its_offset():
    clock.freeze("2026-11-23T08:30+00:00")
    assert clock.now_local().hour == 16


def test_override_runs_on_from_the_given_instant():
    clock.set_now("2026-11-23T08:30")
    first = clock.now()
    assert first >= datetime(2026, 11, 23, 0, 30, tzinfo=UTC)
    assert first - datetime(2026, 11, 23, 0, 30, tzinfo=UTC) < timedelta(seconds=5)


def test_bad_override_is_a_clear_error():
    i18n.set_language("en")
    with pytest.raises(clock.ClockError, match="not an ISO date-time"):
        clock.set_now("next tuesday")
    i18n.set_language("zh_CN")
    with pytest.raises(clock.ClockError, match="不是 ISO 日期时间"):
        clock.set_now("next tuesday")


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "9999-12-31T23:59", "1899-12-31"])
def test_a_year_no_branch_works_in_is_refused(value):
    with pytest.raises(clock.ClockError, match="1900"):
        clock.set_now(value)


def test_nothing_else_calls_the_system_clock():
    """Only clock.py may ask the system for the time (grep the package)."""
    from pathlib import Path

    package = Path(clock.__file__).parent
    offenders = [
        str(p.relative_to(package))
        for p in package.rglob("*.py")
        if p.name != "clock.py"
        and any(
            s in p.read_text(encoding="utf-8")
            for s in ("datetime.now(", "date.today(", "time.time(")
        )
    ]
    assert offenders == []

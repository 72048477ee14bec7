"""The cmw command line: exit codes 0/1/2, one-line errors, JSON contracts, both languages."""

import json
import sqlite3
import subprocess
import sys

import pytest

from cmworkbench import clock, i18n
from cmworkbench.cli import main
from cmworkbench.db import migrate


@pytest.fixture(autouse=True)
def isolated(monkeypatch):
    """Keep a developer's own config and clock out of the tests."""
    for name in ("CMW_CONFIG", "CMW_DATABASE_URL", "CMW_NOW", "CMW_LANGUAGE", "CMW_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    yield
    clock.set_now(None)
    i18n.set_language("zh_CN")


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'demo.db'}"
    assert main(["--db", url, "init"]) == 0
    assert main(["--db", url, "--now", "2026-11-23T08:30", "demo", "--customers", "300"]) == 0
    return url


def test_init_creates_then_is_a_no_op(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert main(["--db", url, "init"]) == 0
    assert migrate.SCHEMA_HEAD in capsys.readouterr().out
    assert main(["init", "--db", url]) == 0, "global options work after the command too"
    out = capsys.readouterr().out
    assert "无需改动" in out


def test_database_file_is_private(tmp_path):
    db = tmp_path / "private" / "x.db"
    assert main(["--db", f"sqlite:///{db}", "init"]) == 0
    assert db.stat().st_mode & 0o777 == 0o600
    assert db.parent.stat().st_mode & 0o777 == 0o700


def test_staff_list_json_contract(demo_url, capsys):
    assert main(["--db", demo_url, "staff", "list", "--json"]) == 0
    staff = json.loads(capsys.readouterr().out)
    assert {"login", "name", "role", "team"} <= set(staff[0])
    roles = [s["role"] for s in staff]
    assert roles.count("manager") == 12
    assert roles.count("supervisor") == 3
    assert roles.count("phone_manager") == 2
    assert roles.count("branch_head") == 1
    assert roles.count("admin") == 1


def test_staff_list_by_role_and_scope(demo_url, capsys):
    assert main(["--db", demo_url, "staff", "list", "--role", "supervisor", "--json"]) == 0
    supervisors = json.loads(capsys.readouterr().out)
    assert len(supervisors) == 3
    assert main(["--db", demo_url, "staff", "list", "--as", "zhangwei", "--json"]) == 0
    seen = json.loads(capsys.readouterr().out)
    assert len({s["team"] for s in seen}) == 1, "a manager sees their own team only"


@pytest.mark.parametrize(("language", "header"), [("zh_CN", "登录名"), ("en", "login")])
def test_staff_table_in_both_languages(demo_url, capsys, monkeypatch, language, header):
    monkeypatch.setenv("CMW_LANGUAGE", language)
    assert main(["--db", demo_url, "staff", "list", "--role", "admin"]) == 0
    out = capsys.readouterr().out
    assert header in out and "admin" in out


@pytest.mark.parametrize(
    ("argv", "code", "fragment"),
    [
        pytest.param(["staff", "list", "--role", "boss"], 2, "--role", id="bad-choice"),
        pytest.param(["nonsense"], 2, "invalid choice", id="unknown-command"),
        pytest.param(["--now", "tomorrow", "staff", "list"], 2, "--now", id="bad-now"),
        pytest.param(["demo", "--customers", "-5"], 2, "-5", id="negative-count"),
        pytest.param(["staff", "list", "--as", "nobody"], 2, "nobody", id="unknown-login"),
        pytest.param(["tui", "--as", "nobody"], 2, "nobody", id="tui-unknown-login"),
    ],
)
def test_bad_input_exits_2_with_one_line(demo_url, capsys, argv, code, fragment):
    assert _exit_code(["--db", demo_url, *argv]) == code
    err = capsys.readouterr().err.strip()
    assert fragment in err
    assert len(err.splitlines()) == 1
    assert "Traceback" not in err


def test_uninitialised_database_is_refused_and_not_created(tmp_path, capsys):
    db = tmp_path / "never.db"
    assert main(["--db", f"sqlite:///{db}", "staff", "list"]) == 2
    assert "cmw init" in capsys.readouterr().err
    assert not db.exists()


def test_bad_config_exits_2_naming_the_key(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text('[calendar]\ntimezone = "Mars/Olympus"\n', encoding="utf-8")
    assert main(["--config", str(config), "init"]) == 2
    assert "calendar.timezone" in capsys.readouterr().err


def test_demo_refuses_a_database_with_customers(demo_url, capsys):
    assert main(["--db", demo_url, "demo", "--customers", "10"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_other_failures_exit_1(tmp_path, capsys):
    assert main(["--db", "postgresql+nosuchdriver://x/y", "init"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1


def test_help_of_every_command_is_complete():
    for argv in (
        ["--help"],
        ["init", "--help"],
        ["demo", "--help"],
        ["tui", "--help"],
        ["staff", "--help"],
        ["staff", "list", "--help"],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "cmworkbench", *argv],
            capture_output=True,
            text=True,
            env={"CMW_LANGUAGE": "en", "PATH": ""},
        )
        assert result.returncode == 0, result.stderr
        assert "usage: cmw" in result.stdout
    assert (
        "--customers"
        in subprocess.run(
            [sys.executable, "-m", "cmworkbench", "demo", "--help"], capture_output=True, text=True
        ).stdout
    )


def _exit_code(argv):
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code


def _login_both_ways(url: str, login: str, explicit: bool = True) -> list[object]:
    """What the TUI's two logins give (``sqlite3`` first, then through an engine): the
    actor, or the error's type and message."""
    from cmworkbench.config import load_settings
    from cmworkbench.services.workbench import open_engine, tui_login, tui_login_direct

    settings = load_settings(env={"CMW_DATABASE_URL": url})
    outcomes: list[object] = []
    for way in (
        lambda: tui_login_direct(settings, login, explicit=explicit),
        lambda: tui_login(open_engine(settings), settings, login, explicit=explicit),
    ):
        try:
            workbench = way()
            assert workbench is not None
            outcomes.append(workbench.actor)
        except Exception as error:  # compared below, whatever it is
            outcomes.append((type(error).__name__, str(error)))
    return outcomes


def test_the_tui_login_without_sqlalchemy_is_the_same_login(demo_url, tmp_path):
    """``cmw tui`` on a SQLite file checks the login through ``sqlite3`` (the first paint does
    not wait for SQLAlchemy); it must accept and refuse exactly what the engine path does."""
    from sqlalchemy import create_engine, text

    first, second = _login_both_ways(demo_url, "zhangwei")
    assert first == second and getattr(first, "login", None) == "zhangwei"
    assert len(set(map(repr, _login_both_ways(demo_url, "nobody")))) == 1
    assert _login_both_ways(demo_url, "nobody", explicit=False)[0] == first, "demo fallback"
    copy = tmp_path / "copy.db"
    with sqlite3.connect(demo_url.removeprefix("sqlite:///")) as source:
        target = sqlite3.connect(copy)
        source.backup(target)
        target.close()
    engine = create_engine(f"sqlite:///{copy}")
    with engine.begin() as conn:
        conn.execute(text("UPDATE staff SET active = 0 WHERE login = 'lina'"))
    engine.dispose()
    inactive = _login_both_ways(f"sqlite:///{copy}", "lina")
    assert inactive[0] == inactive[1] and inactive[0][0] == "OutOfScope"  # type: ignore[index]
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    engine.dispose()
    old = _login_both_ways(f"sqlite:///{copy}", "zhangwei")
    assert old[0] == old[1] and "cmw init" in old[0][1]  # type: ignore[index]
    missing = tmp_path / "missing.db"
    gone = _login_both_ways(f"sqlite:///{missing}", "zhangwei")
    assert gone[0] == gone[1] and not missing.exists()


def test_cmw_tui_logs_in_before_importing_sqlalchemy(demo_url):
    """Everything ``cmw tui`` does before the app runs leaves SQLAlchemy unimported."""
    code = (
        "import sys; from cmworkbench import cli; from cmworkbench.config import load_settings;"
        "from cmworkbench.services.workbench import tui_login_direct;"
        f"w = tui_login_direct(load_settings(env={{'CMW_DATABASE_URL': {demo_url!r}}}),"
        " 'zhangwei', explicit=True); import cmworkbench.app;"
        "print(w.actor.login, sorted(m for m in sys.modules if m.startswith('sqlalchemy')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["zhangwei", "[]"]


def test_every_command_shows_a_time_the_same_way():
    """Given a moment stored in UTC, then JSON shows it branch-local to the second, a table
    branch-local to the minute, whichever command prints it."""
    from datetime import UTC, date, datetime

    from cmworkbench.cli.common import iso_time, json_text, table_time

    moment = datetime(2026, 11, 23, 0, 30, 5, 250_000, tzinfo=UTC)
    assert iso_time(moment) == "2026-11-23T08:30:05+08:00"
    assert table_time(moment) == "2026-11-23 08:30"
    assert (iso_time(None), table_time(None)) == (None, "")
    shown = json.loads(json_text({"at": moment, "day": date(2026, 11, 23)}))
    assert shown == {"at": "2026-11-23T08:30:05+08:00", "day": "2026-11-23"}

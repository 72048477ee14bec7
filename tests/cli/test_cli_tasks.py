"""cmw tasks: the ranked list as JSON, after cmw generate, scoped to the staff member."""

import json

from cmworkbench.cli import main


def test_generate_then_tasks_json_contract(database_url, capsys):
    url = database_url  # SQLite, or PostgreSQL with CMW_TEST_DATABASE=postgresql
    now = ["--now", "2026-11-23T08:30"]
    assert main(["--db", url, "init"]) == 0
    assert main(["--db", url, *now, "demo", "--customers", "400", "--seed", "3"]) == 0
    assert main(["--db", url, *now, "generate"]) == 0
    capsys.readouterr()
    assert main(["--db", url, *now, "tasks", "--as", "zhangwei", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows, "a demo manager has work on a Monday morning"
    assert {"id", "kind", "customer_no", "due", "priority", "reason"} <= set(rows[0])
    # the order of the day: what is fixed today (by its time), then the plan and the backlog,
    # each ranked by priority
    order = {"fixed": 0, "plan": 1, "backlog": 2}
    sections = [r["section"] for r in rows]
    assert sections == sorted(sections, key=order.__getitem__), "fixed, plan, backlog"
    for section in ("plan", "backlog"):
        scores = [r["priority"] for r in rows if r["section"] == section]
        assert scores == sorted(scores, reverse=True), f"the {section} ranked by priority"
    assert all(r["reason"] for r in rows)
    assert main(["--db", url, *now, "tasks", "--as", "chenjing", "--json"]) == 0
    theirs = {r["id"] for r in json.loads(capsys.readouterr().out)}
    assert not theirs & {r["id"] for r in rows}, "each manager sees their own list"


def test_tasks_for_an_unknown_login_exits_2(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'b.db'}"
    assert main(["--db", url, "init"]) == 0
    assert main(["--db", url, "tasks", "--as", "nobody"]) == 2
    assert "nobody" in capsys.readouterr().err

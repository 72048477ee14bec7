"""cmw credit: a manager makes a credit file, checks its eight items, adds guarantors and signs
it; the risk manager signs or returns it; refusals are one line with exit code 2 (the services
themselves: tests/services/credit/test_credit_files.py)."""

from __future__ import annotations

import json
import shlex
from typing import Any

import pytest

from cmworkbench import clock
from cmworkbench.cli import main
from cmworkbench.config import Settings

ITEMS = Settings().credit.items


@pytest.fixture
def url(database_url: str, build: Any) -> str:
    """王芳 (wangfang), a manager in 陈主管's (chenzg) team, owns 远宇商贸 (C1); 赵风控 (zhaofk)
    is the branch's risk manager. Friday 20 November 2026, 09:00."""
    clock.freeze("2026-11-20T09:00")
    with build() as f:
        home = f.branch()
        team = f.team(home)
        wang = f.staff(home, "wangfang", "王芳", team=team)
        f.staff(home, "chenzg", "陈主管", role="supervisor", team=team)
        f.staff(home, "zhaofk", "赵风控", role="risk_manager")
        f.customer(wang, "C1", "远宇商贸", cls="A1")
    return database_url


def cmw(url: str, command: str) -> int:
    try:
        return main(["--db", url, *shlex.split(command)])
    except SystemExit as exc:
        return int(exc.code or 0)


def said(capsys: pytest.CaptureFixture[str], url: str, command: str) -> str:
    assert cmw(url, command) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def refused(capsys: pytest.CaptureFixture[str], url: str, command: str) -> str:
    assert cmw(url, command) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    return err


def test_a_file_from_investigation_to_the_risk_managers_signature(
    capsys: pytest.CaptureFixture[str], url: str
) -> None:
    made = json.loads(
        said(
            capsys,
            url,
            "credit new --customer C1 --product 流动资金贷款 --amount 100万 --term 12"
            " --purpose 采购原材料 --as wangfang --json",
        )
    )
    file_id = made["id"]
    assert (made["state"], made["amount"], made["open_items"]) == ("draft", 1_000_000, 8)
    for item in ITEMS:
        said(capsys, url, f"credit check {file_id} {item} pass --finding 正常 --as wangfang")
    assert cmw(url, f"credit check {file_id} blacklist maybe --finding x --as wangfang") == 2
    capsys.readouterr()
    err = refused(
        capsys, url, f"credit check {file_id} blacklist concern --finding 有记录 --as wangfang"
    )
    assert "说明" in err
    said(capsys, url, f"credit figures {file_id} --assets 800万 --liabilities 300万 --as wangfang")
    said(
        capsys, url, f"credit guarantor {file_id} --name 担保人甲 --net-assets 150万 --as wangfang"
    )
    err = refused(capsys, url, f"credit submit {file_id} --as wangfang")
    assert "150万" in err and "200万" in err
    said(capsys, url, f"credit guarantor {file_id} --name 担保人乙 --net-assets 50万 --as wangfang")
    out = said(capsys, url, f"credit submit {file_id} --as wangfang")
    assert "赵风控" in out
    assert "风险经理" in refused(capsys, url, f"credit sign {file_id} --as chenzg")
    queue = json.loads(said(capsys, url, "credit queue --as zhaofk --json"))
    assert [f["id"] for f in queue] == [file_id]
    said(capsys, url, f"credit return {file_id} --comment 请补充流水 --as zhaofk")
    said(capsys, url, f"credit submit {file_id} --as wangfang")
    assert "双签" in said(capsys, url, f"credit sign {file_id} --as zhaofk")
    shown = said(capsys, url, f"credit show {file_id} --as wangfang")
    assert "已双签" in shown and "2026-12-21" in shown and "请补充流水" in shown
    assert "revise" in refused(
        capsys, url, f"credit check {file_id} ledger pass --finding y --as wangfang"
    )
    out = said(capsys, url, f"credit revise {file_id} --as wangfang")
    assert "第 2 版" in out
    listed = json.loads(said(capsys, url, "credit list --customer C1 --as wangfang --json"))
    assert [(f["file_version"], f["state"]) for f in listed] == [(2, "draft"), (1, "approved")]
    assert "#99" in refused(capsys, url, "credit show 99 --as wangfang")

"""One definition of VIP (issue 21, item 1): a customer is VIP when flagged, or when its asset
tier is one the branch lists as VIP (``[vip] tiers``, diamond and gold by default). Every rule
that treats VIPs apart asks the same question: the complaint SLA (24 hours, telecom handbook),
the contact cadence (the VIP rhythm), the priority of their tasks."""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from cmworkbench import clock
from cmworkbench.cli import main
from cmworkbench.config import ConfigError, Settings, load_settings
from cmworkbench.db.engine import unit_of_work
from cmworkbench.db.models import Customer
from cmworkbench.domain import cadence, priority, vip


@pytest.fixture
def url(database_url: str, build: Any, engine: Engine) -> str:
    """王芳's customers: C010 a diamond-tier individual without the VIP flag, C011 gold,
    C012 mid/high-end with the flag set by hand."""
    with build() as f:
        branch = f.branch()
        team = f.team(branch)
        wang = f.staff(branch, "wangfang", "王芳", team=team)
        f.staff(branch, "chenzg", "陈主管", role="supervisor", team=team)
        for no, tier, flag in (("C010", "diamond", False), ("C011", "gold", False),
                               ("C012", "mid_high", True)):  # fmt: skip
            customer = f.customer(wang, no, f"客户{no}", cls="B2")
            customer.kind, customer.tier, customer.is_vip = "individual", tier, flag
            f.session.add(customer)
    return database_url


@pytest.fixture
def only_diamond(tmp_path: Path) -> Iterator[Path]:
    """A branch whose VIP card goes with the diamond tier only: its config file."""
    config = tmp_path / "config.toml"
    config.write_text('[vip]\ntiers = ["diamond"]\n', encoding="utf-8")
    yield config
    vip.set_tiers(vip.DEFAULT_TIERS)


def take_complaint(
    url: str, customer_no: str, capsys: pytest.CaptureFixture[str], config: Path | None = None
) -> Any:
    clock.freeze("2026-11-23T08:30")
    command = (
        f"complaints new --customer {customer_no} --category fee --severity normal"
        " --description 扣费有误 --as wangfang --json"
    )
    options = ["--config", str(config)] if config else []
    assert main([*options, "--db", url, *shlex.split(command)]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def test_a_diamond_customer_without_the_flag_gets_the_24_hour_vip_clock(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ticket = take_complaint(url, "C010", capsys)
    assert ticket["sla_rule"] == "vip"
    assert ticket["resolution_due"] == "2026-11-24T08:30:00+08:00"


def test_a_customer_flagged_vip_by_hand_is_vip_whatever_its_tier(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert take_complaint(url, "C012", capsys)["sla_rule"] == "vip"


def test_a_branch_that_lists_only_diamond_treats_gold_as_any_customer(
    url: str, only_diamond: Path, capsys: pytest.CaptureFixture[str], engine: Engine
) -> None:
    assert take_complaint(url, "C011", capsys, only_diamond)["sla_rule"] == "normal"
    with unit_of_work(engine) as session:
        gold = session.exec(select(Customer).where(col(Customer.customer_no) == "C011")).one()
        rule = cadence.applicable_rule(
            cls=gold.cls, tier=gold.tier, is_vip=gold.is_vip, is_government=False,
            rules=Settings().cadence,
        )  # fmt: skip
    assert rule is not None and rule[0] == "B2", "the class's rhythm, not the VIP one"
    facts = priority.TaskFacts(kind="contact", due_on=clock.today(), cls="B2", tier="gold")
    flagged = priority.TaskFacts(kind="contact", due_on=clock.today(), cls="B2", is_vip=True)
    assert priority.score(facts, clock.today()) < priority.score(flagged, clock.today())


def test_a_tier_that_does_not_exist_is_refused_in_config(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[vip]\ntiers = ["diamond", "platinum"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"vip\.tiers.*platinum"):
        load_settings(str(config))

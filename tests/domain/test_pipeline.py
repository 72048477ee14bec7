"""The pipeline's pure rules: money as a manager types it, the proposal's ratio, what a move
asks for."""

from __future__ import annotations

import pytest

from cmworkbench.config import PipelineSettings
from cmworkbench.domain import pipeline as rules

PIPELINE = PipelineSettings()


@pytest.mark.parametrize(
    ("typed", "yuan"),
    [
        ("1200000", 1_200_000),
        ("1,200,000", 1_200_000),
        ("120万", 1_200_000),
        ("120 万", 1_200_000),
        ("1.5亿", 150_000_000),
        ("¥3,000元", 3_000),
        ("12.5w", 125_000),
        ("0", 0),
        ("很多", None),
        ("-5", None),
        ("", None),
        ("1e9", None),
    ],
)
def test_an_amount_as_typed(typed: str, yuan: int | None) -> None:
    assert rules.parse_yuan(typed) == yuan


def test_below_1_to_1_5_the_supervisor_approves() -> None:
    assert rules.needs_approval(PIPELINE, 1_000_000, 1_200_000)
    assert not rules.needs_approval(PIPELINE, 1_000_000, 1_500_000)
    assert not rules.needs_approval(PIPELINE, 0, 10)  # nothing spent: nothing to weigh
    assert rules.ratio_text(1_000_000, 1_200_000) == "1:1.20"
    assert rules.ratio_text(None, None) == ""


def test_a_move_asks_for_the_proposal_only_when_it_reaches_the_proposal_step() -> None:
    assert rules.move(PIPELINE, "assess", "solution").enters_proposal
    skip = rules.move(PIPELINE, "needs", "close")
    assert skip.enters_proposal and skip.passes_proposal
    onward = rules.move(PIPELINE, "solution", "close")
    assert onward.passes_proposal and not onward.enters_proposal
    back = rules.move(PIPELINE, "close", "needs")
    assert back.back_before_proposal and not back.enters_proposal
    assert not rules.move(PIPELINE, "select", "prepare").enters_proposal


def test_the_won_step_is_not_a_step_to_move_to() -> None:
    assert rules.next_stage(PIPELINE, "assess") == "solution"
    assert rules.next_stage(PIPELINE, "close") is None
    assert "relationship" not in rules.open_stages(PIPELINE)


def test_a_branch_s_own_step_names_win_over_the_catalog() -> None:
    own = PipelineSettings(names={"solution": "方案呈现"})
    assert rules.stage_label(own, "solution") == "方案呈现"
    assert rules.stage_label(own, "close") == "促成成交"

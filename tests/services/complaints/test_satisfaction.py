"""Satisfaction on the sources' scale (issue 21, item 3): 完全满意 5, 满意 4, 一般 3, 不满意 2,
很不满意 1. The return call records the answer as the customer gave it beside its score;
scores recorded before stay as they were, marked as on the old scale (满意 was 5), and the
report says how many of those a figure includes. Reports show the average, the satisfaction
rate (the share of 4 and 5) and the VIP satisfaction rate (target over 95%)."""

from __future__ import annotations

import json
import shlex
from typing import Any

import pytest

from cmworkbench import clock
from cmworkbench.cli import main
from cmworkbench.domain import complaint_flow


def _new(said: str, score: int | None = None) -> Any:
    """A case that the scale before this issue answered otherwise (满意 was 5)."""
    return (said,) if score is None else (said, score)


@pytest.mark.parametrize(
    ("said", "score"),
    [
        _new("完全满意", 5), _new("满意", 4), ("一般", 3), _new("不满意", 2), _new("很不满意", 1),
        _new("very_satisfied", 5), _new("satisfied", 4), ("neutral", 3), _new("dissatisfied", 2),
        _new("very_dissatisfied", 1), _new("Satisfied", 4), (" 4 ", 4), ("1", 1),
    ],
)  # fmt: skip
def test_the_sources_words_their_english_and_the_digits(said: str, score: int) -> None:
    assert complaint_flow.parse_satisfaction(said) == score


@pytest.mark.parametrize("said", ["6", "0", "基本满意", "", "very"])
def test_anything_else_is_refused(said: str) -> None:
    with pytest.raises(ValueError):
        complaint_flow.parse_satisfaction(said)


def cmw(url: str, command: str, at: str) -> Any:
    clock.freeze(at)
    return main(["--db", url, *shlex.split(command)])


@pytest.fixture
def url(database_url: str, build: Any) -> str:
    with build() as f:
        f.customer(f.wang_and_her_supervisor(), "C003", "小张便利店", cls="B1")
    return database_url


def test_the_return_call_records_the_answer_as_given_beside_its_score(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    new = "complaints new --customer C003 --category fee --severity normal --description 扣费有误"
    assert cmw(url, f"{new} --as wangfang --json", "2026-11-23T08:30") == 0
    no = json.loads(capsys.readouterr().out)["ticket_no"]
    for at, step in (("09:00", "respond --triage now"), ("10:00", "resolve --resolution 退费")):
        assert cmw(url, f"complaints {step.split()[0]} {no} {' '.join(step.split()[1:])}"
                   " --as wangfang", f"2026-11-23T{at}") == 0  # fmt: skip
    capsys.readouterr()
    call = f"complaints return-call {no} --result 认可 --satisfaction 满意 --as wangfang --json"
    assert cmw(url, call, "2026-11-23T11:00") == 0
    ticket = json.loads(capsys.readouterr().out)
    assert (ticket["satisfaction"], ticket["satisfaction_answer"]) == (4, "满意")

"""What the typing tests type, and what the branch must hold afterwards.

Each case starts ``cmw tui`` on a pty (:class:`terminal.Terminal`) on a fresh copy of the
branch (:mod:`world`), waits for the first screen as a person would, types its keys with the
gap asked for and then checks the database (and the screen) against exactly what was typed.
The same cases run through sshd (``test_typing_ssh.py``), with keys in network bursts.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from terminal import keys_of
from world import (
    CALLS,
    CLOSE_TICKET_CUSTOMER,
    NEW_COMPLAINT_CUSTOMER,
    PLAN_CUSTOMERS,
    PLAN_WEEK,
    RESOLVED_TICKET_CUSTOMER,
    SEARCH_CUSTOMERS,
    Branch,
    call_customers,
)

from cmworkbench import i18n
from cmworkbench.i18n import t
from cmworkbench.services.complaints.schemas import CATEGORIES

PACES = {"burst": 0.0, "50ms": 0.05, "150ms": 0.15}
"""Gaps between keys: one write of every key (a batching network), a fast typist, an ordinary
one."""

DEADLINE = float(os.environ.get("CMW_TYPING_DEADLINE", "30"))
"""Longest wait for the database to hold what was typed (keys may wait; none may be lost)."""


class Screen(Protocol):
    """What a case reads of a terminal: its text, and waiting for it."""

    def text(self) -> str: ...

    def wait_shows(self, *fragments: str, timeout: float = 15.0) -> float: ...

    def wait_quiet(self, quiet: float = 0.5, timeout: float = 15.0) -> None: ...


@dataclass(frozen=True)
class Case:
    """One flow: who logs in, what they wait for, the keys, and the check afterwards."""

    name: str
    login: str
    ready: Callable[[], tuple[str, ...]]
    """What the first screen shows once it is ready for keys."""
    keys: Callable[[], list[str]]
    check: Callable[[Branch, Screen], None]


def wait_until(condition: Callable[[], bool], what: str, screen: Screen) -> None:
    """Poll ``condition`` (a database query) until it holds or :data:`DEADLINE` passes."""
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            shown = screen.text()
            raise AssertionError(f"waited {DEADLINE:.0f} s for {what}; the screen:\n{shown}")
        time.sleep(0.05)


def _first_row() -> tuple[str, ...]:
    return (call_customers()[0][1][:4],)


# -- ten calls, one key each ----------------------------------------------------------------


def _calls_keys() -> list[str]:
    return keys_of(*["c", "1"] * 10)


def _calls_check(branch: Branch, screen: Screen) -> None:
    logged = "SELECT count(*) FROM interaction WHERE outcome = 'reached'"
    wait_until(lambda: branch.rows(logged)[0][0] >= 10, "ten calls in the database", screen)
    screen.wait_quiet(0.5)
    rows = branch.rows(
        "SELECT c.customer_no, i.kind, i.outcome FROM interaction i"
        " JOIN customer c ON c.id = i.customer_id ORDER BY i.id"
    )
    expected = [(number, "call", "reached") for number, _ in call_customers()[:10]]
    assert [tuple(r) for r in rows] == expected, screen.text()
    left = branch.rows(
        "SELECT c.customer_no FROM task JOIN customer c ON c.id = task.customer_id"
        " JOIN staff s ON s.id = task.owner_id"
        " WHERE task.status = 'open' AND s.login = 'zhangwei' ORDER BY c.customer_no"
    )
    assert [r[0] for r in left] == [n for n, _ in call_customers()[10:CALLS]]


CALLS_CASE = Case("ten calls", "zhangwei", _first_row, _calls_keys, _calls_check)


# -- F5 t: the key after a mode switch goes to the new screen -------------------------------


def _team_ready() -> tuple[str, ...]:
    return (t("tui.mode.today"),)


def _team_check(branch: Branch, screen: Screen) -> None:
    # A supervisor starts on the team's tickets; the t typed right after F5 shows their own.
    screen.wait_shows(t("tui.mode.complaints"), t("tui.ticket.my_view"))
    screen.wait_quiet(0.5)
    text = screen.text()
    assert t("tui.ticket.my_view") in text and t("tui.ticket.team_view") not in text, text


TEAM_CASE = Case("F5 t", "zhaomin", _team_ready, lambda: ["f5", "t"], _team_check)


# -- the return call: text, Tab, 4, Enter ---------------------------------------------------

RETURN_CALL_RESULT = "客户认可处理结果"


def _return_call_keys() -> list[str]:
    return keys_of("f5", "k", f"text:{RETURN_CALL_RESULT}", "tab", "4", "enter")


def _return_call_check(branch: Branch, screen: Screen) -> None:
    stored = (
        "SELECT status, return_call_result, satisfaction FROM complaint"
        " WHERE customer_id = (SELECT id FROM customer WHERE customer_no = :no)"
    )
    no = RESOLVED_TICKET_CUSTOMER[0]
    wait_until(lambda: branch.rows(stored, no=no)[0][0] != "resolved", "the return call", screen)
    screen.wait_quiet(0.5)
    assert tuple(branch.rows(stored, no=no)[0]) == (
        "return_call_done",
        RETURN_CALL_RESULT,
        4,
    ), screen.text()


RETURN_CALL_CASE = Case(
    "return call", "zhangwei", _first_row, _return_call_keys, _return_call_check
)


# -- search as you type: zw, Enter ----------------------------------------------------------


def _search_keys() -> list[str]:
    return ["f3", "z", "w", "enter"]


def _search_check(branch: Branch, screen: Screen) -> None:
    first = branch.search("zhangwei", "zw")[0]
    screen.wait_shows(t("tui.c360.title"), first.customer_no)
    screen.wait_quiet(0.5)
    text = screen.text()
    others = [no for no, _ in SEARCH_CUSTOMERS if no != first.customer_no]
    assert first.name in text and not [no for no in others if no in text], text
    assert call_customers()[0][0] not in text, "Today's first row was opened instead"


SEARCH_CASE = Case("zw Enter", "zhangwei", _first_row, _search_keys, _search_check)


# -- a complaint taken in one go ------------------------------------------------------------

COMPLAINT_TEXT = "宽带反复断线三天"


def _complaint_keys() -> list[str]:
    # n: new complaint; the customer by number, Tab takes the hit; the description; Tab to
    # the category, Enter opens it, Down to the first category, Enter takes it; Ctrl+S saves.
    number = NEW_COMPLAINT_CUSTOMER[0]
    return keys_of(
        "f5", "n", f"text:{number}", "tab", f"text:{COMPLAINT_TEXT}", "tab",
        "enter", "down", "enter", "ctrl+s",
    )  # fmt: skip


def _complaint_check(branch: Branch, screen: Screen) -> None:
    stored = (
        "SELECT c.customer_no, t.description, t.category, t.severity, t.channel, t.kind,"
        " t.status, s.login FROM complaint t JOIN customer c ON c.id = t.customer_id"
        " JOIN staff s ON s.id = t.owner_id WHERE c.customer_no = :no"
    )
    no = NEW_COMPLAINT_CUSTOMER[0]
    wait_until(lambda: bool(branch.rows(stored, no=no)), "the new ticket", screen)
    screen.wait_quiet(0.5)
    assert [tuple(r) for r in branch.rows(stored, no=no)] == [
        (no, COMPLAINT_TEXT, CATEGORIES[0], "normal", "phone", "normal", "received", "zhangwei")
    ], screen.text()
    # the new one, and the branch's two (张伟's waiting for its return call, 李娜's to close)
    assert branch.rows("SELECT count(*) FROM complaint")[0][0] == 3


COMPLAINT_CASE = Case("new complaint", "zhangwei", _first_row, _complaint_keys, _complaint_check)


# -- today's plan: three rows, one call serving two tasks -----------------------------------


def _plan_ready() -> tuple[str, ...]:
    return (PLAN_CUSTOMERS[0][1], t("tui.today.backlog", total=2))


def _plan_keys() -> list[str]:
    # The first row (K001's retention task): reached, and ticked as for its contact task too
    # (a), the retention talk ended retained (1, on the same dialog); then the next two rows,
    # reached.
    return keys_of("c", "a", "1", "1", "c", "1", "c", "1")


def _plan_check(branch: Branch, screen: Screen) -> None:
    logged = "SELECT count(*) FROM interaction WHERE outcome = 'reached'"
    wait_until(lambda: branch.rows(logged)[0][0] >= 3, "three calls in the database", screen)
    screen.wait_quiet(0.5)
    calls = branch.rows(
        "SELECT c.customer_no, (SELECT count(*) FROM interaction_purpose p"
        " WHERE p.interaction_id = i.id) FROM interaction i"
        " JOIN customer c ON c.id = i.customer_id ORDER BY i.id"
    )
    assert [tuple(r) for r in calls] == [("K001", 2), ("K002", 1), ("K003", 1)], screen.text()
    results = branch.rows("SELECT retention_result FROM interaction ORDER BY id")
    assert [r[0] for r in results] == ["retained", None, None], screen.text()
    still_open = branch.rows(
        "SELECT c.customer_no FROM task JOIN customer c ON c.id = task.customer_id"
        " WHERE task.status = 'open' AND c.customer_no LIKE 'K%' ORDER BY c.customer_no"
    )
    assert [r[0] for r in still_open] == [no for no, _ in PLAN_CUSTOMERS[3:]]
    # The list: the rest of the plan in its order (K004 on top), the backlog still two.
    text = screen.text()
    assert t("tui.today.backlog", total=2) in text, text
    assert PLAN_CUSTOMERS[3][1][:4] in text and PLAN_CUSTOMERS[0][1] not in text, text
    first_row = next(line for line in text.splitlines() if "李娜客户" in line)
    assert PLAN_CUSTOMERS[3][1] in first_row, text


PLAN_CASE = Case("plan: three rows, one call for two", "lina", _plan_ready, _plan_keys, _plan_check)

# -- a supervisor's morning: close a ticket and approve a plan from Today ------------------


def _morning_ready() -> tuple[str, ...]:
    return (t("enum.lead_kind.ticket_close"), t("enum.lead_kind.plan_waiting"))


def _morning_keys() -> list[str]:
    # x Enter: close the ticket (the return call's satisfaction filled in); the plan row moves
    # up under the cursor; Enter reads it on Visits; a approves it. Four keys (at most six).
    return ["x", "enter", "enter", "a"]


def _morning_check(branch: Branch, screen: Screen) -> None:
    plan = "SELECT status FROM visit_plan WHERE week = :week"
    wait_until(lambda: branch.rows(plan, week=PLAN_WEEK)[0][0] == "approved", "approved", screen)
    screen.wait_quiet(0.5)
    ticket = (
        "SELECT status, satisfaction FROM complaint"
        " WHERE customer_id = (SELECT id FROM customer WHERE customer_no = :no)"
    )
    assert tuple(branch.rows(ticket, no=CLOSE_TICKET_CUSTOMER[0])[0]) == ("closed", 4), (
        screen.text()
    )
    assert t("tui.mode.visits") in screen.text(), screen.text()


MORNING_CASE = Case(
    "supervisor's morning", "zhaomin", _morning_ready, _morning_keys, _morning_check
)

# -- an incoming call (承诺): i, the note, Enter; then the reply from Today keeps it ----------

INCOMING_NOTE = "问本月账单"


def _incoming_keys() -> list[str]:
    # On Today's first row (C001): i, what the customer wants, Enter (a reply owed today);
    # the promise's row comes first among the fixed items; up to it, c 1: the call back,
    # reached, keeps it.
    return keys_of("i", f"text:{INCOMING_NOTE}", "enter", "up", "up", "c", "1")


def _incoming_check(branch: Branch, screen: Screen) -> None:
    promise = (
        "SELECT p.kind, p.what, p.state, c.customer_no FROM promise p"
        " JOIN customer c ON c.id = p.customer_id WHERE p.kind = 'callback_same_day'"
    )
    wait_until(lambda: [r[2] for r in branch.rows(promise)] == ["kept"], "the promise kept", screen)
    screen.wait_quiet(0.5)
    first = call_customers()[0][0]
    assert [tuple(r) for r in branch.rows(promise)] == [
        ("callback_same_day", INCOMING_NOTE, "kept", first)
    ], screen.text()
    reached = "SELECT count(*) FROM interaction WHERE outcome = 'reached'"
    assert branch.rows(reached)[0][0] == 1, screen.text()


INCOMING_CASE = Case("incoming call", "zhangwei", _first_row, _incoming_keys, _incoming_check)

CASES = {
    case.name: case
    for case in (
        CALLS_CASE,
        TEAM_CASE,
        RETURN_CALL_CASE,
        SEARCH_CASE,
        COMPLAINT_CASE,
        PLAN_CASE,
        MORNING_CASE,
        INCOMING_CASE,
    )
}


class Keyboard(Screen, Protocol):
    """A terminal keys can be written to."""

    def type(self, keys: list[str], gap: float, burst: int = 1) -> float: ...


def run_case(case: Case, terminal: Keyboard, branch: Branch, gap: float, burst: int = 1) -> None:
    """Wait for the first screen as a person would, type ``case``'s keys (``burst`` per write,
    ``gap`` seconds apart; 0: all in one write) and check the branch."""
    i18n.set_language("zh_CN")
    terminal.wait_shows(*case.ready())
    terminal.wait_quiet(0.3)
    terminal.type(case.keys(), gap, burst)
    case.check(branch, terminal)

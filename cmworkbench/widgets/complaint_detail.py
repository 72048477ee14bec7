"""One complaint ticket in full: what the customer said, where it stands, each deadline, the
keys that apply now, and the timeline of every event.

A scrolling panel under the complaint list (the screen can give it the whole height). Labels
are padded by terminal cells, so CJK labels line up; values wrap.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from cmworkbench import clock
from cmworkbench.i18n import label, t
from cmworkbench.widgets.complaint_table import left_text
from cmworkbench.widgets.task_table import fit

if TYPE_CHECKING:
    from cmworkbench.services.complaints.schemas import ComplaintDetail, EventOut

NONE = "—"
"""Shown for a value not given (no contact person)."""

WHO_WIDTH = 13
"""Cells for who did it, in the timeline, at most (names are cut to fit)."""

ACTION_WIDTH = 20
"""Cells for what was done, in the timeline, at most."""

LABEL_STYLE = "bold"
HEADING_STYLE = "bold underline"


def short_time(moment: datetime | None) -> str:
    """``11-23 14:00`` in the branch's timezone; ``—`` for ``None``."""
    if moment is None:
        return NONE
    return moment.astimezone(clock.branch_tz()).strftime("%m-%d %H:%M")


def rule_name(rule: str) -> str:
    """The SLA rule for people (``major`` → 重大投诉); a rule the catalog lacks as written."""
    key = f"tui.ticket.rule.{rule}"
    text = t(key)
    return rule if text == key else text


class ComplaintDetailPanel(VerticalScroll, can_focus=True):
    """The ticket under the cursor, or a hint when there is none."""

    DEFAULT_CSS = """
    ComplaintDetailPanel {
        height: 1fr;
        border-top: solid $primary;
        padding: 0 1;
    }
    ComplaintDetailPanel:focus {
        border-top: solid $accent;
    }
    ComplaintDetailPanel > Static {
        width: 1fr;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ticket: str | None = None
        """The ticket shown (``None``: the hint that there is none)."""

    def compose(self) -> ComposeResult:
        yield Static("", id="detail-text", markup=False)

    @property
    def text(self) -> str:
        """What the panel shows, as plain text."""
        content = self.query_one("#detail-text", Static).content
        return content.plain if isinstance(content, Text) else str(content)

    def show(self, detail: ComplaintDetail | None, keys: list[tuple[str, str]]) -> None:
        """Show ``detail`` with the ``(key, what it does)`` pairs that apply now."""
        static = self.query_one("#detail-text", Static)
        ticket = detail.row.ticket_no if detail else None
        if ticket != self.ticket:
            self.scroll_home(animate=False)
        self.ticket = ticket
        if detail is None:
            static.update(Text(t("tui.ticket.empty"), style="italic"))
            return
        static.update(render_detail(detail, keys))

    def show_loading(self) -> None:
        """The ticket is being read."""
        self.query_one("#detail-text", Static).update(Text(t("tui.loading"), style="italic"))


def render_detail(detail: ComplaintDetail, keys: list[tuple[str, str]]) -> Text:
    """The whole panel: title, keys, facts, deadlines, timeline."""
    text = Text()
    text.append_text(_title(detail))
    text.append("\n")
    text.append(t("tui.ticket.keys") + " ", style=LABEL_STYLE)
    if keys:
        text.append("  ".join(f"{key} {what}" for key, what in keys))
    else:
        text.append(t("tui.ticket.no_keys"), style="italic")
    text.append("\n")
    text.append_text(_facts(detail))
    text.append("\n")
    text.append(t("tui.ticket.timeline"), style=HEADING_STYLE)
    events = detail.events
    who_width = min(max((cell_len(_who(e)) for e in events), default=0), WHO_WIDTH)
    action_width = min(max((cell_len(_action(e)) for e in events), default=0), ACTION_WIDTH)
    for event in events:
        text.append("\n")
        text.append_text(_event(event, who_width, action_width))
    return text


def _title(detail: ComplaintDetail) -> Text:
    row = detail.row
    title = Text(f"{row.ticket_no}  ", style="bold")
    title.append(label("complaint_status", row.status), style="bold")
    if row.clock and row.left is not None:
        clock_name = label("complaint_clock", row.clock)
        if row.paused:
            left = t("tui.ticket.paused")
        else:
            business = t("tui.ticket.business") if row.business else ""
            left = t(
                "tui.ticket.left",
                left=left_text(row.left, business=row.business),
                business=business,
            )
        style = "bold red" if row.left.total_seconds() < 0 and not row.paused else ""
        title.append("  ")
        title.append(f"{clock_name} {short_time(row.due_at)} · {left}", style=style)
    if row.breached:
        title.append("  ")
        title.append(t("tui.ticket.breached"), style="bold red")
    return title


def _pairs(pairs: list[tuple[str, str | Text]], width: int) -> Text:
    """One line a pair: the label padded to ``width`` cells, then the value."""
    text = Text()
    for index, (name, value) in enumerate(pairs):
        if index:
            text.append("\n")
        text.append(name + " " * (width - cell_len(name)) + "  ", style=LABEL_STYLE)
        text.append(value)
    return text


def _field(name: str) -> str:
    return t(f"complaint.field.{name}")


def _inline(first: str, pairs: list[tuple[str, str]]) -> Text:
    """``first · label value · label value`` on one line, the labels in bold."""
    text = Text(first)
    for name, value in pairs:
        text.append(" · ")
        text.append(name, style=LABEL_STYLE)
        text.append(" " + value)
    return text


def _facts(detail: ComplaintDetail) -> Text:
    """What was received, then what has been done so far (a step not taken yet is left out)."""
    row = detail.row
    customer = f"{row.customer_name} ({row.customer_no}"
    customer += f" · {row.customer_class})" if row.customer_class else ")"
    about = _inline(
        label("complaint_category", row.category),
        [
            (_field("severity"), label("severity", row.severity)),
            (_field("kind"), label("complaint_kind", row.kind)),
            (t("tui.ticket.rule"), rule_name(detail.sla_rule)),
        ],
    )
    received = _inline(
        label("channel", detail.channel),
        [
            (_field("contact"), detail.contact_name or NONE),
            (t("tui.ticket.owner"), row.owner_name),
        ],
    )
    pairs: list[tuple[str, str | Text]] = [
        (t("tui.ticket.customer"), customer),
        (_field("description"), detail.description),
        (_field("category"), about),
        (_field("channel"), received),
    ]
    if detail.triage:
        pairs.append((_field("triage"), label("triage", detail.triage)))
    if detail.backoffice_to:
        backoffice = detail.backoffice_to
        if detail.backoffice_due:
            backoffice += " · " + t("tui.ticket.due_at", at=short_time(detail.backoffice_due))
        pairs.append((_field("backoffice_to"), backoffice))
    if detail.resolution:
        resolution = detail.resolution
        if detail.rejected_solution:
            resolution += " · " + t("tui.ticket.rejected")
        pairs.append((_field("resolution"), resolution))
    if detail.return_call_result:
        pairs.append((_field("result"), detail.return_call_result))
    if detail.satisfaction is not None:
        said = f"{detail.satisfaction}/5"
        if detail.satisfaction_answer and detail.satisfaction_answer != str(detail.satisfaction):
            said += f" {detail.satisfaction_answer}"
        if detail.satisfaction_old_scale:
            said += f" {t('tui.ticket.old_scale')}"
        pairs.append((_field("satisfaction"), said))
    pairs += _deadlines(detail)
    if detail.closed_at is not None:
        closed = short_time(detail.closed_at) + (
            f" · {detail.closed_by_name}" if detail.closed_by_name else ""
        )
        pairs.append((t("tui.ticket.closed"), closed))
    width = max(cell_len(name) for name, _value in pairs)
    return _pairs(pairs, width)


def _deadlines(detail: ComplaintDetail) -> list[tuple[str, str | Text]]:
    """Each clock that has a deadline: when it is due, and when it was met."""
    clocks = [
        ("first_response", detail.first_response_due, detail.first_response_at),
        ("resolution", detail.resolution_due, detail.resolved_at),
        ("return_call", detail.return_call_due, detail.return_call_at),
    ]
    pairs: list[tuple[str, str | Text]] = []
    for name, due, met in clocks:
        if due is None:
            continue
        value = t("tui.ticket.due_at", at=short_time(due))
        if met is not None:
            value += " · " + t("tui.ticket.met_at", at=short_time(met))
        pairs.append((t("tui.ticket.deadline", clock=t(f"tui.ticket.clock.{name}")), value))
    return pairs


def _who(event: EventOut) -> str:
    """Who did it: a person, or the workbench itself (the SLA sweep)."""
    return event.staff_name or t("complaint.system")


def _action(event: EventOut) -> str:
    return label("complaint_action", event.action)


def _event(event: EventOut, who_width: int, action_width: int) -> Text:
    who = fit(_who(event), who_width)
    line = Text(short_time(event.at) + "  ", style="dim")
    line.append(who + " " * (who_width - cell_len(who)) + "  ")
    action = fit(_action(event), action_width)
    style = "bold red" if event.action in ("escalate", "breach", "backoffice_late") else "bold"
    line.append(action + " " * (action_width - cell_len(action)), style=style)
    if event.note:
        line.append("  " + event.note)
    return line

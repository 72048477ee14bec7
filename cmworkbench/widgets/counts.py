"""Labelled counts from the overview service, aligned for double-width (CJK) labels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.reactive import reactive
from textual.widgets import Static

from cmworkbench.i18n import t

if TYPE_CHECKING:
    from cmworkbench.services.reports.schemas import Overview


class CountsPanel(Static):
    """A box of ``label … number`` lines, one per field of :class:`Overview`.

    Shows "loading" until :attr:`overview` is set (the screen loads it in a worker, so the
    first paint never waits for the database). Numbers use thousands separators (``12,345``).
    """

    DEFAULT_CSS = """
    CountsPanel {
        width: auto;
        min-width: 24;
        height: auto;
        border: round $primary;
        border-title-color: $accent;
        padding: 0 2;
    }
    """

    overview: reactive[Overview | None] = reactive(None, layout=True)
    """The counts to show; ``None`` while they are loading."""

    def __init__(self, fields: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(t("tui.loading"), id=id, markup=False)
        self.fields = tuple(fields)
        self.border_title = t("tui.counts.title")

    def watch_overview(self, overview: Overview | None) -> None:
        self.update(t("tui.loading") if overview is None else self.lines(overview))

    def lines(self, overview: Overview) -> str:
        """The text shown for ``overview``: labels padded to one column, numbers right-aligned."""
        labels = [t(f"tui.count.{field}") for field in self.fields]
        numbers = [f"{getattr(overview, field):,}" for field in self.fields]
        label_width = max(cell_len(text) for text in labels)
        number_width = max(len(number) for number in numbers)
        return "\n".join(
            f"{text}{' ' * (label_width - cell_len(text))}  {number:>{number_width}}"
            for text, number in zip(labels, numbers, strict=True)
        )

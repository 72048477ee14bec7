"""The command palette (Ctrl+P): every action of the current screen and of the app.

Commands are read from the bindings of the screen the palette was opened on, so whatever a
screen binds (and the mode switches, help, privacy, quit) is searchable here without a second
list to keep in step.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from cmworkbench.widgets.bindings import KeyAction, key_map

NOT_COMMANDS = frozenset(
    {
        "command_palette",
        "app.command_palette",
        "app.focus_next",
        "app.focus_previous",
        "screen.copy_text",
    }
)
"""Actions that make no sense as a palette entry: opening the palette itself, moving the focus
and copying (they act on where the cursor was, which the palette has taken)."""


class BindingCommands(Provider):
    """One command per enabled action bound on the current screen or the app."""

    def _actions(self) -> list[KeyAction]:
        return [
            action
            for action in key_map(self.screen)
            if action.enabled and action.action not in NOT_COMMANDS
        ]

    def _runner(self, action: KeyAction) -> Callable[[], Awaitable[bool]]:
        return partial(self.app.run_action, action.action, action.node)

    async def discover(self) -> Hits:
        """Every command, listed when the palette opens."""
        for action in self._actions():
            yield DiscoveryHit(action.title, self._runner(action), help=action.keys_text)

    async def search(self, query: str) -> Hits:
        """The commands whose title matches ``query``."""
        matcher = self.matcher(query)
        for action in self._actions():
            score = matcher.match(action.title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(action.title),
                    self._runner(action),
                    help=action.keys_text,
                )

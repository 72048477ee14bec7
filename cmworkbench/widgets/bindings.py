"""Key bindings whose descriptions are catalog keys, and the key map built from them.

``BINDINGS`` are class attributes, evaluated when a module is imported, but the language is
chosen later (the CLI calls :func:`cmworkbench.i18n.set_language` before building the app) and
the tests build apps in both languages in one process. So a binding's ``description`` and
``tooltip`` hold catalog keys (``"tui.key.help"``), and every app, screen or widget that declares
bindings calls :func:`translate_bindings` in its ``__init__``: that instance's map then holds the
text in the language of the moment, which the footer, the help screen and the command palette
all read. Class attributes stay untouched, so the next app may use another language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode
from textual.screen import Screen

from cmworkbench.i18n import t

FOCUS_BINDINGS: list[Binding] = [
    Binding("tab", "app.focus_next", "tui.key.focus_next", show=False, id="focus.next"),
    Binding(
        "shift+tab", "app.focus_previous", "tui.key.focus_previous", show=False, id="focus.previous"
    ),
    Binding(
        "ctrl+c,super+c",
        "screen.copy_text",
        "tui.key.copy",
        tooltip="tui.key.copy.tip",
        show=False,
        id="copy",
    ),
]
"""Textual's own screen keys (focus, copy) with descriptions from our catalog."""


def translate_bindings(node: DOMNode) -> None:
    """Give ``node`` its own bindings with descriptions and tooltips in the current language."""
    node._bindings = BindingsMap.from_keys(
        {
            key: [_translated(binding) for binding in bindings]
            for key, bindings in node._bindings.key_to_bindings.items()
        }
    )


def _translated(binding: Binding) -> Binding:
    group = binding.group
    if group is not None and group.description:
        group = replace(group, description=t(group.description))
    return replace(
        binding,
        description=t(binding.description) if binding.description else "",
        tooltip=t(binding.tooltip) if binding.tooltip else "",
        group=group,
    )


@dataclass(frozen=True)
class KeyAction:
    """One action reachable from a screen, with every key bound to it."""

    node: DOMNode
    """Where the action runs: the screen or the app."""
    action: str
    """The action string, e.g. ``switch_mode('today')``."""
    description: str
    """Short text, as in the footer."""
    tooltip: str
    """Longer text saying what the action does (may be empty)."""
    keys: tuple[str, ...]
    """The keys as shown to people, e.g. ``("F2", "1")``."""
    enabled: bool
    """False when the action does nothing here (e.g. switching to the current mode)."""

    @property
    def title(self) -> str:
        """The text naming the action in the command palette."""
        return self.tooltip or self.description

    @property
    def keys_text(self) -> str:
        """The keys joined for display: ``F2 / 1``."""
        return " / ".join(self.keys)


def key_map(screen: Screen[Any]) -> list[KeyAction]:
    """The actions of ``screen`` then of the app, one entry per action, from the bindings."""
    actions: dict[tuple[int, str], KeyAction] = {}
    app = screen.app
    for _key, (node, binding, enabled, _tooltip) in screen.active_bindings.items():
        if binding.system or not binding.description or node not in (screen, app):
            continue
        ident = (id(node), binding.action)
        display = app.get_key_display(binding)
        known = actions.get(ident)
        if known is not None:
            actions[ident] = replace(known, keys=(*known.keys, display))
            continue
        actions[ident] = KeyAction(
            node, binding.action, binding.description, binding.tooltip, (display,), enabled
        )
    return sorted(actions.values(), key=lambda action: action.node is app)


def screen_keys(scope: str, catalog_prefix: str = "") -> Callable[..., Binding]:
    """The binding maker of one screen: ``key(key, action, name, **options)`` gives a
    :class:`Binding` described by the catalog key ``tui.key.<prefix><name>`` (its tooltip
    ``….tip``), with the id ``<scope>.<name>`` that help and the palette list it by."""

    def key(key: str, action: str, name: str, **options: Any) -> Binding:
        text = f"tui.key.{catalog_prefix}{name}"
        return Binding(key, action, text, tooltip=f"{text}.tip", id=f"{scope}.{name}", **options)

    return key

"""Text that may reach a terminal: control characters refused on the way in, shown harmlessly
on the way out. Pure rules, no I/O.

A terminal obeys the control characters in what it is given: ESC starts a sequence that can
recolour the screen, move the cursor, set the window title or (on some terminals) answer
back; C1 characters (U+0080–U+009F, e.g. CSI U+009B) do the same in one character; a carriage
return lets a later text overwrite an earlier one. Stored text comes from imports, people and
other systems, and is shown over SSH to whoever sits at the terminal, so:

* **on the way in**, text with C0 controls (U+0000–U+001F), DEL or C1 controls is refused,
  naming the first one (:func:`first_control`); a multi-line text (a note, a complaint) may
  hold line breaks and tabs, nothing else;
* **on the way out**, whatever was stored before (or written by hand into the database) is
  made printable (:func:`printable`): each control character becomes its ``\\uXXXX`` escape,
  which reads the same on screen, in a table and inside JSON.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, TypeVar

T = TypeVar("T")


class UnsafeText(ValueError):
    """Text with a control character was about to be stored; the message names the field."""


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""C0 controls, DEL and C1 controls."""
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""The same but the line feed and the tab (carriage returns are refused: a bare one lets
later text overwrite a line on a terminal; line breaks are stored as ``\\n``)."""
_SHOWN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]|\r(?!\n)")
"""What :func:`printable` escapes: every control but the line feed, the tab and the carriage
return of a CRLF line end (CSV and iCalendar end their lines so)."""


def first_control(text: str, *, multiline: bool = False) -> int | None:
    """The index of the first control character of ``text`` (``multiline``: line feeds and
    tabs allowed), or ``None`` when there is none."""
    found = (_CONTROL_MULTILINE if multiline else _CONTROL).search(text)
    return found.start() if found else None


def describe(char: str) -> str:
    """How a control character is named in a message: ``U+001B``."""
    return f"U+{ord(char):04X}"


def _escape(found: re.Match[str]) -> str:
    return f"\\u{ord(found.group()):04x}"


def printable(text: str) -> str:
    """``text`` with each control character (but line ends and tabs) as its ``\\uXXXX``
    escape: safe to write to a terminal."""
    if _SHOWN.search(text) is None:  # the usual case, at the cost of one scan
        return text
    return _SHOWN.sub(_escape, text)


def printable_all(value: T) -> T:
    """``value`` with :func:`printable` applied to every string in it: in dataclasses, lists,
    tuples and dicts, recursively (what the screens are given). Other values are returned as
    they are; nothing is copied unless a string in it changes."""
    return _walk(value)  # type: ignore[no-any-return]


def _walk(value: Any) -> Any:
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, list):
        items = [_walk(v) for v in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        items = [_walk(v) for v in value]
        same = all(a is b for a, b in zip(items, value, strict=True))
        return value if same else tuple(items)
    if isinstance(value, dict):
        pairs = {k: _walk(v) for k, v in value.items()}
        return value if all(pairs[k] is v for k, v in value.items()) else pairs
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {}
        for field in dataclasses.fields(value):
            if not field.init:
                continue
            before = getattr(value, field.name)
            after = _walk(before)
            if after is not before:
                changed[field.name] = after
        return dataclasses.replace(value, **changed) if changed else value
    return value

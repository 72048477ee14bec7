"""Keys in the order typed, each to the widget that would have had it had they come slowly.

What Textual does (8.x, the behaviour worked around here): the app reads a key from the
terminal and at once forwards it to the widget focused *at that moment*; the widget handles it
in its own queue, and a key it does not take bubbles up to the screen and back to the app,
where the bindings run (``c`` opens a dialog, ``Tab`` moves the focus, ``F5`` switches the
mode). When keys come faster than that round trip (a typist at 150 ms a key on a loaded
server, a burst from an SSH connection that batches its packets), the later keys have been
forwarded to the old focus before the earlier key's binding ran: ``ok Tab 4`` puts ``ok4`` in
the first field, the ``1`` after ``c`` falls on the list instead of the dialog that ``c``
opens, ``t`` after ``F5`` lands on the screen being left. Textual's own focus changes are
deferred too (``Widget.focus`` is a callback queued on the app), and a list reloading after
an action shows old rows until its worker is back.

What the workbench does (:class:`OrderedKeys`): a key is forwarded only once the one before
it has settled: it has been handled or has bubbled up to the app and its binding has run,
any screen it pushed, popped or switched to is mounted and has its focus, and every queued
message of the app, the screen and the focused widget has been handled (a probe queued on
each node runs once what was queued before it has). Until then keys wait in order. A screen
may also hold a key (:meth:`KeyHolder.holds_key`) while it reads or writes what that key acts
on: Today while its list reloads after a call is logged, a form while it saves, a search while
the results for the text in the box are still coming; the key goes through once the screen
is ready, never to a stale row and never dropped. Keys waiting longer than
:data:`SHOWN_AFTER` are counted on screen (:meth:`OrderedKeys.show_keys_waiting`).

A key that finds nothing waiting and nothing settling is forwarded at once, as Textual would:
the order costs nothing at a typist's pace. Keys that must never wait
(:attr:`OrderedKeys.AT_ONCE_KEYS`: the privacy key blanks the screen at once) go through at
once; while a screen that takes every key at once is in front (:class:`KeyHolder` with
``KEYS_AT_ONCE``, the privacy screen) new keys go to it and the waiting ones stay waiting.
``Ctrl+Q`` waits its turn like any key (so ``c 1 Ctrl+Q`` logs the call, then quits); pressed
again while it waits, it quits at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Iterator
from typing import ClassVar, Protocol, runtime_checkable

from textual import events
from textual.app import App
from textual.css.query import NoMatches
from textual.dom import DOMNode
from textual.message_pump import MessagePump
from textual.screen import Screen

SHOWN_AFTER = 0.2
"""Seconds keys may wait unseen; after that the screen says how many are waiting."""

PROBE_SECONDS = 2.0
"""Longest wait for one node to reach a probe (a handler that never returns must not keep
every later key waiting for ever)."""

HOLD_POLL = 0.01
"""While a screen holds the next key, how often to ask it again."""

QUIT_KEY = "ctrl+q"


@runtime_checkable
class KeyHolder(Protocol):
    """A screen (or dialog) that may make the next key wait.

    ``KEYS_AT_ONCE``: every key goes to this screen at once and the keys waiting for the screens
    below stay waiting until it is gone (the privacy screen).
    """

    KEYS_AT_ONCE: ClassVar[bool]

    def holds_key(self, key: events.Key | events.Paste) -> bool:
        """Whether ``key`` must wait: the screen is still reading or writing what it acts on."""
        ...


InputKey = events.Key | events.Paste


class OrderedKeys(App[None]):
    """An app whose keys are handled one after another, each once the one before has settled."""

    AT_ONCE_KEYS: ClassVar[frozenset[str]] = frozenset()
    """Keys that go through at once, ahead of any waiting (they must not change data)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._waiting: deque[InputKey] = deque()
        self._drainer: asyncio.Task[None] | None = None
        self._last_target: MessagePump | None = None
        self._waiting_since: float | None = None
        self._waiting_shown = 0

    @property
    def keys_waiting(self) -> int:
        """Keys read from the terminal and not yet handed on."""
        return len(self._waiting)

    async def on_event(self, event: events.Event) -> None:
        if not isinstance(event, InputKey) or event.is_forwarded:
            await super().on_event(event)
            return
        if self._at_once(event):
            await self._hand_on(event)
            return
        if not self._waiting and not self._settling() and self._ready_for(event):
            await self._hand_on(event)  # nothing before it: at once, as Textual would
            self._start_drain()  # … and the next key waits for this one to settle
            return
        self._waiting.append(event)
        self._start_drain()

    def _at_once(self, event: InputKey) -> bool:
        if isinstance(event, events.Key):
            if event.key in self.AT_ONCE_KEYS:
                return True
            if event.key == QUIT_KEY and any(
                isinstance(k, events.Key) and k.key == QUIT_KEY for k in self._waiting
            ):
                return True  # Ctrl+Q again while one waits: quit now
        return bool(getattr(self._front(), "KEYS_AT_ONCE", False))

    def _front(self) -> object:
        try:
            return self.screen
        except Exception:  # no screen yet, or the app is closing
            return None

    def _holds(self, event: InputKey) -> bool:
        screen = self._front()
        if getattr(screen, "KEYS_AT_ONCE", False):
            return True  # the waiting keys are for the screens below it
        return isinstance(screen, KeyHolder) and screen.holds_key(event)

    def _ready_for(self, event: InputKey) -> bool:
        """Nothing queued that the key could overtake, and the front screen takes it now."""
        return self._quiet(self._front()) and not self._holds(event)

    def _settling(self) -> bool:
        return self._drainer is not None and not self._drainer.done()

    def _start_drain(self) -> None:
        if not self._settling():
            self._drainer = asyncio.create_task(self._drain(), name="cmw-ordered-keys")

    async def _hand_on(self, event: InputKey) -> None:
        """Forward ``event`` the way Textual does (its priority bindings, then the focus)."""
        screen = self._front()
        self._last_target = self.focused or (screen if isinstance(screen, MessagePump) else None)
        await super().on_event(event)

    async def _drain(self) -> None:
        """Settle the key just handed on, then hand on the waiting ones, one at a time."""
        try:
            while True:
                await self._settle()
                if not self._waiting or self._closing_down():
                    break
                if not await self._release(self._waiting.popleft()):
                    break
        finally:
            self._show_waiting(0)

    def _closing_down(self) -> bool:
        return self._exit or self._closing or self._closed or not self.is_running

    async def _release(self, event: InputKey) -> bool:
        """Hand ``event`` on from the app's own queue (where Textual expects key handling)."""
        done = asyncio.get_running_loop().create_future()

        async def hand_on() -> None:
            try:
                await self._hand_on(event)
            finally:
                if not done.done():
                    done.set_result(None)

        if not self.call_later(hand_on):
            return False
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(asyncio.shield(done), PROBE_SECONDS)
        return True

    async def _settle(self) -> None:
        """Return once the last key handed on has settled and the front screen takes the next."""
        while not self._closing_down():
            screen, focused = self._front(), self.focused
            await self._probe_all()
            if self._front() is not screen or self.focused is not focused:
                continue  # a screen or the focus changed meanwhile: settle that too
            if not self._quiet(screen):
                continue
            if self._waiting and self._holds(self._waiting[0]):
                self._show_waiting(len(self._waiting))
                await asyncio.sleep(HOLD_POLL)
                continue
            self._show_waiting(0)
            return

    def _quiet(self, screen: object) -> bool:
        """Nothing queued on the app, the front screen or the focused widget (a worker's
        answer, a deferred focus) that the next key could overtake."""
        nodes: list[object] = [self, screen, self.focused]
        # Textual has no public "nothing queued" test; the queue is the message pump's own.
        return all(node._message_queue.empty() for node in nodes if isinstance(node, MessagePump))

    async def _probe_all(self) -> None:
        """Wait until the nodes the last key went through, the front screen, the focused widget
        and the app have handled what was queued on them (in bubbling order)."""
        seen: set[int] = set()
        for node in self._probe_order():
            if id(node) not in seen:
                seen.add(id(node))
                await _probe(node)

    def _probe_order(self) -> Iterator[MessagePump]:
        target, self._last_target = self._last_target, None
        yield from _up_to_screen(target)
        screen = self._front()
        focused = self.focused
        yield from _up_to_screen(focused)
        if isinstance(screen, MessagePump):
            yield screen
        yield self

    def _show_waiting(self, count: int) -> None:
        """Count the keys held by a busy screen once they have waited :data:`SHOWN_AFTER`."""
        now = time.monotonic()
        if not count:
            self._waiting_since = None
        elif self._waiting_since is None:
            self._waiting_since = now
        shown = count if count and now - (self._waiting_since or now) >= SHOWN_AFTER else 0
        if shown != self._waiting_shown:
            self._waiting_shown = shown
            with contextlib.suppress(NoMatches):
                self.show_keys_waiting(shown)

    def show_keys_waiting(self, count: int) -> None:
        """Say that ``count`` keys wait for the screen (0: none any more)."""


def _up_to_screen(node: MessagePump | None) -> Iterator[MessagePump]:
    """``node`` and its ancestors up to its screen, the way a key bubbles."""
    while isinstance(node, DOMNode):
        yield node
        if isinstance(node, Screen):
            return
        node = node.parent


async def _probe(node: MessagePump) -> None:
    """Return once ``node`` has handled every message queued on it before this call."""
    reached = asyncio.get_running_loop().create_future()

    def mark() -> None:
        if not reached.done():
            reached.set_result(None)

    if node._closing or node._closed or not node.call_later(mark):
        return
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(reached, PROBE_SECONDS)

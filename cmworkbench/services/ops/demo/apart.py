"""The demo's rows drawn in a child process while this one writes them.

Drawing the rows (Python, one random stream: it cannot be split) and writing them (SQLite's C
code, the search terms) take about as long as each other at a million customers; the branch
server has two cores. :func:`draw_apart` forks a child that runs the drawing with a
:class:`Relay` for a sink, which sends every write (and every progress call) back; this
process applies them to the real sink in the order they were made, so the database gets
exactly what it would have got in one process, in one transaction.

The child never touches the database (it was forked with the parent's connections open: it
must not use or close them) and leaves with ``os._exit`` (multiprocessing does): what it has
of the parent's objects is never finalised. Rows travel pickled, at most :data:`BACKLOG`
messages ahead of the writer, so memory stays bounded when the writer is the slower one. If
the child fails, its exception is raised here; if this process fails (or a progress call
raises), the child is stopped and the caller rolls the transaction back.
"""

from __future__ import annotations

import multiprocessing
import pickle
import queue
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from cmworkbench.services.ops.demo.sink import Sink

T = TypeVar("T")
Progress = Callable[[int, int], None]

BACKLOG = 24
"""Messages (one table's rows of one chunk each) the child may be ahead of the writer."""
_POLL_SECONDS = 1.0
"""How often a writer waiting for the child checks that it is still alive."""


def can_draw_apart() -> bool:
    """True where a child can be forked (not on Windows or macOS's default)."""
    return "fork" in multiprocessing.get_all_start_methods()


def draw_apart(
    draw: Callable[[Sink, Progress | None], T], sink: Sink, progress: Progress | None
) -> T:
    """``draw(relay, progress)`` in a child process, its writes applied to ``sink`` here;
    returns what ``draw`` returned."""
    context = multiprocessing.get_context("fork")
    messages: Any = context.Queue(maxsize=BACKLOG)
    child = context.Process(
        target=_child, args=(draw, messages, progress is not None), name="cmw-demo-draw"
    )
    child.start()
    try:
        return _apply(messages, child, sink, progress)
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        messages.close()
        messages.cancel_join_thread()


def _apply(messages: Any, child: Any, sink: Sink, progress: Progress | None) -> Any:
    """Apply the child's messages to ``sink`` until it is done."""
    while True:
        try:
            blob = messages.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            if not child.is_alive():
                died = f"the demo's drawing process died (exit code {child.exitcode})"
                raise RuntimeError(died) from None
            continue
        kind, *args = pickle.loads(blob)
        if kind == "insert":
            sink.insert(*args)
        elif kind == "update":
            sink.update(*args)
        elif kind == "progress":
            if progress is not None:
                progress(*args)
        elif kind == "done":
            return args[0]
        else:  # "error"
            error, trace = args
            if isinstance(error, BaseException):
                error.add_note(f"in the demo's drawing process:\n{trace}")
                raise error
            raise RuntimeError(f"the demo's drawing process failed:\n{trace}")


def _child(draw: Callable[[Sink, Progress | None], Any], messages: Any, report: bool) -> None:
    relay = Relay(messages)
    try:
        result = draw(relay, relay.progress if report else None)
        relay.send(("done", result))
    except BaseException as error:  # everything goes back to the writer
        trace = traceback.format_exc()
        try:
            relay.send(("error", error, trace))
        except Exception:  # an exception that does not pickle
            relay.send(("error", None, trace))
    messages.close()
    messages.join_thread()  # everything is in the pipe before the child leaves


class Relay:
    """The child's sink: sends each write to the writer (pickled here, at once: the rows may
    be changed once handed over)."""

    def __init__(self, messages: Any) -> None:
        self._messages = messages
        self.indexed = False

    def send(self, message: tuple[object, ...]) -> None:
        """Queue one message (waits while the writer is :data:`BACKLOG` behind)."""
        self._messages.put(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))

    def progress(self, done: int, total: int) -> None:
        """Report progress through the writer (after the rows before it are written)."""
        self.send(("progress", done, total))

    def insert(
        self, table: str, columns: Sequence[str], rows: Sequence[tuple[object, ...]]
    ) -> None:
        """Insert ``rows`` (tuples in ``columns`` order), through the writer."""
        if rows:
            self.send(("insert", table, tuple(columns), rows))

    def update(self, table: str, column: str, pairs: Sequence[tuple[object, int]]) -> None:
        """Set ``column`` on rows by id, through the writer."""
        if pairs:
            self.send(("update", table, column, pairs))

    def scalar(self, sql: str) -> int:
        """Not here: the child reads nothing."""
        raise NotImplementedError("the drawing process does not read the database")

    def column(self, sql: str) -> list[Any]:
        """Not here: the child reads nothing."""
        raise NotImplementedError("the drawing process does not read the database")

    def finish(self, tables: Sequence[str]) -> None:
        """Not here: the writer commits."""
        raise NotImplementedError("the writer commits")

    def rollback(self) -> None:
        """Not here: the writer rolls back."""
        raise NotImplementedError("the writer rolls back")

    def close(self) -> None:
        """Not here: the writer closes."""
        raise NotImplementedError("the writer closes")

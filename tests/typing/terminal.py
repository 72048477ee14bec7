"""A terminal for the typing tests: ``cmw tui`` on a real pseudo-terminal, keys written to it as
a person (or a network) delivers them, and the screen read back through a VT100 emulator.

The Pilot waits for the app to be idle between keys, so it can never show a key lost to a race;
this writes bytes to the pty master with the gaps asked for (0 ms: one ``write`` of the whole
burst, as keys arrive when an SSH connection batches them) and never waits on the app. What the
app paints is fed to :mod:`pyte` (a well-kept terminal emulator; CJK counts two cells) by a
reader thread, with the time of each chunk, so a test can wait for the screen to show something
and a benchmark can tell how long after a key it did.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import pty
import signal
import struct
import termios
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import pyte

KEYS: dict[str, bytes] = {
    "enter": b"\r",
    "tab": b"\t",
    "shift+tab": b"\x1b[Z",
    "escape": b"\x1b",
    "backspace": b"\x7f",
    "space": b" ",
    "up": b"\x1b[A",
    "down": b"\x1b[B",
    "right": b"\x1b[C",
    "left": b"\x1b[D",
    "f1": b"\x1bOP",
    "f2": b"\x1bOQ",
    "f3": b"\x1bOR",
    "f4": b"\x1bOS",
    "f5": b"\x1b[15~",
    "f6": b"\x1b[17~",
    "f7": b"\x1b[18~",
    "f8": b"\x1b[19~",
}
"""What an xterm sends for the named keys (``TERM=xterm-256color``)."""


def encode(key: str) -> bytes:
    """The bytes a terminal sends for ``key``: a named key (``enter``, ``f5``, ``ctrl+s``) or
    one character (typed text is split into characters by :meth:`Terminal.type`)."""
    if key in KEYS:
        return KEYS[key]
    if key.startswith("ctrl+") and len(key) == 6:
        return bytes([ord(key[-1].lower()) & 0x1F])
    if len(key) == 1:
        return key.encode("utf-8")
    raise ValueError(f"no encoding for key {key!r}")


def keys_of(*parts: str) -> list[str]:
    """``keys_of("c", "1", "text:客户认可", "tab")``: named keys as they are, ``text:…`` split into
    its characters."""
    keys: list[str] = []
    for part in parts:
        if part.startswith("text:"):
            keys.extend(part[5:])
        else:
            keys.append(part)
    return keys


class Terminal:
    """``argv`` running on a pty of ``size`` (columns, lines), its screen in :attr:`screen`."""

    def __init__(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        size: tuple[int, int] = (100, 30),
        log: Path | None = None,
    ) -> None:
        self.size = size
        self.screen = pyte.Screen(*size)
        self.stream = pyte.ByteStream(self.screen)
        self._lock = threading.Condition()
        self._log = log.open("wb") if log else None
        self.painted_at = 0.0
        """``time.monotonic()`` of the latest output read."""
        self.changes = 0
        """How many chunks of output were read so far."""
        self.closed = False
        self.ended = False
        """Closed by :meth:`close`."""
        self.exit_status: int | None = None
        pid, fd = pty.fork()
        if pid == 0:  # the child: the pty is its controlling terminal and stdin/out/err
            try:
                os.execvpe(argv[0], list(argv), dict(env))
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        columns, lines = size
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    # -- output ---------------------------------------------------------------------------

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError as error:  # EIO: the child ended and closed its side
                if error.errno not in (errno.EIO, errno.EBADF):
                    raise
                chunk = b""
            now = time.monotonic()
            with self._lock:
                if not chunk:
                    self.closed = True
                    self._lock.notify_all()
                    return
                if self._log:
                    self._log.write(chunk)
                self.stream.feed(chunk)
                self.painted_at = now
                self.changes += 1
                self._lock.notify_all()

    def text(self) -> str:
        """The screen as lines of text (a wide character once, not followed by a blank)."""
        with self._lock:
            return "\n".join(line.rstrip() for line in self._lines())

    def _lines(self) -> list[str]:
        rows = []
        for y in range(self.screen.lines):
            line = self.screen.buffer[y]
            rows.append("".join(line[x].data for x in range(self.screen.columns)))
        return rows

    def wait_for(self, condition: Callable[[str], bool], what: str, timeout: float = 15.0) -> float:
        """Wait until ``condition(screen text)`` holds; the time (monotonic) of the output that
        made it hold. Raises :class:`AssertionError` with the last screen after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                text = "\n".join(line.rstrip() for line in self._lines())
                if condition(text):
                    return self.painted_at
                left = deadline - time.monotonic()
                if left <= 0 or self.closed:
                    state = "the program ended" if self.closed else f"waited {timeout:.0f} s"
                    raise AssertionError(f"{state} for {what}; the screen:\n{text}")
                self._lock.wait(min(left, 0.5))

    def wait_shows(self, *fragments: str, timeout: float = 15.0) -> float:
        """Wait until every fragment is on the screen."""
        return self.wait_for(
            lambda text: all(f in text for f in fragments), f"{fragments!r}", timeout
        )

    def wait_quiet(self, quiet: float = 0.5, timeout: float = 15.0) -> None:
        """Wait until nothing was painted for ``quiet`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                idle = time.monotonic() - self.painted_at
            if idle >= quiet:
                return
            time.sleep(min(quiet - idle, 0.1) + 0.01)
        raise AssertionError(f"the screen kept changing for {timeout:.0f} s")

    # -- input ----------------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        """Write ``data`` to the terminal as one read for the program."""
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view) :]

    def type(self, keys: Iterable[str], gap: float, burst: int = 1) -> float:
        """Type ``keys``, ``burst`` keys per write with ``gap`` seconds between writes (a gap
        of 0: every key in one write); the time (monotonic) the last key was written."""
        encoded = [encode(key) for key in keys]
        if gap <= 0:
            self.write(b"".join(encoded))
            return time.monotonic()
        for n in range(0, len(encoded), burst):
            if n:
                time.sleep(gap)
            self.write(b"".join(encoded[n : n + burst]))
        return time.monotonic()

    # -- the end --------------------------------------------------------------------------

    def close(self, timeout: float = 5.0) -> int | None:
        """End the program (Ctrl+Q, then SIGTERM, then SIGKILL); its exit status (closing again
        gives the same)."""
        if self.ended:
            return self.exit_status
        for step in ("quit", signal.SIGTERM, signal.SIGKILL):
            if step == "quit":
                with contextlib.suppress(OSError):
                    self.write(encode("ctrl+q"))
            else:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, step)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                done, status = os.waitpid(self.pid, os.WNOHANG)
                if done:
                    self._finish()
                    self.exit_status = os.waitstatus_to_exitcode(status)
                    return self.exit_status
                time.sleep(0.05)
        self._finish()
        return None

    def _finish(self) -> None:
        self.ended = True
        self._reader.join(timeout=2)  # it ends on EIO once the program has closed its side
        with contextlib.suppress(OSError):
            os.close(self.fd)
        if self._log:
            self._log.close()

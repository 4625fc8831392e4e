"""The standard streams as a script under `--json` relies on them: stdout carries only the JSON report, stderr only
human text, and a stream that is closed or full changes neither (red-team issue 21, item 23).

Three ways they fail in the field, each seen:
- fd 2 closed (`2>&-`): Python sets sys.stderr to None and `print(..., file=None)` writes to *stdout*, so human text
  came before the JSON. Worse, the next file opened would get fd 2 and collect whatever a library writes there.
  A closed fd 1 or 2 is reopened on /dev/null before anything else runs.
- stderr full (`2>/dev/full`): every print to it raised OSError and the run ended before the JSON. Human text is
  best effort: sys.stderr drops what it cannot write.
- stdout full or gone (`>/dev/full`, a closed pipe): the JSON write raised and the interpreter's final flush printed
  a traceback. `deliver` says the report was lost, on stderr, and points fd 1 at /dev/null so the exit is quiet.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from typing import Any, TextIO, cast


class _BestEffort:
    """A text stream whose writes never raise: what cannot be written is dropped (everything else delegates)."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        with contextlib.suppress(OSError, ValueError):  # ValueError: written after close
            return self._inner.write(text)
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._inner.flush()

    def __getattr__(self, name: str) -> Any:  # isatty, fileno, encoding, buffer: as the real stream has them
        return getattr(self._inner, name)


def _reopen_closed(fd: int) -> None:
    """A closed standard fd becomes /dev/null, so no later open() is handed it by accident."""
    try:
        os.fstat(fd)
    except OSError:
        null = os.open(os.devnull, os.O_WRONLY)
        if null != fd:
            os.dup2(null, fd)
            os.close(null)


def _text(fd: int) -> TextIO:
    return open(fd, "w", encoding="utf-8", errors="backslashreplace", closefd=False)


@contextlib.contextmanager
def guarded() -> Iterator[None]:
    """For one run of the CLI: closed standard fds reopened on /dev/null, stderr best effort; restored after."""
    saved = sys.stdout, sys.stderr
    for fd in (1, 2):
        _reopen_closed(fd)
    if sys.stdout is None:
        sys.stdout = _text(1)
    sys.stderr = cast(TextIO, _BestEffort(sys.stderr if sys.stderr is not None else _text(2)))
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved  # None when they were closed


def deliver(text: str) -> bool:
    """Write the one document a script reads on stdout; False (and a line on stderr) when stdout would not take it."""
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except (OSError, ValueError) as exc:
        print(f"agentcore-ext: the JSON report could not be written to stdout ({exc})", file=sys.stderr, flush=True)
        _silence_stdout()
        return False
    return True


def _silence_stdout() -> None:
    """Point fd 1 at /dev/null: what is left in stdout's buffer then flushes there at exit, not as a traceback."""
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)

"""SIGTERM and SIGHUP end a run the way Ctrl-C does.

A closed terminal (SIGHUP) or a cancelled CI job (SIGTERM) would otherwise kill the process where it stands: after
the toolkit rewrote `.bedrock_agentcore.yaml` and before IAM was changed, that left a folder naming a role that
does not exist (issue 21, item 8). Raised as KeyboardInterrupt in the main thread, they take the Ctrl-C path: the
flows put the folder back and the run ends with exit 130 and its report.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Terminated(KeyboardInterrupt):
    """A SIGTERM or SIGHUP, delivered as Ctrl-C is (every `except KeyboardInterrupt` cleans up for it too)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name


def _raise(signum: int, frame: FrameType | None) -> None:
    # Once: a second signal (CI sends SIGTERM again, or SIGHUP follows) must not cut short the restore the first
    # one started. SIGKILL still ends a restore that hangs.
    for sig in SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    raise Terminated(signum)


@contextlib.contextmanager
def interrupting() -> Iterator[None]:
    """Within: SIGTERM/SIGHUP raise Terminated in the main thread. After: the handlers there were before (the
    defaults, at the CLI's entry), so what follows, a pass-through toolkit run included, behaves as it would."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal.signal works in the main thread only; a run started elsewhere (a test) keeps its handlers
        return
    previous = {sig: signal.signal(sig, _raise) for sig in SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, signal.SIG_DFL if handler is None else handler)  # None: set outside Python


def describe(exc: BaseException) -> str:
    """How a run was interrupted, for its INTERRUPTED finding."""
    if isinstance(exc, Terminated):
        return f"terminated by {exc.name}"
    return "interrupted (Ctrl-C/Ctrl-D)"

"""Reads sent beside GetCallerIdentity, before it answers: the execution role's GetRole and policy listings.

They need only the role's name, which the flags give before anyone knows the account, so they share
GetCallerIdentity's round trip instead of waiting one out. Until GetCallerIdentity answers they are speculative:
- their requests are held apart from the gateway's count: counted when it answers, dropped when it fails (the
  run then stops at GetCallerIdentity, and reports its attempts only, as if they had never been sent);
- one that needs a retry first waits for GetCallerIdentity's outcome: after a success it retries as any read does
  (the same backoff, the same faults), after a failure it is abandoned without another attempt or backoff sleep.

Thread safety: each read runs in a worker of its own pool and marks that thread (a thread-local set by the
gateway), so the gateway's request hooks, which run in the sending thread, know a request is speculative. The
counters and the outcome are guarded by one lock; claims are made from any thread, after the outcome is known.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

RESOLVE_WAIT = 10.0  # seconds a failed speculative attempt waits for GetCallerIdentity's outcome at most


class Abandoned(Exception):
    """Raised in a speculative read's thread when GetCallerIdentity failed: no further attempt is sent."""


class Speculation:
    def __init__(self, mark: Callable[[Speculation | None], None], *, workers: int = 3) -> None:
        self._mark = mark  # sets (or clears) the current thread's speculation in the gateway's thread-local
        self._lock = threading.Lock()
        self._pending = 0
        self._ok: bool | None = None  # GetCallerIdentity's outcome, None until it answers
        self._resolved = threading.Event()
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="agentcore-ext-early")
        self._reads: dict[Hashable, Future[Any]] = {}

    def submit(self, key: Hashable, read: Callable[[], Any]) -> None:
        def run() -> Any:
            self._mark(self)
            try:
                return read()
            except Exception as exc:  # kept for the claim: the read's error is the claimer's
                return _Failed(exc)
            finally:
                self._mark(None)

        self._reads[key] = self._pool.submit(run)

    def hold_count(self) -> bool:
        """Called for each request this speculation sends: True when it is held (not yet counted)."""
        with self._lock:
            if self._ok is False:
                raise Abandoned()
            if self._ok is None:
                self._pending += 1
                return True
            return False

    def before_retry(self) -> None:
        """A speculative request failed an attempt: wait for GetCallerIdentity; retry only if it answered."""
        # Bounded: a run that stops before GetCallerIdentity answers (a usage error, a test that never asks it)
        # must not leave this worker waiting, since the pool's threads are joined at interpreter exit.
        self._resolved.wait(timeout=RESOLVE_WAIT)
        if not self._ok:
            raise Abandoned()

    def resolve(self, ok: bool) -> int:
        """GetCallerIdentity's outcome; returns the held requests to count (0 when it failed)."""
        with self._lock:
            if self._ok is not None:
                return 0  # settled by an earlier GetCallerIdentity of the run
            self._ok = ok
            held, self._pending = (self._pending if ok else 0), 0
        self._resolved.set()
        self._pool.shutdown(wait=False)  # an abandoned read still in flight ends on its own
        return held

    def claim(self, key: Hashable) -> tuple[bool, Any]:
        """(True, result) for a read that was sent for `key` (once; its error is raised), else (False, None)."""
        if not self._ok:
            return False, None
        future = self._reads.pop(key, None)
        if future is None:
            return False, None
        result = future.result()
        if isinstance(result, _Failed):
            if isinstance(result.error, Abandoned):
                return False, None  # gave up waiting for GetCallerIdentity: the claimer reads it now
            raise result.error
        return True, result


class _Failed:
    def __init__(self, error: Exception) -> None:
        self.error = error

"""How long the tool waits for AWS, and saying so while it waits (red-team issue 21, item 21: a hung IAM endpoint
kept a run silent for 181 s per read)."""

from __future__ import annotations

import threading
from typing import Any

from botocore.config import Config

from agentcore_ext import progress

# botocore waits 60 s for a TCP connection, per attempt: an endpoint that drops packets (VPN down, a firewall, a
# stale AWS_ENDPOINT_URL) would keep the user waiting 3 minutes for "cannot reach". AWS connects in milliseconds.
CONNECT_TIMEOUT = 5.0
# botocore also waits 60 s for an answer, per attempt, 3 attempts. IAM and STS answer in tens to hundreds of
# milliseconds and the policy simulator in a few seconds at worst: 15 s is far beyond a healthy answer.
READ_TIMEOUT = 15.0
SLOW_AFTER = 5.0  # a request unanswered this long is named on the progress line


def client_config(max_attempts: int | None, pool: int) -> Config:
    """Standard retries (they ride out a throttle), the timeouts above, `pool` connections for parallel reads."""
    retries: dict[str, Any] = {"mode": "standard"}
    if max_attempts is not None:
        retries["total_max_attempts"] = max_attempts
    return Config(
        retries=retries,  # type: ignore[arg-type]
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        max_pool_connections=pool,
    )


class SlowWatch:
    """Registered on a botocore client's events. botocore sends each request in the calling thread and its answer
    arrives in that thread, so one timer per thread is enough."""

    def __init__(self) -> None:
        self._local = threading.local()

    def register(self, client: Any) -> None:
        client.meta.events.register("before-send", self._start)
        client.meta.events.register("response-received", self._stop)

    def _start(self, event_name: str = "", **_: Any) -> None:
        if not progress.listening():
            return  # no thread per request when nobody would be told
        operation = ":".join(event_name.split(".")[1:3])  # before-send.iam.GetRole -> iam:GetRole
        timer = threading.Timer(SLOW_AFTER, progress.say, [f"still waiting for AWS to answer {operation} ..."])
        timer.daemon = True
        self._local.timer = timer
        timer.start()

    def _stop(self, **_: Any) -> None:
        timer: threading.Timer | None = getattr(self._local, "timer", None)
        if timer is not None:
            timer.cancel()
            self._local.timer = None

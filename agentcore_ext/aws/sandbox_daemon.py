"""The background process of `agentcore-ext sandbox start`: run the seeded moto server until SIGTERM.

Run as `python -m agentcore_ext.aws.sandbox_daemon --region R` with its token in the environment variable
AGENTCORE_EXT_SANDBOX_TOKEN: a command line is readable by every local user, a process's environment only by its
own user (and root), as the state file is. Writes the state file once seeded.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from types import FrameType

from agentcore_ext.aws.sandbox import start_sandbox
from agentcore_ext.aws.sandbox_state import TOKEN_ENV, forgotten_on_exit, start_time, write_state
from agentcore_ext.errors import EXIT_USAGE, AgentCoreExtError


def serve(token: str, region: str) -> None:
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    with start_sandbox(region, token) as sandbox, forgotten_on_exit(token):
        write_state(
            {
                "pid": os.getpid(),
                "started": start_time(os.getpid()),  # with the pid, this process and no later one
                "token": token,
                "endpoint_url": sandbox.endpoint_url,
                "port": int(sandbox.endpoint_url.rsplit(":", 1)[1]),
                "region": sandbox.region,
                "account": sandbox.account,
                "user_arn": sandbox.user_arn,
                "access_key_id": sandbox.access_key_id,
                "secret_access_key": sandbox.secret_access_key,
            }
        )
        while not stop.wait(1.0):
            pass


def main() -> None:
    parser = argparse.ArgumentParser(prog="agentcore-ext-sandbox")
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args()
    # Read once and dropped, so that nothing this process starts inherits it; /proc/<pid>/environ keeps the
    # value it started with, which is how `sandbox stop` knows this process is the state's daemon.
    token = os.environ.pop(TOKEN_ENV, "")
    if not token:
        print(f"no token in {TOKEN_ENV}: start the sandbox with agentcore-ext sandbox start", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    try:
        serve(token, args.region)
    except AgentCoreExtError as exc:  # its stderr is the sandbox log, whose last line `sandbox start` shows
        print(f"{exc.message} (hint: {exc.hint})", file=sys.stderr)
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()

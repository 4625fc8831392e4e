"""The background process of `agentcore-ext sandbox start`: run the seeded moto server until SIGTERM.

Run as `python -m agentcore_ext.aws.sandbox_daemon --token T --region R`; writes the state file once seeded.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
from types import FrameType

from agentcore_ext.aws.sandbox import start_sandbox
from agentcore_ext.aws.sandbox_state import read_state, state_path, write_state


def serve(token: str, region: str) -> None:
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    path = state_path()
    with start_sandbox(region) as sandbox:
        write_state(
            path,
            {
                "pid": os.getpid(),
                "token": token,
                "endpoint_url": sandbox.endpoint_url,
                "port": int(sandbox.endpoint_url.rsplit(":", 1)[1]),
                "region": sandbox.region,
                "account": sandbox.account,
                "user_arn": sandbox.user_arn,
                "access_key_id": sandbox.access_key_id,
                "secret_access_key": sandbox.secret_access_key,
            },
        )
        try:
            while not stop.wait(1.0):
                pass
        finally:
            state = read_state(path)
            if state is not None and state.get("token") == token:
                path.unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(prog="agentcore-ext-sandbox")
    parser.add_argument("--token", required=True)
    parser.add_argument("--region", default="us-east-1")
    args = parser.parse_args()
    serve(args.token, args.region)


if __name__ == "__main__":
    main()

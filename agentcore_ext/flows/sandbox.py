"""`agentcore-ext sandbox start|stop|status`: a persistent sandbox in a detached background process."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any

from agentcore_ext.aws.sandbox_files import open_fresh, read_private
from agentcore_ext.aws.sandbox_state import (
    DAEMON_MODULE,
    TOKEN_ENV,
    is_ours,
    live,
    log_path,
    proves,
    read_state,
    running,
    sandbox_lock,
    state_path,
)
from agentcore_ext.errors import EXIT_TOOLKIT_FAILED, AgentCoreExtError, UsageError

START_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
LOCK_TIMEOUT = START_TIMEOUT + STOP_TIMEOUT + 5.0  # a start or stop in progress ends well within it
TOOLKIT_ENDPOINTS_MODULE = "bedrock_agentcore_starter_toolkit.utils.endpoints"


def _public(state: dict[str, Any], is_live: bool) -> dict[str, Any]:
    """What may be shown: never the key pair."""
    return {
        "running": is_live,
        "pid": state.get("pid"),
        "endpoint_url": state.get("endpoint_url"),
        "region": state.get("region"),
        "state_file": str(state_path()),
    }


def status() -> dict[str, Any]:
    state = read_state()
    if state is None:
        return {"running": False, "state_file": str(state_path())}
    return _public(state, live(state))


def start(region: str) -> dict[str, Any]:
    """Start the background server (or report the one already running); returns status()."""
    with sandbox_lock(LOCK_TIMEOUT):
        state = read_state()
        if state is not None and is_ours(state):
            if proves(state):
                return _public(state, True)
            _end(state)  # our daemon, but its server does not answer: replaced, not left behind as an orphan
        state_path().unlink(missing_ok=True)  # a stale state (read_state found it ours)
        token = secrets.token_hex(16)
        return _started(_spawn(token, region), token)


def _spawn(token: str, region: str) -> subprocess.Popen[bytes]:
    """The daemon, detached, its token in its environment and its stderr in the sandbox log."""
    log = open_fresh("sandbox log", log_path())
    try:
        return subprocess.Popen(
            [sys.executable, "-m", DAEMON_MODULE, "--region", region],
            env={**os.environ, TOKEN_ENV: token},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
            close_fds=True,  # the lock's descriptor above all: a daemon holding it would block every later start
        )
    finally:
        os.close(log)


def _started(proc: subprocess.Popen[bytes], token: str) -> dict[str, Any]:
    """Wait for the daemon's state and its server's proof; an error naming its log if it exits or hangs."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        state = read_state()
        if state is not None and state["token"] == token and proves(state):
            return _public(state, True)
        if proc.poll() is not None:
            raise _exited(f"the sandbox server exited at start (exit {proc.returncode})")
        time.sleep(0.1)
    proc.terminate()
    raise _exited("the sandbox server did not start in time")


def _exited(what: str) -> AgentCoreExtError:
    log = log_path()
    lines = (read_private("sandbox log", log) or "").strip().splitlines()
    reason = f": {lines[-1]}" if lines else ""
    hint = f"its output is in {log}; once that is fixed, rerun agentcore-ext sandbox start"
    return AgentCoreExtError(f"{what}{reason}", hint)


def stop() -> dict[str, Any]:
    """End our server (only the state's pid, and only when it is our daemon) and remove the state file."""
    with sandbox_lock(LOCK_TIMEOUT):
        path = state_path()
        state = read_state()
        if state is None:
            return {"running": False, "stopped": False, "state_file": str(path)}
        stopped = is_ours(state)
        if stopped:
            _end(state)
        path.unlink(missing_ok=True)
    return {"running": False, "stopped": stopped, "pid": state["pid"], "state_file": str(path)}


def _end(state: dict[str, Any]) -> None:
    """SIGTERM, then SIGKILL after STOP_TIMEOUT; each only while the pid is still the proven daemon."""
    pid = int(state["pid"])
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline and is_ours(state):
        time.sleep(0.1)
    if is_ours(state):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def require_running() -> Any:
    """The running sandbox for a pass-through command; a UsageError (exit 2) when none runs."""
    sandbox = running()
    if sandbox is None:
        raise UsageError(
            "--sandbox on a toolkit command needs a running sandbox, and none runs",
            "start one first: agentcore-ext sandbox start",
        )
    return sandbox


def unsupported_calls(sandbox: Any) -> list[str]:
    """The calls the running sandbox answered with "not implemented" so far (see aws/sandbox_server.py)."""
    from agentcore_ext.aws.sandbox_server import unsupported_calls as fetch

    return fetch(str(sandbox.endpoint_url))


@contextlib.contextmanager
def toolkit_endpoints(sandbox: Any) -> Iterator[None]:
    """Point an already imported toolkit's AgentCore endpoints at the sandbox for a block.

    The toolkit reads BEDROCK_AGENTCORE_CP/DP_ENDPOINT once, at import (utils/endpoints.py); Sandbox.env() sets
    them for a fresh process, this covers a process that imported the toolkit before the sandbox was active.
    """
    module = sys.modules.get(TOOLKIT_ENDPOINTS_MODULE)
    names = ("CP_ENDPOINT_OVERRIDE", "DP_ENDPOINT_OVERRIDE")
    saved = {name: getattr(module, name, None) for name in names}
    if module is not None:
        for name in names:
            setattr(module, name, str(sandbox.endpoint_url))
    try:
        yield
    finally:
        if module is not None:
            for name, value in saved.items():
                setattr(module, name, value)


def emulator_stop(command: list[str], code: int, unsupported: list[str]) -> AgentCoreExtError | None:
    """The error to end a failed toolkit run with when the sandbox could not answer one of its calls."""
    if code == 0 or not unsupported:
        return None
    calls = ", ".join(dict.fromkeys(unsupported))  # in order, once each (botocore retries repeat them)
    name = " ".join(["agentcore", *command])
    return AgentCoreExtError(
        f"{name} stopped in the sandbox at {calls}: the local emulator (moto) does not implement "
        f"{'this call' if len(set(unsupported)) == 1 else 'these calls'}; against AWS the step would run",
        "what the sandbox can and cannot emulate is in README.md, 'The sandbox that remembers'"
        + (
            "; a fresh sandbox (agentcore-ext sandbox stop, then agentcore-ext sandbox start) deploys a new agent"
            if command[:1] in (["deploy"], ["launch"])
            else ""
        ),
        exit_code=EXIT_TOOLKIT_FAILED,
    )

"""The persistent sandbox's state file (`agentcore-ext sandbox start`): where it lives, reading, writing, liveness.

The file holds the sandbox's fake developer key pair, so it is written with mode 0600 and never printed. It is
trusted only when it is ours (sandbox_files: a private folder, a file of ours, no link) and complete: a token, a
pid, an endpoint on the loopback address. Anything else is refused with a UsageError naming the file, never
used: a `--sandbox` command would hand the developer's key to its endpoint, and `sandbox stop` would signal its pid.

The daemon is ours when its process is the one that wrote the state (our uid, the state's start time, the daemon's
module, the state's token in its environment) and its endpoint answers a nonce with the token's HMAC.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from agentcore_ext.aws.sandbox import Sandbox
from agentcore_ext.aws.sandbox_files import lock_if_free, locked, not_ours, private_dir, read_private, write_private
from agentcore_ext.aws.sandbox_server import PROOF_PATH, local_json, proof
from agentcore_ext.errors import AgentCoreExtError

DAEMON_MODULE = "agentcore_ext.aws.sandbox_daemon"
TOKEN_ENV = "AGENTCORE_EXT_SANDBOX_TOKEN"  # how the daemon gets its token: never on its (world-readable) cmdline
STATE_FILE = "sandbox state file"
_TEXT_FIELDS = ("region", "account", "user_arn", "access_key_id", "secret_access_key")


def sandbox_dir() -> Path:
    """The sandbox's own folder; the folders above it resolved once, so the ones checked are the ones used."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base).resolve() / "agentcore-ext"


def state_path() -> Path:
    return sandbox_dir() / "sandbox.json"


def lock_path() -> Path:
    return sandbox_dir() / "sandbox.lock"


def log_path() -> Path:
    return sandbox_dir() / "sandbox.log"


def sandbox_lock(timeout: float) -> contextlib.AbstractContextManager[None]:
    """Start and stop hold this, so that two at once cannot both spawn a daemon (and orphan one)."""
    private_dir(sandbox_dir(), create=True)
    return locked(lock_path(), timeout)


def write_state(data: dict[str, Any]) -> None:
    private_dir(sandbox_dir(), create=True)
    write_private(STATE_FILE, state_path(), json.dumps(data))


def read_state() -> dict[str, Any] | None:
    """The state when there is one and it is ours and complete; None when there is none; else a UsageError."""
    path = state_path()
    if not os.path.lexists(path) or not private_dir(sandbox_dir(), create=False):
        return None
    text = read_private(STATE_FILE, path)
    return None if text is None else _complete(path, text)


def _complete(path: Path, text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise not_ours(STATE_FILE, path, "it is not a JSON object")
    problem = _missing(data)
    if problem:
        raise not_ours(STATE_FILE, path, problem)
    return data


def _missing(data: dict[str, Any]) -> str:
    """What makes data no state of ours ("" when nothing does)."""
    if not isinstance(data.get("token"), str) or not data["token"]:
        return "it has no token"
    if not isinstance(data.get("pid"), int) or data["pid"] <= 0:
        return "it has no process id"
    if data.get("started") is not None and not isinstance(data.get("started"), int):
        return "its start time is not a number"
    if not _loopback(data.get("endpoint_url")):
        return f"its endpoint {data.get('endpoint_url')} is not a loopback address"
    absent = [key for key in _TEXT_FIELDS if not isinstance(data.get(key), str)]
    return f"it has no {', '.join(absent)}" if absent else ""


def _loopback(url: object) -> bool:
    """http://<loopback IP>:<port>, as the daemon writes it (a name such as localhost could resolve elsewhere)."""
    if not isinstance(url, str):
        return False
    parsed = urlparse(url)
    try:
        address = ipaddress.ip_address(parsed.hostname or "")
        port = parsed.port
    except ValueError:
        return False
    return parsed.scheme == "http" and address.is_loopback and port is not None and parsed.path in ("", "/")


def start_time(pid: int) -> int | None:
    """The process's start time (clock ticks since boot, /proc/<pid>/stat field 22): with the pid, one process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (OSError, ValueError):
        return None
    fields = text.rsplit(")", 1)[-1].split()  # the command name in parentheses may hold spaces
    return int(fields[19]) if len(fields) > 19 and fields[19].isdigit() else None


def _is_daemon_process(state: dict[str, Any]) -> bool:
    """The state's pid is the very daemon that wrote it, of our uid, holding its token; a zombie is not."""
    proc = Path(f"/proc/{state['pid']}")
    try:
        owner = proc.stat().st_uid
        argv = (proc / "cmdline").read_bytes().split(b"\0")
        environ = (proc / "environ").read_bytes().split(b"\0")
    except OSError:
        return False
    return (
        owner == os.getuid()
        and start_time(state["pid"]) == state.get("started")
        and DAEMON_MODULE.encode() in argv
        and f"{TOKEN_ENV}={state['token']}".encode() in environ
    )


def proves(state: dict[str, Any]) -> bool:
    """The state's endpoint answers a fresh nonce with the token's HMAC and the state's pid."""
    nonce = secrets.token_hex(16)
    try:
        answer = local_json(f"{state['endpoint_url']}{PROOF_PATH}?nonce={nonce}")
    except (OSError, ValueError):
        return False
    if not isinstance(answer, dict) or answer.get("pid") != state["pid"]:
        return False
    return hmac.compare_digest(str(answer.get("proof")), proof(state["token"], nonce, state["pid"]))


def is_ours(state: dict[str, Any]) -> bool:
    """The state's pid runs our daemon: proven by /proc where there is one, else by the endpoint's answer."""
    if Path("/proc/self/stat").exists():
        return _is_daemon_process(state)
    return proves(state)


def live(state: dict[str, Any]) -> bool:
    """Our daemon runs and the endpoint is its server (not whatever took the port after it)."""
    return is_ours(state) and proves(state)


def running() -> Sandbox | None:
    """The running persistent sandbox, or None when the state file points at no live server of ours."""
    state = read_state()
    return to_sandbox(state) if state is not None and live(state) else None


def to_sandbox(state: dict[str, Any]) -> Sandbox:
    return Sandbox(
        endpoint_url=str(state["endpoint_url"]),
        region=str(state["region"]),
        account=str(state["account"]),
        user_arn=str(state["user_arn"]),
        access_key_id=str(state["access_key_id"]),
        secret_access_key=str(state["secret_access_key"]),
    )


@contextlib.contextmanager
def forgotten_on_exit(token: str) -> Iterator[None]:
    """The daemon's block: afterwards remove the state if it is still this daemon's.

    Not while a start or stop holds the lock: stop removes the state itself, and a start may have written a new one.
    """
    try:
        yield
    finally:
        with lock_if_free(lock_path()) as held, contextlib.suppress(AgentCoreExtError, OSError):
            state = read_state() if held else None
            if state is not None and state["token"] == token:
                state_path().unlink()

"""The persistent sandbox's state file (`agentcore-ext sandbox start`): where it lives, reading, writing, liveness.

The file holds the sandbox's fake developer key pair, so it is written with mode 0600 and never printed.
"""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path
from typing import Any

from agentcore_ext.aws.sandbox import Sandbox

DAEMON_MODULE = "agentcore_ext.aws.sandbox_daemon"


def state_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "agentcore-ext" / "sandbox.json"


def write_state(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def read_state(path: Path | None = None) -> dict[str, Any] | None:
    try:
        data = json.loads((path or state_path()).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def is_ours(state: dict[str, Any]) -> bool:
    """The state's pid runs our daemon with the state's token (a reused pid or a stranger's process does not)."""
    pid = state.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    line = _cmdline(pid)
    if not line:  # a zombie (or no /proc): ours only where /proc cannot tell
        return not Path("/proc").is_dir()
    return DAEMON_MODULE in line and str(state.get("token", "")) in line


def answers(endpoint_url: str) -> bool:
    try:
        urllib.request.urlopen(f"{endpoint_url}/moto-api/", timeout=2)
    except OSError:
        return False
    return True


def running() -> Sandbox | None:
    """The running persistent sandbox, or None when the state file points at no live server of ours."""
    state = read_state()
    if state is None or not is_ours(state) or not answers(str(state.get("endpoint_url"))):
        return None
    return to_sandbox(state)


def to_sandbox(state: dict[str, Any]) -> Sandbox:
    return Sandbox(
        endpoint_url=str(state["endpoint_url"]),
        region=str(state["region"]),
        account=str(state["account"]),
        user_arn=str(state["user_arn"]),
        access_key_id=str(state["access_key_id"]),
        secret_access_key=str(state["secret_access_key"]),
    )

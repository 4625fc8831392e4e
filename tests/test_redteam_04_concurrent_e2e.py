# ruff: noqa: F811  (tests take the imported `world` fixture as their parameter)
"""Issue 21, red-team item 4, end to end (subprocesses, the real toolkit, a moto server): a configure of another
agent that finishes while the first waits at its IAM prompt is not erased when the first is declined.

Before the folder lock, the second run wrote its YAML and Dockerfile and exited 0, then the first run's undo put the
folder back as it was before the first began: the second agent's configuration was gone, with no prompt and no
message. Now the second run waits for the folder (and says so), then configures after the first has undone its own.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import yaml
from test_e2e import World, world  # noqa: F401  (the `world` fixture)

PROMPT = b"Apply these changes to IAM?"
WAITING = "another agentcore-ext configure is running in this folder"


def _read_until(fd: int, text: bytes, seen: bytes, deadline: float) -> bytes:
    while text not in seen and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    return seen


def _start_second(world: World, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as err:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "agentcore_ext", "configure", "-e", "other.py", "--disable-memory", "--yes"],
            cwd=world.workdir,
            env=world.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )


def _wait_for(proc: subprocess.Popen[bytes], log: Path, deadline: float) -> None:
    """Until the second run waits for the folder, or has ended (as it did before the lock)."""
    while proc.poll() is None and WAITING not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)


def test_redteam_04_a_concurrent_configure_of_another_agent_survives_a_declined_one(
    world: World, tmp_path: Path
) -> None:
    (world.workdir / "other.py").write_text((world.workdir / "hello_agent.py").read_text())
    log = tmp_path / "second.err"
    deadline = time.monotonic() + 120
    pid, fd = pty.fork()
    if pid == 0:  # the first run, at a terminal: it waits at the IAM prompt
        try:
            os.chdir(world.workdir)
            args = ["configure", "-e", "hello_agent.py", "--disable-memory", "-ni"]
            os.execve(sys.executable, [sys.executable, "-m", "agentcore_ext", *args], {**world.env, "TERM": "dumb"})
        finally:
            os._exit(127)  # never back into pytest in the child
    try:
        out = _read_until(fd, PROMPT, b"", deadline)
        assert PROMPT in out, out.decode(errors="replace")
        second = _start_second(world, log)
        _wait_for(second, log, deadline)
        time.sleep(0.3)  # let the prompt finish drawing
        os.write(fd, b"n\r")
        out = _read_until(fd, b"to be asked again", out, deadline)
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 3, out.decode(errors="replace")
    assert second.wait(timeout=max(1.0, deadline - time.monotonic())) == 0, log.read_text()
    agents = yaml.safe_load((world.workdir / ".bedrock_agentcore.yaml").read_text())["agents"]
    assert set(agents) == {"other"}  # the second run's configuration stands; the declined one left nothing
    assert (world.workdir / ".bedrock_agentcore" / "other" / "Dockerfile").is_file()
    assert not (world.workdir / ".bedrock_agentcore" / "hello_agent").exists()
    assert WAITING in log.read_text()  # it said why it waited

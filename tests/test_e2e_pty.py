# ruff: noqa: F811  (tests take the imported `world` fixture as their parameter)
"""Interactive runs under a pseudo-terminal (python's `pty`): Ctrl-C/Ctrl-D at agentcore-ext's prompt and at the
toolkit's prompts is exit 130 with the folder left as it was (subprocess, real toolkit, moto server).
"""

from __future__ import annotations

import os
import pty
import select
import sys
import time
from pathlib import Path

from test_e2e import ROLE, World, world  # noqa: F401  (the `world` fixture)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _interact(world: World, args: list[str], script: list[tuple[str, bytes]], timeout: float = 60) -> tuple[int, str]:
    """Run the CLI on a pty; for each (text, keys): wait until `text` was printed, then type `keys`."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the CLI, with the world's environment, in its folder
        os.chdir(world.workdir)
        os.execve(sys.executable, [sys.executable, "-m", "agentcore_ext", *args], {**world.env, "TERM": "dumb"})
    output, deadline = b"", time.monotonic() + timeout
    steps = list(script)
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        if steps and steps[0][0].encode() in output:
            time.sleep(0.3)  # let the prompt finish drawing
            os.write(fd, steps.pop(0)[1])
    else:
        os.kill(pid, 9)
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")


def test_ctrl_d_at_the_iam_prompt_is_130_and_nothing_changes(world: World) -> None:
    before = _snapshot(world.workdir)
    code, out = _interact(
        world, ["configure", "-e", "hello_agent.py", "--disable-memory"], [("Apply these changes to IAM?", b"\x04")]
    )
    assert code == 130, out
    assert "nothing was changed" in out and "this is a bug" not in out
    assert world.role_state() is None
    assert _snapshot(world.workdir) == before


def test_ctrl_c_at_the_iam_prompt_is_130(world: World) -> None:
    code, out = _interact(
        world, ["configure", "-e", "hello_agent.py", "--disable-memory"], [("Apply these changes to IAM?", b"\x03")]
    )
    assert code == 130, out
    assert world.role_state() is None


def test_ctrl_c_at_a_toolkit_prompt_is_130_and_the_yaml_is_not_written(world: World) -> None:
    # The role exists and is compliant: no IAM plan, so the toolkit's own prompts come first.
    assert world.run("role", "ensure", "-n", "hello_agent", "--disable-memory", "--yes", check_json=False)[0] == 0
    assert world.run("role", "ensure", "--codebuild", "-n", "hello_agent", "--yes", check_json=False)[0] == 0
    before = _snapshot(world.workdir)
    code, out = _interact(
        world, ["configure", "-e", "hello_agent.py", "--disable-memory"], [("Path or Press Enter", b"\x03")]
    )
    assert code == 130, out
    assert world.role_state(ROLE) is not None
    assert _snapshot(world.workdir) == before


def test_an_ecr_repository_typed_at_the_toolkits_prompt_is_judged_and_the_folder_restored(world: World) -> None:
    assert world.run("role", "ensure", "-n", "hello_agent", "--disable-memory", "--yes", check_json=False)[0] == 0
    assert world.run("role", "ensure", "--codebuild", "-n", "hello_agent", "--yes", check_json=False)[0] == 0
    role_before = world.role_state(ROLE)
    before = _snapshot(world.workdir)
    typed = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/typed"
    code, out = _interact(
        world,
        ["configure", "-e", "hello_agent.py", "--disable-memory"],
        [
            ("Path or Press Enter", b"\r"),
            ("ECR Repository URI", typed.encode() + b"\r"),
            ("OAuth authorizer instead", b"no\r"),
            ("request header allowlist", b"no\r"),
        ],
    )
    assert code == 3, out
    assert "PERMISSIONS_MISSING" in out and "folder was restored" in out
    assert _snapshot(world.workdir) == before  # byte-identical: no YAML, no .bedrock_agentcore/, no .bak
    assert world.role_state(ROLE) == role_before  # IAM unchanged


def test_default_answers_at_the_toolkits_prompts_configure_normally(world: World) -> None:
    assert world.run("role", "ensure", "-n", "hello_agent", "--disable-memory", "--yes", check_json=False)[0] == 0
    assert world.run("role", "ensure", "--codebuild", "-n", "hello_agent", "--yes", check_json=False)[0] == 0
    code, out = _interact(
        world,
        ["configure", "-e", "hello_agent.py", "--disable-memory"],
        [
            ("Path or Press Enter", b"\r"),
            ("ECR Repository URI", b"\r"),
            ("OAuth authorizer instead", b"no\r"),
            ("request header allowlist", b"no\r"),
        ],
    )
    assert code == 0, out
    assert (world.workdir / ".bedrock_agentcore.yaml").is_file()

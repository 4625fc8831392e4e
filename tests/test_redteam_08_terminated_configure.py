# ruff: noqa: F811  (tests take the imported `world` fixture as their parameter)
"""Red-team issue 21, item 8: a configure ended at the IAM prompt by SIGTERM (a cancelled CI job), SIGHUP (a closed
terminal) or kill -9 must not leave a folder that never converges. SIGTERM/SIGHUP take the Ctrl-C path (the folder
is put back, exit 130); after kill -9 the YAML names the tool's default role, which IAM never got: the rerun
creates it. A missing role the user chose by name stays an error, with a hint whose command works.

Subprocess and pty runs against a moto server, the real toolkit (tests/test_e2e.py's world).
"""

from __future__ import annotations

import os
import pty
import select
import shlex
import signal
import sys
import time
from collections.abc import Sequence

import pytest
import yaml
from test_e2e import ROLE, ROLE_ARN, World, world  # noqa: F401  (the `world` fixture)
from test_e2e_pty import TOOLKIT_DEFAULTS, _snapshot, _with_history

from agentcore_ext.cli import signals
from agentcore_ext.cli.run import run_report
from agentcore_ext.errors import EXIT_INTERRUPTED
from agentcore_ext.report import Report

CONFIGURE = ["configure", "-e", "hello_agent.py", "--disable-memory"]
PROMPT = "Apply these changes to IAM?"
CODEBUILD_ROLE = "BedrockAgentCoreCodeBuild-us-east-1-hello_agent"


def _end_at(
    world: World, args: list[str], script: Sequence[tuple[str, bytes]], at: str, end: str, timeout: float = 90
) -> tuple[int, str]:
    """Run the CLI on a pty, answer `script` as tests/pty_driver.py does; once `at` was printed, end the run:
    end="SIGTERM"/"SIGKILL" sends that signal, end="hangup" closes the terminal (the kernel sends SIGHUP)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(world.workdir)
        os.execve(sys.executable, [sys.executable, "-m", "agentcore_ext", *args], {**world.env, "TERM": "dumb"})
    output, steps, deadline, open_fd = b"", list(script), time.monotonic() + timeout, True
    while open_fd and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.2)[0]:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            output += chunk
            open_fd = bool(chunk)
        if steps and steps[0][0].encode() in output:
            time.sleep(0.3)
            os.write(fd, steps.pop(0)[1])
        elif not steps and at.encode() in output:
            time.sleep(0.3)  # the prompt is waiting for input
            if end == "hangup":
                os.close(fd)
                open_fd = False
            else:
                os.kill(pid, getattr(signal, end))
                at = "\0never again"
    status = _wait(pid, deadline)
    if open_fd or end != "hangup":
        os.close(fd)
    return status, output.decode(errors="replace")


def _wait(pid: int, deadline: float) -> int:
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def test_redteam_08_sigterm_at_the_iam_prompt_restores_the_folder_and_exits_130(world: World) -> None:
    before = _with_history(world)
    code, out = _end_at(world, CONFIGURE, TOOLKIT_DEFAULTS, PROMPT, "SIGTERM")
    assert code == EXIT_INTERRUPTED, out  # was -15: killed where it stood, the toolkit's YAML left behind
    assert "CONFIG_RESTORED" in out and "INTERRUPTED" in out and "this is a bug" not in out
    assert world.role_state() is None and world.role_state(CODEBUILD_ROLE) is None
    assert _snapshot(world.workdir) == before  # every file's bytes, the user's old .bak included


def test_redteam_08_sigterm_at_a_toolkit_prompt_leaves_the_folder_as_it_was(world: World) -> None:
    before = _snapshot(world.workdir)
    code, out = _end_at(world, CONFIGURE, [], "Path or Press Enter", "SIGTERM")
    assert code == EXIT_INTERRUPTED, out
    assert world.role_state() is None
    assert _snapshot(world.workdir) == before


def test_redteam_08_a_closed_terminal_at_the_iam_prompt_restores_the_folder(world: World) -> None:
    before = _with_history(world)
    code, _ = _end_at(world, CONFIGURE, TOOLKIT_DEFAULTS, PROMPT, "hangup")
    assert code == EXIT_INTERRUPTED  # SIGHUP, as a closed terminal sends it; its report has nowhere to go
    assert world.role_state() is None
    assert _snapshot(world.workdir) == before


def test_redteam_08_rerun_after_kill_9_at_the_iam_prompt_converges(world: World) -> None:
    code, out = _end_at(world, CONFIGURE, TOOLKIT_DEFAULTS, PROMPT, "SIGKILL")
    assert code == -signal.SIGKILL, out
    # What kill -9 leaves: the toolkit's YAML naming the default role, which IAM never got.
    agent = yaml.safe_load((world.workdir / ".bedrock_agentcore.yaml").read_text())["agents"]["hello_agent"]
    assert agent["aws"]["execution_role"] == ROLE_ARN and world.role_state() is None

    code, report, err = world.run(*CONFIGURE, "--yes", "--json")
    assert code == 0, err  # was 3, on every rerun: ROLE_NOT_FOUND (--execution-role names a role that must exist)
    assert report is not None and report["role"]["action_taken"] == "created" and report["role"]["arn"] == ROLE_ARN
    assert "CONFIGURED_ROLE_KEPT" in {f["code"] for f in report["findings"]}
    assert world.role_state() is not None and world.role_state(CODEBUILD_ROLE) is not None
    assert world.run("doctor", "--json")[0] == 0


def test_redteam_08_a_missing_role_the_user_chose_is_an_error_whose_hint_works(world: World) -> None:
    chosen = "BedrockAgentCoreRuntime-team-shared"  # a name the tool may create (its prefix), not its default
    assert world.run(*CONFIGURE, "--role-name", chosen, "--yes", check_json=False)[0] == 0
    for policy in world.iam.list_role_policies(RoleName=chosen)["PolicyNames"]:
        world.iam.delete_role_policy(RoleName=chosen, PolicyName=policy)
    world.iam.delete_role(RoleName=chosen)  # deleted by someone: the YAML still names it

    code, report, err = world.run(*CONFIGURE, "--yes", "--json")
    assert code == 3, err
    assert report is not None and report["configure"]["ran"] is False
    missing = [f for f in report["findings"] if f["code"] == "ROLE_NOT_FOUND"]
    assert len(missing) == 1 and "--execution-role names" not in missing[0]["message"]
    assert ".bedrock_agentcore.yaml" in missing[0]["message"] and world.role_state(chosen) is None  # never guessed
    assert world.role_state() is None  # nor the default role made in its place

    hint = missing[0]["hint"]
    command = shlex.split(hint[hint.index("agentcore-ext configure") : hint.index(" (or pass")])
    assert "--role-name" in command and chosen in command
    code, report, err = world.run(*command[1:], "--yes", "--json")
    assert code == 0, err
    assert report is not None and report["role"]["action_taken"] == "created"
    assert report["role"]["arn"].endswith(f":role/{chosen}") and world.role_state(chosen) is not None


def test_redteam_08_the_signal_handlers_are_the_previous_ones_after_a_run() -> None:
    before = {sig: signal.getsignal(sig) for sig in signals.SIGNALS}

    def body(report: Report) -> int:
        assert signal.getsignal(signal.SIGTERM) is not before[signal.SIGTERM]  # ours, during the run
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler raises here, in the main thread
        return 0

    report = Report("configure")
    assert run_report(report, body) == EXIT_INTERRUPTED
    assert [(f.code, f.message) for f in report.findings] == [("INTERRUPTED", "terminated by SIGTERM")]
    assert {sig: signal.getsignal(sig) for sig in signals.SIGNALS} == before  # pass-through runs: the toolkit's own


@pytest.mark.parametrize("signum", signals.SIGNALS)
def test_redteam_08_a_second_signal_does_not_cut_the_restore_short(signum: signal.Signals) -> None:
    restored: list[bool] = []
    with pytest.raises(signals.Terminated), signals.interrupting():
        try:
            os.kill(os.getpid(), signum)
            time.sleep(5)
        finally:  # what the flows do: put the folder back, while the job is signalled again
            os.kill(os.getpid(), signal.SIGTERM)
            os.kill(os.getpid(), signal.SIGHUP)
            time.sleep(0.1)
            restored.append(True)
    assert restored == [True]

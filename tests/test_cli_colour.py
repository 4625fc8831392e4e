"""Issue 15 item 1/4: on a terminal the plan's document diff and the severity markers are coloured; with NO_COLOR,
through a pipe or with --json they are not; the demo's create plan fits in 25 lines of a real terminal run.
Real processes against the embedded sandbox, on a pty of 160x50 (scripts/capture.py's runner)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
GREEN, RED = "\x1b[32m", "\x1b[31m"
ARGS = ["configure", "--sandbox", "-e", "hello_agent.py", "--disable-memory", "-ni"]  # -ni: the toolkit asks nothing


def _capture_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("capture", ROOT / "scripts" / "capture.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["capture"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


capture = _capture_module()


def _project(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    project = tmp_path / "hello"
    shutil.copytree(ROOT / "examples" / "hello_agent", project)
    env = capture.terminal_env()
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")  # an ephemeral sandbox, never one the user runs
    return project, env


def test_on_a_terminal_the_diff_and_the_markers_are_coloured(tmp_path: Path) -> None:
    project, env = _project(tmp_path)
    code, raw = capture.run_in_pty([*ARGS, "--show-documents"], project, env, b"n\r")
    assert code == 3, raw  # declined
    assert GREEN + "    +" in raw  # the planned trust and inline policy, line by line
    assert RED + "✗ error" in raw  # ROLE_CHANGE_DECLINED's marker
    assert capture.PROMPT in capture.strip_ansi(raw)


def test_no_color_turns_colour_off_on_a_terminal(tmp_path: Path) -> None:
    project, env = _project(tmp_path)
    code, raw = capture.run_in_pty([*ARGS, "--show-documents"], project, {**env, "NO_COLOR": "1"}, b"n\r")
    assert code == 3, raw
    assert "    +" in raw and GREEN not in raw and RED not in raw


def test_a_pipe_or_json_gets_no_colour(tmp_path: Path) -> None:
    project, env = _project(tmp_path)
    for extra in ([], ["--json"]):
        done = subprocess.run(
            [sys.executable, "-m", "agentcore_ext", *ARGS, "--show-documents", "--dry-run", *extra],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert "    +" in done.stderr and "\x1b[" not in done.stderr + done.stdout


def test_with_json_on_a_terminal_there_is_no_colour(tmp_path: Path) -> None:
    project, env = _project(tmp_path)
    code, raw = capture.run_in_pty([*ARGS, "--show-documents", "--dry-run", "--json"], project, env, None)
    assert code == 0, raw
    assert "    +" in raw and GREEN not in raw and RED not in raw


def test_the_demos_create_plan_fits_in_25_terminal_lines(tmp_path: Path) -> None:
    project, env = _project(tmp_path)
    code, raw = capture.run_in_pty(ARGS, project, env, b"y\r")
    assert code == 0, raw
    text = capture.strip_ansi(raw)
    plan = text[text.index("plan for role") : text.index(capture.PROMPT)].rstrip("\n").split("\n")
    # terminal rows, not lines: a line longer than 160 columns wraps (the trust's SourceArn does)
    rows = sum(max(1, -(-len(line) // capture.COLUMNS)) for line in plan)
    assert rows + 1 <= 25, "\n".join(plan)  # + the prompt's own row
    assert plan[1].strip().startswith("- create role") and "trust: bedrock-agentcore.amazonaws.com" in plan[2]
    # both roles, one prompt: the execution role's plan and the CodeBuild role's (issue 13), asked once
    assert any("create role BedrockAgentCoreCodeBuild-us-east-1-hello_agent" in line for line in plan)
    assert text.count(capture.PROMPT) == 1
    assert os.path.exists(project / ".bedrock_agentcore.yaml")

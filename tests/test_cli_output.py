"""Issue 15 (output): unknown commands and usage errors in agentcore-ext's style and name, a JSON report for
usage errors under --json, agentcore-ext's own options in `deploy --help`. Real processes, no AWS reached."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "agentcore_ext", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def _usage_report(stdout: str) -> dict[str, object]:
    report = json.loads(stdout)
    assert report["ok"] is False
    assert [f["code"] for f in report["findings"]] == ["USAGE_ERROR"]
    return dict(report["findings"][0])


def test_an_unknown_command_is_answered_in_our_style(tmp_path: Path) -> None:
    done = _run(["frobnicate"], tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("✗ error [USAGE_ERROR] no such command: 'frobnicate'")
    assert "`agentcore-ext --help` lists the commands" in done.stderr
    assert "agentcore --help" not in done.stderr and "Try 'agentcore" not in done.stderr
    assert done.stdout == ""


def test_a_typo_gets_a_suggestion_and_a_json_report(tmp_path: Path) -> None:
    done = _run(["delpoy", "--json"], tmp_path)
    assert done.returncode == 2
    finding = _usage_report(done.stdout)
    assert "did you mean `agentcore-ext deploy`?" in str(finding["hint"])
    assert "did you mean `agentcore-ext deploy`?" in done.stderr


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["doctor", "--bogus", "--json"], "agentcore-ext doctor"),
        (["--json", "doctor", "--region"], "agentcore-ext"),  # a missing value, --json before the command
        (["doctor", "--json", "--region"], "agentcore-ext doctor"),
        (["sandbox", "status", "--bogus", "--json"], "agentcore-ext sandbox"),
        (["policy", "trust", "--json", "--nope"], "agentcore-ext policy"),
        (["status", "--bogus", "--json"], "agentcore-ext status"),  # a pass-through command
    ],
)
def test_a_usage_error_with_json_prints_a_report(args: list[str], named: str, tmp_path: Path) -> None:
    done = _run(args, tmp_path)
    assert done.returncode == 2, done.stderr
    finding = _usage_report(done.stdout)
    assert str(finding["message"]).startswith(named)
    assert "agentcore-ext" in done.stderr and "Try 'agentcore " not in done.stderr
    assert "Traceback" not in done.stderr


def test_a_usage_error_without_json_keeps_clicks_message(tmp_path: Path) -> None:
    done = _run(["doctor", "--bogus"], tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Usage: agentcore-ext doctor" in done.stderr and "Try 'agentcore-ext doctor -h' for help." in done.stderr
    assert "No such option: --bogus" in done.stderr


@pytest.mark.parametrize("command", ["deploy", "launch"])
def test_deploy_help_adds_our_options(command: str, tmp_path: Path) -> None:
    done = _run([command, "--help"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout  # the toolkit's own help first
    ours = done.stdout.split("agentcore-ext options")[1]
    assert "--skip-checks" in ours and "--sandbox" in ours and "agentcore-ext sandbox start" in ours

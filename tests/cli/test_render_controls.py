"""Red-team issue 21, item 10: what the tool prints never carries a raw control character from code, YAML, flags or
AWS (an ESC erases or recolours the line above, a newline forges a line), and tags are IAM's grammar at the flag."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from agentcore_ext.cli import render
from agentcore_ext.errors import UsageError
from agentcore_ext.findings import Code, Finding
from agentcore_ext.report import Report
from agentcore_ext.settings import parse_tags

HOSTILE = "us.anthropic.claude\x1b[1A\x1b[2K\n✓ ok\u202e\x9b"


def test_redteam_10_finding_values_are_escaped_in_human_text() -> None:
    report = Report("doctor")
    report.add([Finding(Code.PERMISSIONS_MISSING, f"model {HOSTILE} is not allowed", f"--model {HOSTILE}")])
    report.notes.append(f"plan line one\nmodel {HOSTILE}")
    stream = io.StringIO()
    render.human(report, stream)
    text = stream.getvalue()
    assert "\x1b" not in text and "\u202e" not in text and "\x9b" not in text
    assert "\\x1b[1A" in text and "\\u202e" in text
    finding_lines = [line for line in text.splitlines() if "PERMISSIONS_MISSING" in line]
    assert len(finding_lines) == 1 and "\\x0a✓ ok" in finding_lines[0]  # the newline forged no line of its own
    assert "plan line one\nmodel" in text  # a note keeps the tool's own line breaks


def test_redteam_10_usage_error_is_escaped() -> None:
    stream = io.StringIO()
    saved = sys.stderr
    sys.stderr = stream
    try:
        render.error(UsageError(f"bad value {HOSTILE}", f"try {HOSTILE}"))
    finally:
        sys.stderr = saved
    assert "\x1b" not in stream.getvalue() and "\\x1b" in stream.getvalue()


@pytest.mark.parametrize("pair", ["team=a\x1bb", "te\nam=x", "team=x$(touch /tmp/p)", "team=\u2028"])
def test_redteam_10_tag_outside_iam_grammar_is_refused(pair: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_tags([pair])
    assert "not allowed in an IAM tag" in caught.value.message


def test_redteam_10_tag_in_iam_grammar_is_kept() -> None:
    assert parse_tags(["team=ml-ops/agents:v1 é"]) == {"team": "ml-ops/agents:v1 é"}


def test_redteam_10_cli_tag_with_escape_is_exit_2_and_escaped(tmp_path: Path) -> None:
    code = "import sys; from agentcore_ext.cli.app import main; main(sys.argv[1:])"
    args = ["policy", "permissions", "-n", "hello", "--account", "123456789012", "--region", "us-east-1"]
    done = subprocess.run(
        [sys.executable, "-c", code, *args, "--tag", "team=a\x1b[2Kb"],
        capture_output=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr
    assert b"\x1b" not in done.stderr and b"\\x1b" in done.stderr
    assert b"USAGE_ERROR" in done.stderr and done.stdout == b""


def test_redteam_10_a_profile_name_in_a_login_hint_is_shell_quoted() -> None:
    from agentcore_ext.aws.error_map import login_hint

    hint = login_hint("dev$(touch /tmp/pwned)")
    assert "--profile 'dev$(touch /tmp/pwned)'" in hint  # pasted into a shell, it names the profile, runs nothing

"""Issue 10, the environment and input items (12-15): each test is named after its item and fails without the fix.

Through the CLI (typer's CliRunner on the real app): exit codes and the JSON report's finding codes are the
outcome; a message is checked only for naming the culprit (a variable, a key) or for a secret's absence.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws
from typer.testing import CliRunner

from agentcore_ext.aws.redact import redact
from agentcore_ext.cli.app import app
from agentcore_ext.errors import UsageError
from agentcore_ext.settings import load_team_defaults
from agentcore_ext.toolkit import config as toolkit_config
from agentcore_ext.toolkit import run as toolkit

runner = CliRunner()
DOCTOR = ("doctor", "-n", "agent", "--json")
ENSURE = ("role", "ensure", "-n", "agent", "--yes", "--json")


def _run(*args: str) -> tuple[int, dict[str, Any], str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result.exit_code, json.loads(result.stdout), result.stderr


def _usage_error(report: dict[str, Any]) -> dict[str, Any]:
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert [f["code"] for f in errors] == ["USAGE_ERROR"], report["findings"]
    assert errors[0]["hint"]
    return errors[0]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "agent.py").write_text("def invoke(payload, context=None):\n    return payload\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- item 12: environment errors are usage errors naming the variable or file -----------------------------


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("AWS_ENDPOINT_URL", "notaurl"),
        ("AWS_MAX_ATTEMPTS", "abc"),
        ("AWS_STS_REGIONAL_ENDPOINTS", "bogus"),
    ],
)
@pytest.mark.parametrize("command", [DOCTOR, ENSURE])
def test_item12_environment_errors_are_usage_errors(
    project: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, command: tuple[str, ...]
) -> None:
    monkeypatch.setenv(variable, value)
    code, report, _ = _run(*command)
    assert code == 2
    assert variable in _usage_error(report)["message"]


def test_item12_malformed_config_file_is_a_usage_error_naming_it(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = project / "broken-aws-config"
    config.write_text("[default\nregion = us-east-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    code, report, _ = _run(*DOCTOR)
    assert code == 2
    assert str(config) in _usage_error(report)["message"]


def test_item12_unknown_profile_from_the_environment_is_named(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "nope")
    for command in (DOCTOR, ENSURE):
        code, report, _ = _run(*command)
        assert code == 2
        message = _usage_error(report)["message"]
        assert "'nope'" in message and "AWS_PROFILE" in message and "None" not in message


@pytest.mark.parametrize("command", [("doctor", "-e", "loop.py", "--json"), ("configure", "-e", "loop.py", "--json")])
def test_item12_symlink_loop_as_entrypoint_is_a_usage_error(project: Path, command: tuple[str, ...]) -> None:
    (project / "loop.py").symlink_to(project / "loop2.py")
    (project / "loop2.py").symlink_to(project / "loop.py")
    code, report, _ = _run(*command)
    assert code == 2
    assert "loop.py" in _usage_error(report)["message"]


def test_item12_symlink_loop_with_an_explicit_name(project: Path) -> None:
    (project / "loop.py").symlink_to(project / "loop.py")
    code, report, _ = _run("configure", "-n", "agent", "-e", "loop.py", "--json")
    assert code == 2
    assert "loop.py" in _usage_error(report)["message"]


# --- item 13: secrets in URLs and access key ids are masked -------------------------------------------------


def test_item13_password_in_endpoint_url_is_masked(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://alice:S3cretPass@127.0.0.1:{_closed_port()}")
    result = runner.invoke(app, list(DOCTOR))
    assert result.exit_code == 4
    assert json.loads(result.stdout)["findings"][0]["code"] == "AWS_ERROR"
    assert "S3cretPass" not in result.stdout and "S3cretPass" not in result.stderr


def test_item13_password_in_an_invalid_endpoint_url_is_masked(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://alice:S3cretPass@bad host")
    result = runner.invoke(app, list(DOCTOR))
    assert result.exit_code == 2
    assert "AWS_ENDPOINT_URL" in _usage_error(json.loads(result.stdout))["message"]
    assert "S3cretPass" not in result.stdout and "S3cretPass" not in result.stderr


def test_item13_access_key_id_never_reaches_debug_logs(
    project: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    key_id = "AKIAIOSFODNN7EXAMPLE"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key_id)
    with mock_aws(), caplog.at_level(logging.DEBUG):
        result = runner.invoke(app, list(DOCTOR))
    assert result.exit_code in (0, 3), result.output
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Sending http request" in logged  # the wire log was on, Authorization header included
    assert key_id not in logged and key_id not in result.output


def test_item13_redact_masks_userinfo_and_key_ids() -> None:
    text = redact("http://u:pw@h:1/ https://tok@h AKIAIOSFODNN7EXAMPLE ASIAABCDEFGHIJKLMNOP arn:aws:iam::1:role/a@b")
    assert "pw" not in text and "tok" not in text
    assert "IOSFODNN7EXAMPLE" not in text and "ABCDEFGHIJKLMNOP" not in text
    assert "arn:aws:iam::1:role/a@b" in text


# --- item 14: limits on inputs -------------------------------------------------------------------------------


def test_item14_huge_toolkit_config_is_refused_quickly(project: Path) -> None:
    big = project / toolkit_config.CONFIG_FILE
    with big.open("w") as f:
        f.write("agents:\n  agent:\n    name: agent\n    notes:\n")
        line = "      - " + "x" * 100 + "\n"
        f.write(line * (2 * 1024 * 1024 // len(line)))
    with pytest.raises(UsageError, match="KiB"):
        toolkit_config.read_agent_config(project, "agent")
    code, report, _ = _run("doctor", "--json")
    assert code == 2
    assert toolkit_config.CONFIG_FILE in _usage_error(report)["message"]


TEAM = "[tool.agentcore-ext]\n"


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (TEAM + 'tags = { managed-by = "x" }\n', "managed-by"),
        (TEAM + 'tags = { Managed-By = "x" }\n', "Managed-By"),
        (TEAM + 'tags = { "" = "x" }\n', "tags."),
        (TEAM + 'role-name-template = "{agent.__class__.__name__}"\n', "{agent.__class__.__name__}"),
        (TEAM + 'role-name-template = "{agent[0]}-x"\n', "{agent[0]}"),
        (TEAM + 'role-name-template = "{agent!r}"\n', "role-name-template"),
        (TEAM + 'role-name-template = "BedrockAgentCoreRuntime-{region}"\n', "{agent}"),
        (TEAM + 'role-name-template = "BedrockAgentCore"\n', "{agent}"),
    ],
)
def test_item14_team_defaults_refuse_unsafe_tags_and_templates(project: Path, body: str, named: str) -> None:
    (project / "pyproject.toml").write_text(body)
    with pytest.raises(UsageError) as err:
        load_team_defaults(project)
    assert named in err.value.message
    code, report, _ = _run(*DOCTOR)
    assert code == 2
    _usage_error(report)


def test_item14_the_tools_tag_cannot_be_overridden_by_a_flag(project: Path) -> None:
    code, report, _ = _run(*ENSURE, "--tag", "managed-by=someone")
    assert code == 2
    assert "managed-by" in _usage_error(report)["message"]


def test_item14_good_templates_still_load(project: Path) -> None:
    (project / "pyproject.toml").write_text(TEAM + 'role-name-template = "BedrockAgentCore-{agent}-{region}"\n')
    assert load_team_defaults(project).role_name_template == "BedrockAgentCore-{agent}-{region}"


# --- item 15: the toolkit's subprocess does not import the agent folder's modules -------------------------


def test_item15_subprocess_mode_ignores_a_poisoned_module_in_the_agent_folder(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = project / "poisoned"
    (project / "typer.py").write_text(
        f"import pathlib, sys\npathlib.Path({str(marker)!r}).write_text('ran')\nsys.exit(97)\n"
    )
    monkeypatch.setenv(toolkit.MODE_ENV, "subprocess")
    monkeypatch.setenv(toolkit.SUPPRESS_RECOMMENDATION_ENV, "1")
    assert toolkit.passthrough(["--help"], project) == 0
    assert not marker.exists()
    assert sys.version_info >= (3, 11)  # -P exists from 3.11, the project's minimum
    assert os.environ.get("PYTHONSAFEPATH") is None  # only the flag: the agent's own processes keep their path


# --- item 3: `policy caller` is safe by default ----------------------------------------------------------

ACCOUNT = "123456789012"
TOOL_ROLE = f"arn:aws:iam::{ACCOUNT}:role/BedrockAgentCoreRuntime-us-east-1-agent"
OTHER_TEAMS_ROLE = f"arn:aws:iam::{ACCOUNT}:role/TeamX-BedrockAgentCore-Admin"
BOUNDARY = f"arn:aws:iam::{ACCOUNT}:policy/AgentBoundary"
OWN_TAG = {"aws:ResourceTag/managed-by": "agentcore-ext"}
NEW_TAG: dict[str, str | tuple[str, ...]] = {
    "aws:RequestTag/managed-by": "agentcore-ext",
    "aws:TagKeys": ("managed-by",),
}


def _caller_policy(project: Path, *extra: str) -> tuple[Any, str]:
    from agentcore_ext.iam.policy import parse_policy

    result = runner.invoke(app, ["policy", "caller", "--account", ACCOUNT, "--region", "us-east-1", *extra])
    assert result.exit_code == 0, result.output
    return parse_policy(json.loads(result.stdout), name="caller"), result.stderr


def _allowed(doc: Any, action: str, resource: str, context: dict[str, Any] | None = None) -> bool:
    from agentcore_ext.iam.evaluate import Request, evaluate

    return evaluate([doc], Request(action, resource, context or {})).allowed


def test_item3_policy_caller_limits_role_writes_to_the_tools_own_roles(project: Path) -> None:
    doc, _ = _caller_policy(project)
    for action in ("iam:CreateRole", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:TagRole"):
        # Another team's role that matches BedrockAgentCoreFullAccess's *BedrockAgentCore*: never.
        assert not _allowed(doc, action, OTHER_TEAMS_ROLE, {**OWN_TAG, **NEW_TAG}), action
        assert not _allowed(doc, action, f"arn:aws:iam::{ACCOUNT}:role/AdminRole", {**OWN_TAG, **NEW_TAG}), action
    assert _allowed(doc, "iam:CreateRole", TOOL_ROLE, NEW_TAG)
    assert not _allowed(doc, "iam:CreateRole", TOOL_ROLE)  # the tool's tag is required on create
    for action in ("iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"):
        assert _allowed(doc, action, TOOL_ROLE, OWN_TAG), action
        assert not _allowed(doc, action, TOOL_ROLE), action  # a matching name without the tool's tag: no
    other_value = {"aws:RequestTag/managed-by": "me", "aws:TagKeys": ("managed-by",), **OWN_TAG}
    assert not _allowed(doc, "iam:TagRole", TOOL_ROLE, other_value)  # nobody re-labels the tool's tag
    assert not _allowed(doc, "sts:AssumeRole", TOOL_ROLE)  # a trust naming the developer still does not help
    assert _allowed(doc, "iam:PassRole", TOOL_ROLE, {"iam:PassedToService": "bedrock-agentcore.amazonaws.com"})


def test_item3_policy_caller_keeps_to_the_role_path(project: Path) -> None:
    doc, _ = _caller_policy(project, "--role-path", "/agents/")
    in_path = f"arn:aws:iam::{ACCOUNT}:role/agents/BedrockAgentCoreRuntime-us-east-1-agent"
    assert _allowed(doc, "iam:CreateRole", in_path, NEW_TAG)
    assert not _allowed(doc, "iam:CreateRole", TOOL_ROLE, NEW_TAG)
    assert not _allowed(doc, "iam:PutRolePolicy", TOOL_ROLE, OWN_TAG)


def test_item3_policy_caller_with_a_boundary_requires_it(project: Path) -> None:
    doc, stderr = _caller_policy(project, "--permissions-boundary", BOUNDARY)
    bounded = {"iam:PermissionsBoundary": BOUNDARY}
    assert _allowed(doc, "iam:CreateRole", TOOL_ROLE, {**NEW_TAG, **bounded})
    assert not _allowed(doc, "iam:CreateRole", TOOL_ROLE, NEW_TAG)
    assert not _allowed(doc, "iam:CreateRole", TOOL_ROLE, {**NEW_TAG, "iam:PermissionsBoundary": BOUNDARY + "X"})
    assert _allowed(doc, "iam:PutRolePolicy", TOOL_ROLE, {**OWN_TAG, **bounded})
    assert not _allowed(doc, "iam:PutRolePolicy", TOOL_ROLE, OWN_TAG)  # a role that lost its boundary
    # IAM supplies no iam:PermissionsBoundary for UpdateAssumeRolePolicy: scoped by the tool's tag instead.
    assert _allowed(doc, "iam:UpdateAssumeRolePolicy", TOOL_ROLE, OWN_TAG)
    assert BOUNDARY in stderr  # what remains is said, with the boundary that caps it


@pytest.mark.parametrize("fmt", ["cloudformation", "terraform"])
def test_item3_policy_caller_warns_while_escalation_remains(project: Path, fmt: str) -> None:
    result = runner.invoke(app, ["policy", "caller", "--account", ACCOUNT, "--region", "us-east-1", "--format", fmt])
    assert result.exit_code == 0
    assert "warning:" in result.stderr and "--permissions-boundary" in result.stderr
    if fmt == "cloudformation":
        described = json.loads(result.stdout)["Resources"]["AgentCoreCallerPolicy"]["Properties"]["Description"]
    else:
        described = next(line for line in result.stdout.splitlines() if line.strip().startswith("description"))
    assert "Warning" in described and "--permissions-boundary" in described

"""`validate --template`: an IaC agent judged from its CloudFormation template, through the CLI (issue 20).

The role's documents come from the template (no --trust/--permissions), and the runtime's facts set the needs: the
image is pulled from the stack's repository (never the toolkit's `bedrock-agentcore-<agent>`), the memory is the
stack's. Templates: tests/agentcore_cfn_templates.py (literal, AWS samples' shape) and tests/fixtures (cdk synth).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from agentcore_cfn_templates import (
    ACCOUNT,
    CDK_TEMPLATE,
    MODEL,
    REGION,
    STACK_MEMORY_ID,
    STACK_REPO,
    YAML,
    json_template,
    write,
)
from typer.testing import CliRunner

from agentcore_ext.cli.app import app

runner = CliRunner()
WHERE = ["--account", ACCOUNT, "--region", REGION, "--model", MODEL, "--json"]
STACK_REPO_ARN = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{STACK_REPO}"
PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # any AWS call would fail loudly
    monkeypatch.chdir(tmp_path)  # no team defaults, no .bedrock_agentcore.yaml


def _validate(*args: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["validate", *args])
    return result.exit_code, json.loads(result.stdout)


def _codes(report: dict[str, Any]) -> set[str]:
    return {f["code"] for f in report["findings"]}


def _resources(report: dict[str, Any], feature: str) -> list[str]:
    return [r for q in report["role"]["requirements"] if q["feature"] == feature for r in q["resources"]]


def _runtime_policy(template: dict[str, Any]) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = template["Resources"]["AgentRole"]["Properties"]["Policies"][0][
        "PolicyDocument"
    ]["Statement"]
    return statements


@pytest.mark.parametrize("form", ["yaml", "json"])
def test_a_compliant_template_passes_with_no_demand_on_the_toolkits_repository(tmp_path: Path, form: str) -> None:
    path = write(tmp_path, f"stack.{form}", YAML if form == "yaml" else json_template())
    code, report = _validate("--template", path, *WHERE)
    assert code == 0, report["findings"]
    assert report["ok"] is True and report["stats"]["aws_calls"] == 0
    role = report["role"]
    assert (role["trust_ok"], role["permissions_ok"], role["missing_actions"]) == (True, True, [])
    assert STACK_REPO_ARN in _resources(report, "container")
    everything = json.dumps(report["role"]["requirements"])
    assert "bedrock-agentcore-weather_agent" not in everything  # the toolkit's default repository: not this agent's
    assert _resources(report, "memory")[0].endswith(f":memory/{STACK_MEMORY_ID}")
    assert report["agent"]["name"] == "weather_agent"


@pytest.mark.parametrize("form", ["yaml", "json"])
def test_a_role_missing_ecr_pull_on_the_stacks_repository_fails(tmp_path: Path, form: str) -> None:
    if form == "yaml":  # the pull is granted, but on the toolkit's default repository, not the stack's
        default_repo = "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/" + "bedrock-agentcore-"
        default_repo += "weather_agent"
        content: Any = YAML.replace("Resource: !GetAtt AgentRepository.Arn", f'Resource: !Sub "{default_repo}"')
        assert content != YAML
    else:  # no pull at all
        content = json_template()
        policy = _runtime_policy(content)
        policy[:] = [st for st in policy if st.get("Sid") != "ECRImageAccess"]
    code, report = _validate("--template", write(tmp_path, f"stack.{form}", content), *WHERE)
    assert code == 3
    assert report["ok"] is False and "PERMISSIONS_MISSING" in _codes(report)
    assert report["role"]["missing_actions"] == PULL
    missing = next(f for f in report["findings"] if f["code"] == "PERMISSIONS_MISSING")
    assert STACK_REPO_ARN in missing["message"]


def test_cdk_synth_output_is_judged_as_it_deploys(tmp_path: Path) -> None:
    code, report = _validate("--template", str(CDK_TEMPLATE), *WHERE)
    assert code == 0, report["findings"]
    repo = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/cfnstack-agentrepositorycef64969-cfnrandom"
    assert _resources(report, "container")[0] == repo
    template = json.loads(CDK_TEMPLATE.read_text())
    policy = template["Resources"]["AgentRuntimeExecutionRoleDefaultPolicy392B5DE7"]["Properties"]["PolicyDocument"]
    policy["Statement"] = [st for st in policy["Statement"] if "ecr:BatchGetImage" not in st["Action"]]
    code, report = _validate("--template", write(tmp_path, "no-pull.template.json", template), *WHERE)
    assert code == 3 and report["role"]["missing_actions"] == PULL


def test_the_stacks_memory_is_the_agents_and_flags_rank_above_the_template(tmp_path: Path) -> None:
    template = json_template()
    del template["Resources"]["MemoryAccess"]
    path = write(tmp_path, "stack.json", template)
    code, report = _validate("--template", path, *WHERE)
    assert code == 3
    assert {"bedrock-agentcore:CreateEvent", "bedrock-agentcore:RetrieveMemoryRecords"} <= set(
        report["role"]["missing_actions"]
    )
    # --disable-memory (a flag) outranks the template's memory; --deployment-type its container
    code, report = _validate("--template", path, *WHERE, "--disable-memory", "--deployment-type", "direct_code_deploy")
    assert code == 0, report["findings"]
    assert _resources(report, "memory") == [] and _resources(report, "container") == []


def test_an_aws_managed_policy_is_reported_not_guessed(tmp_path: Path) -> None:
    template = json_template()
    policy = _runtime_policy(template)
    policy[:] = [st for st in policy if st.get("Sid") != "Model"]
    managed = "arn:aws:iam::aws:policy/AmazonBedrockFullAccess"
    template["Resources"]["AgentRole"]["Properties"]["ManagedPolicyArns"] = [
        {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonBedrockFullAccess"}
    ]
    path = write(tmp_path, "stack.json", template)
    code, report = _validate("--template", path, *WHERE)
    assert code == 3
    assert {"PERMISSIONS_MISSING", "PERMISSIONS_UNDECIDED"} <= _codes(report)
    unread = next(f for f in report["findings"] if f["code"] == "PERMISSIONS_UNDECIDED")
    assert managed in unread["message"] and unread["severity"] == "warning"
    assert "--permissions" in unread["hint"]
    # its document, saved as the hint says, is judged with the template's
    model_grant = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "bedrock:*", "Resource": "*"},  # as AmazonBedrockFullAccess grants
        ],
    }
    code, report = _validate("--template", path, "--permissions", write(tmp_path, "managed.json", model_grant), *WHERE)
    assert code == 0, report["findings"]
    unread = next(f for f in report["findings"] if f["code"] == "PERMISSIONS_UNDECIDED")
    assert unread["severity"] == "info"


def test_what_the_template_does_not_say_is_in_agent_unresolved(tmp_path: Path) -> None:
    template = json_template()
    template["Parameters"]["Table"] = {"Type": "String"}
    template["Resources"]["AgentRuntime"]["Properties"]["EnvironmentVariables"]["TABLE"] = {"Ref": "Table"}
    code, report = _validate("--template", write(tmp_path, "stack.json", template), *WHERE)
    assert code == 0
    assert any("TABLE" in u and "parameter Table has no Default" in u for u in report["agent"]["unresolved"])


def test_several_runtimes_are_picked_with_n(tmp_path: Path) -> None:
    template = json_template()
    other = json.loads(json.dumps(template["Resources"]["AgentRuntime"]))
    other["Properties"]["AgentRuntimeName"] = "billing_agent"
    template["Resources"]["BillingRuntime"] = other
    path = write(tmp_path, "stack.json", template)
    code, report = _validate("--template", path, *WHERE)
    assert code == 2
    usage = next(f for f in report["findings"] if f["code"] == "USAGE_ERROR")
    assert "AgentRuntime (AgentRuntimeName weather_agent)" in usage["message"] and "-n" in usage["hint"]
    code, report = _validate("--template", path, "-n", "billing_agent", *WHERE)
    assert code == 0 and report["agent"]["name"] == "billing_agent"


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ("external-role", "is not defined in the template"),
        ("missing", "no such file"),
    ],
)
def test_usage_errors_say_what_to_pass(tmp_path: Path, change: str, fragment: str) -> None:
    template = json_template()
    template["Resources"]["AgentRuntime"]["Properties"]["RoleArn"] = f"arn:aws:iam::{ACCOUNT}:role/Shared"
    path = write(tmp_path, "stack.json", template) if change == "external-role" else str(tmp_path / "none.yaml")
    code, report = _validate("--template", path, *WHERE)
    assert code == 2
    usage = next(f for f in report["findings"] if f["code"] == "USAGE_ERROR")
    assert fragment in usage["message"] and usage["hint"]


def test_nothing_to_validate_names_template() -> None:
    code, report = _validate(*WHERE)
    assert code == 2
    usage = next(f for f in report["findings"] if f["code"] == "USAGE_ERROR")
    assert "--template FILE" in usage["hint"]

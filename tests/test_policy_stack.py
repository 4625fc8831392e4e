"""Issue 15 item 7: `policy ... --format cloudformation|terraform` prints ONE stack per run: each role with its trust
and its permissions, the policy referencing the role. The output is parsed and its references resolved here."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from typer.testing import CliRunner

from agentcore_ext.cli.app import app
from agentcore_ext.judge.codebuild_role import codebuild_permissions_document, codebuild_trust_document
from agentcore_ext.judge.requirements import permissions_document, trust_document
from agentcore_ext.state import AgentSpec

runner = CliRunner()
ACCOUNT, REGION = "123456789012", "us-east-1"
BASE = ["--name", "hello", "--account", ACCOUNT, "--region", REGION]
SPEC = AgentSpec("hello", ACCOUNT, REGION)


def _run(*args: str) -> str:
    result = runner.invoke(app, ["policy", *args, *BASE])
    assert result.exit_code == 0, result.output
    return result.stdout


def _cfn_refs(value: Any) -> list[str]:
    """Every logical id a `Ref` or `Fn::GetAtt` in the template names."""
    if isinstance(value, dict):
        out = [value["Ref"]] if set(value) == {"Ref"} else []
        if set(value) == {"Fn::GetAtt"}:
            out.append(value["Fn::GetAtt"][0])
        return out + [r for v in value.values() for r in _cfn_refs(v)]
    if isinstance(value, list):
        return [r for v in value for r in _cfn_refs(v)]
    return []


def _check_cfn(text: str) -> dict[str, Any]:
    tpl = json.loads(text)
    assert tpl["AWSTemplateFormatVersion"] == "2010-09-09"
    refs = _cfn_refs(tpl)
    assert refs and set(refs) <= set(tpl["Resources"]), refs  # every reference resolves inside the stack
    for res in tpl["Resources"].values():
        if res["Type"] == "AWS::IAM::RolePolicy":
            target = res["Properties"]["RoleName"]["Ref"]
            assert tpl["Resources"][target]["Type"] == "AWS::IAM::Role"
    return tpl  # type: ignore[no-any-return]


def _check_terraform(text: str) -> dict[tuple[str, str], list[Any]]:
    """Declared resources, every `aws_iam_role.X.attr` reference declared, each jsonencode() body valid JSON."""
    assert text.count("{") == text.count("}")
    declared = set(re.findall(r'^resource "([a-z_]+)" "([a-z_]+)" \{$', text, re.M))
    for name in re.findall(r"\baws_iam_role\.([a-z_]+)\.(?:id|arn|name)\b", text):
        assert ("aws_iam_role", name) in declared, name
    documents: dict[tuple[str, str], list[Any]] = {}
    for block in re.split(r"\n(?=resource |output )", text):
        head = re.match(r'resource "([a-z_]+)" "([a-z_]+)"', block)
        bodies = re.findall(r"jsonencode\((\{.*?\n  \})\)", block, re.S)
        if head:
            # "$${" is Terraform's escape for a literal "${" (formats._hcl)
            documents[(head[1], head[2])] = [json.loads(b.replace("$${", "${")) for b in bodies]
    return documents


@pytest.mark.parametrize("kind", ["trust", "permissions"])
def test_cloudformation_execution_role_is_one_stack(kind: str) -> None:
    tpl = _check_cfn(_run(kind, "--format", "cloudformation", "--tag", "team=ml"))
    res = tpl["Resources"]
    assert set(res) == {"AgentCoreExecutionRole", "AgentCoreExecutionPolicy"}
    role = res["AgentCoreExecutionRole"]["Properties"]
    assert role["AssumeRolePolicyDocument"] == trust_document(SPEC)
    assert {"Key": "team", "Value": "ml"} in role["Tags"]
    assert res["AgentCoreExecutionPolicy"]["Properties"]["PolicyDocument"] == permissions_document(SPEC)
    assert tpl["Outputs"]["AgentCoreExecutionRoleArn"]["Value"] == {"Fn::GetAtt": ["AgentCoreExecutionRole", "Arn"]}


def test_cloudformation_with_codebuild_holds_both_roles() -> None:
    tpl = _check_cfn(_run("trust", "--format", "cloudformation", "--with-codebuild", "--role-path", "/team/"))
    res = tpl["Resources"]
    assert [r["Type"] for r in res.values()].count("AWS::IAM::Role") == 2
    cb = res["AgentCoreCodeBuildRole"]["Properties"]
    assert cb["RoleName"] == "BedrockAgentCoreCodeBuild-us-east-1-hello" and cb["Path"] == "/team/"
    assert cb["AssumeRolePolicyDocument"] == codebuild_trust_document(SPEC)
    assert res["AgentCoreCodeBuildPolicy"]["Properties"]["RoleName"] == {"Ref": "AgentCoreCodeBuildRole"}
    assert res["AgentCoreCodeBuildPolicy"]["Properties"]["PolicyDocument"] == codebuild_permissions_document(SPEC)


@pytest.mark.parametrize("kind", ["codebuild-trust", "codebuild-permissions"])
def test_codebuild_kinds_print_the_codebuild_stack(kind: str) -> None:
    tpl = _check_cfn(_run(kind, "--format", "cloudformation"))
    assert set(tpl["Resources"]) == {"AgentCoreCodeBuildRole", "AgentCoreCodeBuildPolicy"}


def test_terraform_stack_references_resolve_and_documents_parse() -> None:
    text = _run(
        "permissions",
        "--format",
        "terraform",
        "--with-codebuild",
        "--permissions-boundary",
        f"arn:aws:iam::{ACCOUNT}:policy/Boundary",
    )
    docs = _check_terraform(text)
    assert docs[("aws_iam_role", "agentcore_execution")] == [trust_document(SPEC)]
    assert docs[("aws_iam_role_policy", "agentcore_execution")] == [permissions_document(SPEC)]
    assert docs[("aws_iam_role", "agentcore_codebuild")] == [codebuild_trust_document(SPEC)]
    assert docs[("aws_iam_role_policy", "agentcore_codebuild")] == [codebuild_permissions_document(SPEC)]
    assert "role   = aws_iam_role.agentcore_codebuild.id" in text
    assert text.count("permissions_boundary = ") == 2


def test_with_codebuild_is_refused_where_it_means_nothing() -> None:
    result = runner.invoke(app, ["policy", "caller", *BASE, "--format", "cloudformation", "--with-codebuild"])
    assert result.exit_code == 2 and "--with-codebuild" in result.stderr
    result = runner.invoke(app, ["policy", "trust", *BASE, "--with-codebuild"])
    assert result.exit_code == 2

"""Render policy documents as JSON, a CloudFormation template or Terraform for administrators. Pure."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

FORMATS = ("json", "cloudformation", "terraform")


@dataclass(frozen=True)
class RoleMeta:
    """What an administrator's template needs besides the document itself."""

    role_name: str
    role_path: str = "/"
    boundary: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    policy_name: str = "agentcore-ext-execution"
    note: str = ""  # what the document still allows that an administrator should know: goes into its description


def _hcl(value: Any, indent: int = 2) -> str:
    # JSON is valid HCL inside jsonencode(), except that "${" starts an interpolation: escape it as "$${".
    return json.dumps(value, indent=indent).replace("${", "$${")


def _description(meta: RoleMeta) -> str:
    base = "What a developer needs to run agentcore-ext configure"
    return f"{base}. Warning: {meta.note}" if meta.note else base


def _tags_cfn(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


@dataclass(frozen=True)
class StackRole:
    """One role of a stack: its names and defaults, its trust policy and its permissions policy."""

    key: str  # "execution" | "codebuild": the resources' logical ids
    meta: RoleMeta
    trust: dict[str, Any]
    permissions: dict[str, Any]
    managed_policies: tuple[str, ...] = ()  # attached to the role (the agent's --additional-policy ARNs)


_CFN_IDS = {"execution": "AgentCoreExecution", "codebuild": "AgentCoreCodeBuild"}


def render(kind: str, document: dict[str, Any], fmt: str, meta: RoleMeta) -> str:
    """The caller policy (a managed policy), or one document as JSON. Roles print as one stack: render_stack."""
    if fmt == "json":
        return json.dumps(document, indent=2)
    if fmt == "cloudformation":
        return json.dumps(_cloudformation_caller(document, meta), indent=2)
    if fmt == "terraform":
        return _terraform_caller(document, meta)
    raise ValueError(f"unknown format {fmt}")


def render_stack(roles: list[StackRole], fmt: str) -> str:
    """Issue 15 item 7: each role with its trust and its permissions in ONE template, the policy referencing the
    role (CloudFormation `Ref`, Terraform `aws_iam_role.X.id`), so an administrator deploys it in one go."""
    if fmt == "cloudformation":
        return json.dumps(_cloudformation_stack(roles), indent=2)
    if fmt == "terraform":
        return "\n\n".join(_terraform_role(r) for r in roles)
    raise ValueError(f"no stack in format {fmt}")


def _cloudformation_stack(roles: list[StackRole]) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    for r in roles:
        base = _CFN_IDS[r.key]
        props: dict[str, Any] = {
            "RoleName": r.meta.role_name,
            "Path": r.meta.role_path,
            "AssumeRolePolicyDocument": r.trust,
        }
        if r.meta.boundary:
            props["PermissionsBoundary"] = r.meta.boundary
        if r.managed_policies:
            props["ManagedPolicyArns"] = list(r.managed_policies)
        if r.meta.tags:
            props["Tags"] = _tags_cfn(r.meta.tags)
        resources[f"{base}Role"] = {"Type": "AWS::IAM::Role", "Properties": props}
        # AWS::IAM::RolePolicy takes the role's name; `Ref` of an AWS::IAM::Role returns it (CloudFormation docs).
        resources[f"{base}Policy"] = {
            "Type": "AWS::IAM::RolePolicy",
            "Properties": {
                "RoleName": {"Ref": f"{base}Role"},
                "PolicyName": r.meta.policy_name,
                "PolicyDocument": r.permissions,
            },
        }
        outputs[f"{base}RoleArn"] = {"Value": {"Fn::GetAtt": [f"{base}Role", "Arn"]}}
    names = " and ".join("the CodeBuild role" if r.key == "codebuild" else "the execution role" for r in roles)
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": f"agentcore-ext: {names}, each with its trust and permissions policy",
        "Resources": resources,
        "Outputs": outputs,
    }


def _cloudformation_caller(document: dict[str, Any], meta: RoleMeta) -> dict[str, Any]:
    resources = {
        "AgentCoreCallerPolicy": {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {
                "ManagedPolicyName": "agentcore-ext-caller",
                "Description": _description(meta)[:1000],  # CloudFormation's limit for a policy
                "PolicyDocument": document,
            },
        }
    }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "agentcore-ext caller policy" + (f". Warning: {meta.note}" if meta.note else ""),
        "Resources": resources,
    }


def _body(document: dict[str, Any]) -> str:
    return _hcl(document).replace("\n", "\n  ")


def _terraform_role(r: StackRole) -> str:
    name = f"agentcore_{r.key}"
    lines = [
        f'resource "aws_iam_role" "{name}" {{',
        f"  name = {json.dumps(r.meta.role_name)}",
        f"  path = {json.dumps(r.meta.role_path)}",
    ]
    if r.meta.boundary:
        lines.append(f"  permissions_boundary = {json.dumps(r.meta.boundary)}")
    if r.meta.tags:
        lines.append(f"  tags = {_hcl(r.meta.tags)}".replace("\n", "\n  "))
    lines += [f"  assume_role_policy = jsonencode({_body(r.trust)})", "}", ""]
    lines += [
        f'resource "aws_iam_role_policy" "{name}" {{',
        f"  name   = {json.dumps(r.meta.policy_name)}",
        f"  role   = aws_iam_role.{name}.id",
        f"  policy = jsonencode({_body(r.permissions)})",
        "}",
        "",
    ]
    # One attachment resource each (the provider deprecates aws_iam_role's managed_policy_arns).
    for n, arn in enumerate(r.managed_policies, start=1):
        lines += [
            f'resource "aws_iam_role_policy_attachment" "{name}_{n}" {{',
            f"  role       = aws_iam_role.{name}.name",
            f"  policy_arn = {json.dumps(arn)}",
            "}",
            "",
        ]
    lines += [
        f'output "{name}_role_arn" {{',
        f"  value = aws_iam_role.{name}.arn",
        "}",
    ]
    return "\n".join(lines)


def _terraform_caller(document: dict[str, Any], meta: RoleMeta) -> str:
    lines = [
        'resource "aws_iam_policy" "agentcore_caller" {',
        '  name        = "agentcore-ext-caller"',
        f"  description = {json.dumps(_description(meta))}",
        f"  policy      = jsonencode({_body(document)})",
    ]
    return "\n".join([*lines, "}"])

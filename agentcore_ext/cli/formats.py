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


def render(kind: str, document: dict[str, Any], fmt: str, meta: RoleMeta) -> str:
    """kind: trust | permissions | caller."""
    if fmt == "json":
        return json.dumps(document, indent=2)
    if fmt == "cloudformation":
        return json.dumps(_cloudformation(kind, document, meta), indent=2)
    if fmt == "terraform":
        return _terraform(kind, document, meta)
    raise ValueError(f"unknown format {fmt}")


def _cloudformation(kind: str, document: dict[str, Any], meta: RoleMeta) -> dict[str, Any]:
    resources: dict[str, Any]
    if kind == "trust":
        props: dict[str, Any] = {
            "RoleName": meta.role_name,
            "Path": meta.role_path,
            "AssumeRolePolicyDocument": document,
        }
        if meta.boundary:
            props["PermissionsBoundary"] = meta.boundary
        if meta.tags:
            props["Tags"] = _tags_cfn(meta.tags)
        resources = {"AgentCoreExecutionRole": {"Type": "AWS::IAM::Role", "Properties": props}}
    elif kind == "permissions":
        resources = {
            "AgentCoreExecutionPolicy": {
                "Type": "AWS::IAM::RolePolicy",
                "Properties": {"RoleName": meta.role_name, "PolicyName": meta.policy_name, "PolicyDocument": document},
            }
        }
    else:
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
        "Description": f"agentcore-ext {kind} policy" + (f". Warning: {meta.note}" if meta.note else ""),
        "Resources": resources,
    }


def _terraform(kind: str, document: dict[str, Any], meta: RoleMeta) -> str:
    body = _hcl(document).replace("\n", "\n  ")
    if kind == "trust":
        lines = [
            'resource "aws_iam_role" "agentcore_execution" {',
            f"  name = {json.dumps(meta.role_name)}",
            f"  path = {json.dumps(meta.role_path)}",
        ]
        if meta.boundary:
            lines.append(f"  permissions_boundary = {json.dumps(meta.boundary)}")
        if meta.tags:
            lines.append(f"  tags = {_hcl(meta.tags)}".replace("\n", "\n  "))
        lines.append(f"  assume_role_policy = jsonencode({body})")
    elif kind == "permissions":
        lines = [
            'resource "aws_iam_role_policy" "agentcore_execution" {',
            f"  name   = {json.dumps(meta.policy_name)}",
            "  role   = aws_iam_role.agentcore_execution.id",
            f"  policy = jsonencode({body})",
        ]
    else:
        lines = [
            'resource "aws_iam_policy" "agentcore_caller" {',
            '  name        = "agentcore-ext-caller"',
            f"  description = {json.dumps(_description(meta))}",
            f"  policy      = jsonencode({body})",
        ]
    return "\n".join([*lines, "}"])

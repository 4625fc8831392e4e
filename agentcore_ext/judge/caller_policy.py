"""The least a caller needs to run the configure flow: the `policy caller` document and its requests. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from agentcore_ext.iam.evaluate import Request
from agentcore_ext.judge.deploy_needs import DeployMode, deploy_statements
from agentcore_ext.judge.requirements import SERVICE_PRINCIPAL

# PassRole matches the AWS managed policy BedrockAgentCoreFullAccess, so one naming rule serves both.
ROLE_NAME_PATTERN = "*BedrockAgentCore*"
# The tool's own role names (settings.DEFAULT_ROLE_TEMPLATE with its placeholders as wildcards): the only roles a
# developer may create or write into.
TOOL_ROLE_PATTERN = "BedrockAgentCoreRuntime-*"
MANAGED_BY = ("managed-by", "agentcore-ext")  # state.MANAGED_BY_TAG: the tag the tool puts on roles it creates

# What IAM offers to restrict role writes (IAM Service Authorization Reference, "Actions, resources, and condition
# keys for AWS Identity and Access Management", and the AWS managed policy AmazonDataZone...ProvisioningRole, which
# conditions exactly these actions on it):
# - iam:PermissionsBoundary is supplied for CreateRole, PutRolePermissionsBoundary, DeleteRolePermissionsBoundary,
#   AttachRolePolicy, DetachRolePolicy, PutRolePolicy and DeleteRolePolicy; NOT for UpdateAssumeRolePolicy or
#   TagRole (a condition on it there would never match, so those are scoped by tag instead).
# - iam:PassedToService exists for iam:PassRole only.
# - aws:RequestTag/KEY and aws:TagKeys are supplied for CreateRole (with Tags) and TagRole; aws:ResourceTag/KEY for
#   actions on an existing role (PutRolePolicy, UpdateAssumeRolePolicy, TagRole).
# - No condition key describes the content of a trust or permissions document: IAM cannot make "the trust names
#   only the AgentCore service" a condition. A boundary caps what a role can do; an explicit Deny on sts:AssumeRole
#   keeps the developer from assuming the roles themselves.
_CREATE = ("iam:CreateRole",)
_WRITE = ("iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy")
_TAG = ("iam:TagRole",)
_MANAGE_ROLE = (*_CREATE, "iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy", *_TAG)
_READ_ROLE = (
    "iam:GetRole",
    "iam:GetRolePolicy",
    "iam:ListRolePolicies",
    "iam:ListAttachedRolePolicies",
    "iam:ListRoleTags",
)
_READ_POLICY = ("iam:GetPolicy", "iam:GetPolicyVersion")
_READ_SELF = (
    "iam:GetUser",
    "iam:ListUserPolicies",
    "iam:GetUserPolicy",
    "iam:ListAttachedUserPolicies",
    "iam:ListGroupsForUser",
    "iam:SimulatePrincipalPolicy",
)
_READ_GROUPS = ("iam:ListGroupPolicies", "iam:GetGroupPolicy", "iam:ListAttachedGroupPolicies")


@dataclass(frozen=True)
class CallerScope:
    account: str
    partition: str = "aws"
    permissions_boundary: str | None = None
    role_path: str = "/"
    role_name_pattern: str = TOOL_ROLE_PATTERN  # the tool's role names; an exact name when one was given
    deploy_mode: DeployMode | None = DeployMode.CODEBUILD  # what `agentcore deploy` needs; None: configure only

    def iam(self, resource: str, account: str | None = None) -> str:
        return f"arn:{self.partition}:iam::{self.account if account is None else account}:{resource}"

    @property
    def role_pattern(self) -> str:
        """PassRole: every role BedrockAgentCoreFullAccess lets a developer pass (to AgentCore only)."""
        return self.iam(f"role/{ROLE_NAME_PATTERN}")

    @property
    def own_roles(self) -> str:
        """Create and write: the tool's own role names, under the team's path only."""
        return self.iam(f"role{self.role_path}{self.role_name_pattern}")


def role_name_pattern(template: str, role_name: str | None = None) -> str:
    """The IAM wildcard pattern of the names a role-name template gives: its literal start, then `*`.

    The start survives the hash-shortening of names over 64 characters (arns.default_role_name); a template that
    starts with a placeholder falls back to every placeholder as `*`.
    """
    if role_name:
        return role_name
    prefix = template.split("{", 1)[0]
    if prefix:
        return prefix + "*"
    return re.sub(r"\*+", "*", re.sub(r"\{[^{}]*\}", "*", template))


def _tagged(key: str) -> dict[str, Any]:
    return {"StringEquals": {f"{key}/{MANAGED_BY[0]}": MANAGED_BY[1]}}


def caller_document(scope: CallerScope) -> dict[str, Any]:
    """PassRole on the tool's role-name pattern, role writes on the tool's own roles only, plus the reads."""
    create: dict[str, Any] = {
        "Sid": "CreateAgentCoreExecutionRoles",
        "Effect": "Allow",
        "Action": list(_CREATE),
        "Resource": scope.own_roles,
        "Condition": _tagged("aws:RequestTag"),  # the role is marked as the tool's from its first moment
    }
    write: dict[str, Any] = {
        "Sid": "WriteOwnAgentCoreExecutionRoles",
        "Effect": "Allow",
        "Action": list(_WRITE),
        "Resource": scope.own_roles,
        "Condition": _tagged("aws:ResourceTag"),  # never another team's role that happens to match the name
    }
    if scope.permissions_boundary:
        # Roles only under the team's boundary: created with it, and written only while they carry it.
        create["Condition"] = {
            "StringEquals": {
                **create["Condition"]["StringEquals"],
                "iam:PermissionsBoundary": scope.permissions_boundary,
            }
        }
        put = {**write, "Sid": "PutPolicyOnBoundedRoles", "Action": ["iam:PutRolePolicy"]}
        put["Condition"] = {
            "StringEquals": {
                **write["Condition"]["StringEquals"],
                "iam:PermissionsBoundary": scope.permissions_boundary,
            }
        }
        write = {**write, "Action": ["iam:UpdateAssumeRolePolicy"]}  # not supplied with iam:PermissionsBoundary
    tag_own = {
        "Sid": "TagOwnAgentCoreExecutionRoles",
        "Effect": "Allow",
        "Action": list(_TAG),
        "Resource": scope.own_roles,
        "Condition": _tagged("aws:ResourceTag"),
    }
    tag_new = {**tag_own, "Sid": "TagAgentCoreExecutionRolesAtCreate", "Condition": _tagged("aws:RequestTag")}
    statements: list[dict[str, Any]] = [
        {
            "Sid": "PassAgentCoreExecutionRoles",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": scope.role_pattern,
            "Condition": {"StringEquals": {"iam:PassedToService": SERVICE_PRINCIPAL}},
        },
        create,
        write,
        *([put] if scope.permissions_boundary else []),
        tag_own,
        tag_new,
        {
            # The tool's tag decides which roles may be written: nobody sets it to anything else.
            "Sid": "KeepTheToolsTag",
            "Effect": "Deny",
            "Action": ["iam:TagRole", "iam:UntagRole", "iam:CreateRole"],
            "Resource": scope.iam("role/*"),
            "Condition": {
                "ForAnyValue:StringEquals": {"aws:TagKeys": MANAGED_BY[0]},
                "StringNotEquals": {f"aws:RequestTag/{MANAGED_BY[0]}": MANAGED_BY[1]},
            },
        },
        {
            # A developer who writes a trust naming themselves still may not assume the role.
            "Sid": "DenyAssumingExecutionRoles",
            "Effect": "Deny",
            "Action": "sts:AssumeRole",
            "Resource": scope.role_pattern,
        },
        {"Sid": "ReadRoles", "Effect": "Allow", "Action": list(_READ_ROLE), "Resource": scope.iam("role/*")},
        {
            "Sid": "ReadPolicies",
            "Effect": "Allow",
            "Action": list(_READ_POLICY),
            "Resource": [scope.iam("policy/*"), scope.iam("policy/*", account="aws")],
        },
        {
            "Sid": "ReadOwnIdentity",
            "Effect": "Allow",
            "Action": list(_READ_SELF),
            # ${aws:username} keeps a user to reading its own policies; roles simulate themselves via role/*.
            "Resource": [scope.iam("user/${aws:username}"), scope.iam("role/*")],
        },
        {"Sid": "ReadOwnGroups", "Effect": "Allow", "Action": list(_READ_GROUPS), "Resource": scope.iam("group/*")},
    ]
    if scope.deploy_mode is not None:
        statements += deploy_statements(scope.partition, scope.account, scope.deploy_mode)
    return {"Version": "2012-10-17", "Statement": statements}


def escalation_note(scope: CallerScope) -> str | None:
    """What this form of the caller policy still lets a developer do beyond the agent's needs, or None."""
    where = f"roles named {scope.role_name_pattern} under path {scope.role_path}"
    if not scope.permissions_boundary:
        return (
            "without --permissions-boundary, a developer with this policy can still write any permissions into "
            f"{where} (tagged managed-by=agentcore-ext) and make them trust another principal they control: pass "
            "--permissions-boundary ARN to cap what those roles can do"
        )
    return (
        f"a developer with this policy can still make {where} trust another principal they control; what such a role "
        f"can do stays within the boundary {scope.permissions_boundary}"
    )


def caller_requests(scope: CallerScope, role_name: str, username: str = "developer") -> list[Request]:
    """Every request the configure flow makes as an IAM user, for checking the document above."""
    role = scope.iam(f"role{scope.role_path}{role_name}")
    ctx: dict[str, str | tuple[str, ...]] = {"aws:username": username}
    if scope.permissions_boundary:
        ctx["iam:PermissionsBoundary"] = scope.permissions_boundary
    created = {**ctx, f"aws:RequestTag/{MANAGED_BY[0]}": MANAGED_BY[1], "aws:TagKeys": (MANAGED_BY[0], "team")}
    existing = {**ctx, f"aws:ResourceTag/{MANAGED_BY[0]}": MANAGED_BY[1]}
    out = [Request("iam:PassRole", role, {**ctx, "iam:PassedToService": SERVICE_PRINCIPAL})]
    out += [Request(a, role, created) for a in (*_CREATE, *_TAG)]
    out += [Request(a, role, existing) for a in (*_WRITE, *_TAG)]
    out += [Request(a, role, ctx) for a in _READ_ROLE]
    out += [Request(a, scope.iam("policy/SomePolicy"), ctx) for a in _READ_POLICY]
    out += [Request(a, scope.iam(f"user/{username}"), ctx) for a in _READ_SELF]
    out += [Request(a, scope.iam("group/developers"), ctx) for a in _READ_GROUPS]
    return out

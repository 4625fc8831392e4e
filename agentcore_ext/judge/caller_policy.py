"""The least a caller needs to run the configure flow: the `policy caller` document and its requests. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from agentcore_ext.iam.evaluate import Request
from agentcore_ext.judge.requirements import SERVICE_PRINCIPAL

# Matches the AWS managed policy BedrockAgentCoreFullAccess, so one naming rule serves both.
ROLE_NAME_PATTERN = "*BedrockAgentCore*"

_MANAGE_ROLE = ("iam:CreateRole", "iam:UpdateAssumeRolePolicy", "iam:PutRolePolicy", "iam:TagRole")
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

    def iam(self, resource: str, account: str | None = None) -> str:
        return f"arn:{self.partition}:iam::{self.account if account is None else account}:{resource}"

    @property
    def role_pattern(self) -> str:
        return self.iam(f"role/{ROLE_NAME_PATTERN}")


def caller_document(scope: CallerScope) -> dict[str, Any]:
    """PassRole and role management on the tool's role-name pattern, plus the reads its checks make."""
    manage: dict[str, Any] = {
        "Sid": "ManageAgentCoreExecutionRoles",
        "Effect": "Allow",
        "Action": list(_MANAGE_ROLE),
        "Resource": scope.role_pattern,
    }
    if scope.permissions_boundary:
        # Roles may only be created under the team's boundary, so the caller cannot mint a wider role.
        manage["Condition"] = {"StringEquals": {"iam:PermissionsBoundary": scope.permissions_boundary}}
    statements: list[dict[str, Any]] = [
        {
            "Sid": "PassAgentCoreExecutionRoles",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": scope.role_pattern,
            "Condition": {"StringEquals": {"iam:PassedToService": SERVICE_PRINCIPAL}},
        },
        manage,
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
    return {"Version": "2012-10-17", "Statement": statements}


def caller_requests(scope: CallerScope, role_name: str, username: str = "developer") -> list[Request]:
    """Every request the configure flow makes as an IAM user, for checking the document above."""
    role = scope.iam(f"role/{role_name}")
    ctx: dict[str, str] = {"aws:username": username}
    if scope.permissions_boundary:
        ctx["iam:PermissionsBoundary"] = scope.permissions_boundary
    out = [Request("iam:PassRole", role, {**ctx, "iam:PassedToService": SERVICE_PRINCIPAL})]
    out += [Request(a, role, ctx) for a in (*_MANAGE_ROLE, *_READ_ROLE)]
    out += [Request(a, scope.iam("policy/SomePolicy"), ctx) for a in _READ_POLICY]
    out += [Request(a, scope.iam(f"user/{username}"), ctx) for a in _READ_SELF]
    out += [Request(a, scope.iam("group/developers"), ctx) for a in _READ_GROUPS]
    return out

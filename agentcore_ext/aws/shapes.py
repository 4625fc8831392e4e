"""Plain data the AWS gateway returns, and the pure conversions from and to botocore's shapes. No boto3 here."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypedDict

from agentcore_ext.errors import EXIT_USAGE, AwsError
from agentcore_ext.iam.policy import loads_policy_text
from agentcore_ext.state import SimulationResult

ACCESS_DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})
EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"})
BAD_CREDENTIAL_CODES = frozenset(
    {"InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "InvalidAccessKeyId"}
)
THROTTLING_CODES = frozenset(
    {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "RequestThrottled"}
)
CALLER_POLICY_HINT = "`agentcore-ext policy caller` prints a policy with every permission the tool needs"


class SimulatorUnavailable(AwsError):
    """The IAM policy simulator cannot be used (refused, not implemented by the endpoint, or rejected the input)."""


def is_access_denied(exc: AwsError) -> bool:
    return exc.code in ACCESS_DENIED_CODES


class RoleInfo(TypedDict):
    RoleName: str
    RoleId: str
    Arn: str
    Path: str
    Description: str
    AssumeRolePolicyDocument: dict[str, Any]
    PermissionsBoundary: str | None  # the boundary policy's ARN
    Tags: dict[str, str]
    MaxSessionDuration: int


class Tag(TypedDict):
    Key: str
    Value: str


class UserInfo(TypedDict):
    UserName: str
    UserId: str
    Arn: str
    Path: str
    PermissionsBoundary: str | None
    Tags: dict[str, str]


def as_document(value: Any) -> dict[str, Any]:
    """botocore decodes most policy documents to dicts; some endpoints hand back URL-encoded JSON text."""
    doc = loads_policy_text(value) if isinstance(value, str) else value
    return dict(doc) if isinstance(doc, dict) else {}


def as_tags(items: Sequence[Mapping[str, str]] | None) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in items or ()}


def boundary_arn(entity: Mapping[str, Any]) -> str | None:
    block = entity.get("PermissionsBoundary") or {}
    arn = block.get("PermissionsBoundaryArn")
    return str(arn) if arn else None


def role_info(role: Mapping[str, Any]) -> RoleInfo:
    return RoleInfo(
        RoleName=role["RoleName"],
        RoleId=role.get("RoleId", ""),
        Arn=role["Arn"],
        Path=role.get("Path", "/"),
        Description=role.get("Description", ""),
        AssumeRolePolicyDocument=as_document(role.get("AssumeRolePolicyDocument") or {}),
        PermissionsBoundary=boundary_arn(role),
        Tags=as_tags(role.get("Tags")),
        MaxSessionDuration=role.get("MaxSessionDuration", 3600),
    )


def user_info(user: Mapping[str, Any]) -> UserInfo:
    return UserInfo(
        UserName=user["UserName"],
        UserId=user["UserId"],
        Arn=user["Arn"],
        Path=user["Path"],
        PermissionsBoundary=boundary_arn(user),
        Tags=as_tags(user.get("Tags")),
    )


def tag_list(tags: Mapping[str, str]) -> list[Tag]:
    """Tags as IAM's requests take them: [{"Key": ..., "Value": ...}]."""
    return [Tag(Key=k, Value=v) for k, v in tags.items()]


def create_role_params(
    name: str,
    path: str,
    trust_document: Mapping[str, Any],
    description: str,
    boundary: str | None,
    tags: Mapping[str, str],
) -> dict[str, Any]:
    """CreateRole's parameters: the trust policy as JSON text; a boundary and tags only when there are some."""
    params: dict[str, Any] = {
        "RoleName": name,
        "Path": path,
        "AssumeRolePolicyDocument": json.dumps(trust_document),
        "Description": description,
    }
    if boundary:
        params["PermissionsBoundary"] = boundary
    if tags:
        params["Tags"] = tag_list(tags)
    return params


def simulation_results(raw: Mapping[str, Any]) -> list[SimulationResult]:
    """Flatten one EvaluationResult; per-resource results (when present) override the action-level one."""

    def one(item: Mapping[str, Any], resource: str, decision: str) -> SimulationResult:
        boundary = item.get("PermissionsBoundaryDecisionDetail") or raw.get("PermissionsBoundaryDecisionDetail") or {}
        orgs = raw.get("OrganizationsDecisionDetail") or {}
        return SimulationResult(
            action=str(raw.get("EvalActionName", "")),
            resource=resource,
            decision=decision,
            matched_policies=tuple(str(m.get("SourcePolicyId", "")) for m in item.get("MatchedStatements") or ()),
            missing_context=tuple(str(k) for k in item.get("MissingContextValues") or ()),
            allowed_by_boundary=boundary.get("AllowedByPermissionsBoundary"),
            allowed_by_organizations=orgs.get("AllowedByOrganizations"),
        )

    specific = raw.get("ResourceSpecificResults") or ()
    if specific:
        return [one(s, str(s.get("EvalResourceName", "")), str(s.get("EvalResourceDecision", ""))) for s in specific]
    return [one(raw, str(raw.get("EvalResourceName", "*")), str(raw.get("EvalDecision", "")))]


def simulator_context(entries: Mapping[str, str | Sequence[str]]) -> list[Any]:
    """The simulator's ContextEntries: a str value is a "string" key, any other sequence a "stringList"."""
    out: list[Any] = []
    for key, value in entries.items():
        values = [value] if isinstance(value, str) else list(value)
        kind = "string" if isinstance(value, str) else "stringList"
        out.append({"ContextKeyName": key, "ContextKeyValues": values, "ContextKeyType": kind})
    return out


def client_error(code: str, message: str, operation: str, *, attempts: int = 1, login_hint: str = "") -> AwsError:
    """The domain error for an AWS error code: what went wrong, and the command or permission that fixes it."""
    if code in ACCESS_DENIED_CODES:
        return AwsError(
            f"AWS refused {operation}: {message}",
            f"your identity needs permission for {operation}; {CALLER_POLICY_HINT} (ask an administrator)",
            code=code,
            operation=operation,
        )
    if code in EXPIRED_CODES:
        return AwsError(
            f"your AWS credentials have expired ({operation}: {code})",
            login_hint,
            code=code,
            operation=operation,
            exit_code=EXIT_USAGE,
        )
    if code in BAD_CREDENTIAL_CODES:
        return AwsError(
            f"AWS does not accept your credentials ({operation}: {code}: {message})",
            "check the access key, profile and region; " + login_hint,
            code=code,
            operation=operation,
            exit_code=EXIT_USAGE,
        )
    if code in THROTTLING_CODES:
        return AwsError(
            f"AWS throttled {operation} ({attempts} attempts): {message}",
            "wait a minute and run again; other automation in the account may be calling IAM heavily",
            code=code,
            operation=operation,
        )
    return AwsError(f"{operation} failed: {code}: {message}", code=code, operation=operation)


def paged(call: Callable[..., Any], key: str, **params: Any) -> list[Any]:
    """Every item of an IAM listing: call(**params), then again with each answer's Marker while IsTruncated."""
    out = call(**params)
    items: list[Any] = list(out.get(key, ()))
    while out.get("IsTruncated") and out.get("Marker"):
        out = call(**params, Marker=out["Marker"])
        items.extend(out.get(key, ()))
    return items

"""Who is calling: STS identity resolved to the IAM principal that policies attach to.

Parsing the STS ARN is pure (`parse_caller_arn`); `resolve_caller` adds the one IAM read an assumed role needs
(GetRole: the session ARN carries no path). The PassRole decision lives in passrole.py and is re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from agentcore_ext.aws_data import is_access_denied
from agentcore_ext.errors import AwsError
from agentcore_ext.findings import Finding, Severity
from agentcore_ext.passrole import (
    DeployTarget,
    PassRoleResult,
    check_deploy_permissions,
    check_pass_role,
    deploy_requests,
)

if TYPE_CHECKING:
    from agentcore_ext.aws import Gateway

__all__ = [
    "SSO_PATH_PREFIX",
    "Caller",
    "DeployTarget",
    "PassRoleResult",
    "check_deploy_permissions",
    "check_pass_role",
    "deploy_requests",
    "parse_caller_arn",
    "resolve_caller",
]

KINDS = ("user", "role", "sso_role", "federated_user", "root", "unknown")
SSO_PATH_PREFIX = "/aws-reserved/sso.amazonaws.com/"
SSO_ROLE_PREFIX = "AWSReservedSSO_"


@dataclass(frozen=True)
class Caller:
    arn: str  # as GetCallerIdentity returned it (a session ARN for roles)
    principal_arn: str  # the IAM ARN policies attach to (role ARN with its path for sessions)
    kind: str  # one of KINDS
    account: str
    partition: str
    name: str
    path: str
    permissions_boundary_arn: str | None = None
    details_read: bool = False  # GetUser/GetRole answered: path and boundary are known, not assumed
    session: str = ""  # the role session name (for SSO: the person)

    def to_dict(self) -> dict[str, str]:
        return {
            "arn": self.arn,
            "principal_arn": self.principal_arn,
            "kind": self.kind,
            "account": self.account,
            "partition": self.partition,
        }


def parse_caller_arn(arn: str, account: str = "") -> Caller:
    """What the STS ARN alone says. Roles get path "/" and kind "role" until IAM tells more."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return Caller(arn, arn, "unknown", account, "aws", arn, "/")
    _, partition, service, _, acct, resource = parts
    acct = acct or account
    unknown = Caller(arn, arn, "unknown", acct, partition, resource.rsplit("/", 1)[-1], "/")
    if service == "iam" and resource == "root":
        return Caller(arn, arn, "root", acct, partition, "root", "/")
    if service == "iam" and resource.startswith("user/"):
        path, _, name = resource[len("user") :].rpartition("/")
        return Caller(arn, arn, "user", acct, partition, name, path + "/")
    if service == "sts" and resource.startswith("assumed-role/"):
        pieces = resource.split("/")
        if len(pieces) < 3:
            return unknown
        name, session = pieces[1], "/".join(pieces[2:])
        kind = "sso_role" if name.startswith(SSO_ROLE_PREFIX) else "role"
        principal = f"arn:{partition}:iam::{acct}:role/{name}"
        return Caller(arn, principal, kind, acct, partition, name, "/", session=session)
    if service == "sts" and resource.startswith("federated-user/"):
        return Caller(arn, arn, "federated_user", acct, partition, resource.split("/", 1)[1], "/")
    return unknown


def _with_role_path(caller: Caller, path: str, *, boundary: str | None, read: bool) -> Caller:
    kind = "sso_role" if path.startswith(SSO_PATH_PREFIX) else caller.kind
    principal = f"arn:{caller.partition}:iam::{caller.account}:role{path}{caller.name}"
    return replace(
        caller, principal_arn=principal, path=path, kind=kind, permissions_boundary_arn=boundary, details_read=read
    )


def resolve_caller(gateway: Gateway) -> tuple[Caller, list[Finding]]:
    """GetCallerIdentity, plus GetRole for assumed roles (a user's ARN already carries its path)."""
    ident = gateway.caller_identity()
    caller = parse_caller_arn(ident["Arn"], ident["Account"])
    findings: list[Finding] = []
    if caller.kind == "root":
        findings.append(
            Finding(
                "ROOT_CALLER",
                Severity.WARNING,
                f"you are calling AWS as the root user of account {caller.account}",
                "use an IAM role or IAM Identity Center user for daily work; root cannot be limited by policies",
            )
        )
    elif caller.kind == "unknown":
        findings.append(
            Finding(
                "CALLER_UNKNOWN",
                Severity.WARNING,
                f"unrecognised caller identity {caller.arn}",
                "the PassRole check cannot run for it; use an IAM user, an IAM role or an Identity Center role",
            )
        )
    elif caller.kind in ("role", "sso_role"):
        caller, finding = _resolve_role(gateway, caller)
        findings += [finding] if finding else []
    return caller, findings


def _resolve_role(gateway: Gateway, caller: Caller) -> tuple[Caller, Finding | None]:
    why = ""
    try:
        role = gateway.get_role(caller.name)
    except AwsError as exc:
        if not is_access_denied(exc):
            raise
        role, why = None, f"iam:GetRole on your own role was refused ({exc.code})"
    if role is not None:
        return _with_role_path(caller, role["Path"], boundary=role["PermissionsBoundary"], read=True), None
    # Identity Center roles always live under this path (sometimes with a region segment we cannot guess).
    guess = SSO_PATH_PREFIX if caller.kind == "sso_role" else "/"
    caller = _with_role_path(caller, guess, boundary=None, read=False)
    return caller, Finding(
        "CALLER_PATH_UNRESOLVED",
        Severity.INFO,
        f"{why or f'role {caller.name} was not found in IAM'}; assuming your role's ARN is {caller.principal_arn}",
        "if the role has another path the PassRole check may be inaccurate; iam:GetRole on your role fixes this",
    )

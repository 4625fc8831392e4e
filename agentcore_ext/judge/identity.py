"""Who is calling, as far as the STS ARN and IAM's answer about it tell. Pure.

aws/gather_caller.py asks STS and IAM; this module turns their answers into a Caller.
"""

from __future__ import annotations

from dataclasses import replace

from agentcore_ext.state import Caller, CallerKind

SSO_PATH_PREFIX = "/aws-reserved/sso.amazonaws.com/"
SSO_ROLE_PREFIX = "AWSReservedSSO_"


def parse_caller_arn(arn: str, account: str = "") -> Caller:
    """What the STS ARN alone says. Roles get path "/" and kind "role" until IAM tells more."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return Caller(arn, arn, CallerKind.UNKNOWN, account, "aws", arn, "/")
    _, partition, service, _, acct, resource = parts
    acct = acct or account
    unknown = Caller(arn, arn, CallerKind.UNKNOWN, acct, partition, resource.rsplit("/", 1)[-1], "/")
    if service == "iam" and resource == "root":
        return Caller(arn, arn, CallerKind.ROOT, acct, partition, "root", "/")
    if service == "iam" and resource.startswith("user/"):
        path, _, name = resource[len("user") :].rpartition("/")
        return Caller(arn, arn, CallerKind.USER, acct, partition, name, path + "/")
    if service == "sts" and resource.startswith("assumed-role/"):
        pieces = resource.split("/")
        if len(pieces) < 3:
            return unknown
        name, session = pieces[1], "/".join(pieces[2:])
        kind = CallerKind.SSO_ROLE if name.startswith(SSO_ROLE_PREFIX) else CallerKind.ROLE
        principal = f"arn:{partition}:iam::{acct}:role/{name}"
        return Caller(arn, principal, kind, acct, partition, name, "/", session=session)
    if service == "sts" and resource.startswith("federated-user/"):
        return Caller(arn, arn, CallerKind.FEDERATED_USER, acct, partition, resource.split("/", 1)[1], "/")
    return unknown


def with_role_path(caller: Caller, path: str, *, boundary: str | None, read: bool) -> Caller:
    kind = CallerKind.SSO_ROLE if path.startswith(SSO_PATH_PREFIX) else caller.kind
    principal = f"arn:{caller.partition}:iam::{caller.account}:role{path}{caller.name}"
    return replace(
        caller, principal_arn=principal, path=path, kind=kind, permissions_boundary_arn=boundary, details_read=read
    )

"""Read one execution role from IAM: the role and every document that decides what it may do, each once.

The only reader of the role; judging what it read is judge/role.py's job.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.errors import AwsError
from agentcore_ext.state import ObservedRole, observe_policy

# --- reading IAM -------------------------------------------------------------------------------------------


def _tags(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    if isinstance(value, list):
        return {str(t["Key"]): str(t.get("Value", "")) for t in value if isinstance(t, dict) and "Key" in t}
    return {}


def _boundary_arn(value: Any) -> str | None:
    if isinstance(value, dict):
        arn = value.get("PermissionsBoundaryArn")
        return str(arn) if arn else None
    return str(value) if value else None


def _get_role(gateway: Gateway, name: str) -> Mapping[str, Any] | None:
    try:
        return gateway.get_role(name)
    except AwsError as exc:  # the gateway maps NoSuchEntity to None; a stricter one may raise it
        if exc.code == "NoSuchEntity":
            return None
        raise


def find_role_name(gateway: Gateway, name: str) -> str | None:
    """The stored spelling of a role name, matched case-insensitively, or None.

    IAM role names are unique regardless of case, but emulators (moto) look them up case-sensitively. This runs
    only when GetRole found nothing (never on a compliant run) and is best effort: callers often lack
    iam:ListRoles, and "not found" is then the honest answer, so a refused or failed listing is no match.
    """
    wanted = name.lower()
    try:
        names = gateway.list_role_names()
    except AwsError:
        return None
    return next((stored for stored in names if stored.lower() == wanted), None)


def _listings(gateway: Gateway, name: str) -> tuple[list[str], list[tuple[str, str]]]:
    inline, attached = gateway.parallel(
        lambda: gateway.list_role_policy_names(name), lambda: gateway.list_attached_role_policies(name)
    )
    return inline, attached


def gather_role(gateway: Gateway, name: str, *, case_insensitive: bool = True) -> ObservedRole | None:
    """Read the role and every document that decides what it may do, each once. None when there is no such role.

    GetRole and the two policy listings go out at once (the listings need only the name): one round trip instead of
    two. When there is no such role the listings' answers (NoSuchEntity, or a refusal) mean nothing and are dropped.
    """

    def listings() -> tuple[list[str], list[tuple[str, str]]] | AwsError:
        try:
            return _listings(gateway, name)
        except AwsError as exc:
            return exc  # raised below only if the role exists

    role, listed = gateway.parallel(lambda: _get_role(gateway, name), listings)
    if role is None and case_insensitive:
        stored = find_role_name(gateway, name)
        if stored is not None and stored != name:
            role = _get_role(gateway, stored)
    if role is None:
        return None
    if str(role["RoleName"]) != name:
        listed = _listings(gateway, str(role["RoleName"]))
    if isinstance(listed, AwsError):
        raise listed
    role_name = str(role["RoleName"])
    trust = observe_policy(role.get("AssumeRolePolicyDocument") or {}, "trust policy")
    boundary_arn = _boundary_arn(role.get("PermissionsBoundary"))
    inline_names, attached_pairs = listed
    managed_arns = list(dict.fromkeys([arn for _, arn in attached_pairs] + ([boundary_arn] if boundary_arn else [])))
    documents = gateway.parallel(
        *(partial(gateway.get_role_policy_document, role_name, policy) for policy in inline_names),
        *(partial(gateway.get_managed_policy_document, arn) for arn in managed_arns),
    )
    inline = tuple(
        observe_policy(doc, policy) for policy, doc in zip(inline_names, documents[: len(inline_names)], strict=True)
    )
    managed = dict(zip(managed_arns, documents[len(inline_names) :], strict=True))
    fetched = {arn: observe_policy(managed[arn], policy_name, arn) for policy_name, arn in attached_pairs}
    boundary = None
    if boundary_arn:
        # A boundary that is also attached is read once.
        boundary = fetched.get(boundary_arn) or observe_policy(
            managed[boundary_arn], boundary_arn.rsplit("/", 1)[-1], boundary_arn
        )
    return ObservedRole(
        name=role_name,
        arn=str(role["Arn"]),
        path=str(role.get("Path") or "/"),
        trust=trust,
        inline=inline,
        attached=tuple(fetched.values()),
        boundary_arn=boundary_arn,
        boundary=boundary,
        tags=_tags(role.get("Tags")),
    )

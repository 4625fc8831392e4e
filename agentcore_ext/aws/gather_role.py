"""Read one execution role from IAM: the role and every document that decides what it may do, each once.

The only reader of the role; judging what it read is judge/role.py's job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from typing import Any

from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.aws.shapes import ACCESS_DENIED_CODES
from agentcore_ext.errors import AwsError, UsageError
from agentcore_ext.iam.policy import PolicyError, parse_policy
from agentcore_ext.judge.additional_declared import refuse_foreign
from agentcore_ext.state import AgentSpec, ExtraPolicy, ObservedRole, observe_policy

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


# --- the agent's additional managed policies ----------------------------------------------------------------


def _read_extra(gateway: Gateway, extra: ExtraPolicy) -> ExtraPolicy:
    """The policy with its default version's document; a missing one is refused (attaching it would fail half-way
    through a plan), one the caller may not read is kept unread (a warning: it is still required attached)."""
    try:
        raw = gateway.get_managed_policy_document(extra.arn)
    except AwsError as exc:
        if exc.code == "NoSuchEntity":
            raise UsageError(
                f"--additional-policy {extra.arn}: no such managed policy",
                "check the ARN (aws iam get-policy --policy-arn ARN), or create the policy first",
            ) from exc
        if exc.code in ACCESS_DENIED_CODES:
            return replace(extra, error=f"{exc.operation or 'iam:GetPolicy'} refused")
        raise
    try:
        return replace(extra, document=parse_policy(dict(raw), name=extra.arn), raw=raw)
    except PolicyError as exc:
        return replace(extra, raw=raw, error=f"its document cannot be parsed: {exc}")


def read_additional_policies(gateway: Gateway, spec: AgentSpec) -> AgentSpec:
    """The spec with the agent's --additional-policy ARNs read (GetPolicy, GetPolicyVersion; all at once), so the
    judge sees what they grant before a plan attaches them. Another account's is refused before any call."""
    extras = list(spec.profile.extra_policies)
    wanted = [i for i, e in enumerate(extras) if _unread(e)]
    if not wanted:
        return spec
    refuse_foreign(spec)
    answers = gateway.parallel(*(partial(_read_extra, gateway, extras[i]) for i in wanted))
    for i, read in zip(wanted, answers, strict=True):
        extras[i] = read
    return replace(spec, profile=replace(spec.profile, extra_policies=tuple(extras)))


def _unread(extra: ExtraPolicy) -> bool:
    return bool(extra.arn) and extra.document is None and not extra.error


def gather_role_for(gateway: Gateway, name: str, spec: AgentSpec) -> tuple[ObservedRole | None, AgentSpec]:
    """gather_role, and the agent's additional managed policies read beside it (no round trip more)."""
    if not any(_unread(e) for e in spec.profile.extra_policies):
        return gather_role(gateway, name), spec
    observed, read = gateway.parallel(
        partial(gather_role, gateway, name), partial(read_additional_policies, gateway, spec)
    )
    return observed, read

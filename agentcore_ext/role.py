"""Which execution role, what IAM holds for it, and how it is judged.

`resolve_role` is pure: flags and the caller's account/partition/region in, a validated target out, before any
AWS call. `gather_role` is the only reader: it fetches each document of the role once and returns plain data
(`ObservedRole`). `judge_role` is pure: it runs the checks on that data (plan.py re-exports it with the verdict
types, next to the planner that uses them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

from agentcore_ext import arns
from agentcore_ext.checks import PermissionsVerdict, TrustVerdict, judge_permissions, judge_trust
from agentcore_ext.errors import AwsError, UsageError
from agentcore_ext.findings import Finding, Severity
from agentcore_ext.iam.policy import PolicyDocument, PolicyError, parse_policy
from agentcore_ext.requirements import AgentSpec
from agentcore_ext.settings import MANAGED_BY_TAG, Settings

if TYPE_CHECKING:  # aws.py imports boto3; the pure half of this module must not pay for it
    from mypy_boto3_iam import IAMClient

    from agentcore_ext.aws import Gateway


# --- which role (pure) -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleTarget:
    name: str
    path: str | None  # None: a bare --execution-role name, whose path only IAM knows
    account: str
    partition: str
    source: str  # "execution-role" | "role-name" | "default"
    create_path: str = "/"  # --role-path, used only when the role is created

    @property
    def must_exist(self) -> bool:
        """--execution-role means "use this role": the tool never creates a role the user says already exists."""
        return self.source == "execution-role"

    def arn(self, path: str | None = None) -> str:
        return arns.role_arn(self.partition, self.account, self.name, path or self.path or self.create_path)


def resolve_role(settings: Settings, *, account: str, partition: str, region: str) -> RoleTarget:
    """--execution-role ARN|NAME, else --role-name, else the default name; every rule checked before any call."""
    arns.validate_account(account)
    create_path = arns.validate_role_path(settings.role_path or "/")
    if arns.is_reserved_path(create_path):
        raise UsageError(
            f"--role-path {create_path} is reserved for roles AWS manages (Identity Center, service-linked roles)",
            "choose another path, e.g. --role-path /agents/",
        )
    if settings.execution_role:
        ref = arns.parse_role_ref(settings.execution_role, account=account, partition=partition, region=region)
        return RoleTarget(ref.name, ref.path, account, partition, "execution-role", create_path)
    if settings.role_name:
        return RoleTarget(
            arns.validate_role_name(settings.role_name), None, account, partition, "role-name", create_path
        )
    if not settings.agent_name:
        raise UsageError("no agent name to derive the role name from", "pass --entrypoint FILE or --name AGENT")
    arns.validate_region(region)
    name = arns.default_role_name(region, settings.agent_name, settings.role_name_template)
    try:
        arns.validate_role_name(name)
    except UsageError as exc:
        raise UsageError(
            f"the role-name template {settings.role_name_template!r} gives an invalid name: {exc.message}",
            "fix role-name-template in [tool.agentcore-ext] or pass --role-name",
        ) from exc
    return RoleTarget(name, None, account, partition, "default", create_path)


# --- what IAM holds (plain data) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ObservedPolicy:
    """One policy document as IAM served it: `raw` kept verbatim so repairs preserve it byte for byte."""

    name: str  # inline policy name, or the managed policy's name
    raw: Mapping[str, Any]
    document: PolicyDocument | None  # None when IAM holds something the parser rejects (emulators allow it)
    arn: str = ""  # managed policies only
    error: str = ""


@dataclass(frozen=True)
class ObservedRole:
    name: str
    arn: str
    path: str
    trust: ObservedPolicy
    inline: tuple[ObservedPolicy, ...] = ()
    attached: tuple[ObservedPolicy, ...] = ()
    boundary_arn: str | None = None
    boundary: ObservedPolicy | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def reserved(self) -> bool:
        return arns.is_reserved_path(self.path)

    @property
    def managed_by_tool(self) -> bool:
        return self.tags.get(MANAGED_BY_TAG[0]) == MANAGED_BY_TAG[1]

    def inline_policy(self, name: str) -> ObservedPolicy | None:
        return next((p for p in self.inline if p.name == name), None)


def observe_policy(raw: Mapping[str, Any], name: str, arn: str = "") -> ObservedPolicy:
    try:
        return ObservedPolicy(name, raw, parse_policy(dict(raw), name=arn or name), arn)
    except PolicyError as exc:
        return ObservedPolicy(name, raw, None, arn, str(exc))


# --- judging (pure) ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleVerdict:
    name: str
    arn: str
    exists: bool
    trust_ok: bool
    permissions_ok: bool
    missing_actions: tuple[str, ...]
    findings: tuple[Finding, ...] = ()
    trust: TrustVerdict | None = None
    permissions: PermissionsVerdict | None = None

    @property
    def compliant(self) -> bool:
        return self.exists and self.trust_ok and self.permissions_ok

    def role_block(self, action_taken: str = "none") -> dict[str, Any]:
        """INTERFACE.md's `role` block for this verdict; action_taken is none | created | repaired | planned."""
        return {
            "name": self.name,
            "arn": self.arn,
            "exists": self.exists,
            "trust_ok": self.trust_ok,
            "permissions_ok": self.permissions_ok,
            "missing_actions": sorted(self.missing_actions),
            "action_taken": action_taken,
        }


def _docs(observed: ObservedRole) -> list[PolicyDocument]:
    return [p.document for p in observed.inline + observed.attached if p.document is not None]


def judge_role(observed: ObservedRole, spec: AgentSpec) -> RoleVerdict:
    findings: list[Finding] = []
    invalid = [
        p
        for p in (observed.trust, *observed.inline, *observed.attached, observed.boundary)
        if p is not None and p.document is None
    ]
    findings += [
        Finding(
            "ROLE_POLICY_INVALID",
            Severity.ERROR,
            f"{p.name} of role {observed.name} cannot be read: {p.error}",
            "fix the document in IAM; agentcore-ext judges only what it can parse",
        )
        for p in invalid
    ]
    trust = judge_trust(observed.trust.document or PolicyDocument(()), spec)
    boundary = observed.boundary.document if observed.boundary else None
    if observed.boundary and boundary is None:
        boundary = PolicyDocument((), name=observed.boundary.name)  # unreadable boundary: assume it allows nothing
    perms = judge_permissions(_docs(observed), spec, boundary, [p.name for p in observed.attached])
    findings += [*trust.findings, *perms.findings]
    trust_ok = trust.ok and observed.trust.document is not None
    if observed.reserved and not (trust_ok and perms.ok and trust.scoped):
        findings.append(
            Finding(
                "ROLE_RESERVED",
                Severity.ERROR,
                f"role {observed.arn} is managed by AWS (path {observed.path}: an IAM Identity Center or "
                "service-linked role), not an execution role; agentcore-ext never modifies it",
                "omit --execution-role so agentcore-ext finds or creates a proper execution role, or name another one",
            )
        )
    return RoleVerdict(
        observed.name, observed.arn, True, trust_ok, perms.ok, perms.missing_actions, tuple(findings), trust, perms
    )


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


def find_role_name(iam: IAMClient, name: str) -> str | None:
    """The stored spelling of a role name, matched case-insensitively, or None.

    IAM role names are unique regardless of case, but emulators (moto) look them up case-sensitively. This runs
    only when GetRole found nothing (never on a compliant run) and is best effort: callers often lack
    iam:ListRoles, and "not found" is then the honest answer, so any failure is treated as no match.
    """
    wanted = name.lower()
    try:
        for page in iam.get_paginator("list_roles").paginate():
            for role in page.get("Roles", []):
                if role["RoleName"].lower() == wanted:
                    return role["RoleName"]
    except Exception:  # botocore errors cannot be named outside aws.py; see the docstring
        return None
    return None


def gather_role(gateway: Gateway, name: str, *, case_insensitive: bool = True) -> ObservedRole | None:
    """Read the role and every document that decides what it may do, each once. None when there is no such role."""
    role = _get_role(gateway, name)
    if role is None and case_insensitive:
        stored = find_role_name(gateway.iam, name)
        if stored is not None and stored != name:
            role = _get_role(gateway, stored)
    if role is None:
        return None
    role_name = str(role["RoleName"])
    trust = observe_policy(role.get("AssumeRolePolicyDocument") or {}, "trust policy")
    boundary_arn = _boundary_arn(role.get("PermissionsBoundary"))
    # The listings, then every document, are read concurrently: on real AWS this is most of a run's wall time.
    inline_names, attached_pairs = gateway.parallel(
        lambda: gateway.list_role_policy_names(role_name), lambda: gateway.list_attached_role_policies(role_name)
    )
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

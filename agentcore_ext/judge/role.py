"""The verdict on one execution role: its trust and permissions judged for this agent. Pure.

gather (aws/gather_role.py) reads the role into an ObservedRole; this module runs the checks of judge/trust.py
and judge/permissions.py on it and adds what only the whole role shows (unreadable documents, reserved paths).
"""

from __future__ import annotations

from dataclasses import dataclass

from agentcore_ext.findings import Code, Finding
from agentcore_ext.iam.policy import PolicyDocument
from agentcore_ext.judge.permissions import PermissionsVerdict, judge_permissions
from agentcore_ext.judge.trust import TrustVerdict, judge_trust
from agentcore_ext.report import ActionTaken, RoleBlock
from agentcore_ext.state import AgentSpec, ObservedRole


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

    def role_block(self, action_taken: ActionTaken = ActionTaken.NONE) -> RoleBlock:
        """INTERFACE.md's `role` block for this verdict."""
        return RoleBlock(
            name=self.name,
            arn=self.arn,
            exists=self.exists,
            trust_ok=self.trust_ok,
            permissions_ok=self.permissions_ok,
            missing_actions=tuple(sorted(self.missing_actions)),
            action_taken=action_taken,
        )


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
            Code.ROLE_POLICY_INVALID,
            f"{p.name} of role {observed.name} cannot be read: {p.error}",
            "fix the document in IAM; agentcore-ext judges only what it can parse",
        )
        for p in invalid
    ]
    trust = judge_trust(observed.trust.document or PolicyDocument(()), spec)
    boundary = observed.boundary.document if observed.boundary else None
    if observed.boundary and boundary is None:
        boundary = PolicyDocument((), name=observed.boundary.name)  # unreadable boundary: assume it allows nothing
    attached = observed.attached
    perms = judge_permissions(_docs(observed), spec, boundary, [p.name for p in attached], [p.arn for p in attached])
    findings += [*trust.findings, *perms.findings]
    trust_ok = trust.ok and observed.trust.document is not None
    if observed.reserved and not (trust_ok and perms.ok and trust.scoped):
        findings.append(
            Finding(
                Code.ROLE_RESERVED,
                f"role {observed.arn} is managed by AWS (path {observed.path}: an IAM Identity Center or "
                "service-linked role), not an execution role; agentcore-ext never modifies it",
                "omit --execution-role so agentcore-ext finds or creates a proper execution role, or name another one",
            )
        )
    return RoleVerdict(
        observed.name, observed.arn, True, trust_ok, perms.ok, perms.missing_actions, tuple(findings), trust, perms
    )

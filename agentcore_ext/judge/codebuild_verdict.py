"""The CodeBuild role's verdict in the shape plan/planner.py plans from (a RoleVerdict). Pure.

judge/codebuild_role.py decides trust and permissions; this module adds what only the whole role shows (unreadable
documents, an AWS-managed path), exactly as judge/role.py does for the execution role, so that one planner creates
and repairs both kinds of role.
"""

from __future__ import annotations

from agentcore_ext.findings import Code, Finding
from agentcore_ext.judge.codebuild_role import judge_codebuild_permissions, judge_codebuild_trust, permission_requests
from agentcore_ext.judge.role import RoleVerdict
from agentcore_ext.state import AgentSpec, ObservedRole


def codebuild_required_actions(spec: AgentSpec) -> tuple[str, ...]:
    return tuple(sorted({r.action for r in permission_requests(spec)}))


def judge_codebuild_verdict(observed: ObservedRole, spec: AgentSpec, *, given: bool = False) -> RoleVerdict:
    invalid = [
        p
        for p in (observed.trust, *observed.inline, *observed.attached, observed.boundary)
        if p is not None and p.document is None
    ]
    findings = [
        Finding(
            Code.ROLE_POLICY_INVALID,
            f"{p.name} of CodeBuild role {observed.name} cannot be read: {p.error}",
            "fix the document in IAM; agentcore-ext judges only what it can parse",
        )
        for p in invalid
    ]
    trust = judge_codebuild_trust(observed.trust.document, spec, name=observed.name, given=given)
    perms = judge_codebuild_permissions(observed, spec, given=given)
    findings += [*trust.findings, *perms.findings]
    if observed.reserved and not (trust.ok and trust.scoped and perms.ok):
        # /aws-reserved/ (Identity Center) and /aws-service-role/ roles: AWS owns them (arns.is_reserved_path).
        findings.append(
            Finding(
                Code.ROLE_RESERVED,
                f"role {observed.arn} is managed by AWS (path {observed.path}), not a CodeBuild role for this "
                "agent; agentcore-ext never modifies it",
                "omit --code-build-execution-role so agentcore-ext finds or creates a proper one, or name another",
            )
        )
    return RoleVerdict(
        observed.name,
        observed.arn,
        True,
        trust.ok and observed.trust.document is not None,
        perms.ok,
        perms.missing_actions,
        tuple(findings),
        trust,
        perms,
    )

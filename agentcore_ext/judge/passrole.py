"""May the caller pass the execution role to AgentCore? The decision, from the simulator's answer or from the
caller's own policies evaluated locally. Pure: flows/passrole.py asks AWS and hands the answers in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from agentcore_ext.findings import Code, Finding
from agentcore_ext.iam.evaluate import Decision, Request, evaluate
from agentcore_ext.judge.passrole_explain import PASS_ROLE, PASSED_TO_SERVICE, explain_denial, refs
from agentcore_ext.judge.requirements import SERVICE_PRINCIPAL
from agentcore_ext.report import PassRoleBlock
from agentcore_ext.state import Caller, CallerKind, CallerPolicies, SimulationResult

ADVISORY = "advisory: the simulator skips SCP conditions, session policies and resource control policies"
LOCAL_READS = {
    "user": "iam:GetUser, iam:ListUserPolicies, iam:GetUserPolicy, iam:ListAttachedUserPolicies, "
    "iam:ListGroupsForUser, iam:ListGroupPolicies, iam:GetGroupPolicy, iam:ListAttachedGroupPolicies",
    "role": "iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy, iam:ListAttachedRolePolicies",
}


class PassRoleDecision(StrEnum):
    ALLOWED = "allowed"
    DENIED = "denied"
    UNKNOWN = "unknown"


class PassRoleMethod(StrEnum):
    SIMULATOR = "simulator"
    LOCAL = "local"
    NONE = "none"


@dataclass
class PassRoleResult:
    decision: PassRoleDecision
    method: PassRoleMethod
    detail: str
    findings: list[Finding] = field(default_factory=list)
    policies: CallerPolicies | None = None  # what was read, for the deploy-permission check
    simulated: dict[tuple[str, str], str] = field(default_factory=dict)  # (action, resource) -> simulator decision
    # Deploy requests with another iam: context (the CodeBuild role passed to codebuild.amazonaws.com), asked of the
    # simulator beside the main call: (context, action, resource) -> decision.
    in_context: dict[tuple[tuple[tuple[str, str], ...], str, str], str] = field(default_factory=dict)

    def block(self) -> PassRoleBlock:
        return PassRoleBlock(str(self.decision), str(self.method), self.detail)


def pass_role_request(role_arn: str) -> Request:
    """iam:PassRole on the role with iam:PassedToService = bedrock-agentcore.amazonaws.com (INTERFACE.md)."""
    return Request(PASS_ROLE, role_arn, {PASSED_TO_SERVICE: SERVICE_PRINCIPAL})


def _reads_for(caller: Caller) -> str:
    return LOCAL_READS["user" if caller.kind is CallerKind.USER else "role"]


def unknown(
    caller: Caller, role_arn: str, method: PassRoleMethod, why: str, policies: CallerPolicies | None
) -> PassRoleResult:
    finding = Finding(
        Code.PASSROLE_UNKNOWN,
        f"could not decide whether {caller.principal_arn} may pass {role_arn} to {SERVICE_PRINCIPAL}: {why}",
        f"to let the check run, allow iam:SimulatePrincipalPolicy on {caller.principal_arn}, or the reads "
        f"{_reads_for(caller)}, iam:GetPolicy, iam:GetPolicyVersion; ask an administrator to attach "
        "`agentcore-ext policy caller`",
    )
    return PassRoleResult(PassRoleDecision.UNKNOWN, method, why, [finding], policies)


def _denied(caller: Caller, role_arn: str, method: PassRoleMethod, reason: str, extra: list[Finding]) -> list[Finding]:
    return [
        Finding(
            Code.PASSROLE_DENIED,
            f"{caller.principal_arn} may not pass {role_arn} to {SERVICE_PRINCIPAL} ({method}): {reason}",
            "ask an administrator to attach the policy from `agentcore-ext policy caller`, or use a role your "
            "policies let you pass; `configure --force` proceeds anyway (deploy will then fail)",
        ),
        *extra,
    ]


def without_reads(caller: Caller, role_arn: str) -> PassRoleResult | None:
    """The decision for callers whose policies cannot be read at all; None for those the check can look at."""
    if caller.kind is CallerKind.ROOT:
        return PassRoleResult(
            PassRoleDecision.ALLOWED, PassRoleMethod.LOCAL, "the root user is not subject to IAM identity policies"
        )
    if caller.kind.readable:
        return None
    why = (
        "a federated session's permissions (the issuing user's policies cut by the session policy) cannot be read"
        if caller.kind is CallerKind.FEDERATED_USER
        else f"unrecognised caller {caller.arn}"
    )
    return unknown(caller, role_arn, PassRoleMethod.NONE, why, None)


def simulator_needs_policies(main: SimulationResult) -> bool:
    """An implicit deny says no but not why: the caller's documents can name the pattern or service that blocks."""
    return main.decision == "implicitDeny"


def from_simulator(
    caller: Caller,
    request: Request,
    main: SimulationResult,
    table: Mapping[tuple[str, str], SimulationResult],
    policies: CallerPolicies | None,
    suggested_name: str | None,
) -> PassRoleResult:
    decisions = {key: s.decision for key, s in table.items()}
    if main.decision == "allowed":
        via = f" by {', '.join(main.matched_policies)}" if main.matched_policies else ""
        return PassRoleResult(
            PassRoleDecision.ALLOWED, PassRoleMethod.SIMULATOR, f"allowed{via} ({ADVISORY})", simulated=decisions
        )
    if main.decision == "explicitDeny":
        reason = f"explicitly denied by {', '.join(main.matched_policies) or 'a policy'}"
    elif main.allowed_by_organizations is False:
        reason = "a service control policy of your AWS Organization denies it"
    elif main.allowed_by_boundary is False:
        reason = "your permissions boundary does not allow it"
    else:
        reason = "no policy of yours allows it"
    if main.missing_context:
        reason += f" (the simulator lacked context keys {', '.join(main.missing_context)})"
    extra: list[Finding] = []
    if policies is not None and policies.policies:
        explanation = explain_denial(policies.policies, policies.boundary, request, suggested_name=suggested_name)
        reason += f"; {explanation.reason}"
        extra = list(explanation.findings)
    findings = _denied(caller, request.resource, PassRoleMethod.SIMULATOR, reason, extra)
    return PassRoleResult(PassRoleDecision.DENIED, PassRoleMethod.SIMULATOR, reason, findings, policies, decisions)


def from_local(
    caller: Caller, request: Request, policies: CallerPolicies, sim_note: str, suggested_name: str | None
) -> PassRoleResult:
    role_arn = request.resource
    if not policies.listed:
        refused = ", ".join(policies.refused_actions()) or "nothing to read"
        why = f"{sim_note}; your policies could not be read ({refused})"
        return unknown(caller, role_arn, PassRoleMethod.NONE, why, None)
    ev = evaluate(policies.policies, request, policies.boundary)
    unread = f"; could not read: {', '.join(policies.unreadable)}" if policies.unreadable else ""
    if ev.decision is Decision.ALLOWED:
        findings = []
        if not policies.complete:
            findings.append(
                Finding(
                    Code.CALLER_POLICIES_INCOMPLETE,
                    f"PassRole looks allowed, but some of your policies could not be read{unread}",
                    f"an unread policy or boundary could still deny it; allowing {_reads_for(caller)} lets the "
                    "check see everything",
                )
            )
        detail = f"allowed by {refs(ev.allowed_by)} ({sim_note}){unread}"
        return PassRoleResult(PassRoleDecision.ALLOWED, PassRoleMethod.LOCAL, detail, findings, policies)
    boundary_denies = ev.boundary in (Decision.IMPLICIT_DENY, Decision.EXPLICIT_DENY)
    if ev.decision is Decision.EXPLICIT_DENY or (
        ev.decision is Decision.IMPLICIT_DENY and (policies.complete or boundary_denies)
    ):
        explanation = explain_denial(policies.policies, policies.boundary, request, suggested_name=suggested_name)
        findings = _denied(caller, role_arn, PassRoleMethod.LOCAL, explanation.reason, list(explanation.findings))
        return PassRoleResult(PassRoleDecision.DENIED, PassRoleMethod.LOCAL, explanation.reason, findings, policies)
    if ev.decision is Decision.UNKNOWN:
        why = f"{refs(ev.unknown_by)} has conditions the tool cannot evaluate offline"
    else:
        why = f"no readable policy allows it, but some could not be read{unread}"
    return unknown(caller, role_arn, PassRoleMethod.LOCAL, f"{why} ({sim_note})", policies)

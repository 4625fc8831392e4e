"""May the caller pass the execution role to AgentCore? Simulator first, then local evaluation, else unknown.

The caller's policies are read at most once: `check_pass_role` keeps what it read (or what the simulator said
about the deploy actions) in its result, and `check_deploy_permissions` judges from that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentcore_ext.aws_data import SimulationResult, SimulatorUnavailable
from agentcore_ext.caller_policies import CallerPolicies, collect_caller_policies
from agentcore_ext.deploy_needs import (
    DeployTarget,
    deploy_findings,
    deploy_requests,
    deploy_unknown,
    judge_local,
    judge_simulated,
)
from agentcore_ext.findings import Finding, Severity
from agentcore_ext.iam.evaluate import Decision, Request, evaluate
from agentcore_ext.passrole_explain import PASS_ROLE, PASSED_TO_SERVICE, explain_denial, refs
from agentcore_ext.requirements import SERVICE_PRINCIPAL

if TYPE_CHECKING:
    from agentcore_ext.aws import Gateway
    from agentcore_ext.identity import Caller

__all__ = ["DeployTarget", "PassRoleResult", "check_deploy_permissions", "check_pass_role", "deploy_requests"]

READABLE_KINDS = ("user", "role", "sso_role")
ADVISORY = "advisory: the simulator skips SCP conditions, session policies and resource control policies"
LOCAL_READS = {
    "user": "iam:GetUser, iam:ListUserPolicies, iam:GetUserPolicy, iam:ListAttachedUserPolicies, "
    "iam:ListGroupsForUser, iam:ListGroupPolicies, iam:GetGroupPolicy, iam:ListAttachedGroupPolicies",
    "role": "iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy, iam:ListAttachedRolePolicies",
}


@dataclass
class PassRoleResult:
    decision: str  # "allowed" | "denied" | "unknown"
    method: str  # "simulator" | "local" | "none"
    detail: str
    findings: list[Finding] = field(default_factory=list)
    policies: CallerPolicies | None = None  # what was read, for check_deploy_permissions
    simulated: dict[tuple[str, str], str] = field(default_factory=dict)  # (action, resource) -> simulator decision

    def to_dict(self) -> dict[str, Any]:
        return {"decision": self.decision, "method": self.method, "detail": self.detail}


def _unknown(caller: Caller, role_arn: str, method: str, why: str, policies: CallerPolicies | None) -> PassRoleResult:
    reads = LOCAL_READS["user" if caller.kind == "user" else "role"]
    finding = Finding(
        "PASSROLE_UNKNOWN",
        Severity.WARNING,
        f"could not decide whether {caller.principal_arn} may pass {role_arn} to {SERVICE_PRINCIPAL}: {why}",
        f"to let the check run, allow iam:SimulatePrincipalPolicy on {caller.principal_arn}, or the reads {reads}, "
        "iam:GetPolicy, iam:GetPolicyVersion; ask an administrator to attach `agentcore-ext policy caller`",
    )
    return PassRoleResult("unknown", method, why, [finding], policies)


def _denied(caller: Caller, role_arn: str, method: str, reason: str, extra: list[Finding]) -> list[Finding]:
    return [
        Finding(
            "PASSROLE_DENIED",
            Severity.ERROR,
            f"{caller.principal_arn} may not pass {role_arn} to {SERVICE_PRINCIPAL} ({method}): {reason}",
            "ask an administrator to attach the policy from `agentcore-ext policy caller`, or use a role your "
            "policies let you pass; `configure --force` proceeds anyway (deploy will then fail)",
        ),
        *extra,
    ]


def check_pass_role(
    gateway: Gateway,
    caller: Caller,
    role_arn: str,
    *,
    suggested_name: str | None = None,
    deploy: DeployTarget | None = None,
) -> PassRoleResult:
    """iam:PassRole on role_arn with iam:PassedToService = bedrock-agentcore.amazonaws.com.

    `deploy`: also ask the simulator about the deploy actions in the same call, for check_deploy_permissions.
    """
    if caller.kind == "root":
        return PassRoleResult("allowed", "local", "the root user is not subject to IAM identity policies")
    if caller.kind not in READABLE_KINDS:
        why = (
            "a federated session's permissions (the issuing user's policies cut by the session policy) cannot be read"
            if caller.kind == "federated_user"
            else f"unrecognised caller {caller.arn}"
        )
        return _unknown(caller, role_arn, "none", why, None)
    request = Request(PASS_ROLE, role_arn, {PASSED_TO_SERVICE: SERVICE_PRINCIPAL})
    extra = deploy_requests(deploy) if deploy else ()
    try:
        sims = gateway.simulate_principal_policy(
            caller.principal_arn,
            list(dict.fromkeys([PASS_ROLE, *(r.action for r in extra)])),
            list(dict.fromkeys([role_arn, *(r.resource for r in extra)])),
            {PASSED_TO_SERVICE: SERVICE_PRINCIPAL},
        )
    except SimulatorUnavailable as exc:
        sim_note = f"simulator unavailable ({exc.message})"
    else:
        table = {(s.action, s.resource): s for s in sims}
        main = table.get((PASS_ROLE, role_arn))
        if main is not None:
            return _from_simulator(gateway, caller, request, main, table, suggested_name)
        sim_note = "simulator gave no answer for the role"
    policies = collect_caller_policies(gateway, caller)
    return _from_local(caller, request, policies, sim_note, suggested_name)


def _from_simulator(
    gateway: Gateway,
    caller: Caller,
    request: Request,
    main: SimulationResult,
    table: dict[tuple[str, str], SimulationResult],
    suggested_name: str | None,
) -> PassRoleResult:
    decisions = {key: s.decision for key, s in table.items()}
    if main.decision == "allowed":
        via = f" by {', '.join(main.matched_policies)}" if main.matched_policies else ""
        return PassRoleResult("allowed", "simulator", f"allowed{via} ({ADVISORY})", simulated=decisions)
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
    policies = None
    if main.decision == "implicitDeny":
        # The simulator says no but not why; the caller's documents can name the pattern or service that blocks.
        policies = collect_caller_policies(gateway, caller)
        if policies.policies:
            explanation = explain_denial(policies.policies, policies.boundary, request, suggested_name=suggested_name)
            reason += f"; {explanation.reason}"
            extra = list(explanation.findings)
    findings = _denied(caller, request.resource, "simulator", reason, extra)
    return PassRoleResult("denied", "simulator", reason, findings, policies, decisions)


def _from_local(
    caller: Caller, request: Request, policies: CallerPolicies, sim_note: str, suggested_name: str | None
) -> PassRoleResult:
    role_arn = request.resource
    if not policies.listed:
        refused = ", ".join(policies.refused_actions()) or "nothing to read"
        return _unknown(caller, role_arn, "none", f"{sim_note}; your policies could not be read ({refused})", None)
    ev = evaluate(policies.policies, request, policies.boundary)
    unread = f"; could not read: {', '.join(policies.unreadable)}" if policies.unreadable else ""
    if ev.decision is Decision.ALLOWED:
        findings = []
        if not policies.complete:
            findings.append(
                Finding(
                    "CALLER_POLICIES_INCOMPLETE",
                    Severity.INFO,
                    f"PassRole looks allowed, but some of your policies could not be read{unread}",
                    "an unread policy or boundary could still deny it; allowing "
                    + LOCAL_READS["user" if caller.kind == "user" else "role"]
                    + " lets the check see everything",
                )
            )
        return PassRoleResult(
            "allowed", "local", f"allowed by {refs(ev.allowed_by)} ({sim_note}){unread}", findings, policies
        )
    boundary_denies = ev.boundary in (Decision.IMPLICIT_DENY, Decision.EXPLICIT_DENY)
    if ev.decision is Decision.EXPLICIT_DENY or (
        ev.decision is Decision.IMPLICIT_DENY and (policies.complete or boundary_denies)
    ):
        explanation = explain_denial(policies.policies, policies.boundary, request, suggested_name=suggested_name)
        findings = _denied(caller, role_arn, "local", explanation.reason, list(explanation.findings))
        return PassRoleResult("denied", "local", explanation.reason, findings, policies)
    if ev.decision is Decision.UNKNOWN:
        why = f"{refs(ev.unknown_by)} has conditions the tool cannot evaluate offline"
    else:
        why = f"no readable policy allows it, but some could not be read{unread}"
    return _unknown(caller, role_arn, "local", f"{why} ({sim_note})", policies)


def check_deploy_permissions(
    source: PassRoleResult | CallerPolicies | Gateway,
    caller: Caller,
    region: str,
    account: str,
    partition: str,
    agent: str,
    deployment_type: str,
) -> list[Finding]:
    """Warnings for deploy permissions the caller lacks. Pass the PassRoleResult to reuse what it read."""
    target = DeployTarget(region, account, partition, agent, deployment_type)
    requests = deploy_requests(target)
    if caller.kind == "root":
        return []
    if caller.kind not in READABLE_KINDS:
        return [deploy_unknown(f"the permissions of a {caller.kind} caller cannot be read")]
    policies: CallerPolicies | None
    if isinstance(source, PassRoleResult):
        if all((r.action, r.resource) in source.simulated for r in requests):
            return deploy_findings(deployment_type, judge_simulated(source.simulated, requests))
        policies = source.policies
    elif isinstance(source, CallerPolicies):
        policies = source
    else:
        try:
            sims = source.simulate_principal_policy(
                caller.principal_arn,
                list(dict.fromkeys(r.action for r in requests)),
                list(dict.fromkeys(r.resource for r in requests)),
                {},
            )
            decisions = {(s.action, s.resource): s.decision for s in sims}
            return deploy_findings(deployment_type, judge_simulated(decisions, requests))
        except SimulatorUnavailable:
            policies = collect_caller_policies(source, caller)
    if policies is None or not policies.listed:
        return [deploy_unknown("neither the IAM policy simulator nor your own policies could answer")]
    missing, undecided = judge_local(policies.policies, policies.boundary, requests, complete=policies.complete)
    return deploy_findings(deployment_type, missing, undecided)

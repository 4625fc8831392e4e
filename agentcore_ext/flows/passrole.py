"""The PassRole and deploy-permission checks as a sequence of AWS reads: the simulator first, then the caller's
own policies, each read at most once; every decision is made by judge/passrole.py and judge/deploy_needs.py.
"""

from __future__ import annotations

from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.aws.gather_caller import collect_caller_policies
from agentcore_ext.aws.shapes import SimulatorUnavailable
from agentcore_ext.findings import Finding
from agentcore_ext.judge import passrole as decide
from agentcore_ext.judge.deploy_needs import (
    deploy_findings,
    deploy_requests,
    deploy_unknown,
    judge_local,
    judge_simulated,
)
from agentcore_ext.judge.passrole import PassRoleResult
from agentcore_ext.judge.passrole_explain import PASS_ROLE, PASSED_TO_SERVICE
from agentcore_ext.judge.requirements import SERVICE_PRINCIPAL
from agentcore_ext.state import AgentSpec, Caller, CallerKind, CallerPolicies


def check_pass_role(
    gateway: Gateway,
    caller: Caller,
    role_arn: str,
    *,
    suggested_name: str | None = None,
    deploy: AgentSpec | None = None,
) -> PassRoleResult:
    """iam:PassRole on role_arn with iam:PassedToService = bedrock-agentcore.amazonaws.com.

    `deploy`: also ask the simulator about that agent's deploy actions in the same call, for check_deploy_permissions.
    """
    early = decide.without_reads(caller, role_arn)
    if early is not None:
        return early
    request = decide.pass_role_request(role_arn)
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
            policies = collect_caller_policies(gateway, caller) if decide.simulator_needs_policies(main) else None
            return decide.from_simulator(caller, request, main, table, policies, suggested_name)
        sim_note = "simulator gave no answer for the role"
    policies = collect_caller_policies(gateway, caller)
    return decide.from_local(caller, request, policies, sim_note, suggested_name)


def check_deploy_permissions(
    source: PassRoleResult | CallerPolicies | Gateway, caller: Caller, spec: AgentSpec
) -> list[Finding]:
    """Warnings for deploy permissions the caller lacks. Pass the PassRoleResult to reuse what it read."""
    requests = deploy_requests(spec)
    if caller.kind is CallerKind.ROOT:
        return []
    if not caller.kind.readable:
        return [deploy_unknown(f"the permissions of a {caller.kind} caller cannot be read")]
    policies: CallerPolicies | None
    if isinstance(source, PassRoleResult):
        if all((r.action, r.resource) in source.simulated for r in requests):
            return deploy_findings(spec.deployment_type, judge_simulated(source.simulated, requests))
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
            return deploy_findings(spec.deployment_type, judge_simulated(decisions, requests))
        except SimulatorUnavailable:
            policies = collect_caller_policies(source, caller)
    if policies is None or not policies.listed:
        return [deploy_unknown("neither the IAM policy simulator nor your own policies could answer")]
    missing, undecided = judge_local(policies.policies, policies.boundary, requests, complete=policies.complete)
    return deploy_findings(spec.deployment_type, missing, undecided)

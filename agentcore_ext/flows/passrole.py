"""The PassRole and deploy-permission checks as a sequence of AWS reads: the simulator first, then the caller's
own policies, each read at most once; every decision is made by judge/passrole.py and judge/deploy_needs.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import partial

from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.aws.gather_caller import collect_caller_policies, first_reads
from agentcore_ext.aws.shapes import SimulatorUnavailable
from agentcore_ext.findings import Finding
from agentcore_ext.iam.evaluate import Request
from agentcore_ext.judge import passrole as decide
from agentcore_ext.judge.deploy_needs import (
    ContextKey,
    DeployTarget,
    Outcome,
    deploy_block,
    deploy_findings,
    deploy_mode,
    deploy_steps,
    deploy_unknown,
    iam_context,
    local_outcome,
    simulated_steps,
)
from agentcore_ext.judge.passrole import PassRoleResult
from agentcore_ext.judge.passrole_explain import PASS_ROLE, PASSED_TO_SERVICE
from agentcore_ext.judge.requirements import SERVICE_PRINCIPAL
from agentcore_ext.report import DeployBlock
from agentcore_ext.state import AgentSpec, Caller, CallerKind, CallerPolicies, SimulationResult


def check_pass_role(
    gateway: Gateway,
    caller: Caller,
    role_arn: str,
    *,
    suggested_name: str | None = None,
    deploy: AgentSpec | None = None,
    target: DeployTarget | None = None,
) -> PassRoleResult:
    """iam:PassRole on role_arn with iam:PassedToService = bedrock-agentcore.amazonaws.com.

    `deploy`: also ask the simulator about that agent's deploy actions, for deploy_preflight: those sharing the
    PassRole context in the same call, the others (the CodeBuild role's PassRole) in calls of their own beside it,
    so the whole preflight costs the simulator's one round trip.
    """
    early = decide.without_reads(caller, role_arn)
    if early is not None:
        return early
    request = decide.pass_role_request(role_arn)
    steps = simulated_steps(deploy, target) if deploy else ()
    extra = [s.request for s in steps if s.shared_context]

    def simulate() -> list[SimulationResult] | SimulatorUnavailable:
        try:
            return gateway.simulate_principal_policy(
                caller.principal_arn,
                list(dict.fromkeys([PASS_ROLE, *(r.action for r in extra)])),
                list(dict.fromkeys([role_arn, *(r.resource for r in extra)])),
                {PASSED_TO_SERVICE: SERVICE_PRINCIPAL},
            )
        except SimulatorUnavailable as exc:
            return exc

    # The caller's first policy reads go out beside the simulator (gather_caller.FirstReads: why, and the price).
    sims, first, in_context = gateway.parallel(
        simulate,
        lambda: first_reads(gateway, caller),
        lambda: simulate_in_context(gateway, caller, [s.request for s in steps if not s.shared_context]),
    )
    if isinstance(sims, SimulatorUnavailable):
        sim_note = f"simulator unavailable ({sims.message})"
    else:
        table = {(s.action, s.resource): s for s in sims}
        main = table.get((PASS_ROLE, role_arn))
        if main is not None:
            needs = decide.simulator_needs_policies(main)
            policies = collect_caller_policies(gateway, caller, first) if needs else None
            result = decide.from_simulator(caller, request, main, table, policies, suggested_name)
            return replace(result, in_context=in_context)
        sim_note = "simulator gave no answer for the role"
    policies = collect_caller_policies(gateway, caller, first)
    return replace(decide.from_local(caller, request, policies, sim_note, suggested_name), in_context=in_context)


def check_deploy_permissions(
    source: PassRoleResult | CallerPolicies | Gateway, caller: Caller, spec: AgentSpec
) -> list[Finding]:
    """Warnings for deploy permissions the caller lacks. Pass the PassRoleResult to reuse what it read."""
    return deploy_preflight(source, caller, spec)[1]


def deploy_preflight(
    source: PassRoleResult | CallerPolicies | Gateway,
    caller: Caller,
    spec: AgentSpec,
    target: DeployTarget | None = None,
    *,
    gateway: Gateway | None = None,
) -> tuple[DeployBlock | None, list[Finding]]:
    """The caller's deploy permissions in this mode, step by step: the report's `deploy` block and its findings.

    Decided from the simulator's answers where they were asked with the right context, else from the caller's own
    policies (read at most once); `gateway` lets the CodeBuild PassRole be asked of the simulator separately.
    """
    target = target or DeployTarget(deploy_mode(spec.deployment_type))
    steps = deploy_steps(spec, target)
    if caller.kind is CallerKind.ROOT:
        return deploy_block(target.mode, [(s, "allowed") for s in steps], "allowed"), []
    if not caller.kind.readable:
        return None, [deploy_unknown(f"the permissions of a {caller.kind} caller cannot be read")]
    runtime: Outcome | None = None
    simulated: dict[tuple[str, str], str] = {}
    in_context: dict[tuple[ContextKey, str, str], str] = {}
    policies: CallerPolicies | None = None
    if isinstance(source, PassRoleResult):
        runtime = str(source.decision)
        simulated, in_context, policies = source.simulated, source.in_context, source.policies
    elif isinstance(source, CallerPolicies):
        policies = source
    else:
        gateway = source
    decided: dict[int, Outcome] = {}
    for i, s in enumerate(steps):
        key = (s.request.action, s.request.resource)
        answer = simulated.get(key) if s.shared_context else in_context.get((iam_context(s.request), *key))
        if answer is not None:
            decided[i] = "allowed" if answer == "allowed" else "denied"
    rest = [i for i in range(len(steps)) if i not in decided]
    if rest and policies is None and gateway is not None:
        asked = simulate_in_context(gateway, caller, [steps[i].request for i in rest])
        for i in rest:
            answer = asked.get((iam_context(steps[i].request), steps[i].request.action, steps[i].request.resource))
            if answer is not None:
                decided[i] = "allowed" if answer == "allowed" else "denied"
        rest = [i for i in range(len(steps)) if i not in decided]
        if rest:
            policies = collect_caller_policies(gateway, caller)
    if rest and (policies is None or not policies.listed):
        if not decided:
            return None, [deploy_unknown("neither the IAM policy simulator nor your own policies could answer")]
        decided.update((i, "unknown") for i in rest)
    elif rest and policies is not None:
        for i in rest:
            decided[i] = local_outcome(
                policies.policies, policies.boundary, steps[i].request, complete=policies.complete
            )
    block = deploy_block(target.mode, [(s, decided[i]) for i, s in enumerate(steps)], runtime)
    return block, deploy_findings(block, target.codebuild_role_arn)


def simulate_in_context(
    gateway: Gateway, caller: Caller, requests: Sequence[Request]
) -> dict[tuple[ContextKey, str, str], str]:
    """One simulator call per distinct iam: context, all at once: (context, action, resource) -> decision.

    Empty when the simulator is unavailable for any of them (the caller's policies then decide every step alike)."""
    groups: dict[ContextKey, list[Request]] = {}
    for r in requests:
        groups.setdefault(iam_context(r), []).append(r)

    def ask(context: ContextKey, group: list[Request]) -> list[SimulationResult] | None:
        try:
            return gateway.simulate_principal_policy(
                caller.principal_arn,
                list(dict.fromkeys(r.action for r in group)),
                list(dict.fromkeys(r.resource for r in group)),
                dict(context),
            )
        except SimulatorUnavailable:
            return None

    answers = gateway.parallel(*(partial(ask, key, group) for key, group in groups.items()))
    if any(sims is None for sims in answers):
        return {}
    return {
        (key, r.action, r.resource): r.decision for key, sims in zip(groups, answers, strict=True) for r in sims or ()
    }

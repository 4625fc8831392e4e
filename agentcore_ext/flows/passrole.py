"""The PassRole and deploy-permission checks as a sequence of AWS reads: the simulator first, then the caller's
own policies, each read at most once; every decision is made by judge/passrole.py and judge/deploy_needs.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.aws.gather_caller import collect_caller_policies, first_reads
from agentcore_ext.aws.shapes import SimulatorUnavailable
from agentcore_ext.errors import AgentCoreExtError
from agentcore_ext.findings import Finding
from agentcore_ext.judge import passrole as decide
from agentcore_ext.judge.deploy_needs import (
    DeployMode,
    DeployTarget,
    Outcome,
    StepRequest,
    codebuild_role_arn,
    deploy_block,
    deploy_findings,
    deploy_mode,
    deploy_steps,
    deploy_unknown,
    local_outcome,
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

    `deploy`: also ask the simulator about that agent's deploy actions in the same call, for check_deploy_permissions.
    """
    early = decide.without_reads(caller, role_arn)
    if early is not None:
        return early
    request = decide.pass_role_request(role_arn)
    extra = [s.request for s in deploy_steps(deploy, target) if s.shared_context] if deploy else []

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
    sims, first = gateway.parallel(simulate, lambda: first_reads(gateway, caller))
    if isinstance(sims, SimulatorUnavailable):
        sim_note = f"simulator unavailable ({sims.message})"
    else:
        table = {(s.action, s.resource): s for s in sims}
        main = table.get((PASS_ROLE, role_arn))
        if main is not None:
            needs = decide.simulator_needs_policies(main)
            policies = collect_caller_policies(gateway, caller, first) if needs else None
            return decide.from_simulator(caller, request, main, table, policies, suggested_name)
        sim_note = "simulator gave no answer for the role"
    policies = collect_caller_policies(gateway, caller, first)
    return decide.from_local(caller, request, policies, sim_note, suggested_name)


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
    policies: CallerPolicies | None = None
    if isinstance(source, PassRoleResult):
        runtime = str(source.decision)
        simulated, policies = source.simulated, source.policies
    elif isinstance(source, CallerPolicies):
        policies = source
    else:
        gateway = source
    decided: dict[int, Outcome] = {}
    for i, s in enumerate(steps):
        answer = simulated.get((s.request.action, s.request.resource)) if s.shared_context else None
        if answer is not None:
            decided[i] = "allowed" if answer == "allowed" else "denied"
    rest = [i for i in range(len(steps)) if i not in decided]
    if rest and policies is None and gateway is not None:
        decided.update(_simulate(gateway, caller, steps, rest))
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


def _simulate(gateway: Gateway, caller: Caller, steps: Sequence[StepRequest], which: list[int]) -> dict[int, Outcome]:
    """One simulator call per distinct iam: context, all at once; {} when the simulator is unavailable."""
    groups: dict[tuple[tuple[str, str], ...], list[int]] = {}
    for i in which:
        context = {k: v for k, v in steps[i].request.context.items() if k.startswith("iam:")}
        groups.setdefault(tuple(sorted((k, str(v)) for k, v in context.items())), []).append(i)

    def ask(context_key: tuple[tuple[str, str], ...], indices: list[int]) -> list[SimulationResult] | None:
        group = [steps[i] for i in indices]
        try:
            return gateway.simulate_principal_policy(
                caller.principal_arn,
                list(dict.fromkeys(s.request.action for s in group)),
                list(dict.fromkeys(s.request.resource for s in group)),
                dict(context_key),
            )
        except SimulatorUnavailable:
            return None

    answers = gateway.parallel(*(partial(ask, key, indices) for key, indices in groups.items()))
    if any(sims is None for sims in answers):
        return {}
    out: dict[int, Outcome] = {}
    for indices, sims in zip(groups.values(), answers, strict=True):
        table = {(r.action, r.resource): r.decision for r in sims or ()}
        for i in indices:
            answer = table.get((steps[i].request.action, steps[i].request.resource))
            if answer is not None:
                out[i] = "allowed" if answer == "allowed" else "denied"
    return out


def deploy_target(
    gateway: Gateway, spec: AgentSpec, codebuild_role: str | None = None, *, local_build: bool = False
) -> DeployTarget:
    """The deploy mode and, for CodeBuild, the CodeBuild role deploy will use and whether it exists (one GetRole)."""
    mode = deploy_mode(spec.deployment_type, local_build=local_build)
    if mode is not DeployMode.CODEBUILD:
        return DeployTarget(mode)
    arn = codebuild_role_arn(spec, codebuild_role)
    try:
        exists: bool | None = gateway.get_role(arn.rsplit("/", 1)[-1]) is not None
    except AgentCoreExtError:
        exists = None  # not readable: the preflight judges GetRole and PassRole only
    return DeployTarget(mode, arn, exists)

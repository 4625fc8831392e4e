"""One run's AWS side: the gateway, who is calling, and the agent being judged; and the steps every flow shares.

Flows fill a Report and return an exit code; they print nothing themselves (progress and prompts come in as
callbacks from the CLI), so the same flows run under the CLI, the deploy guard and the tests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import TypeVar

from agentcore_ext import arns
from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.aws.gather_caller import resolve_caller
from agentcore_ext.errors import AgentCoreExtError, AwsError, UsageError
from agentcore_ext.findings import regrade
from agentcore_ext.flows import passrole
from agentcore_ext.flows.profile import profiled_spec
from agentcore_ext.flows.role import RoleOutcome
from agentcore_ext.judge.deploy_needs import DeployTarget
from agentcore_ext.judge.needs import requirement_blocks
from agentcore_ext.judge.passrole import PassRoleResult
from agentcore_ext.judge.target import resolve_role
from agentcore_ext.plan.display import describe, overview
from agentcore_ext.plan.model import Plan
from agentcore_ext.report import ActionTaken, Report
from agentcore_ext.settings import Settings
from agentcore_ext.state import AgentSpec, Caller

T = TypeVar("T")
Confirm = Callable[[Plan], bool]
Progress = Callable[[str], None]


@dataclass
class Session:
    gateway: Gateway
    caller: Caller
    spec: AgentSpec
    settings: Settings


def open_session(
    settings: Settings,
    report: Report,
    *,
    also_read: Callable[[str], Sequence[str | None]] | None = None,
    refine: Callable[[Gateway, str], Callable[[Settings], Settings]] | None = None,
) -> Session:
    """The gateway, GetCallerIdentity (and GetRole for a role's path), and the agent spec for that account.

    `also_read(region)`: the names of other roles the flow will read (the CodeBuild role; None: no such role);
    their first reads go out beside GetCallerIdentity too.
    `refine(gateway, region)`: called in this thread (its clients are made here); the function it returns runs beside
    GetCallerIdentity and gives the settings the agent spec is built from (doctor: the deployed runtime's facts)."""
    gateway = Gateway(profile=settings.profile, region=settings.region)
    gateway.on_request = lambda calls: report_calls(report, gateway)  # counts stay right when a step fails
    report_calls(report, gateway)
    region = settings.region or gateway.region
    arns.validate_region(region)
    early = [n for n in (_predicted_role_name(settings, region), *(also_read(region) if also_read else ())) if n]
    if early:
        gateway.speculate(*early)  # every flow reads this role: its first reads share GetCallerIdentity's round trip
    refining = refine(gateway, region) if refine is not None else None
    if refining is None:
        caller, findings = resolve_caller(gateway)
    else:
        (caller, findings), settings = gateway.parallel(partial(resolve_caller, gateway), partial(refining, settings))
    report.caller = caller.block()
    report.add(findings)
    report_calls(report, gateway)
    if settings.account and settings.account != caller.account:
        raise UsageError(
            f"--account {settings.account} does not match your credentials' account {caller.account}",
            "switch --profile, or drop --account",
        )
    partition = caller.partition if caller.partition.startswith("aws") else arns.partition_for_region(region)
    if arns.partition_for_region(region) != partition:
        raise UsageError(
            f"region {region} is not in your credentials' partition {partition}",
            "pick a region of that partition, or credentials for the region's partition",
        )
    settings = settings.with_(region=region)
    spec = profiled_spec(
        settings,
        report,
        account=caller.account,
        partition=partition,
        profile_models=lambda ids: _profile_models(gateway, ids),
    )
    return Session(gateway, caller, spec, settings)


def _predicted_role_name(settings: Settings, region: str) -> str | None:
    """The execution role's name as the flags give it, before the account is known; None when unsure."""
    try:
        if settings.execution_role and settings.execution_role.startswith("arn:"):
            return settings.execution_role.rsplit("/", 1)[-1]  # the account is the ARN's, checked later
        return resolve_role(settings, account="000000000000", partition="aws", region=region).name
    except AgentCoreExtError:
        return None  # an invalid flag is refused later, with its own message, by the same resolve_role


def _profile_models(gateway: Gateway, ids: list[str]) -> dict[str, tuple[str, ...]]:
    """The model ARNs each inference profile routes to as Bedrock answers them (one GetInferenceProfile each, in
    parallel): a geographic profile's destinations, an application profile's models."""
    answers = gateway.parallel(*(partial(gateway.inference_profile_models, i) for i in ids))
    return {i: found for i, found in zip(ids, answers, strict=True) if found}


def report_calls(report: Report, gateway: Gateway) -> None:
    report.aws_calls = gateway.calls


def predicted_role_arn(s: Session) -> str:
    """The ARN the role check will most likely settle on (flags or the default name), known before any role read."""
    return resolve_role(s.settings, account=s.spec.account, partition=s.spec.partition, region=s.spec.region).arn()


def pass_role_result(s: Session, role_arn: str, target: DeployTarget | None = None) -> PassRoleResult:
    """The PassRole decision (and what it read) for role_arn; touches no report, so it may run beside the role check."""
    suggested = arns.default_role_name(s.spec.region, s.spec.agent, s.settings.role_name_template)
    return passrole.check_pass_role(
        s.gateway, s.caller, role_arn, suggested_name=suggested, deploy=s.spec, target=target
    )


def with_pass_role(
    s: Session, role_check: Callable[[], T], target: DeployTarget | None = None
) -> tuple[T, PassRoleResult | None, str]:
    """role_check() and the PassRole decision for the predicted role ARN at once: the decision needs only the ARN,
    so its reads (the simulator, or the caller's policies) share round trips with the role's. Returns the result of
    role_check, the early decision and the ARN it was made for; a failed role check raises its own error (the
    decision's error, if any, is dropped: the run stops there either way)."""
    predicted = predicted_role_arn(s)
    early: list[PassRoleResult | AwsError] = []

    def decide() -> None:
        try:
            early.append(pass_role_result(s, predicted, target))
        except AwsError as exc:
            early.append(exc)

    outcome, _ = s.gateway.parallel(role_check, decide)
    result = early[0] if early else None
    if isinstance(result, AwsError):
        raise result
    return outcome, result, predicted


def check_pass_role(
    s: Session,
    role_arn: str,
    report: Report,
    target: DeployTarget | None = None,
    *,
    early: PassRoleResult | None = None,
    early_arn: str = "",
) -> PassRoleResult:
    """PassRole on the role, and the caller's deploy preflight (report.deploy) from what that check read.

    `early`: a decision already made for `early_arn` (with_pass_role); used when it is this role's."""
    result = early if early is not None and early_arn == role_arn else pass_role_result(s, role_arn, target)
    report.pass_role = result.block()
    report.add(result.findings)
    report.deploy, findings = passrole.deploy_preflight(result, s.caller, s.spec, target, gateway=s.gateway)
    report.add(findings)
    report_calls(report, s.gateway)
    return result


def role_into_report(outcome: RoleOutcome, report: Report, s: Session) -> None:
    report.role = replace(outcome.role, requirements=requirement_blocks(s.spec))
    plan = outcome.plan
    findings = list(outcome.findings)
    if outcome.role.action_taken is ActionTaken.PLANNED and not plan.blocked_by:
        # --dry-run with a plan that would fix everything: the run succeeds (exit 0); what is wrong now stays
        # in the report as warnings, each one covered by the plan shown.
        findings = regrade(findings, message=lambda m: f"{m} (the plan fixes this)")
    report.add(findings)
    if plan.actions or plan.blocked_by:
        report.plan = plan.to_dict()
    if plan.actions and outcome.role.action_taken in (ActionTaken.NONE, ActionTaken.PLANNED):
        report.notes.append(describe(plan) if s.settings.show_documents else overview(plan))

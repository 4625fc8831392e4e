"""The flows behind doctor and role ensure: caller -> PassRole -> role (configure_flow.py then runs the toolkit).

Each flow fills a Report and returns an exit code; it prints nothing itself (progress and prompts come in as
callbacks from the CLI), so the same flows run under the CLI, the deploy guard and the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from agentcore_ext import arns
from agentcore_ext.errors import EXIT_CHECKS_FAILED, AgentCoreExtError, ChecksFailed, UsageError
from agentcore_ext.findings import Finding, Severity, has_errors
from agentcore_ext.report import Report
from agentcore_ext.requirements import AgentSpec
from agentcore_ext.settings import Settings

if TYPE_CHECKING:
    from agentcore_ext.aws import Gateway
    from agentcore_ext.identity import Caller
    from agentcore_ext.passrole import PassRoleResult
    from agentcore_ext.plan import Plan
    from agentcore_ext.role_service import RoleOutcome

Confirm = Callable[["Plan"], bool]
Progress = Callable[[str], None]


@dataclass
class Session:
    """One run's AWS side: the gateway, who is calling, and the agent being judged."""

    gateway: Gateway
    caller: Caller
    spec: AgentSpec
    settings: Settings


def open_session(settings: Settings, report: Report) -> Session:
    from agentcore_ext.aws import Gateway
    from agentcore_ext.identity import resolve_caller

    gateway = Gateway(profile=settings.profile, region=settings.region)
    gateway.on_request = lambda calls: report_calls(report, gateway)  # counts stay right when a step fails
    report_calls(report, gateway)
    region = settings.region or gateway.region
    if not region:
        raise UsageError(
            "no AWS region configured", "pass --region us-east-1, set AWS_REGION, or set it in your profile"
        )
    arns.validate_region(region)
    caller, findings = resolve_caller(gateway)
    report.caller = caller.to_dict()
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
    spec = AgentSpec(
        agent=settings.agent_name,
        account=caller.account,
        region=region,
        partition=partition,
        deployment_type=settings.deployment_type,
        memory=settings.memory,
        protocol=settings.protocol,
        model=settings.model,
        ecr_repository=settings.ecr_repository,
    )
    return Session(gateway, caller, spec, settings.with_(region=region))


def report_calls(report: Report, gateway: Gateway) -> None:
    report.aws_calls = gateway.calls


def check_pass_role(s: Session, role_arn: str, report: Report) -> PassRoleResult:
    from agentcore_ext import passrole

    deploy = passrole.DeployTarget(
        s.spec.region, s.spec.account, s.spec.partition, s.spec.agent, s.spec.deployment_type
    )
    suggested = arns.default_role_name(s.spec.region, s.spec.agent, s.settings.role_name_template)
    result = passrole.check_pass_role(s.gateway, s.caller, role_arn, suggested_name=suggested, deploy=deploy)
    report.pass_role = result.to_dict()
    report.add(result.findings)
    report.add(
        passrole.check_deploy_permissions(
            result, s.caller, s.spec.region, s.spec.account, s.spec.partition, s.spec.agent, s.spec.deployment_type
        )
    )
    report_calls(report, s.gateway)
    return result


def _role_into_report(outcome: RoleOutcome, report: Report) -> None:
    report.role = outcome.role
    plan = outcome.plan
    findings = list(outcome.findings)
    if outcome.role.get("action_taken") == "planned" and not plan.blocked_by:
        # --dry-run with a plan that would fix everything: the run succeeds (exit 0); what is wrong now stays
        # in the report as warnings, each one covered by the plan shown.
        findings = [
            replace(f, severity=Severity.WARNING, message=f"{f.message} (the plan fixes this)")
            if f.severity is Severity.ERROR
            else f
            for f in findings
        ]
    report.add(findings)
    if plan.actions and outcome.role.get("action_taken") in ("none", "planned"):
        report.notes.append(plan.describe())


def doctor(settings: Settings, report: Report) -> int:
    """Read-only: caller, PassRole, role. With no role flags, the role in .bedrock_agentcore.yaml."""
    from agentcore_ext.role_service import check_role

    settings = settings_from_toolkit_config(settings)
    s = open_session(settings, report)
    outcome = check_role(s.gateway, s.settings, s.spec)
    _role_into_report(outcome, report)
    if not outcome.role.get("exists") and settings.role_name and settings.role_name.startswith(TOOLKIT_ROLE_PREFIX):
        # Configured without -er: the toolkit creates this role itself at deploy time; its absence is expected.
        report.findings = [f for f in report.findings if f.code != "ROLE_NOT_FOUND"]
        report.add(
            [
                Finding(
                    "TOOLKIT_AUTO_CREATES_ROLE",
                    Severity.WARNING,
                    f"the agent was configured without --execution-role: `agentcore deploy` will create "
                    f"{settings.role_name} itself, unchecked",
                    "run agentcore-ext configure to use a checked role instead",
                )
            ]
        )
    elif not outcome.role.get("exists") and not (settings.execution_role or settings.role_name):
        report.role = None  # INTERFACE: null when no role was named and none found
        report.findings = [f for f in report.findings if f.code != "ROLE_NOT_FOUND"]
        report.add(
            [
                Finding(
                    "ROLE_NOT_CREATED_YET",
                    Severity.WARNING,
                    f"no execution role {outcome.role.get('name')} for agent {s.spec.agent} yet",
                    "`agentcore-ext configure` (or `role ensure`) creates a compliant one",
                )
            ]
        )
    check_pass_role(s, outcome.arn, report)
    report_calls(report, s.gateway)
    return EXIT_CHECKS_FAILED if has_errors(report.findings) else 0


class _PassRoleGate:
    """Decides PassRole once, before the first write (from the plan's ARN), or after a run that wrote nothing."""

    def __init__(self, s: Session, report: Report, confirm: Confirm) -> None:
        self.s, self.report, self.confirm = s, report, confirm
        self.result: PassRoleResult | None = None

    def check(self, role_arn: str) -> None:
        if self.result is None:
            self.result = check_pass_role(self.s, role_arn, self.report)
        if self.result.decision == "denied":
            if not self.s.settings.force:
                raise ChecksFailed(
                    f"you may not pass {role_arn} to AgentCore (iam:PassRole denied); nothing was changed",
                    "see the PASSROLE findings; --force proceeds anyway (the deploy will fail at CreateAgentRuntime)",
                )
            # The user accepted the denial: it stays in the report, as a warning that does not block the run.
            self.report.findings = [
                replace(f, severity=Severity.WARNING)
                if f.code.startswith("PASSROLE_") and f.severity is Severity.ERROR
                else f
                for f in self.report.findings
            ]
            self.report.add(
                [
                    Finding(
                        "PASSROLE_FORCED",
                        Severity.WARNING,
                        "proceeding past an iam:PassRole denial because of --force",
                        "expect AccessDenied at deploy time until an administrator grants PassRole",
                    )
                ]
            )

    def before_write(self, plan: Plan) -> bool:
        self.check(plan.role_arn)
        return self.confirm(plan)


def ensure(settings: Settings, report: Report, confirm: Confirm, progress: Progress) -> tuple[Session, RoleOutcome]:
    """caller -> role (create/repair after PassRole and confirmation) -> PassRole for a role nobody wrote."""
    from agentcore_ext.role_service import ensure_role

    s = open_session(settings, report)
    gate = _PassRoleGate(s, report, confirm)
    try:
        outcome = ensure_role(s.gateway, s.settings, s.spec, confirm=gate.before_write, progress=progress)
    except AgentCoreExtError:  # a refusal after some reads: the report still counts them
        report_calls(report, s.gateway)
        raise
    _role_into_report(outcome, report)
    if gate.result is None:
        try:
            gate.check(outcome.arn)
        except ChecksFailed as exc:
            report.add([Finding("CHECKS_FAILED", Severity.ERROR, exc.message, exc.hint)])
    report_calls(report, s.gateway)
    return s, outcome


def role_ensure(settings: Settings, report: Report, confirm: Confirm, progress: Progress) -> tuple[int, str | None]:
    _, outcome = ensure(settings, report, confirm, progress)
    code = EXIT_CHECKS_FAILED if has_errors(report.findings) else 0
    return code, outcome.arn if code == 0 else None


def settings_from_toolkit_config(settings: Settings) -> Settings:
    """doctor/deploy with no agent or role flags: judge what .bedrock_agentcore.yaml says is configured."""
    from agentcore_ext.toolkit_config import read_agent_config

    if settings.execution_role or settings.role_name or (settings.agent_name and settings.entrypoint):
        return settings
    config = read_agent_config(Path(settings.workdir), settings.agent_name or None)
    if config is None:
        if settings.agent_name:
            return settings
        raise UsageError(
            "no agent given and no .bedrock_agentcore.yaml here",
            "pass --entrypoint FILE or --name AGENT (and --execution-role ARN to check a given role), "
            "or run from a configured project",
        )
    return settings.with_(
        agent_name=config.name,
        execution_role=None if config.execution_role_auto_create else config.execution_role,
        role_name=toolkit_role_name(config.region or settings.region or "", config.name)
        if config.execution_role_auto_create
        else None,
        region=settings.region or config.region,
        deployment_type=config.deployment_type or settings.deployment_type,
        protocol=(config.protocol or settings.protocol).upper(),
        memory=config.memory_enabled,
    )


TOOLKIT_ROLE_PREFIX = "AmazonBedrockAgentCoreSDKRuntime-"


def toolkit_role_name(region: str, agent: str) -> str:
    """The role `agentcore deploy` creates when configured without -er (operations/runtime/create_role.py)."""
    import hashlib

    return f"{TOOLKIT_ROLE_PREFIX}{region}-{hashlib.sha256(agent.encode()).hexdigest()[:10]}"

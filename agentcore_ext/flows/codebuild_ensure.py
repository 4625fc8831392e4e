"""The CodeBuild role, found, judged, created or repaired like the execution role (issue 13 build item 1).

The toolkit's CodeBuild build runs as this role (services/codebuild.py; launch.py uses `codebuild.execution_role`
from .bedrock_agentcore.yaml, else creates AmazonBedrockAgentCoreSDKCodeBuild-<region>-<hash> itself, unchecked).
The planner is the execution role's (plan/planner.py with plan/kinds.py `codebuild_kind`), so the same safety rules
hold: only additions, never an AWS-managed role, repairs only with --fix, a role the user named (-cber) never
replaced by another. Two steps for callers that show every plan before confirming (configure's transaction):
`plan_codebuild` reads and plans, `apply_codebuild` confirms and applies; `ensure_codebuild` does both.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from agentcore_ext import arns
from agentcore_ext.aws.gather_role import gather_role
from agentcore_ext.errors import EXIT_CHECKS_FAILED, UsageError
from agentcore_ext.findings import Code, Finding, has_errors, regrade
from agentcore_ext.flows.ensure_config import with_agent_config
from agentcore_ext.flows.profile import config_for
from agentcore_ext.flows.role import RoleOutcome, boundary_document, ensure_planned, team_args, where_args
from agentcore_ext.flows.session import Session, open_session, report_calls
from agentcore_ext.judge.codebuild_role import default_codebuild_role_name
from agentcore_ext.judge.role import RoleVerdict
from agentcore_ext.plan.display import describe, overview
from agentcore_ext.plan.kinds import RoleKind, codebuild_kind
from agentcore_ext.plan.model import Plan, PlanInputs
from agentcore_ext.plan.planner import make_plan
from agentcore_ext.report import ActionTaken, Report
from agentcore_ext.settings import Settings, check_role_path
from agentcore_ext.state import AgentSpec, ObservedRole, RoleTarget, TargetSource
from agentcore_ext.toolkit.config import AgentConfig

FLAG = "--code-build-execution-role"


def needs_codebuild_role(spec: AgentSpec) -> bool:
    """Container agents are built in CodeBuild by default (`agentcore deploy` without --local-build); direct code
    deploy builds nothing (RUNTIME-NEEDS.md "The CodeBuild role")."""
    return spec.deployment_type != "direct_code_deploy"


def codebuild_target(settings: Settings, spec: AgentSpec, given: str | None) -> RoleTarget:
    """-cber ARN|NAME (must exist), else the default name BedrockAgentCoreCodeBuild-<region>-<agent>."""
    create_path = check_role_path(settings.role_path or "/")  # team role-path applies as for the execution role
    if given:
        try:
            ref = arns.parse_role_ref(given, account=spec.account, partition=spec.partition, region=spec.region)
        except UsageError as exc:
            raise UsageError(
                exc.message.replace("--execution-role", FLAG), exc.hint.replace("--execution-role", FLAG)
            ) from None
        return RoleTarget(ref.name, ref.path, spec.account, spec.partition, TargetSource.EXECUTION_ROLE, create_path)
    name = arns.validate_role_name(default_codebuild_role_name(spec.region, spec.agent))
    return RoleTarget(name, None, spec.account, spec.partition, TargetSource.DEFAULT, create_path)


def codebuild_fix_command(settings: Settings, spec: AgentSpec, given: str | None) -> str:
    """The exact `role ensure --codebuild ... --fix` that repairs this CodeBuild role."""
    # The CodeBuild role's needs are the agent's name, region and repository (from the YAML): not the execution
    # role's flags, models or features, which shape_args would add.
    argv = ["agentcore-ext", "role", "ensure", "--codebuild", "--name", spec.agent, "--region", spec.region]
    argv += where_args(settings)
    argv += [FLAG, given] if given else []
    argv += team_args(settings)
    argv += ["--config", settings.config_file] if settings.config_file else []
    return shlex.join([*argv, "--fix"])


@dataclass(frozen=True)
class CodeBuildPlan:
    """What `plan_codebuild` read and decided: shown (and confirmed) beside the execution role's plan."""

    target: RoleTarget
    inputs: PlanInputs
    observed: ObservedRole | None
    verdict: RoleVerdict
    plan: Plan
    kind: RoleKind
    given: str | None


def plan_codebuild(
    s: Session, given: str | None, *, judge_only: bool = False, reuse: ObservedRole | None = None
) -> CodeBuildPlan:
    """Read the CodeBuild role and plan for it; writes nothing. `judge_only`: never create, never repair. `reuse`:
    the role as this run read it a moment ago, not read again."""
    target = codebuild_target(s.settings, s.spec, given)
    observed = reuse if reuse is not None and reuse.name == target.name else gather_role(s.gateway, target.name)
    settings = s.settings
    boundary = boundary_document(s.gateway, settings.permissions_boundary) if observed is None else None
    inputs = PlanInputs(
        name=target.name,
        arn=target.arn(),
        path=target.create_path,
        boundary=settings.permissions_boundary,
        boundary_document=boundary,
        tags=settings.role_tags(),
        description=f"CodeBuild role that builds Amazon Bedrock AgentCore Runtime agent {s.spec.agent} in "
        f"{s.spec.region} (created by agentcore-ext)",
        fix=settings.fix and not judge_only,
        no_create=settings.no_create or judge_only,
        must_exist=target.must_exist,
        fix_command=codebuild_fix_command(settings, s.spec, given),
        finish=not judge_only,
    )
    kind = codebuild_kind(given=bool(given))
    verdict, plan = make_plan(observed, s.spec, inputs, kind)
    return CodeBuildPlan(target, inputs, observed, verdict, plan, kind, given)


def apply_codebuild(
    s: Session, planned: CodeBuildPlan, confirm: Callable[[Plan], bool], progress: Callable[[str], None]
) -> RoleOutcome:
    """Confirm and apply the plan (nothing with --dry-run), then read the role back and judge it again."""
    return ensure_planned(
        s.gateway,
        s.spec,
        planned.target,
        planned.inputs,
        planned.observed,
        dry_run=s.settings.dry_run,
        confirm=confirm,
        progress=progress,
        kind=planned.kind,
    )


def ensure_codebuild(
    s: Session,
    given: str | None,
    confirm: Callable[[Plan], bool],
    progress: Callable[[str], None],
    *,
    judge_only: bool = False,
) -> RoleOutcome:
    return apply_codebuild(s, plan_codebuild(s, given, judge_only=judge_only), confirm, progress)


def codebuild_into_report(outcome: RoleOutcome, report: Report, s: Session, *, primary: bool) -> None:
    """`primary` (role ensure --codebuild): the report's role block and plan are the CodeBuild role's. Otherwise
    (configure) the execution role keeps them and the CodeBuild plan goes under `plan.codebuild`."""
    findings = list(outcome.findings)
    plan = outcome.plan
    if outcome.role.action_taken is ActionTaken.PLANNED and not plan.blocked_by:
        findings = regrade(findings, message=lambda m: f"{m} (the plan fixes this)")  # as flows/session.py does
    report.add(findings)
    if primary:
        report.role = outcome.role
    if plan.actions or plan.blocked_by:
        report.plan = plan.to_dict() if primary else {**(report.plan or {}), "codebuild": plan.to_dict()}
    if plan.actions and outcome.role.action_taken in (ActionTaken.NONE, ActionTaken.PLANNED):
        report.notes.append(describe(plan) if s.settings.show_documents else overview(plan))


def configured_codebuild_role(s: Session, given: str | None, configured: str | None) -> tuple[str | None, bool]:
    """(the CodeBuild role to use, judge only): -cber is judged only; so is a role .bedrock_agentcore.yaml records
    (`codebuild.execution_role`) that is not agentcore-ext's own default, which is never silently replaced."""
    return codebuild_role_choice(s.spec.region, s.spec.agent, given, configured)


def codebuild_role_choice(
    region: str, agent: str, given: str | None, configured: str | None
) -> tuple[str | None, bool]:
    """configured_codebuild_role before the account is known (its reads can then go out beside
    GetCallerIdentity); None: agentcore-ext's own default name."""
    if given:
        return given, True
    if configured and configured.rsplit("/", 1)[-1] != default_codebuild_role_name(region, agent):
        return configured, True
    return None, False


def predicted_codebuild_role_name(region: str, agent: str, given: str | None, configured: str | None) -> str:
    """The name plan_codebuild will read for these choices."""
    role, _ = codebuild_role_choice(region, agent, given, configured)
    return role.rsplit("/", 1)[-1] if role else default_codebuild_role_name(region, agent)


def configure_codebuild(
    s: Session,
    report: Report,
    confirm: Callable[[Plan], bool],
    progress: Callable[[str], None],
    overrides: Mapping[str, Any],
    block: AgentConfig | None,
) -> str | None:
    """configure's CodeBuild step: the ARN to pass as --code-build-execution-role, or None when nothing is to be
    passed (direct code deploy, or the user's own -cber, already in the toolkit's arguments).

    `overrides`: the toolkit options the user gave (toolkit/argv.py configure_overrides); `block`: the agent's
    block in .bedrock_agentcore.yaml, whose codebuild.execution_role is the role configured before."""
    cber = overrides.get("code_build_execution_role")
    given = str(cber) if cber else None
    configured = block.codebuild_role if block is not None else None
    if not needs_codebuild_role(s.spec):
        return None
    role, judge_only = configured_codebuild_role(s, given, configured)
    outcome = ensure_codebuild(s, role, confirm, progress, judge_only=judge_only)
    codebuild_into_report(outcome, report, s, primary=False)
    if judge_only and role is not None and role != given:
        report.add(
            [
                Finding(
                    Code.CONFIGURED_ROLE_KEPT,
                    f"checking the CodeBuild role already configured for {s.spec.agent}: {role}",
                    "pass -cber ARN after `--` to use another CodeBuild role",
                )
            ]
        )
    return None if given else outcome.arn


def codebuild_role_ensure(
    s: Session, report: Report, confirm: Callable[[Plan], bool], progress: Callable[[str], None], given: str | None
) -> str:
    """`role ensure --codebuild`: the CodeBuild role alone; its ARN."""
    if not needs_codebuild_role(s.spec):
        raise UsageError(
            "direct_code_deploy agents are not built in CodeBuild: they need no CodeBuild role",
            "drop --codebuild, or pass --deployment-type container",
        )
    outcome = ensure_codebuild(s, given, confirm, progress)
    codebuild_into_report(outcome, report, s, primary=True)
    return outcome.arn


def codebuild_role_ensure_flow(
    settings: Settings,
    report: Report,
    confirm: Callable[[Plan], bool],
    progress: Callable[[str], None],
    *,
    given: str | None,
    explicit: Collection[str] = (),
) -> tuple[int, str | None]:
    """`role ensure --codebuild`: caller -> the CodeBuild role (the YAML's agent block and its
    codebuild.execution_role read as for `role ensure`); exit 3 when it is not compliant."""
    settings = with_agent_config(settings, explicit)
    s = open_session(settings, report)
    try:
        if given is None:
            config = config_for(s.settings)
            given, _ = configured_codebuild_role(s, None, config.codebuild_role if config else None)
        arn = codebuild_role_ensure(s, report, confirm, progress, given)
    finally:
        report_calls(report, s.gateway)
    code = EXIT_CHECKS_FAILED if has_errors(report.findings) else 0
    return code, arn if code == 0 else None

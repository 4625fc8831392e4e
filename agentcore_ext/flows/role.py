"""The execution-role flow: resolve -> gather -> judge -> plan -> confirm -> apply -> read back and judge again.

flows/ensure.py calls `ensure_role` (role ensure, configure), flows/doctor.py `check_role`; both return a
RoleOutcome whose `role` block and findings go into the report. Nothing here prints: progress goes to a callback.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from agentcore_ext.aws.apply import ApplyResult, apply_plan
from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.aws.gather_role import gather_role, gather_role_for, read_additional_policies
from agentcore_ext.define.env import env_args
from agentcore_ext.errors import AwsError, UsageError
from agentcore_ext.findings import Code, Finding, has_errors
from agentcore_ext.judge.role import RoleVerdict
from agentcore_ext.judge.target import resolve_role
from agentcore_ext.plan.kinds import EXECUTION, RoleKind
from agentcore_ext.plan.model import Action, CreateRole, Plan, PlanInputs, UpdateTrust, summary
from agentcore_ext.plan.planner import make_plan, rebase
from agentcore_ext.report import ActionTaken, RoleBlock
from agentcore_ext.settings import Settings
from agentcore_ext.state import AgentSpec, ObservedRole, RoleTarget

MAX_ADOPTIONS = 2  # a create that races someone else's is re-planned at most this often


@dataclass(frozen=True)
class RoleOutcome:
    role: RoleBlock  # INTERFACE.md's `role` block
    findings: tuple[Finding, ...]
    plan: Plan  # what was (or, with --dry-run / without --fix, would be) done
    applied: tuple[Action, ...]
    verdict: RoleVerdict  # the final judgement: after apply, of the documents read back from IAM
    observed: ObservedRole | None = None  # the role as read (check_role), for a rerun of the plan moments later

    @property
    def arn(self) -> str:
        return str(self.role.arn)

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings)


def fix_command(settings: Settings, spec: AgentSpec) -> str:
    """The exact `role ensure ... --fix` that repairs this role for this agent (for hints and exit-4 errors)."""
    argv = ["agentcore-ext", "role", "ensure", "--name", spec.agent, "--region", spec.region]
    argv += shape_args(settings, spec)
    # The agent's shape: following the hint must judge the same agent, not a generic one.
    argv += ["--entrypoint", settings.entrypoint] if settings.entrypoint else []
    return shlex.join([*argv, "--fix"])


def shape_args(settings: Settings, spec: AgentSpec) -> list[str]:
    """The flags that reproduce this run's role and agent (profile, role, team defaults, deployment, models,
    features, extra policies): every command a hint names carries them, so following it judges the same agent."""
    argv = where_args(settings)
    if settings.execution_role:
        argv += ["--execution-role", settings.execution_role]
    elif settings.role_name:
        argv += ["--role-name", settings.role_name]
    argv += team_args(settings)
    argv += ["--deployment-type", spec.deployment_type] if spec.deployment_type != "container" else []
    argv += [] if spec.memory else ["--disable-memory"]
    argv += ["--protocol", spec.protocol] if spec.protocol != "HTTP" else []
    argv += ["--config", settings.config_file] if settings.config_file else []
    argv += env_args(settings.env, settings.env_file)  # the agent's environment: the same ids, the same needs
    for flag, values in (
        ("--model", settings.models),
        ("--feature", settings.features),
        ("--additional-policy", settings.additional_policies),
    ):
        for value in values:
            argv += [flag, value]
    return argv


def where_args(settings: Settings) -> list[str]:
    """The account the run talks to: --profile, --sandbox."""
    return [
        *(["--profile", settings.profile] if settings.profile else []),
        *(["--sandbox"] if settings.sandbox else []),
    ]


def team_args(settings: Settings) -> list[str]:
    """How the team's roles are made: --role-path, --permissions-boundary, --tag (each role a hint names)."""
    argv = ["--role-path", settings.role_path] if settings.role_path not in ("", "/") else []
    argv += ["--permissions-boundary", settings.permissions_boundary] if settings.permissions_boundary else []
    for key, value in settings.tags.items():
        argv += ["--tag", f"{key}={value}"]
    return argv


def plan_inputs(
    settings: Settings, target: RoleTarget, spec: AgentSpec, boundary_document: Mapping[str, Any] | None = None
) -> PlanInputs:
    return PlanInputs(
        name=target.name,
        arn=target.arn(),
        path=target.create_path,
        boundary=settings.permissions_boundary,
        boundary_document=boundary_document,
        tags=settings.role_tags(),
        description=f"Execution role for Amazon Bedrock AgentCore Runtime agent {spec.agent} in {spec.region} "
        "(created by agentcore-ext)",
        fix=settings.fix,
        no_create=settings.no_create,
        must_exist=target.must_exist,
        fix_command=fix_command(settings, spec),
    )


def _path_mismatch(target: RoleTarget, observed: ObservedRole | None, kind: RoleKind = EXECUTION) -> Finding | None:
    """An ARN whose path differs from the role's: PassRole on that ARN would fail at deploy time."""
    if observed is None or target.path is None or observed.path == target.path:
        return None
    return Finding(
        Code.ROLE_ARN_MISMATCH,
        f"{kind.given_flag} gives path {target.path}, but role {observed.name} has path {observed.path} "
        f"(its ARN is {observed.arn})",
        f"pass {kind.given_flag} {observed.arn}",
    )


def boundary_document(gateway: Gateway, arn: str | None) -> Mapping[str, Any] | None:
    """The boundary a new role would get, so the plan can prove it does not block the agent before creating.

    Unreadable (no iam:GetPolicy) -> None: the read-back after create still judges it.
    """
    if not arn:
        return None
    try:
        return gateway.get_managed_policy_document(arn)
    except AwsError as exc:
        if exc.code == "NoSuchEntity":
            raise UsageError(
                f"permissions boundary {arn} does not exist",
                "check the ARN given with --permissions-boundary or in [tool.agentcore-ext]",
            ) from exc
        return None


def _outcome(
    verdict: RoleVerdict,
    plan: Plan,
    applied: tuple[Action, ...],
    taken: ActionTaken,
    extra: tuple[Finding, ...] = (),
) -> RoleOutcome:
    return RoleOutcome(verdict.role_block(taken), verdict.findings + extra, plan, applied, verdict)


def check_role(gateway: Gateway, settings: Settings, spec: AgentSpec) -> RoleOutcome:
    """Read-only (doctor): judge the role and show what --fix would change; never writes."""
    target = resolve_role(settings, account=spec.account, partition=spec.partition, region=spec.region)
    observed, spec = gather_role_for(gateway, target.name, spec)  # the --additional-policy ARNs read beside it
    inputs = replace(plan_inputs(settings, target, spec), fix=False, no_create=True, finish=False)
    verdict, plan = make_plan(observed, spec, inputs)
    mismatch = _path_mismatch(target, observed)
    return replace(_outcome(verdict, plan, (), ActionTaken.NONE, (mismatch,) if mismatch else ()), observed=observed)


def ensure_role(
    gateway: Gateway,
    settings: Settings,
    spec: AgentSpec,
    *,
    confirm: Callable[[Plan], bool],
    progress: Callable[[str], None],
    reuse: ObservedRole | None = None,
) -> RoleOutcome:
    """Find, create or repair the execution role. dry_run and non-compliant-without-fix never write. `reuse`: the
    role as this run read it a moment ago (configure, after a non-interactive toolkit run), not read again."""
    target = resolve_role(settings, account=spec.account, partition=spec.partition, region=spec.region)
    observed: ObservedRole | None = reuse
    if reuse is not None and reuse.name == target.name:
        spec = read_additional_policies(gateway, spec)  # read by the precheck already: from the gateway's cache
    else:
        observed, spec = gather_role_for(gateway, target.name, spec)
    boundary = boundary_document(gateway, settings.permissions_boundary) if observed is None else None
    inputs = plan_inputs(settings, target, spec, boundary)
    return ensure_planned(
        gateway, spec, target, inputs, observed, dry_run=settings.dry_run, confirm=confirm, progress=progress
    )


def ensure_planned(
    gateway: Gateway,
    spec: AgentSpec,
    target: RoleTarget,
    inputs: PlanInputs,
    observed: ObservedRole | None,
    *,
    dry_run: bool,
    confirm: Callable[[Plan], bool],
    progress: Callable[[str], None],
    kind: RoleKind = EXECUTION,
) -> RoleOutcome:
    """Plan for the role as gathered, confirm, apply, read back and judge again: the same steps for every kind."""
    verdict, plan = make_plan(observed, spec, inputs, kind)
    mismatch = _path_mismatch(target, observed, kind)
    if mismatch:
        return _outcome(
            verdict, replace(plan, blocked_by=(*plan.blocked_by, mismatch)), (), ActionTaken.NONE, (mismatch,)
        )
    if not plan.will_apply:
        return _outcome(verdict, plan, (), ActionTaken.NONE)
    if dry_run:
        return _outcome(verdict, plan, (), ActionTaken.PLANNED)
    applied: list[Action] = []
    notes: list[Finding] = []
    for _ in range(MAX_ADOPTIONS):
        if not confirm(plan):
            declined = Finding(
                Code.ROLE_CHANGE_DECLINED,
                "the plan was not confirmed; nothing changed",
                "rerun with --yes to apply it without asking, or --dry-run to only see it",
            )
            return _outcome(verdict, plan, tuple(applied), _taken(applied), (declined,))
        result = apply_plan(
            gateway,
            plan,
            progress=progress,
            finish_command=inputs.fix_command,
            rebase=lambda action, served: rebase(action, served, spec, kind),
        )
        applied += result.done
        notes += _writer_notes(result)
        if not result.adopted:
            break
        progress(f"role {plan.role_name} was created by someone else a moment ago: judging it instead")
        notes.append(
            Finding(
                Code.ROLE_ADOPTED,
                f"role {plan.role_name} appeared while agentcore-ext was creating it; it was judged "
                "and, if needed and allowed, repaired instead of created",
            )
        )
        verdict, plan = make_plan(_settled_role(gateway, target.name, progress, kind), spec, inputs, kind)
        if not plan.will_apply:
            return _outcome(verdict, plan, tuple(applied), _taken(applied), tuple(notes))
    # Independent read-back: judge what IAM now serves, not what was sent.
    final, leftover = make_plan(gather_role(gateway, target.name), spec, replace(inputs, fix=True), kind)
    # What this run wrote and IAM does not serve; repairs it did not try (no --fix, refused warnings) are not that.
    tried = {type(a) for a in applied}
    missing = [a for a in leftover.actions if type(a) in tried and not (isinstance(a, UpdateTrust) and a.warning_only)]
    if missing and not leftover.blocked_by:
        notes.append(
            Finding(
                Code.ROLE_READBACK_MISMATCH,
                "after the changes IAM still serves a role that needs: " + "; ".join(summary(a) for a in missing),
                f"run again to see the current state: {inputs.fix_command}",
            )
        )
    done = (
        Finding(
            Code.ROLE_CREATED if _taken(applied) is ActionTaken.CREATED else Code.ROLE_REPAIRED,
            f"{'role' if kind is EXECUTION else kind.label} {final.arn}: " + "; ".join(summary(a) for a in applied),
        )
        if applied
        else None
    )
    return _outcome(final, plan, tuple(applied), _taken(applied), tuple(notes) + ((done,) if done else ()))


OWN_POLICY_WAIT = (0.5, 1.0, 2.0, 4.0, 8.0)  # at most 15.5 s for another run of the tool to finish its create


def _settled_role(
    gateway: Gateway, name: str, progress: Callable[[str], None], kind: RoleKind = EXECUTION
) -> ObservedRole | None:
    """The role another run of the tool just created, once it holds that run's inline policy (bounded wait).

    Planning at once would copy that run's whole permission set into the repair policy (or, without --fix, fail
    the checks for a role that is complete a moment later). A role that stays half-created is finished instead.
    """
    observed = gather_role(gateway, name)
    for delay in OWN_POLICY_WAIT:
        if observed is None or not observed.managed_by_tool or observed.inline_policy(kind.policy_name):
            return observed
        progress(f"waiting for the other run to finish role {name} (retry in {delay:g} s)")
        gateway.sleep(delay)
        observed = gather_role(gateway, name)
    return observed


def _writer_notes(result: ApplyResult) -> list[Finding]:
    notes = [
        Finding(Code.ROLE_CHANGED_BY_OTHER_WRITER, what, "check that the role holds what both writers meant")
        for what in result.changed_by_others
    ]
    for action, exc in result.refused:
        notes.append(
            Finding(
                Code.ROLE_REPAIR_REFUSED,
                f"{summary(action)} (only a warning's repair) was refused: {exc.message}; the role is used as it is",
                "fix the trust policy by hand (e.g. remove a principal that no longer exists), then rerun",
            )
        )
    return notes


def _taken(applied: list[Action]) -> ActionTaken:
    if any(isinstance(a, CreateRole) for a in applied):
        return ActionTaken.CREATED
    return ActionTaken.REPAIRED if applied else ActionTaken.NONE

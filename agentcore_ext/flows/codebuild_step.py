"""configure's CodeBuild role inside its transaction (issue 13 item 1 on top of issue 12 item 3).

The ARN is planned read-only before the toolkit runs, because the toolkit records it (`--code-build-execution-role`);
the role is judged again and written only after the toolkit ran, with the execution role's plan, behind the one
prompt (`JointConfirm`), so a declined or failed run leaves IAM as it was for both roles.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, replace
from typing import Any

from agentcore_ext.findings import Code, Finding, Severity
from agentcore_ext.flows.codebuild_ensure import (
    CodeBuildPlan,
    apply_codebuild,
    codebuild_into_report,
    configured_codebuild_role,
    needs_codebuild_role,
    plan_codebuild,
    predicted_codebuild_role_name,
)
from agentcore_ext.flows.role import RoleOutcome
from agentcore_ext.flows.session import Session
from agentcore_ext.plan.model import Plan
from agentcore_ext.report import Report
from agentcore_ext.settings import Settings
from agentcore_ext.toolkit.config import AgentConfig


@dataclass(frozen=True)
class CodeBuildStep:
    role: str | None  # the role to judge (-cber or the YAML's own choice); None: agentcore-ext's default name
    judge_only: bool  # a role the user chose is judged, never created or repaired
    given: str | None  # -cber as typed: already in the toolkit's arguments
    planned: CodeBuildPlan

    @property
    def arn(self) -> str:
        """The ARN the toolkit records: the role's own (with its path) when it exists, else the one it will get."""
        return self.planned.observed.arn if self.planned.observed else self.planned.inputs.arn

    @property
    def pass_arn(self) -> str | None:
        """What configure adds as --code-build-execution-role (nothing when the user passed -cber)."""
        return None if self.given else self.arn

    def stops(self) -> list[Finding]:
        """Why this CodeBuild role cannot be used whatever the toolkit's prompts are answered: a blocked plan, or
        a role the user chose whose verdict has errors (its trust does not depend on the agent's repository)."""
        out = list(self.planned.plan.blocked_by)
        if self.judge_only:
            out += [f for f in self.planned.verdict.findings if f.severity is Severity.ERROR and "TRUST" in f.code]
        return out


def _given(overrides: Mapping[str, Any]) -> str | None:
    """-cber as typed (toolkit/argv.py configure_overrides)."""
    cber = overrides.get("code_build_execution_role")
    return str(cber) if cber else None


def _configured(block: AgentConfig | None) -> str | None:
    return block.codebuild_role if block is not None else None


def role_names(
    settings: Settings, overrides: Mapping[str, Any], block: AgentConfig | None
) -> Callable[[str], list[str]]:
    """For open_session's `also_read`: the name plan_step will read, from the region (none for direct code
    deploy, as needs_codebuild_role), so that role's GetRole and listings share GetCallerIdentity's round trip."""

    def names(region: str) -> list[str]:
        if settings.deployment_type == "direct_code_deploy":
            return []
        return [predicted_codebuild_role_name(region, settings.agent_name, _given(overrides), _configured(block))]

    return names


def plan_step(s: Session, overrides: Mapping[str, Any], block: AgentConfig | None) -> CodeBuildStep | None:
    """The CodeBuild role for this configure, read and planned (no write); None for direct code deploy."""
    if not needs_codebuild_role(s.spec):
        return None
    given = _given(overrides)
    role, judge_only = configured_codebuild_role(s, given, _configured(block))
    return CodeBuildStep(role, judge_only, given, plan_codebuild(s, role, judge_only=judge_only))


def replan(s: Session, step: CodeBuildStep, *, reread: bool = True) -> CodeBuildStep | None:
    """The same role planned again for the agent as the toolkit's answers shaped it (its ECR repository).
    `reread=False`: plan from the read made before the toolkit (it ran non-interactively, a moment ago)."""
    if not needs_codebuild_role(s.spec):
        return None
    reuse = None if reread else step.planned.observed
    return replace(step, planned=plan_codebuild(s, step.role, judge_only=step.judge_only, reuse=reuse))


def finish(
    s: Session, step: CodeBuildStep, report: Report, confirm: Callable[[Plan], bool], progress: Callable[[str], None]
) -> RoleOutcome:
    """Confirm (the joint answer, when the execution role's prompt showed this plan) and apply; into the report."""
    outcome = apply_codebuild(s, step.planned, confirm, progress)
    codebuild_into_report(outcome, report, s, primary=False)
    if step.judge_only and step.role is not None and step.role != step.given:
        report.add(
            [
                Finding(
                    Code.CONFIGURED_ROLE_KEPT,
                    f"checking the CodeBuild role already configured for {s.spec.agent}: {step.role}",
                    "pass -cber ARN after `--` to use another CodeBuild role",
                )
            ]
        )
    return outcome


class JointConfirm:
    """One prompt for both roles: the execution role's plan is shown with the CodeBuild role's plan beside it, and
    the answer stands for both. Without an execution-role prompt, the CodeBuild plan is asked about on its own."""

    def __init__(self, confirm: Callable[[Plan], bool]) -> None:
        self._confirm = confirm
        # the CodeBuild role's step, planned (in a worker) for the toolkit's answers; waited for at the prompt
        self.companion: Future[CodeBuildStep | None] | None = None
        self._answered: dict[str, bool] = {}  # role ARN -> the answer that covered its plan

    def __call__(self, plan: Plan) -> bool:
        if plan.role_arn in self._answered:
            return self._answered[plan.role_arn]
        step = self.companion.result() if self.companion is not None else None
        companion = step.planned.plan if step is not None else None
        if companion is not None and companion.will_apply and companion.role_arn != plan.role_arn:
            answer = self._confirm(replace(plan, companions=(companion,)))
            self._answered[companion.role_arn] = answer
        else:
            answer = self._confirm(plan)
        self._answered[plan.role_arn] = answer
        return answer

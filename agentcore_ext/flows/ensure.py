"""role ensure (and the first half of configure): caller -> role (create or repair after PassRole and
confirmation) -> PassRole for a role nobody wrote.
"""

from __future__ import annotations

from agentcore_ext.errors import EXIT_CHECKS_FAILED, AgentCoreExtError, ChecksFailed
from agentcore_ext.findings import PASSROLE_CODES, Code, Finding, has_errors, regrade
from agentcore_ext.flows.role import RoleOutcome, ensure_role
from agentcore_ext.flows.session import (
    Confirm,
    Progress,
    Session,
    check_pass_role,
    open_session,
    report_calls,
    role_into_report,
)
from agentcore_ext.judge.passrole import PassRoleDecision, PassRoleResult
from agentcore_ext.plan.model import Plan
from agentcore_ext.report import Report
from agentcore_ext.settings import Settings


class _PassRoleGate:
    """Decides PassRole once, before the first write (from the plan's ARN), or after a run that wrote nothing."""

    def __init__(self, s: Session, report: Report, confirm: Confirm) -> None:
        self.s, self.report, self.confirm = s, report, confirm
        self.result: PassRoleResult | None = None

    def check(self, role_arn: str) -> None:
        if self.result is None:
            self.result = check_pass_role(self.s, role_arn, self.report)
        if self.result.decision is not PassRoleDecision.DENIED:
            return
        if not self.s.settings.force:
            raise ChecksFailed(
                f"you may not pass {role_arn} to AgentCore (iam:PassRole denied); nothing was changed",
                "see the PASSROLE findings; --force proceeds anyway (the deploy will fail at CreateAgentRuntime)",
            )
        # The user accepted the denial: it stays in the report, as a warning that does not block the run.
        self.report.findings = regrade(self.report.findings, only=PASSROLE_CODES)
        self.report.add(
            [
                Finding(
                    Code.PASSROLE_FORCED,
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
    s = open_session(settings, report)
    gate = _PassRoleGate(s, report, confirm)
    try:
        outcome = ensure_role(s.gateway, s.settings, s.spec, confirm=gate.before_write, progress=progress)
    except AgentCoreExtError:  # a refusal after some reads: the report still counts them
        report_calls(report, s.gateway)
        raise
    role_into_report(outcome, report, s)
    if gate.result is None:
        try:
            gate.check(outcome.arn)
        except ChecksFailed as exc:
            report.add([Finding(Code.CHECKS_FAILED, exc.message, exc.hint)])
    report_calls(report, s.gateway)
    return s, outcome


def role_ensure(settings: Settings, report: Report, confirm: Confirm, progress: Progress) -> tuple[int, str | None]:
    _, outcome = ensure(settings, report, confirm, progress)
    code = EXIT_CHECKS_FAILED if has_errors(report.findings) else 0
    return code, outcome.arn if code == 0 else None

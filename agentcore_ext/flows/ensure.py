"""role ensure (and configure's role phases): caller -> role (create or repair after PassRole and
confirmation) -> PassRole for a role nobody wrote.

configure runs the same steps in two phases around the toolkit: `precheck` (read-only: the caller, the role as it
is, PassRole for the ARN the toolkit will record) before it, `settle_role` (judge, plan, confirm, apply, verify)
after it, for the agent profile the toolkit's answers shaped.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from agentcore_ext.define.shape import CONFIGURE_DEFAULTS
from agentcore_ext.errors import EXIT_CHECKS_FAILED, AgentCoreExtError, ChecksFailed
from agentcore_ext.findings import PASSROLE_CODES, Code, Finding, has_errors, regrade
from agentcore_ext.flows.ensure_config import with_agent_config
from agentcore_ext.flows.role import RoleOutcome, boundary_document, check_role, ensure_role, fix_command
from agentcore_ext.flows.session import (
    Confirm,
    Progress,
    Session,
    check_pass_role,
    open_session,
    pass_role_result,
    predicted_role_arn,
    report_calls,
    role_into_report,
)
from agentcore_ext.judge.deploy_needs import local_outcome
from agentcore_ext.judge.passrole import PassRoleDecision, PassRoleResult
from agentcore_ext.judge.target import resolve_role
from agentcore_ext.judge.writes import refused_writes, write_requests
from agentcore_ext.plan.model import Plan
from agentcore_ext.report import Report
from agentcore_ext.settings import Settings
from agentcore_ext.state import ObservedRole


class _PassRoleGate:
    """Decides PassRole once, before the first write (from the plan's ARN), or after a run that wrote nothing."""

    def __init__(self, s: Session, report: Report, confirm: Confirm) -> None:
        self.s, self.report, self.confirm = s, report, confirm
        self.result: PassRoleResult | None = None
        self.checked_arn = ""  # the ARN `result` was decided for
        # The decision for the role ARN the run will most likely use, started now: its reads share round trips
        # with the role's (it needs only the ARN). Used when the plan's or the found role's ARN is that one.
        self.early_arn = predicted_role_arn(s)
        _ = s.gateway.iam, s.gateway.sts  # clients are created in this thread, before the worker uses them
        self._pool = ThreadPoolExecutor(max_workers=1)
        self._early: Future[PassRoleResult] | None = self._pool.submit(pass_role_result, s, self.early_arn)

    def settle(self) -> None:
        """Wait for the early decision (its requests are counted) and let its worker go."""
        if self._early is not None:
            wait([self._early])
        self._pool.shutdown(wait=True)

    def _early_result(self, role_arn: str) -> PassRoleResult | None:
        early, self._early = self._early, None
        if early is None:
            return None
        if role_arn != self.early_arn:
            wait([early])
            return None
        return early.result()  # its AwsError, if any, is this check's

    def check(self, role_arn: str) -> None:
        if self.result is None or self.checked_arn != role_arn:  # configure's plan may name another ARN
            early = self._early_result(role_arn)
            self.result = check_pass_role(self.s, role_arn, self.report, early=early, early_arn=self.early_arn)
            self.checked_arn = role_arn
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
        self._writes_allowed(plan)
        return self.confirm(plan)

    def _writes_allowed(self, plan: Plan) -> None:
        """Refuse before the prompt when the caller's own policies, already read for PassRole, deny a write."""
        policies = self.result.policies if self.result is not None else None
        if policies is None or not policies.listed:
            return  # the simulator answered, or nothing could be read: IAM itself decides at the write
        refused = [
            r.action
            for r in write_requests(plan)
            if local_outcome(policies.policies, policies.boundary, r, complete=policies.complete) == "denied"
        ]
        if refused:
            finding = refused_writes(plan, refused, fix_command(self.s.settings, self.s.spec))
            self.report.add([finding])
            raise ChecksFailed(finding.message, finding.hint)


def ensure(settings: Settings, report: Report, confirm: Confirm, progress: Progress) -> tuple[Session, RoleOutcome]:
    """caller -> role (create/repair after PassRole and confirmation) -> PassRole for a role nobody wrote."""
    s = open_session(settings, report)
    gate = _PassRoleGate(s, report, confirm)
    return s, settle_role(s, gate, report, progress)


def settle_role(
    s: Session, gate: _PassRoleGate, report: Report, progress: Progress, reuse: ObservedRole | None = None
) -> RoleOutcome:
    """Judge, plan, confirm, apply and verify the role for s.spec; PassRole is decided (once) before any write."""
    gate.s = s  # configure hands in the session with the profile the toolkit's answers shaped
    try:
        outcome = ensure_role(s.gateway, s.settings, s.spec, confirm=gate.before_write, progress=progress, reuse=reuse)
    except AgentCoreExtError:  # a refusal after some reads: the report still counts them
        gate.settle()
        report_calls(report, s.gateway)
        raise
    except BaseException:
        gate.settle()
        raise
    role_into_report(outcome, report, s)
    try:
        if gate.result is None:
            try:
                gate.check(outcome.arn)
            except ChecksFailed as exc:
                report.add([Finding(Code.CHECKS_FAILED, exc.message, exc.hint)])
    finally:
        gate.settle()
    report_calls(report, s.gateway)
    return outcome


# Why a role cannot be configured whatever the toolkit's prompts are answered: these depend on the role and on
# the agent's name, account and region only, so configure stops on them before the toolkit runs.
_TARGET_STOPS = frozenset({Code.ROLE_RESERVED, Code.TRUST_WILDCARD_PRINCIPAL, Code.TRUST_SERVICE_NOT_ALLOWED})


@dataclass
class Precheck:
    session: Session
    gate: _PassRoleGate
    role: RoleOutcome  # the role as IAM serves it now, judged read-only for the agent as known before the toolkit
    stops: tuple[Finding, ...]  # non-empty: the role cannot be used; do not run the toolkit

    @property
    def arn(self) -> str:
        """The ARN the toolkit records: the role's own (with its path) when it exists, else the one it will get."""
        return self.role.arn


def precheck(
    settings: Settings,
    report: Report,
    confirm: Confirm,
    on_session: Callable[[Session], None] | None = None,
    also_read: Callable[[str], Sequence[str | None]] | None = None,
) -> Precheck:
    """configure's first phase, read-only: the caller, the role as it is, PassRole for its ARN (ChecksFailed when
    denied without --force). Nothing is written; the report gets the caller and pass_role blocks. `on_session`
    starts other reads (the CodeBuild role's) beside these, as soon as the account is known; `also_read(region)`
    names the roles those reads are for, so their first reads go out with GetCallerIdentity (open_session)."""
    s = open_session(settings, report, also_read=also_read)
    if on_session is not None:
        on_session(s)
    gate = _PassRoleGate(s, report, confirm)
    try:
        preview = check_role(s.gateway, s.settings, s.spec)  # beside the early PassRole decision's reads
        target = resolve_role(s.settings, account=s.spec.account, partition=s.spec.partition, region=s.spec.region)
        stops = [f for f in preview.plan.blocked_by if f.code in _TARGET_STOPS]
        stops += [f for f in preview.findings if f.code is Code.ROLE_ARN_MISMATCH]
        if not preview.role.exists and (target.must_exist or s.settings.no_create):
            stops += [f for f in preview.findings if f.code is Code.ROLE_NOT_FOUND]
        elif not preview.role.exists:
            boundary_document(s.gateway, s.settings.permissions_boundary)  # one that does not exist: exit 2 now
        if stops:
            try:
                gate.check(preview.arn)
            except ChecksFailed as exc:
                stops.append(Finding(Code.CHECKS_FAILED, exc.message, exc.hint))
        else:
            gate.check(preview.arn)  # a denial stops the run here, before the toolkit writes anything
    except AgentCoreExtError:
        gate.settle()
        report_calls(report, s.gateway)
        raise
    except BaseException:
        gate.settle()
        raise
    report_calls(report, s.gateway)
    return Precheck(s, gate, preview, tuple(stops))


def role_ensure(
    settings: Settings, report: Report, confirm: Confirm, progress: Progress, explicit: Collection[str] = ()
) -> tuple[int, str | None]:
    """`explicit`: the flags the user gave; the agent's block in .bedrock_agentcore.yaml fills in the rest."""
    # A role made before `configure` is for the agent the toolkit will configure: its defaults stand where
    # nothing else says (define/shape.py); a configured agent's block replaces them (issue 15 item 3).
    settings = with_agent_config(settings.with_(shape_defaults=CONFIGURE_DEFAULTS), explicit)
    _, outcome = ensure(settings, report, confirm, progress)
    code = EXIT_CHECKS_FAILED if has_errors(report.findings) else 0
    return code, outcome.arn if code == 0 else None

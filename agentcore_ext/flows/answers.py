"""The toolkit's answers, folded into the agent profile: after `agentcore configure` ran (its prompts answered, or
its defaults taken), the agent block it wrote (an ECR repository, memory mode, protocol, identity providers) is read
back and the agent profile is rebuilt from it and the agent's code, the way doctor builds it, so that the role is
judged and planned for what was configured, not for what the flags said before the prompts.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path

from agentcore_ext.findings import Code
from agentcore_ext.flows import passrole
from agentcore_ext.flows.profile import profiled_spec
from agentcore_ext.flows.session import Session
from agentcore_ext.judge.passrole import PassRoleResult
from agentcore_ext.report import Report
from agentcore_ext.settings import Settings
from agentcore_ext.toolkit.config import read_agent_config

# What profiled_spec and the deploy preflight report: replaced, not repeated, when the profile is rebuilt.
PROFILE_CODES = frozenset(
    {
        Code.DEPLOYMENT_TYPE_UNKNOWN,
        Code.AGENT_SCAN_UNRESOLVED,
        Code.ENTRYPOINT_NOT_SCANNED,
        Code.PROFILE_REGIONS_FROM_TABLE,
        Code.APPLICATION_PROFILE_MODELS_UNKNOWN,
        Code.REGION_NOT_OFFERED,
        Code.ECR_CROSS_ACCOUNT,
    }
)
DEPLOY_CODES = frozenset(
    {Code.DEPLOY_PERMISSION_MISSING, Code.DEPLOY_PERMISSIONS_UNKNOWN, Code.DEPLOY_CODEBUILD_PASSROLE_DENIED}
)


def settings_from_answers(settings: Settings) -> Settings:
    """The settings with what the toolkit wrote for this agent (None in the YAML: the flags' value stays)."""
    config = read_agent_config(Path(settings.workdir), settings.agent_name)
    if config is None:
        return settings
    return settings.with_(
        # The shape (deployment type, memory, protocol, repository) is read from the YAML it wrote by
        # flows/profile.py agent_shape; the command's defaults gave way to what the toolkit recorded.
        shape_defaults=(),
        config_file=None,  # the toolkit wrote ./.bedrock_agentcore.yaml: that is the agent's block now
    )


def reprofiled(s: Session, report: Report, pass_role: PassRoleResult | None) -> Session:
    """The session with the agent spec rebuilt from the YAML the toolkit just wrote; the report's `agent` block,
    profile findings and deploy preflight follow it (the caller and PassRole blocks stay: same caller, same ARN)."""
    settings = settings_from_answers(s.settings)
    fresh = Report(report.command)
    gateway = s.gateway
    spec = profiled_spec(
        settings,
        fresh,
        account=s.spec.account,
        partition=s.spec.partition,
        profile_models=lambda ids: _models(s, ids),
    )
    report_findings = [f for f in report.findings if f.code not in PROFILE_CODES]
    if pass_role is not None and spec != s.spec:
        # The deploy preflight depends on the agent (its repository, deployment type): decided again from
        # what the PassRole check already read; the simulator is asked only for steps it did not answer.
        report_findings = [f for f in report_findings if f.code not in DEPLOY_CODES]
        report.deploy, deploy_findings = passrole.deploy_preflight(pass_role, s.caller, spec, gateway=gateway)
        fresh.add(deploy_findings)
    report.findings = report_findings
    report.add(fresh.findings)
    report.agent = fresh.agent
    return replace(s, spec=spec, settings=settings)


def _models(s: Session, ids: list[str]) -> dict[str, tuple[str, ...]]:
    """The model ARNs each inference profile routes to as Bedrock answers them (as open_session asks)."""
    found = s.gateway.parallel(*(partial(s.gateway.inference_profile_models, i) for i in ids))
    return {i: arns for i, arns in zip(ids, found, strict=True) if arns}

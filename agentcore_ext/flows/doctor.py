"""doctor: gather, judge, report; never writes. With no agent or role flags it judges what
.bedrock_agentcore.yaml says is configured (the deploy guard runs this too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from agentcore_ext import arns
from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.aws.runtime import RuntimeRead, runtime_reader
from agentcore_ext.define.deployed import (
    DeployedRuntime,
    deployed_runtime,
    role_differs,
    shown_facts,
    unread_finding,
    with_deployed,
)
from agentcore_ext.define.spec import UNKNOWN_DEPLOYMENT_JUDGED_AS
from agentcore_ext.errors import EXIT_CHECKS_FAILED, UsageError
from agentcore_ext.findings import Code, Finding, has_errors, without
from agentcore_ext.flows.codebuild import check_codebuild_role, codebuild_role_name, read_codebuild_target
from agentcore_ext.flows.ensure_config import region_mismatch
from agentcore_ext.flows.profile import agent_shape, config_for
from agentcore_ext.flows.role import check_role
from agentcore_ext.flows.session import (
    check_pass_role,
    open_session,
    report_calls,
    role_into_report,
    with_pass_role,
)
from agentcore_ext.judge.deploy_needs import (
    DeployTarget,
    codebuild_role_arn,
    deploy_mode,
    toolkit_rewrite_findings,
)
from agentcore_ext.report import Report
from agentcore_ext.settings import Settings
from agentcore_ext.toolkit.config import AgentConfig, read_agent_config


def doctor(settings: Settings, report: Report, *, local_build: bool = False) -> int:
    """Read-only: caller, PassRole, role, the deploy preflight (`local_build`: `deploy --local-build`).

    With no role flags, the role in .bedrock_agentcore.yaml.
    """
    mismatch = region_mismatch(settings)
    if mismatch is not None:
        report.add([mismatch])  # before any AWS call: judging the role for the wrong region misleads
        return EXIT_CHECKS_FAILED
    settings = settings_from_toolkit_config(settings)
    config = config_for(settings)
    codebuild_role = config.codebuild_role if config is not None else None
    # The CodeBuild role the deploy will use is named before the account is known: its first reads share
    # GetCallerIdentity's round trip with the execution role's.
    reads: list[RuntimeRead] = []
    s = open_session(
        settings,
        report,
        also_read=lambda region: [
            codebuild_role_name(
                region,
                settings.agent_name,
                agent_shape(settings, config).deployment_type or UNKNOWN_DEPLOYMENT_JUDGED_AS,
                codebuild_role,
                local_build=local_build,
            )
        ],
        refine=None if config is None else partial(_read_deployed, config, reads),
    )
    deployed, unread = _deployed(reads)
    report.add(unread)
    if report.agent is not None:
        report.agent = replace(report.agent, facts=shown_facts(report.agent.facts))
    # The role, the CodeBuild role and the PassRole decision (with the whole deploy preflight's simulator calls,
    # asked for every outcome of the CodeBuild role read) are read side by side.
    planned = DeployTarget(
        deploy_mode(s.spec.deployment_type, local_build=local_build), codebuild_role_arn(s.spec, codebuild_role)
    )
    (outcome, (target, codebuild_read)), early, early_arn = with_pass_role(
        s,
        lambda: tuple(
            s.gateway.parallel(
                lambda: check_role(s.gateway, s.settings, s.spec),
                lambda: read_codebuild_target(s.gateway, s.spec, codebuild_role, local_build=local_build),
            )
        ),
        planned,
    )
    role_into_report(outcome, report, s)
    report.add([f for d in deployed if (f := role_differs(d, outcome.arn)) is not None])
    if not outcome.role.exists and settings.role_name and arns.is_toolkit_role_name(settings.role_name):
        # Configured without -er: the toolkit creates this role itself at deploy time; its absence is expected.
        report.findings = without(report.findings, Code.ROLE_NOT_FOUND)
        report.add(
            [
                Finding(
                    Code.TOOLKIT_AUTO_CREATES_ROLE,
                    f"the agent was configured without --execution-role: `agentcore deploy` will create "
                    f"{settings.role_name} itself, unchecked",
                    "run agentcore-ext configure to use a checked role instead",
                )
            ]
        )
    elif not outcome.role.exists and not (settings.execution_role or settings.role_name):
        report.role = None  # INTERFACE: null when no role was named and none found
        report.findings = without(report.findings, Code.ROLE_NOT_FOUND)
        report.add(
            [
                Finding(
                    Code.ROLE_NOT_CREATED_YET,
                    f"no execution role {outcome.role.name} for agent {s.spec.agent} yet",
                    "`agentcore-ext configure` (or `role ensure`) creates a compliant one",
                )
            ]
        )
    check_pass_role(s, outcome.arn, report, target, early=early, early_arn=early_arn)
    report.add(check_codebuild_role(s.gateway, s.spec, target, given=bool(codebuild_role), read=codebuild_read))
    if config is not None:
        report.add(toolkit_rewrite_findings(s.spec, [n for n, _ in config.credential_providers], config.aws_jwt))
    report_calls(report, s.gateway)
    return EXIT_CHECKS_FAILED if has_errors(report.findings) else 0


def _read_deployed(
    config: AgentConfig, reads: list[RuntimeRead], gateway: Gateway, region: str
) -> Callable[[Settings], Settings]:
    """open_session's `refine`: the agent's deployed runtime (the one the YAML records, else the runtime of its
    name: the one `agentcore deploy` updates), read beside GetCallerIdentity; its facts join the settings.

    Only for an agent of .bedrock_agentcore.yaml: a name given by flags alone may be any runtime's of the account."""
    read = runtime_reader(gateway, name=config.name, runtime_arn=config.runtime_arn)

    def refine(settings: Settings) -> Settings:
        found = read()
        reads.append(found)
        if found.runtime_id is None or found.answer is None:
            return settings
        return with_deployed(settings, deployed_runtime(found.runtime_id, found.answer))

    return refine


def _deployed(reads: list[RuntimeRead]) -> tuple[list[DeployedRuntime], list[Finding]]:
    """The runtimes read, and a DEPLOYED_RUNTIME_UNREAD for each read that failed."""
    runtimes, findings = [], []
    for found in reads:
        if found.error is not None:
            code = getattr(found.error, "code", "")
            findings.append(unread_finding(found.runtime_id, found.found_by, code, found.error.message))
        elif found.runtime_id is not None and found.answer is not None:
            runtimes.append(deployed_runtime(found.runtime_id, found.answer))
    return runtimes, findings


def settings_from_toolkit_config(settings: Settings) -> Settings:
    """doctor/deploy with no agent or role flags: judge what .bedrock_agentcore.yaml says is configured."""
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
        role_name=arns.toolkit_role_name(config.region or settings.region or "", config.name)
        if config.execution_role_auto_create
        else None,
        region=config.region or settings.region,
    )  # the agent's shape (deployment type, memory, protocol) is read from the same block in flows/profile.py

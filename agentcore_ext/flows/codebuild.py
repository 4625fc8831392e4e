"""The CodeBuild role a CodeBuild deploy will use: read it once and judge it (judge/codebuild_role.py)."""

from __future__ import annotations

from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.aws.gather_role import gather_role
from agentcore_ext.errors import AgentCoreExtError, AwsError
from agentcore_ext.findings import Finding
from agentcore_ext.judge.codebuild_role import judge_codebuild_role
from agentcore_ext.judge.deploy_needs import (
    DeployMode,
    DeployTarget,
    codebuild_role_arn,
    deploy_mode,
    toolkit_codebuild_role_name,
)
from agentcore_ext.state import AgentSpec, ObservedRole


def codebuild_role_name(
    region: str, agent: str, deployment_type: str, configured: str | None, *, local_build: bool = False
) -> str | None:
    """The name of the CodeBuild role `agentcore deploy` will use (None when it builds no image in CodeBuild);
    known before the account, so its reads can go out beside GetCallerIdentity."""
    if deploy_mode(deployment_type, local_build=local_build) is not DeployMode.CODEBUILD:
        return None
    return configured.rsplit("/", 1)[-1] if configured else toolkit_codebuild_role_name(region, agent)


def read_codebuild_target(
    gateway: Gateway, spec: AgentSpec, configured: str | None, *, local_build: bool = False
) -> tuple[DeployTarget, ObservedRole | None]:
    """The deploy mode and, for CodeBuild, the CodeBuild role the deploy will use: whether it exists, and the role
    with its documents (gather_role: its GetRole and listings in one round trip, its documents in the next).

    A refused GetRole leaves existence unknown (the preflight then judges GetRole and PassRole only); a role that
    exists but whose policies cannot be read stops the run with that read's error, as any role read does."""
    mode = deploy_mode(spec.deployment_type, local_build=local_build)
    if mode is not DeployMode.CODEBUILD:
        return DeployTarget(mode), None
    arn = codebuild_role_arn(spec, configured)
    try:
        role = gather_role(gateway, arn.rsplit("/", 1)[-1], case_insensitive=False)
    except AwsError as exc:
        if exc.operation != "iam:GetRole":
            raise
        return DeployTarget(mode, arn, None), None
    except AgentCoreExtError:
        return DeployTarget(mode, arn, None), None  # GetRole refused before it was sent (an invalid name)
    return DeployTarget(mode, arn, role is not None), role


def check_codebuild_role(
    gateway: Gateway, spec: AgentSpec, target: DeployTarget, *, given: bool, read: ObservedRole | None = None
) -> list[Finding]:
    """Findings on the CodeBuild role when deploy will build in CodeBuild and the role exists; else none. `read`:
    that role as read_codebuild_target read it, used when it is the target's."""
    if target.mode is not DeployMode.CODEBUILD or not target.codebuild_role_exists or not target.codebuild_role_arn:
        return []
    name = target.codebuild_role_arn.rsplit("/", 1)[-1]
    role = read if read is not None and read.name == name else gather_role(gateway, name, case_insensitive=False)
    return [] if role is None else judge_codebuild_role(role, spec, given=given)

"""The CodeBuild role a CodeBuild deploy will use: read it once and judge it (judge/codebuild_role.py)."""

from __future__ import annotations

from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.aws.gather_role import gather_role
from agentcore_ext.findings import Finding
from agentcore_ext.judge.codebuild_role import judge_codebuild_role
from agentcore_ext.judge.deploy_needs import DeployMode, DeployTarget
from agentcore_ext.state import AgentSpec, ObservedRole


def read_codebuild_role(gateway: Gateway, arn_or_name: str | None) -> ObservedRole | None:
    """The CodeBuild role .bedrock_agentcore.yaml names, read before the deploy target is known (doctor sends it
    beside the execution role's reads: one round trip instead of two after them)."""
    return gather_role(gateway, arn_or_name.rsplit("/", 1)[-1], case_insensitive=False) if arn_or_name else None


def check_codebuild_role(
    gateway: Gateway, spec: AgentSpec, target: DeployTarget, *, given: bool, read: ObservedRole | None = None
) -> list[Finding]:
    """Findings on the CodeBuild role when deploy will build in CodeBuild and the role exists; else none. `read`:
    that role as read_codebuild_role read it, used when it is the target's."""
    if target.mode is not DeployMode.CODEBUILD or not target.codebuild_role_exists or not target.codebuild_role_arn:
        return []
    name = target.codebuild_role_arn.rsplit("/", 1)[-1]
    role = read if read is not None and read.name == name else gather_role(gateway, name, case_insensitive=False)
    return [] if role is None else judge_codebuild_role(role, spec, given=given)

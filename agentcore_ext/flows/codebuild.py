"""The CodeBuild role a CodeBuild deploy will use: read it once and judge it (judge/codebuild_role.py)."""

from __future__ import annotations

from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.aws.gather_role import gather_role
from agentcore_ext.findings import Finding
from agentcore_ext.judge.codebuild_role import judge_codebuild_role
from agentcore_ext.judge.deploy_needs import DeployMode, DeployTarget
from agentcore_ext.state import AgentSpec


def check_codebuild_role(gateway: Gateway, spec: AgentSpec, target: DeployTarget, *, given: bool) -> list[Finding]:
    """Findings on the CodeBuild role when deploy will build in CodeBuild and the role exists; else none."""
    if target.mode is not DeployMode.CODEBUILD or not target.codebuild_role_exists or not target.codebuild_role_arn:
        return []
    role = gather_role(gateway, target.codebuild_role_arn.rsplit("/", 1)[-1], case_insensitive=False)
    return [] if role is None else judge_codebuild_role(role, spec, given=given)

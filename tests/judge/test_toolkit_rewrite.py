"""Issue 13 build item 3: TOOLKIT_WILL_REWRITE_ROLE when identity providers or AWS JWT are configured."""

from __future__ import annotations

from pathlib import Path

from agentcore_ext.judge.deploy_needs import toolkit_rewrite_findings
from agentcore_ext.state import AgentSpec
from agentcore_ext.toolkit.config import read_agent_config

SPEC = AgentSpec("a", "123456789012", "eu-west-1")


def test_nothing_configured_no_warning() -> None:
    assert toolkit_rewrite_findings(SPEC, [], False) == []


def test_identity_providers_and_jwt_warn_with_what_changes() -> None:
    (finding,) = toolkit_rewrite_findings(SPEC, ["github"], True)
    assert finding.code == "TOOLKIT_WILL_REWRITE_ROLE" and finding.severity == "warning"
    assert "arn:aws:bedrock-agentcore:eu-west-1:123456789012:*" in finding.message
    assert "AgentCoreIdentityAccess" in finding.message and "AgentCoreAwsJwtAccess" in finding.message
    gov = AgentSpec("a", "123456789012", "us-gov-west-1", "aws-us-gov")
    assert "wrong partition" in toolkit_rewrite_findings(gov, ["github"], False)[0].message


def test_read_from_the_yaml(tmp_path: Path) -> None:
    (tmp_path / ".bedrock_agentcore.yaml").write_text(
        "default_agent: a\nagents:\n  a:\n    name: a\n    identity:\n      credential_providers:\n"
        "        - {name: github, type: oauth2}\n    aws_jwt: {enabled: true}\n"
        "    codebuild: {execution_role: 'arn:aws:iam::123456789012:role/MyCodeBuild'}\n"
    )
    config = read_agent_config(tmp_path)
    assert config is not None and config.aws_jwt and config.credential_providers == (("github", "oauth2"),)
    assert config.codebuild_role == "arn:aws:iam::123456789012:role/MyCodeBuild"

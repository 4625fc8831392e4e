"""Issue 13 build item 1: the CodeBuild role's documents and its judgement (pure)."""

from __future__ import annotations

from typing import Any

from agentcore_ext.iam.policy import parse_policy
from agentcore_ext.judge.codebuild_role import (
    codebuild_permissions_document,
    codebuild_trust_document,
    default_codebuild_role_name,
    judge_codebuild_role,
)
from agentcore_ext.state import AgentSpec, ObservedPolicy, ObservedRole

SPEC = AgentSpec("my_agent", "123456789012", "eu-west-1", "aws", "container")


def role(trust: dict[str, Any], *permissions: dict[str, Any]) -> ObservedRole:
    def observed(doc: dict[str, Any], name: str) -> ObservedPolicy:
        return ObservedPolicy(name, doc, parse_policy(doc, name))

    return ObservedRole(
        "r",
        "arn:aws:iam::123456789012:role/r",
        "/",
        observed(trust, "trust"),
        tuple(observed(p, f"p{i}") for i, p in enumerate(permissions)),
    )


def codes(role_: ObservedRole) -> set[str]:
    return {f.code for f in judge_codebuild_role(role_, SPEC, given=True)}


def test_own_documents_are_compliant_and_partition_aware() -> None:
    assert codes(role(codebuild_trust_document(SPEC), codebuild_permissions_document(SPEC))) == set()
    gov = AgentSpec("my_agent", "123456789012", "us-gov-west-1", "aws-us-gov", "container")
    assert "arn:aws:" not in str(codebuild_permissions_document(gov)) + str(codebuild_trust_document(gov))
    name = default_codebuild_role_name("eu-west-1", "my_agent")
    assert "BedrockAgentCore" in name and "eu-west-1" in name and len(name) <= 64


def test_broken_trust_is_refused() -> None:
    ec2 = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    assert "CODEBUILD_ROLE_TRUST_INVALID" in codes(role(ec2, codebuild_permissions_document(SPEC)))


def test_unscoped_trust_warns_and_missing_permissions_are_errors() -> None:
    unscoped = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    assert codes(role(unscoped)) == {"CODEBUILD_ROLE_TRUST_NOT_SCOPED", "CODEBUILD_ROLE_PERMISSIONS_MISSING"}

# ruff: noqa: F811  (tests take the imported `world` fixture as their parameter)
"""Issue 21 red-team item 2, the way users hit it: `role ensure --codebuild` on a CodeBuild role whose trust lets
anyone assume it (beside the tool's own, compliant statement) stops with TRUST_WILDCARD_PRINCIPAL, exit 3, and
writes nothing, with or without --fix. The CLI runs in a subprocess against the moto server; moto evaluates no
conditions, so the verdict is agentcore-ext's own judge (judge/trust.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from test_e2e import ACCOUNT, REGION, World, world  # noqa: F401  (the `world` fixture)

from agentcore_ext.judge.codebuild_role import codebuild_permissions_document, codebuild_trust_document
from agentcore_ext.state import AgentSpec

CB_ROLE = f"BedrockAgentCoreCodeBuild-{REGION}-hello_agent"
SPEC = AgentSpec("hello_agent", ACCOUNT, REGION)
ENSURE = ("role", "ensure", "--codebuild", "-n", "hello_agent", "--disable-memory", "--yes", "--json")

HOSTILE = {
    "principal-star-securetransport": {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "sts:AssumeRole",
        "Condition": {"Bool": {"aws:SecureTransport": "true"}},
    },
    "aws-star-arnlike-any-account": {
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "sts:AssumeRole",
        "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ci-*"}},
    },
    "notprincipal-allow": {
        "Effect": "Allow",
        "NotPrincipal": {"AWS": "arn:aws:iam::210987654321:root"},
        "Action": "sts:AssumeRole",
        "Condition": {"Bool": {"aws:SecureTransport": "true"}},
    },
}


def severities(report: dict[str, Any]) -> dict[str, str]:
    return {f["code"]: f["severity"] for f in report["findings"]}


@pytest.mark.parametrize("statement", list(HOSTILE.values()), ids=list(HOSTILE))
def test_redteam_02_role_ensure_codebuild_refuses_a_world_assumable_trust(
    world: World, statement: dict[str, Any]
) -> None:
    trust = {"Version": "2012-10-17", "Statement": [*codebuild_trust_document(SPEC)["Statement"], statement]}
    world.iam.create_role(RoleName=CB_ROLE, AssumeRolePolicyDocument=json.dumps(trust))
    world.iam.put_role_policy(
        RoleName=CB_ROLE, PolicyName="build", PolicyDocument=json.dumps(codebuild_permissions_document(SPEC))
    )
    before = world.role_state(CB_ROLE)
    for fix in ((), ("--fix",)):
        code, report, err = world.run(*ENSURE, *fix)
        assert code == 3, err
        assert report is not None and report["ok"] is False and report["role"]["trust_ok"] is False
        assert severities(report).get("TRUST_WILDCARD_PRINCIPAL") == "error"
        assert world.role_state(CB_ROLE) == before  # never repaired by adding, never a statement removed

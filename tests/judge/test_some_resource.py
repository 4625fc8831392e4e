"""A requirement on a resource nobody named is "allowed on some resource of that type" (INTERFACE.md, second
round: "never against a guessed name"): literal role documents for an agent whose guardrail id the scan could not
read (Bedrock guardrails permissions page: bedrock:ApplyGuardrail on arn:P:bedrock:R:C:guardrail/<id>)."""

from __future__ import annotations

from typing import Any

import pytest

from agentcore_ext.findings import codes
from agentcore_ext.iam.policy import parse_policy
from agentcore_ext.iam.wildcard import common_match
from agentcore_ext.judge.permissions import judge_permissions
from agentcore_ext.judge.requirements import permissions_document
from agentcore_ext.state import AgentProfile, AgentSpec, Feature, FeatureUse

ACCOUNT, REGION = "123456789012", "us-east-1"
GUARDRAILS = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:guardrail/"
APPLY = "bedrock:ApplyGuardrail"


@pytest.mark.parametrize(
    ("pattern", "other", "common"),
    [
        (f"{GUARDRAILS}gr7x2k", f"{GUARDRAILS}*", f"{GUARDRAILS}gr7x2k"),
        ("*", f"{GUARDRAILS}*", f"{GUARDRAILS}"),
        (f"arn:aws:bedrock:*:{ACCOUNT}:guardrail/prod-*", f"{GUARDRAILS}*", f"{GUARDRAILS}prod-"),
        (f"arn:aws:bedrock:us-west-2:{ACCOUNT}:guardrail/*", f"{GUARDRAILS}*", None),  # another region
        (f"arn:aws:bedrock:{REGION}:{ACCOUNT}:knowledge-base/*", f"{GUARDRAILS}*", None),  # another type
        ("arn:aws:secretsmanager:*:*:secret:db-??????", "arn:aws:secretsmanager:*:*:secret:db-Ab12Cd7", None),
        (
            "arn:aws:secretsmanager:*:*:secret:db-??????",
            "arn:aws:secretsmanager:*:*:secret:db-Ab12C?",
            "arn:aws:secretsmanager:::secret:db-Ab12C",
        ),
        ("arn:aws:s3:::reports/*", "arn:aws:s3:::*/2025/*", "arn:aws:s3:::reports/2025/"),
        ("a?c*", "*bcd", "abcd"),
    ],
)
def test_two_patterns_share_a_resource_or_none(pattern: str, other: str, common: str | None) -> None:
    found = common_match(pattern, other)
    if common is None:
        assert found is None
    else:
        assert found is not None and found.startswith(common)


def guarded_agent() -> AgentSpec:
    """BedrockModel(guardrail_id=os.environ["GUARDRAIL_ID"]) with no value for it: the guardrail is unknown."""
    profile = AgentProfile(features=(FeatureUse(Feature.GUARDRAIL, "agent.py:14"),))
    return AgentSpec("helpdesk", ACCOUNT, REGION, memory=False, deployment_type="direct_code_deploy", profile=profile)


def base(spec: AgentSpec) -> list[dict[str, Any]]:
    """What the tool writes for everything but the guardrail: the cases below vary only that."""
    return [s for s in permissions_document(spec)["Statement"] if s["Sid"] != "BedrockApplyGuardrail"]


def verdict(*statements: dict[str, Any], boundary: dict[str, Any] | None = None) -> Any:
    spec = guarded_agent()
    doc = {"Version": "2012-10-17", "Statement": [*base(spec), *statements]}
    bound = parse_policy({"Version": "2012-10-17", "Statement": [boundary]}) if boundary else None
    return judge_permissions([parse_policy(doc)], spec, bound)


def allow(resource: str, effect: str = "Allow") -> dict[str, Any]:
    return {"Effect": effect, "Action": APPLY, "Resource": resource}


def test_a_grant_on_one_guardrail_passes_with_the_unknown_resource_warning() -> None:
    v = verdict(allow(f"{GUARDRAILS}gr7x2k"))
    assert v.ok and v.missing_actions == ()
    assert "RESOURCE_UNKNOWN" in codes(v.findings)
    [warning] = [f for f in v.findings if f.code == "RESOURCE_UNKNOWN"]
    assert APPLY in warning.message and f"{GUARDRAILS}*" in warning.message and "--env" in warning.hint


def test_a_grant_on_every_guardrail_of_the_account_passes_without_it() -> None:
    v = verdict(allow(f"{GUARDRAILS}*"))
    assert v.ok and "RESOURCE_UNKNOWN" not in codes(v.findings)


def test_a_role_that_grants_it_nowhere_fails() -> None:
    v = verdict()
    assert not v.ok and v.missing_actions == (APPLY,)
    assert "PERMISSIONS_MISSING" in codes(v.findings) and "RESOURCE_UNKNOWN" not in codes(v.findings)


def test_a_grant_in_another_region_is_no_guardrail_of_this_one() -> None:
    v = verdict(allow(f"arn:aws:bedrock:eu-west-1:{ACCOUNT}:guardrail/gr7x2k"))
    assert not v.ok and v.missing_actions == (APPLY,)
    assert "PERMISSIONS_MISSING" in codes(v.findings)


def test_a_deny_of_some_guardrails_leaves_others_allowed_but_not_provably_the_agents() -> None:
    v = verdict(allow(f"{GUARDRAILS}*"), allow(f"{GUARDRAILS}legacy*", "Deny"))
    assert v.ok and "RESOURCE_UNKNOWN" in codes(v.findings)


def test_a_deny_of_the_only_granted_guardrail_is_an_explicit_deny() -> None:
    v = verdict(allow(f"{GUARDRAILS}gr7x2k"), allow(f"{GUARDRAILS}*", "Deny"))
    assert not v.ok and v.missing_actions == (APPLY,)
    assert "PERMISSIONS_EXPLICIT_DENY" in codes(v.findings)


def test_a_boundary_that_refuses_bedrock_blocks_the_grant() -> None:
    other = {"Effect": "Allow", "NotAction": "bedrock:*", "Resource": "*"}
    v = verdict(allow(f"{GUARDRAILS}gr7x2k"), boundary=other)
    assert not v.ok and "PERMISSIONS_BOUNDARY_BLOCKS" in codes(v.findings)


def test_what_the_tool_writes_for_it_is_flagged_as_a_wildcard_not_passed_silently() -> None:
    written = [s for s in permissions_document(guarded_agent())["Statement"] if s["Sid"] == "BedrockApplyGuardrail"]
    assert written == [
        {"Sid": "BedrockApplyGuardrail", "Effect": "Allow", "Action": [APPLY], "Resource": f"{GUARDRAILS}*"}
    ]

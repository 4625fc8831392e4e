"""plan/edits.py merge_statements (issue 10 item 5): a repair only ever merges into a plain Allow with Action."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from agentcore_ext.iam.policy import parse_policy
from agentcore_ext.judge.permissions import judge_permissions
from agentcore_ext.judge.requirements import TOOL_REPAIR_POLICY_NAME, permissions_document
from agentcore_ext.plan.edits import merge_statements
from agentcore_ext.plan.model import PlanInputs, PutInlinePolicy
from agentcore_ext.plan.planner import make_plan
from agentcore_ext.state import AgentSpec, ObservedRole, observe_policy

ACCOUNT = "123456789012"
SPEC = AgentSpec(agent="demo", account=ACCOUNT, region="us-east-1")
NAME = "BedrockAgentCoreRuntime-us-east-1-demo"
REPO = f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/bedrock-agentcore-demo"
PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "bedrock-agentcore.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
        }
    ],
}


def _addition() -> dict[str, Any]:
    return permissions_document(SPEC, only_actions=set(PULL))


def _policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


USERS_STATEMENTS: dict[str, dict[str, Any]] = {
    "deny": {"Sid": "ECRImageAccess", "Effect": "Deny", "Action": ["ecr:DeleteRepository"], "Resource": REPO},
    "notaction": {"Sid": "ECRImageAccess", "Effect": "Allow", "NotAction": PULL, "Resource": REPO},
    "action-and-notaction": {
        "Sid": "ECRImageAccess",
        "Effect": "Allow",
        "Action": ["ecr:DescribeImages"],
        "NotAction": ["ecr:PutImage"],
        "Resource": REPO,
    },
    "notresource": {"Sid": "ECRImageAccess", "Effect": "Allow", "Action": ["ecr:DescribeImages"], "NotResource": REPO},
    "lower-case-effect-key": {"Sid": "ECRImageAccess", "effect": "Deny", "Action": ["ecr:PutImage"], "Resource": REPO},
    "no-effect": {"Sid": "ECRImageAccess", "Action": ["ecr:DescribeImages"], "Resource": REPO},
}


@pytest.mark.parametrize("kind", list(USERS_STATEMENTS))
def test_item5_repair_never_merges_into_a_deny(kind: str) -> None:
    users = USERS_STATEMENTS[kind]
    existing = _policy(copy.deepcopy(users))
    merged = merge_statements(existing, _addition())
    first, added = merged["Statement"]
    assert first == users  # the user's statement is exactly as it was
    assert added["Effect"] == "Allow" and added["Action"] == PULL and added["Resource"] == REPO
    assert added["Sid"] != users["Sid"]  # a fresh Sid: two statements never share one


def test_item5_repair_into_a_users_deny_leaves_the_role_allowing_pulls() -> None:
    """Judged: the Deny is not widened to the pulls, so the repaired role may pull its image."""
    deny = USERS_STATEMENTS["deny"]
    merged = merge_statements(_policy(copy.deepcopy(deny)), _addition())
    verdict = judge_permissions([parse_policy(merged)], SPEC)
    assert not set(PULL) & set(verdict.missing_actions)


def test_item5_repair_never_writes_an_action_into_a_notaction_statement() -> None:
    merged = merge_statements(_policy(copy.deepcopy(USERS_STATEMENTS["notaction"])), _addition())
    parse_policy(merged)  # valid: no statement holds both Action and NotAction
    assert all(not ({"Action", "NotAction"} <= set(s)) for s in merged["Statement"])


def test_item5_a_plain_allow_of_the_same_sid_resource_and_condition_is_still_merged() -> None:
    existing = _policy({"Sid": "ECRImageAccess", "Effect": "Allow", "Action": "ecr:BatchGetImage", "Resource": REPO})
    (only,) = merge_statements(existing, _addition())["Statement"]
    assert only["Action"] == PULL


def test_item5_an_allow_with_another_condition_gets_its_own_statement() -> None:
    cond = {"StringEquals": {"aws:SourceVpc": "vpc-1"}}
    existing = _policy(
        {"Sid": "ECRImageAccess", "Effect": "Allow", "Action": PULL, "Resource": REPO, "Condition": cond}
    )
    statements = merge_statements(existing, _addition())["Statement"]
    assert len(statements) == 2 and statements[0]["Condition"] == cond and "Condition" not in statements[1]


def test_item5_the_planner_appends_next_to_a_users_deny_in_the_repair_policy() -> None:
    base = permissions_document(SPEC)
    base["Statement"] = [s for s in base["Statement"] if not s["Sid"].startswith("ECR")]
    repair = _policy(copy.deepcopy(USERS_STATEMENTS["deny"]))
    observed = ObservedRole(
        name=NAME,
        arn=f"arn:aws:iam::{ACCOUNT}:role/{NAME}",
        path="/",
        trust=observe_policy(TRUST, "trust policy"),
        inline=(observe_policy(base, "user"), observe_policy(repair, TOOL_REPAIR_POLICY_NAME)),
    )
    _, plan = make_plan(observed, SPEC, PlanInputs(name=NAME, arn=observed.arn, fix=True))
    (put,) = [a for a in plan.actions if isinstance(a, PutInlinePolicy)]
    assert put.document["Statement"][0] == USERS_STATEMENTS["deny"]
    after = judge_permissions([parse_policy(base), parse_policy(dict(put.document))], SPEC)
    assert not set(PULL) & set(after.missing_actions)

"""Table tests of the pure planner: literal documents in, verdict codes and planned actions out."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from agentcore_ext.findings import Severity, codes
from agentcore_ext.judge.requirements import (
    TOOL_POLICY_NAME,
    TOOL_REPAIR_POLICY_NAME,
    permissions_document,
    trust_document,
)
from agentcore_ext.plan.display import describe
from agentcore_ext.plan.model import CreateRole, PlanInputs, PutInlinePolicy, TagRole, UpdateTrust
from agentcore_ext.plan.planner import make_plan
from agentcore_ext.report import ActionTaken
from agentcore_ext.state import AgentSpec, ObservedRole, observe_policy

ACCOUNT = "123456789012"
SPEC = AgentSpec(agent="demo", account=ACCOUNT, region="us-east-1")
NAME = "BedrockAgentCoreRuntime-us-east-1-demo"
ARN = f"arn:aws:iam::{ACCOUNT}:role/{NAME}"
TOOL_TAGS = {"managed-by": "agentcore-ext", "team": "ml"}
SERVICE = "bedrock-agentcore.amazonaws.com"

BARE_TRUST: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Mine", "Effect": "Allow", "Principal": {"Service": SERVICE}, "Action": "sts:AssumeRole"}],
}
WRONG_SERVICE: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "bedrock.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
OTHER_REGION: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": SERVICE},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "ArnLike": {"aws:SourceArn": f"arn:aws:bedrock-agentcore:eu-west-1:{ACCOUNT}:*"},
            },
        }
    ],
}
DENY_ECR = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "NoEcr", "Effect": "Deny", "Action": "ecr:*", "Resource": "*"}],
}
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
LOGS_ONLY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}


def full_permissions() -> dict[str, Any]:
    return permissions_document(SPEC)


def without_ecr() -> dict[str, Any]:
    doc = permissions_document(SPEC)
    doc["Statement"] = [s for s in doc["Statement"] if not s["Sid"].startswith("ECR")]
    return doc


def role(
    trust: dict[str, Any] | None = None,
    inline: dict[str, dict[str, Any]] | None = None,
    attached: dict[str, dict[str, Any]] | None = None,
    boundary: dict[str, Any] | None = None,
    path: str = "/",
    tags: dict[str, str] | None = None,
) -> ObservedRole:
    inline = {"user-policy": full_permissions()} if inline is None else inline
    boundary_arn = f"arn:aws:iam::{ACCOUNT}:policy/Boundary" if boundary is not None else None
    return ObservedRole(
        name=NAME,
        arn=f"arn:aws:iam::{ACCOUNT}:role{path}{NAME}",
        path=path,
        trust=observe_policy(trust_document(SPEC) if trust is None else trust, "trust policy"),
        inline=tuple(observe_policy(doc, name) for name, doc in inline.items()),
        attached=tuple(
            observe_policy(doc, name, f"arn:aws:iam::{ACCOUNT}:policy/{name}") for name, doc in (attached or {}).items()
        ),
        boundary_arn=boundary_arn,
        boundary=observe_policy(boundary, "Boundary", boundary_arn or "") if boundary is not None else None,
        tags=tags or {},
    )


def inputs(**changes: Any) -> PlanInputs:
    base = PlanInputs(name=NAME, arn=ARN, tags=TOOL_TAGS, fix_command="agentcore-ext role ensure --fix")
    return PlanInputs(**{**base.__dict__, **changes})


# --- missing role ------------------------------------------------------------------------------------------


def test_missing_role_plans_a_create_with_the_tools_documents() -> None:
    verdict, plan = make_plan(None, SPEC, inputs(path="/agents/", boundary=None))
    assert plan.kind == "create" and plan.will_apply and not plan.blocked_by
    create, put = plan.actions
    assert isinstance(create, CreateRole) and isinstance(put, PutInlinePolicy)
    assert create.trust == trust_document(SPEC) and create.path == "/agents/" and create.tags == TOOL_TAGS
    assert put.policy_name == TOOL_POLICY_NAME and put.document == full_permissions()
    report = verdict.role_block(ActionTaken.PLANNED).to_dict()
    assert report == {
        "name": NAME,
        "arn": ARN,
        "exists": False,
        "trust_ok": False,
        "permissions_ok": False,
        "missing_actions": report["missing_actions"],
        "action_taken": "planned",
        "requirements": [],  # filled in by the flow from the agent profile
    }
    assert "ecr:BatchGetImage" in report["missing_actions"] and report["missing_actions"] == sorted(
        report["missing_actions"]
    )


@pytest.mark.parametrize("flag", ["no_create", "must_exist"])
def test_missing_role_that_may_not_be_created(flag: str) -> None:
    verdict, plan = make_plan(None, SPEC, inputs(**{flag: True}))
    assert codes(verdict.findings) == {"ROLE_NOT_FOUND"} and codes(plan.blocked_by) == {"ROLE_NOT_FOUND"}
    assert not plan.actions and not plan.will_apply


def test_create_under_a_boundary_that_blocks_is_refused() -> None:
    _, plan = make_plan(None, SPEC, inputs(boundary="arn:aws:iam::123456789012:policy/B", boundary_document=LOGS_ONLY))
    assert "PERMISSIONS_BOUNDARY_BLOCKS" in codes(plan.blocked_by) and not plan.will_apply


def test_create_under_a_boundary_that_allows() -> None:
    _, plan = make_plan(None, SPEC, inputs(boundary="arn:aws:iam::123456789012:policy/B", boundary_document=ALLOW_ALL))
    assert plan.will_apply and isinstance(plan.actions[0], CreateRole)
    assert plan.actions[0].boundary == "arn:aws:iam::123456789012:policy/B"


# --- judging existing roles --------------------------------------------------------------------------------

CASES: list[tuple[str, ObservedRole, set[str], set[str]]] = [
    # (label, role, expected finding codes, expected blocked codes)
    ("compliant", role(), set(), set()),
    ("missing ECR", role(inline={"p": without_ecr()}), {"PERMISSIONS_MISSING"}, set()),
    ("unscoped trust", role(trust=BARE_TRUST), {"TRUST_NOT_SCOPED"}, set()),
    ("wrong service", role(trust=WRONG_SERVICE), {"TRUST_SERVICE_NOT_ALLOWED"}, set()),
    ("SourceArn in another region", role(trust=OTHER_REGION), {"TRUST_SERVICE_NOT_ALLOWED"}, set()),
    (
        "explicit deny",
        role(inline={"p": full_permissions(), "deny": DENY_ECR}),
        {"PERMISSIONS_EXPLICIT_DENY"},
        {"PERMISSIONS_EXPLICIT_DENY"},
    ),
    ("only an attached managed policy", role(inline={}, attached={"AgentPolicy": full_permissions()}), set(), set()),
    (
        "a boundary that blocks",
        role(boundary=LOGS_ONLY),
        {"PERMISSIONS_BOUNDARY_BLOCKS", "TELEMETRY_PERMISSIONS_MISSING"},
        {"PERMISSIONS_BOUNDARY_BLOCKS"},
    ),
    (
        "wildcard principal",
        role(
            trust={
                "Version": "2012-10-17",
                "Statement": [
                    *trust_document(SPEC)["Statement"],
                    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
                ],
            }
        ),
        {"TRUST_WILDCARD_PRINCIPAL", "TRUST_NOT_SCOPED"},  # "*" also lets AgentCore of other accounts in
        {"TRUST_WILDCARD_PRINCIPAL"},
    ),
]


@pytest.mark.parametrize(("label", "observed", "expected", "blocked"), CASES, ids=[c[0] for c in CASES])
def test_findings_of_each_variant(label: str, observed: ObservedRole, expected: set[str], blocked: set[str]) -> None:
    verdict, plan = make_plan(observed, SPEC, inputs(fix=True))
    found = {f.code for f in verdict.findings if f.severity is not Severity.INFO}
    assert found == expected, label
    assert codes(plan.blocked_by) == blocked
    if not expected:
        assert verdict.compliant and not plan.actions


def test_missing_ecr_with_fix_adds_a_repair_policy_with_only_those_actions() -> None:
    verdict, plan = make_plan(role(inline={"p": without_ecr()}), SPEC, inputs(fix=True))
    assert verdict.missing_actions == ("ecr:BatchGetImage", "ecr:GetAuthorizationToken", "ecr:GetDownloadUrlForLayer")
    (put,) = plan.actions
    assert isinstance(put, PutInlinePolicy) and put.policy_name == TOOL_REPAIR_POLICY_NAME and put.old_document is None
    actions = {a for s in put.document["Statement"] for a in s["Action"]}
    assert actions == set(verdict.missing_actions)
    assert plan.will_apply and plan.kind == "repair"


def test_without_fix_the_plan_is_shown_not_applied_with_the_command() -> None:
    verdict, plan = make_plan(role(inline={"p": without_ecr()}), SPEC, inputs(fix=False))
    assert plan.needs_fix and not plan.will_apply and plan.actions
    fix = next(f for f in verdict.findings if f.code == "ROLE_FIX_AVAILABLE")
    assert "agentcore-ext role ensure --fix" in fix.hint
    assert "rerun with --fix" in describe(plan)


def test_repair_merges_into_an_existing_repair_policy() -> None:
    old = permissions_document(SPEC, only_actions={"ecr:BatchGetImage"})
    existing = role(inline={"p": without_ecr(), TOOL_REPAIR_POLICY_NAME: old})
    _, plan = make_plan(existing, SPEC, inputs(fix=True))
    (put,) = plan.actions
    assert isinstance(put, PutInlinePolicy) and put.old_document == old
    image = next(s for s in put.document["Statement"] if s["Sid"] == "ECRImageAccess")
    assert image["Action"] == ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    assert {s["Sid"] for s in put.document["Statement"]} == {"ECRImageAccess", "ECRTokenAccess"}


def test_a_boundary_that_allows_does_not_stop_a_repair() -> None:
    _, plan = make_plan(role(inline={"p": without_ecr()}, boundary=ALLOW_ALL), SPEC, inputs(fix=True))
    assert plan.will_apply and isinstance(plan.actions[0], PutInlinePolicy)


# --- trust repairs -----------------------------------------------------------------------------------------


def test_unscoped_bare_statement_gets_source_account_and_nothing_else() -> None:
    verdict, plan = make_plan(role(trust=copy.deepcopy(BARE_TRUST)), SPEC, inputs(fix=True))
    assert verdict.trust_ok and "TRUST_NOT_SCOPED" in codes(verdict.findings)
    (update,) = plan.actions
    assert isinstance(update, UpdateTrust) and update.old_document == BARE_TRUST
    (statement,) = update.new_document["Statement"]
    assert statement == {**BARE_TRUST["Statement"][0], "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}
    assert "aws:SourceAccount" in update.note and "+" in describe(plan)


def test_an_unscoped_statement_for_several_services_is_not_rewritten() -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": [SERVICE, "lambda.amazonaws.com"]}, "Action": "sts:AssumeRole"}
        ],
    }
    verdict, plan = make_plan(role(trust=trust), SPEC, inputs(fix=True))
    assert "TRUST_NOT_SCOPED" in codes(verdict.findings)
    assert not plan.actions and plan.notes and "aws:SourceAccount" in plan.notes[0]


@pytest.mark.parametrize("trust", [WRONG_SERVICE, OTHER_REGION], ids=["wrong service", "other region"])
def test_missing_service_statement_is_added_and_the_users_statements_kept(trust: dict[str, Any]) -> None:
    _, plan = make_plan(role(trust=copy.deepcopy(trust)), SPEC, inputs(fix=True))
    (update,) = plan.actions
    assert isinstance(update, UpdateTrust)
    new = update.new_document["Statement"]
    assert new[0] == trust["Statement"][0] and len(new) == 2
    assert new[1] == trust_document(SPEC)["Statement"][0]


def test_added_statement_gets_a_unique_sid() -> None:
    trust = copy.deepcopy(WRONG_SERVICE)
    trust["Statement"][0]["Sid"] = "BedrockAgentCoreRuntimeAssumeRole"
    _, plan = make_plan(role(trust=trust), SPEC, inputs(fix=True))
    (update,) = plan.actions
    assert isinstance(update, UpdateTrust)
    assert update.new_document["Statement"][1]["Sid"] == "BedrockAgentCoreRuntimeAssumeRole2"


def test_a_trust_deny_cannot_be_fixed_by_adding() -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Principal": {"Service": SERVICE}, "Action": "sts:AssumeRole"}],
    }
    _, plan = make_plan(role(trust=trust), SPEC, inputs(fix=True))
    assert codes(plan.blocked_by) == {"TRUST_SERVICE_NOT_ALLOWED"} and not plan.will_apply


# --- roles the tool never touches, tags, limits ------------------------------------------------------------


@pytest.mark.parametrize("path", ["/aws-reserved/sso.amazonaws.com/", "/aws-service-role/bedrock.amazonaws.com/"])
def test_aws_managed_roles_are_refused(path: str) -> None:
    saml = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/AWSSSO"},
                "Action": "sts:AssumeRoleWithSAML",
            }
        ],
    }
    verdict, plan = make_plan(role(trust=saml, inline={}, path=path), SPEC, inputs(fix=True))
    assert "ROLE_RESERVED" in codes(verdict.findings) and codes(plan.blocked_by) == {"ROLE_RESERVED"}
    assert not plan.actions


def test_missing_tags_are_added_only_to_the_tools_own_roles() -> None:
    _, own = make_plan(role(tags={"managed-by": "agentcore-ext"}), SPEC, inputs(fix=True))
    assert own.actions == (TagRole(NAME, {"team": "ml"}),)
    _, theirs = make_plan(role(tags={}), SPEC, inputs(fix=True))
    assert not theirs.actions


def test_inline_policy_size_limit_blocks() -> None:
    big = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::" + "x" * 10_000}],
    }
    _, plan = make_plan(role(inline={"big": big, "p": without_ecr()}), SPEC, inputs(fix=True))
    assert "ROLE_INLINE_POLICY_LIMIT" in codes(plan.blocked_by)


def test_describe_shows_nothing_to_change() -> None:
    _, plan = make_plan(role(), SPEC, inputs(fix=True))
    assert "nothing to change" in describe(plan)
    assert plan.to_dict()["actions"] == []

"""The shared planner with the CodeBuild role kind (plan/kinds.py): literal documents in, actions and codes out.

Facts: RUNTIME-NEEDS.md "The CodeBuild role"; the toolkit's operations/runtime/create_role.py
get_or_create_codebuild_execution_role (trust codebuild.amazonaws.com, ECR token/push, logs, source bucket).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from agentcore_ext.findings import codes
from agentcore_ext.judge.codebuild_role import (
    codebuild_permissions_document,
    codebuild_trust_document,
    judge_codebuild_role,
)
from agentcore_ext.plan.kinds import CODEBUILD_POLICY_NAME, CODEBUILD_REPAIR_POLICY_NAME, codebuild_kind
from agentcore_ext.plan.model import CreateRole, PlanInputs, PlanKind, PutInlinePolicy, UpdateTrust
from agentcore_ext.plan.planner import make_plan, rebase
from agentcore_ext.state import AgentSpec, ObservedRole, observe_policy

ACCOUNT = "123456789012"
SPEC = AgentSpec(agent="demo", account=ACCOUNT, region="us-east-1")
NAME = "BedrockAgentCoreCodeBuild-us-east-1-demo"
ARN = f"arn:aws:iam::{ACCOUNT}:role/{NAME}"
CB = "codebuild.amazonaws.com"
KIND = codebuild_kind()


def trust(principal: dict[str, Any], effect: str = "Allow", **extra: Any) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": effect, "Principal": principal, "Action": "sts:AssumeRole", **extra}],
    }


def role(trust_doc: dict[str, Any], *inline: tuple[str, dict[str, Any]], path: str = "/") -> ObservedRole:
    return ObservedRole(
        NAME,
        ARN,
        path,
        observe_policy(trust_doc, "trust policy"),
        tuple(observe_policy(doc, name) for name, doc in inline),
    )


def inputs(**changes: Any) -> PlanInputs:
    return PlanInputs(NAME, ARN, tags={"managed-by": "agentcore-ext"}, **changes)


def after(observed: ObservedRole, plan_actions: tuple[Any, ...]) -> ObservedRole:
    """The role as it would be once the plan's writes are done (for judging the result)."""
    trust_doc = observed.trust.raw
    inline = {p.name: p.raw for p in observed.inline}
    for action in plan_actions:
        if isinstance(action, CreateRole):
            trust_doc = action.trust
        elif isinstance(action, PutInlinePolicy):
            inline[action.policy_name] = action.document
        elif isinstance(action, UpdateTrust):
            trust_doc = action.new_document
    return role(dict(trust_doc), *((n, dict(d)) for n, d in inline.items()))


def test_create_writes_the_scoped_trust_and_least_privilege_policy_our_judge_passes() -> None:
    verdict, plan = make_plan(None, SPEC, inputs(path="/team/", boundary="arn:aws:iam::123456789012:policy/B"), KIND)
    assert plan.kind is PlanKind.CREATE and plan.will_apply
    create, put = plan.actions
    assert isinstance(create, CreateRole) and create.path == "/team/" and create.boundary is not None
    assert create.trust == codebuild_trust_document(SPEC)
    assert isinstance(put, PutInlinePolicy) and put.policy_name == CODEBUILD_POLICY_NAME
    assert put.document == codebuild_permissions_document(SPEC)
    assert judge_codebuild_role(after(role({}), plan.actions), SPEC, given=False) == []
    assert "ecr:PutImage" in verdict.missing_actions


def test_documents_follow_the_partition() -> None:
    gov = AgentSpec(agent="demo", account=ACCOUNT, region="us-gov-west-1", partition="aws-us-gov")
    _, plan = make_plan(None, gov, inputs(), KIND)
    text = str([a for a in plan.actions])
    assert "arn:aws-us-gov:" in text and "arn:aws:" not in text


def test_a_compliant_role_gets_no_plan() -> None:
    observed = role(codebuild_trust_document(SPEC), ("p", codebuild_permissions_document(SPEC)))
    verdict, plan = make_plan(observed, SPEC, inputs(), KIND)
    assert plan.actions == () and verdict.findings == ()


def test_a_bare_codebuild_trust_is_scoped_and_missing_permissions_added_only_with_fix() -> None:
    observed = role(trust({"Service": CB}))
    verdict, plan = make_plan(observed, SPEC, inputs(fix_command="agentcore-ext role ensure --codebuild --fix"), KIND)
    assert {"CODEBUILD_ROLE_TRUST_NOT_SCOPED", "CODEBUILD_ROLE_PERMISSIONS_MISSING", "ROLE_FIX_AVAILABLE"} <= set(
        codes(verdict.findings)
    )
    assert plan.needs_fix and not plan.will_apply
    _, plan = make_plan(observed, SPEC, inputs(fix=True), KIND)
    assert plan.will_apply and plan.kind is PlanKind.REPAIR
    put = next(a for a in plan.actions if isinstance(a, PutInlinePolicy))
    assert put.policy_name == CODEBUILD_REPAIR_POLICY_NAME
    update = next(a for a in plan.actions if isinstance(a, UpdateTrust))
    assert update.new_document["Statement"][0]["Condition"] == {"StringEquals": {"aws:SourceAccount": ACCOUNT}}
    assert judge_codebuild_role(after(observed, plan.actions), SPEC, given=False) == []


def test_a_trust_for_another_service_gets_the_tools_statement_added_and_keeps_its_own() -> None:
    # the tool's own role (managed-by tag); a role it did not make gets no CodeBuild trust added (red-team 21 item 11)
    observed = replace(
        role(trust({"Service": "ec2.amazonaws.com"}), ("p", codebuild_permissions_document(SPEC))),
        tags={"managed-by": "agentcore-ext"},
    )
    verdict, plan = make_plan(observed, SPEC, inputs(fix=True), KIND)
    assert "CODEBUILD_ROLE_TRUST_INVALID" in codes(verdict.findings) and not plan.blocked_by
    (update,) = plan.actions
    assert isinstance(update, UpdateTrust) and not update.warning_only
    statements = update.new_document["Statement"]
    assert statements[0]["Principal"] == {"Service": "ec2.amazonaws.com"}  # kept as it was
    assert statements[1] == codebuild_trust_document(SPEC)["Statement"][0]
    assert judge_codebuild_role(after(observed, plan.actions), SPEC, given=False) == []


def test_a_deny_for_codebuild_in_the_trust_blocks_the_whole_plan() -> None:
    doc = trust({"Service": CB}, effect="Deny")
    _, plan = make_plan(role(doc), SPEC, inputs(fix=True), KIND)
    assert "CODEBUILD_ROLE_TRUST_INVALID" in codes(plan.blocked_by) and not plan.will_apply


def test_a_wildcard_principal_is_never_repaired_by_adding() -> None:
    doc = trust({"AWS": "*"})
    _, plan = make_plan(role(doc, ("p", codebuild_permissions_document(SPEC))), SPEC, inputs(fix=True), KIND)
    assert "TRUST_WILDCARD_PRINCIPAL" in codes(plan.blocked_by) and not plan.will_apply


def test_an_explicit_deny_on_push_blocks_the_repair() -> None:
    deny = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "ecr:PutImage", "Resource": "*"}],
    }
    observed = role(codebuild_trust_document(SPEC), ("p", codebuild_permissions_document(SPEC)), ("d", deny))
    _, plan = make_plan(observed, SPEC, inputs(fix=True), KIND)
    assert "PERMISSIONS_EXPLICIT_DENY" in codes(plan.blocked_by) and not plan.will_apply


def test_aws_managed_roles_are_never_planned_for() -> None:
    for path in ("/aws-service-role/codebuild.amazonaws.com/", "/aws-reserved/sso.amazonaws.com/"):
        _, plan = make_plan(role(trust({"Service": CB}), path=path), SPEC, inputs(fix=True), KIND)
        assert plan.actions == () and "ROLE_RESERVED" in codes(plan.blocked_by)


def test_a_given_role_that_does_not_exist_is_not_created() -> None:
    _, plan = make_plan(None, SPEC, inputs(must_exist=True), codebuild_kind(given=True))
    assert plan.actions == () and "ROLE_NOT_FOUND" in codes(plan.blocked_by)
    assert "--code-build-execution-role" in plan.blocked_by[0].message


def test_rebase_merges_into_what_another_writer_put_since() -> None:
    observed = role(trust({"Service": CB}))
    _, plan = make_plan(observed, SPEC, inputs(fix=True), KIND)
    put = next(a for a in plan.actions if isinstance(a, PutInlinePolicy))
    theirs = {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "Theirs", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::x/*"}],
    }
    fresh = rebase(put, theirs, SPEC, KIND)
    assert isinstance(fresh, PutInlinePolicy) and fresh.document["Statement"][0]["Sid"] == "Theirs"
    assert len(fresh.document["Statement"]) == 1 + len(put.document["Statement"])

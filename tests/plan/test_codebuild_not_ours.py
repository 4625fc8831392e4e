"""Red-team issue 21, item 11: `role ensure --codebuild --fix` on a role the tool did not make (named by -cber or
the YAML's codebuild.execution_role, which a pull request can change) never adds a CodeBuild trust to it, and a
CodeBuild role with grants far beyond a build is an error. Literal documents in, actions and codes out."""

from __future__ import annotations

from typing import Any

from agentcore_ext.findings import codes
from agentcore_ext.judge.codebuild_role import codebuild_permissions_document, codebuild_trust_document
from agentcore_ext.plan.kinds import CODEBUILD_POLICY_NAME, codebuild_kind
from agentcore_ext.plan.model import PlanInputs, UpdateTrust
from agentcore_ext.plan.planner import make_plan
from agentcore_ext.state import AgentSpec, ObservedPolicy, ObservedRole, observe_policy

ACCOUNT = "123456789012"
SPEC = AgentSpec(agent="demo", account=ACCOUNT, region="us-east-1")
NAME = "ci-admin"
ARN = f"arn:aws:iam::{ACCOUNT}:role/{NAME}"
OTHER_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def _role(
    trust: dict[str, Any],
    *inline: tuple[str, dict[str, Any]],
    tags: dict[str, str] | None = None,
    attached: tuple[ObservedPolicy, ...] = (),
) -> ObservedRole:
    return ObservedRole(
        NAME,
        ARN,
        "/",
        observe_policy(trust, "trust policy"),
        tuple(observe_policy(doc, name) for name, doc in inline),
        attached,
        tags=tags or {},
    )


def _plan(observed: ObservedRole) -> tuple[set[str], tuple[Any, ...]]:
    kind = codebuild_kind(given=True)
    verdict, plan = make_plan(observed, SPEC, PlanInputs(NAME, ARN, fix=True, must_exist=True), kind)
    return codes([*verdict.findings, *plan.blocked_by]), plan.actions


def test_redteam_11_an_admin_role_given_as_codebuild_role_is_an_error_and_gets_no_trust() -> None:
    found, actions = _plan(_role(OTHER_TRUST, ("admin", ADMIN)))
    assert "CODEBUILD_ROLE_TOO_BROAD" in found
    assert not any(isinstance(a, UpdateTrust) for a in actions)
    assert actions == ()  # the plan is blocked: nothing is written


def test_redteam_11_attached_administrator_access_is_an_error() -> None:
    admin = ObservedPolicy(
        "AdministratorAccess",
        ADMIN,
        observe_policy(ADMIN, "AdministratorAccess").document,
        arn="arn:aws:iam::aws:policy/AdministratorAccess",
    )
    good = codebuild_permissions_document(SPEC, None)
    found, actions = _plan(_role(codebuild_trust_document(SPEC), (CODEBUILD_POLICY_NAME, good), attached=(admin,)))
    assert "CODEBUILD_ROLE_TOO_BROAD" in found and actions == ()


def test_redteam_11_a_foreign_role_without_the_trust_is_not_given_one() -> None:
    good = codebuild_permissions_document(SPEC, None)
    found, actions = _plan(_role(OTHER_TRUST, (CODEBUILD_POLICY_NAME, good)))
    assert "CODEBUILD_TRUST_NOT_OURS" in found
    assert not any(isinstance(a, UpdateTrust) for a in actions)


def test_redteam_11_the_tools_own_codebuild_role_still_gets_its_trust_repaired() -> None:
    good = codebuild_permissions_document(SPEC, None)
    own = _role(OTHER_TRUST, (CODEBUILD_POLICY_NAME, good), tags={"managed-by": "agentcore-ext"})
    found, actions = _plan(own)
    assert "CODEBUILD_TRUST_NOT_OURS" not in found and "CODEBUILD_ROLE_TOO_BROAD" not in found
    assert any(isinstance(a, UpdateTrust) for a in actions)

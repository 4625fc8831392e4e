"""Issue 21 red-team item 2: one trust judge (judge/trust.py) for every role the tool judges.

The CodeBuild role pushes the agent's image, so a trust that lets anyone assume it is as serious as one on the
execution role. These tables put the same literal statements on both kinds of role and expect the same verdict:
T2 (TRUST_WILDCARD_PRINCIPAL, error) from the statements themselves, never from a probe that sets no
aws:SecureTransport, no aws:PrincipalArn and one foreign account.
"""

from __future__ import annotations

from typing import Any

import pytest

from agentcore_ext.findings import Severity
from agentcore_ext.iam.policy import parse_policy
from agentcore_ext.judge.codebuild_role import (
    codebuild_permissions_document,
    codebuild_trust_document,
    judge_codebuild_role,
    judge_codebuild_trust,
)
from agentcore_ext.judge.requirements import permissions_document, trust_statement
from agentcore_ext.judge.role import RoleVerdict
from agentcore_ext.judge.trust import judge_trust
from agentcore_ext.plan.kinds import EXECUTION, RoleKind, codebuild_kind
from agentcore_ext.state import AgentSpec, ObservedRole, observe_policy

ACCT, OTHER, REGION = "123456789012", "210987654321", "us-east-1"
SPEC = AgentSpec(agent="my_agent", account=ACCT, region=REGION, memory=False)
WILD = "TRUST_WILDCARD_PRINCIPAL"
# The T1/T3 codes each kind has kept since it was introduced (scripts match them); T2 is one code for both.
CANONICAL = {
    "CODEBUILD_ROLE_TRUST_INVALID": "TRUST_SERVICE_NOT_ALLOWED",
    "CODEBUILD_ROLE_TRUST_NOT_SCOPED": "TRUST_NOT_SCOPED",
}


def anyone(condition: dict[str, Any] | None = None, principal: Any = "*") -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition is not None:
        st["Condition"] = condition
    return st


SECURE_TRANSPORT = anyone({"Bool": {"aws:SecureTransport": "true"}})
ARNLIKE_ANY_ACCOUNT = anyone({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ci-*"}}, {"AWS": "*"})
NOT_PRINCIPAL = {"Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{OTHER}:root"}, "Action": "sts:AssumeRole"}
# Everyone but one account, over TLS: the old probe set no aws:SecureTransport, so it saw no one let in.
NOT_PRINCIPAL_TLS = {**NOT_PRINCIPAL, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}

HOSTILE: dict[str, dict[str, Any]] = {
    "star, SecureTransport": SECURE_TRANSPORT,
    "AWS star, ArnLike any account": ARNLIKE_ANY_ACCOUNT,
    "NotPrincipal allow": NOT_PRINCIPAL,
    "NotPrincipal allow, SecureTransport": NOT_PRINCIPAL_TLS,
    "star, no condition": anyone(),
    "AWS star, no condition": anyone(principal={"AWS": "*"}),
    "star, userid": anyone({"StringLike": {"aws:userid": "*:ci-session"}}),
    "star, PrincipalAccount negated": anyone({"StringNotEquals": {"aws:PrincipalAccount": "999999999999"}}),
    "star, PrincipalAccount IfExists": anyone({"StringEqualsIfExists": {"aws:PrincipalAccount": ACCT}}),
    "star, PrincipalAccount IgnoreCase": anyone({"StringEqualsIgnoreCase": {"aws:PrincipalAccount": ACCT}}),
    "star, own or other account": anyone({"StringEquals": {"aws:PrincipalAccount": [ACCT, OTHER]}}),
    "star, caller-controlled tag": anyone({"StringEquals": {"aws:PrincipalTag/account": ACCT}}),
    "star, org wildcard": anyone({"StringLike": {"aws:PrincipalOrgID": "o-*"}}),
    "wildcard account principal": anyone(principal={"AWS": "arn:aws:iam::*:root"}),
    "star, web identity": {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRoleWithWebIdentity"},
    "star, NotAction TagSession": {"Effect": "Allow", "Principal": "*", "NotAction": "sts:TagSession"},
}
PINNED: dict[str, dict[str, Any]] = {
    "star, account-pinned": anyone({"StringEquals": {"aws:PrincipalAccount": ACCT}}),
    "star, org-pinned": anyone({"StringEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}}),
    "AWS star, ArnLike own account": anyone(
        {"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCT}:role/ci-*"}}, {"AWS": "*"}
    ),
    "NotPrincipal, account-pinned": {**NOT_PRINCIPAL, "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCT}}},
    "account principal": anyone(principal={"AWS": f"arn:aws:iam::{ACCT}:root"}),
}


def execution_role(*extra: dict[str, Any]) -> ObservedRole:
    """A compliant execution role (the tool's own documents) with the statements under test beside its trust."""
    return observed({"Version": "2012-10-17", "Statement": [trust_statement(SPEC), *extra]}, permissions_document(SPEC))


def codebuild_role(*extra: dict[str, Any]) -> ObservedRole:
    """A compliant CodeBuild role (the tool's own documents) with the statements under test beside its trust."""
    own = codebuild_trust_document(SPEC)["Statement"]
    return observed({"Version": "2012-10-17", "Statement": [*own, *extra]}, codebuild_permissions_document(SPEC))


def observed(trust: dict[str, Any], permissions: dict[str, Any]) -> ObservedRole:
    return ObservedRole(
        "r", f"arn:aws:iam::{ACCT}:role/r", "/", observe_policy(trust, "trust"), (observe_policy(permissions, "p"),)
    )


# (kind, the role under test with the extra statements)
KINDS = {
    "execution": (EXECUTION, execution_role),
    "codebuild": (codebuild_kind(), codebuild_role),
    "codebuild -cber": (codebuild_kind(given=True), codebuild_role),
}


def verdict_of(kind_id: str, *extra: dict[str, Any]) -> RoleVerdict:
    kind, make = KINDS[kind_id]
    return kind.judge(make(*extra), SPEC)


def errors(verdict: RoleVerdict) -> set[str]:
    return {f.code for f in verdict.findings if f.severity is Severity.ERROR}


def trust_codes(kind: RoleKind, verdict: RoleVerdict) -> set[str]:
    """The verdict's trust findings, each kind's T1/T3 code named as the execution role names it."""
    return {CANONICAL.get(f.code, f.code) for f in verdict.findings if f.code in kind.trust_codes}


# --- the three statements of the issue, on the CodeBuild role ---------------------------------------------


@pytest.mark.parametrize("given", [False, True], ids=["default", "cber"])
def test_redteam_02_codebuild_trust_principal_star_with_securetransport_is_error(given: bool) -> None:
    verdict = codebuild_kind(given=given).judge(codebuild_role(SECURE_TRANSPORT), SPEC)
    assert errors(verdict) == {WILD}
    assert verdict.trust_ok is False and verdict.trust is not None and verdict.trust.wildcard is True


def test_redteam_02_codebuild_trust_aws_star_with_arnlike_any_account_is_error() -> None:
    verdict = codebuild_kind().judge(codebuild_role(ARNLIKE_ANY_ACCOUNT), SPEC)
    assert errors(verdict) == {WILD}
    assert verdict.trust_ok is False


def test_redteam_02_codebuild_trust_notprincipal_allow_is_error() -> None:
    verdict = codebuild_kind().judge(codebuild_role(NOT_PRINCIPAL_TLS), SPEC)
    assert errors(verdict) == {WILD}
    assert verdict.trust_ok is False


def test_redteam_02_codebuild_trust_hostile_statements_stop_doctor_and_the_deploy_guard() -> None:
    """doctor and the deploy guard judge the CodeBuild role through judge_codebuild_role (flows/codebuild.py)."""
    for statement in (SECURE_TRANSPORT, ARNLIKE_ANY_ACCOUNT, NOT_PRINCIPAL_TLS):
        findings = judge_codebuild_role(codebuild_role(statement), SPEC, given=True)
        assert {f.code for f in findings if f.severity is Severity.ERROR} == {WILD}, statement


# --- the table: each hostile statement x each role kind -> the same error -------------------------------


@pytest.mark.parametrize("kind_id", list(KINDS))
@pytest.mark.parametrize("statement", list(HOSTILE.values()), ids=list(HOSTILE))
def test_redteam_02_hostile_trust_statement_is_the_same_error_on_every_role_kind(
    statement: dict[str, Any], kind_id: str
) -> None:
    verdict = verdict_of(kind_id, statement)
    assert errors(verdict) == {WILD}
    assert verdict.trust_ok is False and verdict.permissions_ok is True
    assert verdict.trust is not None and verdict.trust.wildcard is True and verdict.trust.service_allowed is True


@pytest.mark.parametrize("statement", list(HOSTILE.values()) + list(PINNED.values()), ids=[*HOSTILE, *PINNED])
def test_redteam_02_trust_verdict_is_the_same_on_both_role_kinds(statement: dict[str, Any]) -> None:
    """Not only the error: T1/T3 agree too (a statement unscoped for AgentCore is unscoped for CodeBuild)."""
    found = {kind_id: trust_codes(KINDS[kind_id][0], verdict_of(kind_id, statement)) for kind_id in KINDS}
    assert found["execution"] == found["codebuild"] == found["codebuild -cber"]


@pytest.mark.parametrize("kind_id", list(KINDS))
@pytest.mark.parametrize("statement", list(PINNED.values()), ids=list(PINNED))
def test_redteam_02_wildcard_pinned_to_this_account_is_fine_on_every_role_kind(
    statement: dict[str, Any], kind_id: str
) -> None:
    verdict = verdict_of(kind_id, statement)
    assert errors(verdict) == set() and verdict.trust_ok is True


def test_redteam_02_hostile_table_covers_the_issue() -> None:
    assert len(HOSTILE) >= 12 and len(KINDS) >= 2


# --- the confused-deputy check (T3) is also decided from the statements on the CodeBuild role -------------

CB = "codebuild.amazonaws.com"
PROJECT = f"arn:aws:codebuild:{REGION}:{ACCT}:project/bedrock-agentcore-my_agent-builder"


def codebuild_service(condition: dict[str, Any] | None = None) -> dict[str, Any]:
    return anyone(condition, {"Service": CB})


def cb_trust(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


@pytest.mark.parametrize(
    "condition",
    [
        None,
        {"StringEquals": {"aws:SourceAccount": [ACCT, OTHER]}},
        {"StringNotEquals": {"aws:SourceAccount": "999999999999"}},
        {"StringLike": {"aws:SourceAccount": "1234567890*"}},  # 111122223333 fails it; 123456789099 does not
        {"StringEqualsIfExists": {"aws:SourceAccount": ACCT}},
        {"ArnLike": {"aws:SourceArn": f"arn:aws:codebuild:{REGION}:*:project/*"}},
    ],
    ids=["bare", "own-or-other", "negated", "wildcarded", "IfExists", "SourceArn-any-account"],
)
def test_redteam_02_codebuild_loosely_scoped_service_statement_is_not_scoped(condition: dict[str, Any] | None) -> None:
    verdict = judge_codebuild_trust(parse_policy(cb_trust(codebuild_service(condition))), SPEC)
    assert {f.code for f in verdict.findings} == {"CODEBUILD_ROLE_TRUST_NOT_SCOPED"}
    assert verdict.service_allowed is True and verdict.scoped is False and verdict.ok is True


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:SourceAccount": ACCT}},  # the toolkit's own trust
        {"ArnLike": {"aws:SourceArn": PROJECT}},
        {"StringEquals": {"aws:SourceAccount": ACCT}, "ArnLike": {"aws:SourceArn": PROJECT}},  # agentcore-ext's
    ],
    ids=["toolkit", "SourceArn", "agentcore-ext"],
)
def test_redteam_02_codebuild_scoped_service_statement_is_compliant(condition: dict[str, Any]) -> None:
    verdict = judge_codebuild_trust(parse_policy(cb_trust(codebuild_service(condition))), SPEC)
    assert verdict.findings == () and verdict.ok and verdict.scoped


def test_redteam_02_execution_trust_judge_is_unchanged_for_the_codebuild_service() -> None:
    """The execution role's judge asks about AgentCore: a CodeBuild-only trust does not serve it (T1)."""
    verdict = judge_trust(parse_policy(codebuild_trust_document(SPEC)), SPEC)
    assert {f.code for f in verdict.findings} == {"TRUST_SERVICE_NOT_ALLOWED"} and not verdict.ok
    cb = judge_codebuild_trust(parse_policy(codebuild_trust_document(SPEC)), SPEC)
    assert cb.ok and cb.findings == ()

"""T2 and T3 decided from the statements (issue 10, items 1 and 2): a table of literal trust documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from agentcore_ext.iam.policy import parse_policy
from agentcore_ext.judge.requirements import trust_document, trust_statement
from agentcore_ext.judge.trust import judge_trust
from agentcore_ext.state import AgentSpec

ACCT, OTHER, REGION = "123456789012", "210987654321", "us-east-1"
SPEC = AgentSpec(agent="my_agent", account=ACCT, region=REGION, memory=False)
SERVICE = "bedrock-agentcore.amazonaws.com"
WILD, UNSCOPED, NO_SERVICE = "TRUST_WILDCARD_PRINCIPAL", "TRUST_NOT_SCOPED", "TRUST_SERVICE_NOT_ALLOWED"
REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "aws-doc-execution-role-trust-policy.json"
# The trust policy AWS documents for AgentCore Runtime execution roles (a copy of the file above).
AWS_DOC_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AssumeRolePolicy",
            "Effect": "Allow",
            "Principal": {"Service": SERVICE},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": ACCT},
                "ArnLike": {"aws:SourceArn": f"arn:aws:bedrock-agentcore:{REGION}:{ACCT}:*"},
            },
        }
    ],
}


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def anyone(condition: dict[str, Any] | None = None, principal: Any = "*", **extra: Any) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra}
    if condition is not None:
        st["Condition"] = condition
    return st


def service(condition: dict[str, Any] | None = None) -> dict[str, Any]:
    return anyone(condition, {"Service": SERVICE})


def with_tool(*statements: dict[str, Any]) -> dict[str, Any]:
    """The tool's own (compliant) service statement next to the statements under test."""
    return doc(trust_statement(SPEC), *statements)


SOURCE_ARN = "aws:SourceArn"
RUNTIMES = f"arn:aws:bedrock-agentcore:{REGION}:{ACCT}:runtime/*"

# id -> (document, trust_ok, finding codes, scoped)
TABLE: dict[str, tuple[dict[str, Any], bool, set[str], bool]] = {
    # --- compliant references ---
    "tool trust_document": (trust_document(SPEC), True, set(), True),
    "AWS documented trust": (AWS_DOC_TRUST, True, set(), True),
    # --- world-assumable: T2 ---
    "star, SecureTransport": (with_tool(anyone({"Bool": {"aws:SecureTransport": "true"}})), False, {WILD}, True),
    "AWS star, ArnLike any account": (
        with_tool(anyone({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ci-*"}}, {"AWS": "*"})),
        False, {WILD}, True,
    ),
    "star, userid": (with_tool(anyone({"StringLike": {"aws:userid": "*:ci-session"}})), False, {WILD}, True),
    # a missing aws:PrincipalAccount passes a negated operator: AgentCore of any account gets in too
    "star, StringNotEquals": (
        with_tool(anyone({"StringNotEquals": {"aws:PrincipalAccount": "999999999999"}})), False, {WILD, UNSCOPED},
        False,
    ),
    "star, no condition": (with_tool(anyone()), False, {WILD, UNSCOPED}, False),
    "AWS star, no condition": (with_tool(anyone(principal={"AWS": "*"})), False, {WILD, UNSCOPED}, False),
    "partial wildcard principal": (
        with_tool(anyone(principal={"AWS": "arn:aws:iam::*:root"})), False, {WILD}, True,
    ),
    "NotPrincipal allow": (
        with_tool({"Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCT}:role/x"},
                   "Action": "sts:AssumeRole"}),
        False, {WILD, UNSCOPED}, False,
    ),
    "star, NotAction TagSession": (
        with_tool({"Effect": "Allow", "Principal": "*", "NotAction": "sts:TagSession"}), False, {WILD, UNSCOPED},
        False,
    ),
    "star, web identity": (
        with_tool({"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRoleWithWebIdentity"}), False, {WILD},
        True,
    ),
    "star, IfExists": (
        with_tool(anyone({"StringEqualsIfExists": {"aws:PrincipalAccount": ACCT}})), False, {WILD, UNSCOPED},
        False,
    ),
    "star, ForAnyValue": (
        with_tool(anyone({"ForAnyValue:StringEquals": {"aws:PrincipalAccount": ACCT}})), False, {WILD}, True,
    ),
    "star, ForAllValues": (
        with_tool(anyone({"ForAllValues:StringEquals": {"aws:PrincipalAccount": ACCT}})), False, {WILD, UNSCOPED},
        False,
    ),
    "star, IgnoreCase": (
        with_tool(anyone({"StringEqualsIgnoreCase": {"aws:PrincipalAccount": ACCT}})), False, {WILD}, True,
    ),
    "star, multi-account": (
        with_tool(anyone({"StringEquals": {"aws:PrincipalAccount": [ACCT, OTHER]}})), False, {WILD}, True,
    ),
    "star, other account": (with_tool(anyone({"StringEquals": {"aws:PrincipalAccount": OTHER}})), False, {WILD}, True),
    "star, caller-controlled tag": (
        with_tool(anyone({"StringEquals": {"aws:PrincipalTag/account": ACCT}})), False, {WILD}, True,
    ),
    "star, variable account": (
        with_tool(anyone({"StringEquals": {"aws:PrincipalAccount": "${aws:PrincipalAccount}"}})), False, {WILD},
        True,
    ),
    "AWS star, ArnLike variable account": (
        with_tool(anyone({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:role/x"}},
                         {"AWS": "*"})),
        False, {WILD}, True,
    ),
    "AWS star, StringLike wildcard before account": (
        with_tool(anyone({"StringLike": {"aws:PrincipalArn": f"arn:aws:*:{ACCT}:role/x"}}, {"AWS": "*"})),
        False, {WILD}, True,
    ),
    "star, org wildcard": (with_tool(anyone({"StringLike": {"aws:PrincipalOrgID": "o-*"}})), False, {WILD}, True),
    # --- pinned wildcards: fine ---
    "star, account-pinned": (with_tool(anyone({"StringEquals": {"aws:PrincipalAccount": ACCT}})), True, set(), True),
    "star, org-pinned": (with_tool(anyone({"StringEquals": {"aws:PrincipalOrgID": "o-abcdef1234"}})), True, set(),
                         True),
    "AWS star, ArnLike own account": (
        with_tool(anyone({"ArnLike": {"aws:PrincipalArn": f"arn:aws:iam::{ACCT}:role/ci-*"}}, {"AWS": "*"})),
        True, set(), True,
    ),
    "star, SourceAccount-pinned": (
        with_tool(anyone({"StringEquals": {"aws:SourceAccount": ACCT}})), True, set(), True,
    ),
    "NotPrincipal, account-pinned": (
        with_tool({"Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{ACCT}:role/x"},
                   "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCT}}}),
        True, set(), True,
    ),
    "star, TagSession only": (
        with_tool({"Effect": "Allow", "Principal": "*", "Action": "sts:TagSession"}), True, set(), True,
    ),
    "account principal": (with_tool(anyone(principal={"AWS": f"arn:aws:iam::{ACCT}:root"})), True, set(), True),
    # --- the service statement: T3 ---
    "bare service": (doc(service()), True, {UNSCOPED}, False),
    "SourceAccount own or other": (
        doc(service({"StringEquals": {"aws:SourceAccount": [ACCT, OTHER]}})), True, {UNSCOPED}, False,
    ),
    "SourceAccount negated": (
        doc(service({"StringNotEquals": {"aws:SourceAccount": "999999999999"}})), True, {UNSCOPED}, False,
    ),
    "SourceAccount wildcarded": (
        doc(service({"StringLike": {"aws:SourceAccount": "1234567890*"}})), True, {UNSCOPED}, False,
    ),
    "SourceAccount IfExists": (
        doc(service({"StringEqualsIfExists": {"aws:SourceAccount": ACCT}})), True, {UNSCOPED}, False,
    ),
    "SourceAccount ForAnyValue": (
        doc(service({"ForAnyValue:StringEquals": {"aws:SourceAccount": ACCT}})), True, {UNSCOPED}, False,
    ),
    "SourceAccount StringLike literal": (doc(service({"StringLike": {"aws:SourceAccount": ACCT}})), True, set(), True),
    "SourceArn only, literal": (doc(service({"ArnLike": {SOURCE_ARN: RUNTIMES}})), True, set(), True),
    "SourceArn StringLike literal account": (doc(service({"StringLike": {SOURCE_ARN: RUNTIMES}})), True, set(), True),
    "SourceArn any region": (
        doc(service({"ArnLike": {SOURCE_ARN: f"arn:aws:bedrock-agentcore:*:{ACCT}:runtime/*"}})), True, {UNSCOPED},
        False,
    ),
    "SourceArn any account": (
        doc(service({"ArnLike": {SOURCE_ARN: f"arn:aws:bedrock-agentcore:{REGION}:*:runtime/*"}})), True,
        {UNSCOPED}, False,
    ),
    "SourceArn StringLike open end": (
        doc(service({"StringLike": {SOURCE_ARN: f"arn:aws:bedrock-agentcore:{REGION}:*"}})), True, {UNSCOPED},
        False,
    ),
    "SourceArn negated": (
        doc(service({"ArnNotLike": {SOURCE_ARN: f"arn:aws:bedrock-agentcore:{REGION}:{OTHER}:*"}})), True,
        {UNSCOPED}, False,
    ),
    "SourceArn loose, SourceAccount pinned": (
        doc(service({"StringEquals": {"aws:SourceAccount": ACCT},
                     "ArnLike": {SOURCE_ARN: "arn:aws:bedrock-agentcore:*:*:*"}})),
        True, set(), True,
    ),
    "scoped next to unscoped": (doc(trust_statement(SPEC), service()), True, {UNSCOPED}, False),
    # --- statements for somewhere else: T1 decides, T3 judges only what serves this agent ---
    "only another account": (doc(service({"StringEquals": {"aws:SourceAccount": OTHER}})), False, {NO_SERVICE}, True),
    "only another region": (
        doc(service({"ArnLike": {SOURCE_ARN: f"arn:aws:bedrock-agentcore:eu-west-1:{ACCT}:*"}})), False,
        {NO_SERVICE}, True,
    ),
    "tool next to another account's": (
        with_tool(service({"StringEquals": {"aws:SourceAccount": OTHER}})), True, set(), True,
    ),
}  # fmt: skip


@pytest.mark.parametrize(("document", "trust_ok", "codes", "scoped"), list(TABLE.values()), ids=list(TABLE))
def test_item2_trust_rule_table(document: dict[str, Any], trust_ok: bool, codes: set[str], scoped: bool) -> None:
    verdict = judge_trust(parse_policy(document), SPEC)
    assert {f.code for f in verdict.findings} == codes
    assert verdict.ok is trust_ok
    assert verdict.scoped is scoped
    assert verdict.wildcard is (WILD in codes)


def test_item2_table_is_large_enough() -> None:
    assert len(TABLE) >= 25


def test_item2_documented_trust_file_matches_the_copy() -> None:
    if not REFERENCE.is_file():
        pytest.skip("shared/reference not present")
    document = json.loads(REFERENCE.read_text())
    assert document == AWS_DOC_TRUST
    verdict = judge_trust(parse_policy(document), SPEC)
    assert verdict.ok and verdict.scoped and not verdict.findings


@pytest.mark.parametrize(
    "statement",
    [
        anyone({"Bool": {"aws:SecureTransport": "true"}}),
        anyone({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/ci-*"}}, {"AWS": "*"}),
        anyone({"StringLike": {"aws:userid": "*:ci-session"}}),
        anyone({"StringNotEquals": {"aws:PrincipalAccount": "999999999999"}}),
        {"Effect": "Allow", "NotPrincipal": {"AWS": f"arn:aws:iam::{OTHER}:root"}, "Action": "sts:AssumeRole"},
    ],
    ids=["SecureTransport", "ArnLike-any-account", "userid", "StringNotEquals", "NotPrincipal"],
)
def test_item1_world_assumable_trust_is_a_t2_error(statement: dict[str, Any]) -> None:
    verdict = judge_trust(parse_policy(with_tool(statement)), SPEC)
    assert "TRUST_WILDCARD_PRINCIPAL" in {f.code for f in verdict.findings}
    assert verdict.ok is False and verdict.wildcard is True


@pytest.mark.parametrize(
    "condition",
    [
        {"StringEquals": {"aws:SourceAccount": [ACCT, OTHER]}},
        {"StringNotEquals": {"aws:SourceAccount": "999999999999"}},
        {"StringLike": {"aws:SourceAccount": "1234567890*"}},
    ],
    ids=["own-or-other", "negated", "wildcarded"],
)
def test_item2_loosely_scoped_service_statement_is_not_scoped(condition: dict[str, Any]) -> None:
    verdict = judge_trust(parse_policy(doc(service(condition))), SPEC)
    assert {f.code for f in verdict.findings} == {"TRUST_NOT_SCOPED"}
    assert verdict.service_allowed is True and verdict.scoped is False and verdict.ok is True

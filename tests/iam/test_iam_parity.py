"""Where the evaluator differed from IAM (issue 10, items 10, 11, 16-20): literal documents, asserted decisions."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from agentcore_ext import arns
from agentcore_ext.errors import UsageError
from agentcore_ext.iam.conditions import evaluate_conditions
from agentcore_ext.iam.evaluate import Decision, Request, evaluate
from agentcore_ext.iam.matching import Match, arn_matches
from agentcore_ext.iam.policy import PolicyDocument, parse_policy
from agentcore_ext.iam.principals import principal_matches

ACCT = "123456789012"
OTHER = "210987654321"
ALLOWED, EXPLICIT, IMPLICIT = Decision.ALLOWED, Decision.EXPLICIT_DENY, Decision.IMPLICIT_DENY
ROLE = f"arn:aws:iam::{ACCT}:role/Target"


def doc(*statements: dict[str, Any]) -> PolicyDocument:
    return parse_policy({"Version": "2012-10-17", "Statement": list(statements)}, name="p")


def allow(action: Any = "*", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any = "*", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def cond(condition: dict[str, Any], context: dict[str, Any]) -> Match:
    """A Condition block as parse_policy gives it (values as tuples), against a context."""
    return evaluate_conditions(doc(allow(Condition=condition)).statements[0].conditions, context)


def trust(principal: Any, **extra: Any) -> PolicyDocument:
    return doc({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole", **extra})


# --- item 10: linear-time wildcard matching ---------------------------------------------------------------

PATHOLOGICAL = f"arn:aws:logs:us-east-1:{ACCT}:log-group:" + "*?" * 10 + "#"
LONG_GROUP = f"arn:aws:logs:us-east-1:{ACCT}:log-group:" + "/aws/bedrock-agentcore/runtimes/" + "a" * 120


def _timed(fn: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


@pytest.mark.parametrize(
    ("policy", "request_"),
    [
        pytest.param(doc(allow("logs:CreateLogGroup", PATHOLOGICAL)), Request("logs:CreateLogGroup", LONG_GROUP),
                     id="resource"),
        pytest.param(doc(allow("logs:CreateLogGroup", Condition={"StringLike": {"aws:SourceArn": PATHOLOGICAL}})),
                     Request("logs:CreateLogGroup", "*", {"aws:SourceArn": LONG_GROUP}), id="StringLike"),
        pytest.param(doc(allow("logs:CreateLogGroup", Condition={"ArnLike": {"aws:SourceArn": PATHOLOGICAL}})),
                     Request("logs:CreateLogGroup", "*", {"aws:SourceArn": LONG_GROUP}), id="ArnLike"),
        pytest.param(doc(allow("logs:" + "*?" * 10 + "#")), Request("logs:" + "C" * 150, "*"), id="action"),
        pytest.param(doc(allow("logs:CreateLogGroup", "arn:aws:logs:us-east-1:" + "*?" * 6 + "#:log-group:x")),
                     Request("logs:CreateLogGroup", f"arn:aws:logs:us-east-1:{'1' * 60}:log-group:x"),
                     id="resource-inner-segment"),
        pytest.param(doc(allow("logs:CreateLogGroup", f"arn:aws:logs:us-east-1:{ACCT}:${{aws:username}}" + "*?" * 10
                                + "#")),
                     Request("logs:CreateLogGroup", LONG_GROUP, {"aws:username": "log-group:/aws/"}),
                     id="resource-with-variable"),
    ],
)  # fmt: skip
def test_item10_pathological_wildcards_judged_in_linear_time(policy: PolicyDocument, request_: Request) -> None:
    result, seconds = _timed(lambda: evaluate([policy], request_))
    assert result.decision is IMPLICIT
    assert seconds < 0.1, f"{seconds * 1000:.1f} ms"


def test_item10_wildcards_still_match_as_iam_does() -> None:
    group = f"arn:aws:logs:us-east-1:{ACCT}:log-group:/aws/x"
    assert arn_matches(f"arn:aws:logs:us-east-1:{ACCT}:log-group:*?*?x", group)
    assert arn_matches("arn:aws:logs:us-east-?:*:log-group:/aws/?", group)
    assert not arn_matches("arn:aws:logs:*:log-group:/aws/x", group)  # "*" stays inside its ARN part
    assert arn_matches("arn:aws:logs:us-east-1:*:log-group:*", f"arn:aws:logs:us-east-1:{ACCT}:log-group:a:b:c")
    assert not arn_matches("arn:aws:logs:us-east-1:??:log-group:*", group)
    # characters that come from a variable are literal, even "*" and "?"
    ctx = {"aws:username": ("a*",)}
    assert arn_matches("arn:aws:s3:::b/${aws:username}?", "arn:aws:s3:::b/a*z", ctx)
    assert not arn_matches("arn:aws:s3:::b/${aws:username}?", "arn:aws:s3:::b/abz", ctx)
    assert cond({"StringLike": {"k": "a?c*"}}, {"k": "abcdef"}) is Match.YES
    assert cond({"StringLike": {"k": "a?c*"}}, {"k": "acdef"}) is Match.NO
    assert cond({"StringLike": {"k": "*?"}}, {"k": ""}) is Match.NO
    assert cond({"StringLike": {"k": "*a*b?"}}, {"k": "xxaxxbxbz"}) is Match.YES


def test_item10_validate_pathological_file_is_fast(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from agentcore_ext.cli.app import app

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"Version": "2012-10-17", "Statement": [allow("logs:*", PATHOLOGICAL)]}))
    args = ["validate", "--permissions", str(path), "--name", "hello", "--account", ACCT, "--region", "us-east-1"]
    result, seconds = _timed(lambda: CliRunner().invoke(app, [*args, "--json"]))
    assert result.exit_code == 3, result.output
    assert seconds < 5, f"validate took {seconds * 1000:.0f} ms"
    print(f"validate on the pathological pattern: {seconds * 1000:.0f} ms")


# --- item 11: validators refuse a trailing newline and non-ASCII digits ---------------------------------------

ARABIC_DIGITS = "\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669\u0660\u0661\u0662"


@pytest.mark.parametrize(
    ("check", "value"),
    [
        (arns.validate_agent_name, "abc\n"),
        (arns.validate_role_name, "MyRole\n"),
        (arns.validate_role_path, "/agents/\n"),
        (arns.validate_region, "us-east-1\n"),
        (arns.validate_region, "us-east-\u0661"),
        (arns.validate_account, f"{ACCT}\n"),
        (arns.validate_account, ARABIC_DIGITS),
    ],
)
def test_item11_validators_refuse_newline_and_non_ascii_digits(check: Any, value: str) -> None:
    with pytest.raises(UsageError):
        check(value)


def test_item11_patterns_are_full_matches_even_with_match() -> None:
    # Other modules call .match() on these: the patterns themselves must anchor at the very end.
    for pattern, good in (
        (arns.ACCOUNT_RE, ACCT),
        (arns.ROLE_NAME_RE, "MyRole"),
        (arns.ROLE_PATH_RE, "/a/"),
        (arns.AGENT_NAME_RE, "abc"),
        (arns.REGION_RE, "us-east-1"),
    ):
        assert pattern.match(good)
        assert not pattern.match(good + "\n")
    assert not arns.ACCOUNT_RE.match(ARABIC_DIGITS)
    with pytest.raises(UsageError):
        arns.parse_role_ref(f"arn:aws:iam::{ARABIC_DIGITS}:role/x")


def test_item11_numeric_and_date_conditions_need_ascii_digits() -> None:
    assert cond({"NumericEquals": {"k": "12"}}, {"k": "\u0661\u0662"}) is Match.NO
    assert cond({"NumericEquals": {"k": "12"}}, {"k": "12"}) is Match.YES
    assert cond({"DateEquals": {"k": "12"}}, {"k": "\u0661\u0662"}) is Match.NO
    assert cond({"DateEquals": {"k": "12"}}, {"k": "12"}) is Match.YES


# --- item 16: a role ARN in Principal matches that role's sessions ---------------------------------------------

SESSION = f"arn:aws:sts::{ACCT}:assumed-role/ci/build-42"


@pytest.mark.parametrize(
    ("policy_principal", "caller", "expected"),
    [
        (f"arn:aws:iam::{ACCT}:role/ci", SESSION, True),
        (f"arn:aws:iam::{ACCT}:role/team/ci", SESSION, True),
        (f"arn:aws:iam::{ACCT}:role/cid", SESSION, False),
        (f"arn:aws:iam::{OTHER}:role/ci", SESSION, False),
        (f"arn:aws-cn:iam::{ACCT}:role/ci", SESSION, False),
        (f"arn:aws:iam::{ACCT}:user/ci", SESSION, False),
        (f"arn:aws:iam::{ACCT}:role/ci", f"arn:aws:sts::{ACCT}:assumed-role/other/ci", False),
        (SESSION, SESSION, True),
        (SESSION, f"arn:aws:iam::{ACCT}:role/ci", False),
    ],
)
def test_item16_role_principal_matches_its_sessions(policy_principal: str, caller: str, expected: bool) -> None:
    assert principal_matches({"AWS": (policy_principal,)}, {"AWS": caller}) is expected
    result = evaluate([trust({"AWS": policy_principal})], Request("sts:AssumeRole", ROLE, {}, {"AWS": caller}))
    assert result.decision is (ALLOWED if expected else IMPLICIT)


def test_item16_resource_policy_deny_on_role_applies_to_session() -> None:
    policy = doc(
        allow("s3:GetObject", Principal="*"),
        deny("s3:GetObject", Principal={"AWS": f"arn:aws:iam::{ACCT}:role/path/ci"}),
    )
    result = evaluate([policy], Request("s3:GetObject", "arn:aws:s3:::b/k", {}, {"AWS": SESSION}))
    assert result.decision is EXPLICIT


# --- item 17: negated operators with a missing key or a variable with no value match ---------------------------


@pytest.mark.parametrize(
    "operator",
    ["StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike",
     "NumericNotEquals", "DateNotEquals", "NotIpAddress"],
)  # fmt: skip
def test_item17_negated_operator_missing_key_matches(operator: str) -> None:
    value = {"ArnNotEquals": ROLE, "ArnNotLike": ROLE, "NumericNotEquals": "1", "DateNotEquals": "2020-01-01",
             "NotIpAddress": "10.0.0.0/8"}.get(operator, "ml")  # fmt: skip
    policy = doc(allow(), deny("iam:*", Condition={operator: {"aws:PrincipalTag/Team": value}}))
    assert evaluate([policy], Request("iam:CreateUser", "*")).decision is EXPLICIT


@pytest.mark.parametrize(
    ("operator", "value", "same"),
    [
        ("StringNotEquals", "${aws:PrincipalTag/Team}", "ml"),
        ("StringNotEqualsIgnoreCase", "${aws:PrincipalTag/Team}", "ML"),
        ("StringNotLike", "team-${aws:PrincipalTag/Team}-*", "team-ml-1"),
        ("ArnNotLike", f"arn:aws:iam::{ACCT}:role/${{aws:PrincipalTag/Team}}", f"arn:aws:iam::{ACCT}:role/ml"),
        ("ArnNotEquals", f"arn:aws:iam::{ACCT}:role/${{aws:PrincipalTag/Team}}", f"arn:aws:iam::{ACCT}:role/ml"),
    ],
)
def test_item17_negated_operator_with_variable_without_value_matches(operator: str, value: str, same: str) -> None:
    # IAM User Guide, "Policy variables with no value": negated operators are true against a null value.
    policy = doc(allow(), deny("s3:*", Condition={operator: {"aws:ResourceTag/Team": value}}))
    untagged = Request("s3:GetObject", "*", {"aws:ResourceTag/Team": same})
    assert evaluate([policy], untagged).decision is EXPLICIT
    tagged = Request("s3:GetObject", "*", {"aws:ResourceTag/Team": same, "aws:PrincipalTag/Team": "ml"})
    assert evaluate([policy], tagged).decision is ALLOWED


def test_item17_positive_operator_with_variable_without_value_does_not_match() -> None:
    policy = doc(allow("s3:*", Condition={"StringEquals": {"aws:ResourceTag/Team": "${aws:PrincipalTag/Team}"}}))
    assert evaluate([policy], Request("s3:GetObject", "*", {"aws:ResourceTag/Team": ""})).decision is IMPLICIT


# --- item 18: an account principal delegates to the account -----------------------------------------------------


@pytest.mark.parametrize("account_principal", [ACCT, f"arn:aws:iam::{ACCT}:root"])
@pytest.mark.parametrize("caller", [f"arn:aws:iam::{ACCT}:role/dev", f"arn:aws:iam::{ACCT}:user/alice", SESSION])
def test_item18_account_principal_delegates_to_the_account(account_principal: str, caller: str) -> None:
    result = evaluate([trust({"AWS": account_principal})], Request("sts:AssumeRole", ROLE, {}, {"AWS": caller}))
    assert result.decision is ALLOWED
    assert result.delegated_to_account is True


def test_item18_specific_principal_and_service_are_real_grants() -> None:
    both = trust({"AWS": [ACCT, f"arn:aws:iam::{ACCT}:role/dev"]})
    result = evaluate([both], Request("sts:AssumeRole", ROLE, {}, {"AWS": f"arn:aws:iam::{ACCT}:role/dev"}))
    assert result.decision is ALLOWED and result.delegated_to_account is False
    service = trust({"Service": "bedrock-agentcore.amazonaws.com"})
    result = evaluate([service], Request("sts:AssumeRole", ROLE, {}, {"Service": "bedrock-agentcore.amazonaws.com"}))
    assert result.decision is ALLOWED and result.delegated_to_account is False
    root = evaluate(
        [trust({"AWS": f"arn:aws:iam::{ACCT}:root"})],
        Request("sts:AssumeRole", ROLE, {}, {"AWS": f"arn:aws:iam::{ACCT}:root"}),
    )
    assert root.decision is ALLOWED and root.delegated_to_account is False
    identity = evaluate([doc(allow())], Request("s3:GetObject", "*"))
    assert identity.delegated_to_account is False
    other = evaluate([trust({"AWS": ACCT})], Request("sts:AssumeRole", ROLE, {}, {"AWS": f"arn:aws:iam::{OTHER}:root"}))
    assert other.decision is IMPLICIT and other.delegated_to_account is False


# --- item 19: no wildcard in an action's service prefix ------------------------------------------------------------


@pytest.mark.parametrize("pattern", ["*:GetBucket", "*:*", "s?:GetObject", "s*:GetObject", "*3:GetObject"])
def test_item19_wildcard_in_service_prefix_matches_nothing(pattern: str) -> None:
    action = "s3:GetObject" if "Get" in pattern and "Bucket" not in pattern else "s3:GetBucket"
    assert evaluate([doc(allow(pattern))], Request(action, "*")).decision is IMPLICIT
    assert evaluate([doc(allow(), deny(pattern))], Request(action, "*")).decision is ALLOWED


def test_item19_lone_star_and_action_wildcards_still_match() -> None:
    for pattern in ("*", "s3:*", "s3:Get*", "S3:get?bject"):
        assert evaluate([doc(allow(pattern))], Request("s3:GetObject", "*")).decision is ALLOWED


# --- item 20: negated Arn operators against a malformed ARN -------------------------------------------------------


@pytest.mark.parametrize("operator", ["ArnNotLike", "ArnNotEquals"])
@pytest.mark.parametrize("value", ["not-an-arn", "arn:aws:iam", "arn::iam::1:x", "*", ""])
def test_item20_negated_arn_operator_against_malformed_arn_does_not_match(operator: str, value: str) -> None:
    condition = {operator: {"aws:SourceArn": f"arn:aws:iam::{ACCT}:role/*"}}
    assert cond(condition, {"aws:SourceArn": value}) is Match.NO
    assert cond({"ArnLike": {"aws:SourceArn": "*"}}, {"aws:SourceArn": value}) is Match.NO


def test_item20_negated_arn_operator_against_well_formed_arn() -> None:
    condition = {"ArnNotLike": {"aws:SourceArn": f"arn:aws:iam::{ACCT}:role/*"}}
    assert cond(condition, {"aws:SourceArn": f"arn:aws:iam::{OTHER}:role/x"}) is Match.YES
    assert cond(condition, {"aws:SourceArn": f"arn:aws:iam::{ACCT}:role/x"}) is Match.NO

"""Condition operators, table-driven: each block is evaluated directly and inside an Allow statement."""

from __future__ import annotations

from typing import Any

import pytest

from agentcore_ext.iam.conditions import evaluate_conditions, parse_operator, unsupported_operators
from agentcore_ext.iam.evaluate import Decision, Request, evaluate
from agentcore_ext.iam.matching import ContextValue, Match
from agentcore_ext.iam.policy import parse_policy

YES, NO, UNKNOWN = Match.YES, Match.NO, Match.UNKNOWN
_DECISION = {YES: Decision.ALLOWED, NO: Decision.IMPLICIT_DENY, UNKNOWN: Decision.UNKNOWN}
SOURCE_ARN = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/my_agent-abc123"
TAG_KEYS = "aws:TagKeys"

CASES = [
    # --- String operators ---
    pytest.param({"StringEquals": {"aws:SourceAccount": "123456789012"}}, {"aws:SourceAccount": "123456789012"}, YES,
                 id="StringEquals-match"),
    pytest.param({"StringEquals": {"aws:PrincipalTag/team": "Blue"}}, {"aws:PrincipalTag/team": "blue"}, NO,
                 id="StringEquals-is-case-sensitive-on-values"),
    pytest.param({"StringEquals": {"aws:SourceAccount": ["111111111111", "123456789012"]}},
                 {"aws:SourceAccount": "123456789012"}, YES, id="StringEquals-values-are-ORed"),
    pytest.param({"StringEquals": {"aws:SourceAccount": "123456789012", "aws:RequestedRegion": "us-east-1"}},
                 {"aws:SourceAccount": "123456789012", "aws:RequestedRegion": "eu-west-1"}, NO,
                 id="StringEquals-keys-are-ANDed-one-fails"),
    pytest.param({"StringEquals": {"aws:SourceAccount": "123456789012", "aws:RequestedRegion": "us-east-1"}},
                 {"aws:SourceAccount": "123456789012", "aws:RequestedRegion": "us-east-1"}, YES,
                 id="StringEquals-keys-are-ANDed-both-hold"),
    pytest.param({"StringEquals": {"aws:SourceAccount": "123456789012"}}, {}, NO, id="StringEquals-missing-key"),
    pytest.param({"StringEquals": {"AWS:SourceAccount": "123456789012"}}, {"aws:sourceaccount": "123456789012"}, YES,
                 id="condition-key-names-are-case-insensitive"),
    pytest.param({"StringNotEquals": {"aws:PrincipalTag/job": "admin"}}, {}, YES,
                 id="StringNotEquals-missing-key-is-true"),
    pytest.param({"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2"]}},
                 {"aws:RequestedRegion": "us-west-2"}, NO, id="StringNotEquals-NOR-equal-to-second-value"),
    pytest.param({"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2"]}},
                 {"aws:RequestedRegion": "eu-west-1"}, YES, id="StringNotEquals-differs-from-all"),
    pytest.param({"StringEqualsIgnoreCase": {"aws:PrincipalTag/team": "BLUE"}}, {"aws:PrincipalTag/team": "blue"},
                 YES, id="StringEqualsIgnoreCase"),
    pytest.param({"StringNotEqualsIgnoreCase": {"aws:PrincipalTag/team": "BLUE"}}, {"aws:PrincipalTag/team": "Blue"},
                 NO, id="StringNotEqualsIgnoreCase-equal-ignoring-case"),
    pytest.param({"StringLike": {"s3:prefix": "home/*"}}, {"s3:prefix": "home/bob/notes"}, YES,
                 id="StringLike-star"),
    pytest.param({"StringLike": {"s3:prefix": "v?"}}, {"s3:prefix": "v1"}, YES, id="StringLike-question-mark"),
    pytest.param({"StringLike": {"s3:prefix": "v?"}}, {"s3:prefix": "v12"}, NO,
                 id="StringLike-question-mark-is-one-character"),
    pytest.param({"StringLike": {"s3:prefix": "Home/*"}}, {"s3:prefix": "home/x"}, NO,
                 id="StringLike-is-case-sensitive"),
    pytest.param({"StringNotLike": {"s3:prefix": ["tmp/*", "cache/*"]}}, {"s3:prefix": "cache/a"}, NO,
                 id="StringNotLike-matches-one-pattern"),
    pytest.param({"StringNotLike": {"s3:prefix": "tmp/*"}}, {}, YES, id="StringNotLike-missing-key-is-true"),
    pytest.param({"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}}, {}, YES,
                 id="StringEqualsIfExists-missing-key"),
    pytest.param({"StringEqualsIfExists": {"ec2:InstanceType": "t3.micro"}}, {"ec2:InstanceType": "m5.large"}, NO,
                 id="StringEqualsIfExists-present-and-different"),
    pytest.param({"StringLike": {"s3:prefix": "home/${aws:username}/*"}},
                 {"s3:prefix": "home/bob/a", "aws:username": "bob"}, YES, id="StringLike-policy-variable"),
    pytest.param({"StringLike": {"s3:prefix": "home/${aws:username}/*"}}, {"s3:prefix": "home/bob/a"}, NO,
                 id="StringLike-policy-variable-missing"),
    pytest.param({"StringEquals": {"s3:prefix": "a${*}b"}}, {"s3:prefix": "a*b"}, YES,
                 id="StringEquals-literal-star-variable"),
    pytest.param({"StringLike": {"s3:prefix": "a${*}"}}, {"s3:prefix": "ab"}, NO,
                 id="StringLike-literal-star-is-not-a-wildcard"),
    pytest.param({"StringEquals": {"s3:prefix": "${aws:username, 'anon'}"}}, {"s3:prefix": "anon"}, YES,
                 id="policy-variable-default-value"),
    # --- multivalued context without a set qualifier ---
    pytest.param({"StringEquals": {"aws:CalledVia": "athena.amazonaws.com"}},
                 {"aws:CalledVia": ("cloudformation.amazonaws.com", "athena.amazonaws.com")}, YES,
                 id="single-valued-op-any-context-value-matches"),
    pytest.param({"StringNotEquals": {"aws:CalledVia": "athena.amazonaws.com"}},
                 {"aws:CalledVia": ("cloudformation.amazonaws.com", "athena.amazonaws.com")}, NO,
                 id="single-valued-negated-op-one-context-value-matches"),
    # --- Numeric ---
    pytest.param({"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "5"}, YES, id="NumericLessThan"),
    pytest.param({"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, NO,
                 id="NumericLessThan-equal-is-false"),
    pytest.param({"NumericLessThanEquals": {"s3:max-keys": 10}}, {"s3:max-keys": "10"}, YES,
                 id="NumericLessThanEquals-json-number"),
    pytest.param({"NumericGreaterThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "11"}, YES, id="NumericGreaterThan"),
    pytest.param({"NumericGreaterThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "9"}, NO,
                 id="NumericGreaterThanEquals-below"),
    pytest.param({"NumericEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10.0"}, YES,
                 id="NumericEquals-compares-numbers"),
    pytest.param({"NumericNotEquals": {"s3:max-keys": ["10", "20"]}}, {"s3:max-keys": "20"}, NO,
                 id="NumericNotEquals-NOR"),
    pytest.param({"NumericNotEquals": {"s3:max-keys": ["10", "20"]}}, {"s3:max-keys": "15"}, YES,
                 id="NumericNotEquals-differs"),
    pytest.param({"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "five"}, NO,
                 id="Numeric-unparseable-context-no-match"),
    pytest.param({"NumericNotEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "ten"}, NO,
                 id="NumericNotEquals-unparseable-no-match"),
    pytest.param({"NumericNotEquals": {"s3:max-keys": "10"}}, {}, YES, id="NumericNotEquals-missing-key"),
    # --- Date ---
    pytest.param({"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
                 {"aws:CurrentTime": "2025-06-01T12:00:00Z"}, YES, id="DateLessThan-iso"),
    pytest.param({"DateGreaterThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}},
                 {"aws:CurrentTime": "1700000000"}, NO, id="DateGreaterThan-epoch-context"),
    pytest.param({"DateGreaterThanEquals": {"aws:EpochTime": "1700000000"}},
                 {"aws:EpochTime": "2023-11-14T22:13:20Z"}, YES, id="DateGreaterThanEquals-epoch-vs-iso-same-instant"),
    pytest.param({"DateEquals": {"aws:CurrentTime": "2025-01-01T01:00:00+01:00"}},
                 {"aws:CurrentTime": "2025-01-01T00:00:00Z"}, YES, id="DateEquals-offsets"),
    pytest.param({"DateLessThanEquals": {"aws:CurrentTime": "2025-01-01"}}, {"aws:CurrentTime": "2024-12-31T23:59:59Z"},
                 YES, id="DateLessThanEquals-date-only"),
    pytest.param({"DateNotEquals": {"aws:CurrentTime": "2025-01-01T00:00:00Z"}}, {}, YES,
                 id="DateNotEquals-missing-key"),
    pytest.param({"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}, {"aws:CurrentTime": "yesterday"}, NO,
                 id="Date-unparseable"),
    # --- Bool / Null ---
    pytest.param({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "True"}, YES,
                 id="Bool-case-insensitive"),
    pytest.param({"Bool": {"aws:SecureTransport": True}}, {"aws:SecureTransport": "false"}, NO, id="Bool-differs"),
    pytest.param({"Bool": {"aws:MultiFactorAuthPresent": "true"}}, {}, NO, id="Bool-missing-key"),
    pytest.param({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}, {}, YES, id="BoolIfExists-missing-key"),
    pytest.param({"Null": {"aws:TokenIssueTime": "true"}}, {}, YES, id="Null-true-key-absent"),
    pytest.param({"Null": {"aws:TokenIssueTime": "true"}}, {"aws:TokenIssueTime": "2025-01-01T00:00:00Z"}, NO,
                 id="Null-true-key-present"),
    pytest.param({"Null": {"aws:TokenIssueTime": "false"}}, {"aws:TokenIssueTime": "2025-01-01T00:00:00Z"}, YES,
                 id="Null-false-key-present"),
    # --- IP ---
    pytest.param({"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]}}, {"aws:SourceIp": "203.0.113.7"},
                 YES, id="IpAddress-in-second-cidr"),
    pytest.param({"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}, {"aws:SourceIp": "198.51.100.1"}, NO,
                 id="IpAddress-outside"),
    pytest.param({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}, {"aws:SourceIp": "2001:db8::1"}, YES,
                 id="IpAddress-ipv6"),
    pytest.param({"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}, {"aws:SourceIp": "192.0.2.9"}, NO,
                 id="NotIpAddress-inside"),
    pytest.param({"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}, {}, YES, id="NotIpAddress-missing-key"),
    pytest.param({"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}, {"aws:SourceIp": "not-an-ip"}, NO,
                 id="IpAddress-unparseable"),
    # --- ARN ---
    pytest.param({"ArnLike": {"aws:SourceArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:*"}},
                 {"aws:SourceArn": SOURCE_ARN}, YES, id="ArnLike-agentcore-source-arn"),
    pytest.param({"ArnLike": {"aws:SourceArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:*"}},
                 {"aws:SourceArn": SOURCE_ARN.replace("123456789012", "999999999999")}, NO,
                 id="ArnLike-other-account"),
    pytest.param({"ArnLike": {"aws:SourceArn": "arn:aws:iam::*:role/x"}}, {"aws:SourceArn": "arn:aws:iam::1:2:role/x"},
                 NO, id="ArnLike-star-stays-inside-its-segment"),
    pytest.param({"ArnEquals": {"aws:SourceArn": SOURCE_ARN}}, {"aws:SourceArn": SOURCE_ARN}, YES, id="ArnEquals"),
    pytest.param({"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin-*"}},
                 {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/admin-ops"}, NO, id="ArnNotLike-matches"),
    pytest.param({"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/a"}}, {}, YES,
                 id="ArnNotEquals-missing-key"),
    # --- Binary ---
    pytest.param({"BinaryEquals": {"x:blob": "QmluYXJ5VmFsdWU="}}, {"x:blob": "QmluYXJ5VmFsdWU="}, YES,
                 id="BinaryEquals"),
    pytest.param({"BinaryEquals": {"x:blob": "QmluYXJ5VmFsdWU="}}, {"x:blob": "T3RoZXI="}, NO,
                 id="BinaryEquals-differs"),
    # --- set qualifiers ---
    pytest.param({"ForAnyValue:StringEquals": {TAG_KEYS: ["env", "team"]}}, {TAG_KEYS: ("cost", "team")}, YES,
                 id="ForAnyValue-one-matches"),
    pytest.param({"ForAnyValue:StringEquals": {TAG_KEYS: ["env", "team"]}}, {TAG_KEYS: ("cost",)}, NO,
                 id="ForAnyValue-none-match"),
    pytest.param({"ForAnyValue:StringEquals": {TAG_KEYS: "env"}}, {}, NO, id="ForAnyValue-missing-key"),
    pytest.param({"ForAnyValue:StringEquals": {TAG_KEYS: "env"}}, {TAG_KEYS: ()}, NO, id="ForAnyValue-empty"),
    pytest.param({"ForAllValues:StringEquals": {TAG_KEYS: ["env", "team"]}}, {TAG_KEYS: ("team", "env")}, YES,
                 id="ForAllValues-all-in-set"),
    pytest.param({"ForAllValues:StringEquals": {TAG_KEYS: ["env", "team"]}}, {TAG_KEYS: ("team", "owner")}, NO,
                 id="ForAllValues-one-outside"),
    pytest.param({"ForAllValues:StringEquals": {TAG_KEYS: ["env"]}}, {TAG_KEYS: ()}, YES, id="ForAllValues-empty"),
    pytest.param({"ForAllValues:StringEquals": {TAG_KEYS: ["env"]}}, {}, YES, id="ForAllValues-missing-key"),
    pytest.param({"ForAllValues:StringNotEquals": {TAG_KEYS: ["secret", "owner"]}}, {TAG_KEYS: ("env", "team")}, YES,
                 id="ForAllValues-StringNotEquals-each-equals-none"),
    pytest.param({"ForAllValues:StringNotEquals": {TAG_KEYS: ["secret", "owner"]}}, {TAG_KEYS: ("env", "owner")}, NO,
                 id="ForAllValues-StringNotEquals-one-equals"),
    pytest.param({"ForAnyValue:StringNotEquals": {TAG_KEYS: ["env"]}}, {TAG_KEYS: ("env", "team")}, YES,
                 id="ForAnyValue-StringNotEquals-one-differs"),
    pytest.param({"ForAllValues:StringLike": {TAG_KEYS: ["app-*"]}}, {TAG_KEYS: ("app-a", "app-b")}, YES,
                 id="ForAllValues-StringLike"),
    pytest.param({"ForAnyValue:StringEqualsIfExists": {TAG_KEYS: "env"}}, {}, YES, id="ForAnyValue-IfExists-missing"),
    # --- blocks and unknowns ---
    pytest.param({"StringEquals": {"aws:SourceAccount": "123456789012"}, "Bool": {"aws:SecureTransport": "true"}},
                 {"aws:SourceAccount": "123456789012", "aws:SecureTransport": "false"}, NO, id="operators-are-ANDed"),
    pytest.param({"StringFuzzyEquals": {"aws:SourceAccount": "123456789012"}}, {"aws:SourceAccount": "123456789012"},
                 UNKNOWN, id="unknown-operator"),
    pytest.param({"ForSomeValues:StringEquals": {TAG_KEYS: "env"}}, {TAG_KEYS: ("env",)}, UNKNOWN,
                 id="malformed-qualifier"),
    pytest.param({"NullIfExists": {"aws:TokenIssueTime": "true"}}, {}, UNKNOWN, id="NullIfExists-is-not-decidable"),
    pytest.param({"StringFuzzyEquals": {"a:b": "c"}, "StringEquals": {"aws:SourceAccount": "1"}},
                 {"aws:SourceAccount": "2"}, NO, id="unknown-operator-but-another-fails"),
    pytest.param({"StringFuzzyEquals": {"a:b": "c"}, "StringEquals": {"aws:SourceAccount": "1"}},
                 {"aws:SourceAccount": "1"}, UNKNOWN, id="unknown-operator-others-hold"),
]  # fmt: skip


@pytest.mark.parametrize(("condition", "context", "expected"), CASES)
def test_condition(condition: dict[str, Any], context: dict[str, ContextValue], expected: Match) -> None:
    doc = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": "C", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": condition}
            ],
        },
        name="cond",
    )
    assert evaluate_conditions(doc.statements[0].conditions, context) is expected
    result = evaluate([doc], Request("s3:GetObject", "arn:aws:s3:::bucket/key", context))
    assert result.decision is _DECISION[expected]
    if expected is YES:
        assert [(r.policy, r.sid) for r in result.allowed_by] == [("cond", "C")]
    if expected is UNKNOWN:
        assert [(r.policy, r.sid) for r in result.unknown_by] == [("cond", "C")]
        assert result.allowed_by == ()


def test_parse_operator() -> None:
    op = parse_operator("ForAllValues:StringNotEqualsIfExists")
    assert op is not None
    assert (op.qualifier, op.base, op.if_exists) == ("all", "stringnotequals", True)
    assert parse_operator("Nope") is None
    assert unsupported_operators({"Nope": {"a": ("b",)}, "Bool": {"a": ("true",)}}) == ("Nope",)

"""Policy evaluation, table-driven with literal policy documents (IAM User Guide "Policy evaluation logic")."""

from __future__ import annotations

from typing import Any

import pytest

from agentcore_ext.iam.evaluate import Decision, Evaluation, Request, evaluate, statement_matches
from agentcore_ext.iam.matching import Match
from agentcore_ext.iam.policy import PolicyDocument, parse_policy

ALLOWED, EXPLICIT, IMPLICIT, UNKNOWN = (
    Decision.ALLOWED,
    Decision.EXPLICIT_DENY,
    Decision.IMPLICIT_DENY,
    Decision.UNKNOWN,
)
ACCT = "123456789012"
ROLE = f"arn:aws:iam::{ACCT}:role/AmazonBedrockAgentCoreSDKRuntime-us-east-1-abc"
GROUP = f"arn:aws:logs:us-east-1:{ACCT}:log-group:/aws/bedrock-agentcore/runtimes/my_agent-abc-DEFAULT"
SOURCE_ARN = f"arn:aws:bedrock-agentcore:us-east-1:{ACCT}:runtime/my_agent-abc"
AGENTCORE = "bedrock-agentcore.amazonaws.com"
AC_CTX = {"aws:SourceAccount": ACCT, "aws:SourceArn": SOURCE_ARN}
PASSED = {"iam:PassedToService": AGENTCORE}
MODEL = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku"


def doc(name: str, *statements: dict[str, Any], version: str = "2012-10-17") -> PolicyDocument:
    return parse_policy({"Version": version, "Statement": list(statements)}, name=name)


def allow(sid: str, action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(sid: str, action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Deny", "Action": action, "Resource": resource, **extra}


UNKNOWN_COND = {"StringFuzzyEquals": {"aws:SourceAccount": ACCT}}

# The trust policy AWS documents for AgentCore Runtime execution roles.
AWS_TRUST = parse_policy(
    """{"Version": "2012-10-17", "Statement": [{"Sid": "AssumeRolePolicy", "Effect": "Allow",
        "Principal": {"Service": "bedrock-agentcore.amazonaws.com"}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"},
                      "ArnLike": {"aws:SourceArn": "arn:aws:bedrock-agentcore:us-east-1:123456789012:*"}}}]}""",
    name="trust",
)
# The PassRole statement of the AWS managed policy BedrockAgentCoreFullAccess.
FULL_ACCESS_PASSROLE = doc(
    "BedrockAgentCoreFullAccess",
    allow("PassRole", "iam:PassRole", "arn:aws:iam::*:role/*BedrockAgentCore*",
          Condition={"StringEquals": {"iam:PassedToService": AGENTCORE}}),
)  # fmt: skip
MFA_GUARD = doc(
    "mfa",
    {"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"},
    {"Sid": "DenyAllButIamWithoutMfa", "Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
     "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
)  # fmt: skip
S3_HOME = doc("home", allow("Home", "s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"))
LOGS = doc(
    "logs",
    allow("Groups", "logs:DescribeLogGroups", f"arn:aws:logs:us-east-1:{ACCT}:log-group:*"),
    allow("Streams", ["logs:CreateLogStream", "logs:PutLogEvents"],
          f"arn:aws:logs:us-east-1:{ACCT}:log-group:/aws/bedrock-agentcore/runtimes/*"),
)  # fmt: skip

# (policies, boundary, request, decision, deciding statements "policy:Sid|index", boundary decision)
CASES = [
    # --- identity policies: allow, implicit deny, explicit deny ---
    pytest.param([doc("p", allow("S3", "s3:GetObject"))], None, Request("s3:GetObject", "arn:aws:s3:::b/k"),
                 ALLOWED, ["p:S3"], None, id="simple-allow"),
    pytest.param([doc("p", allow("S3", "s3:GetObject"))], None, Request("s3:PutObject", "arn:aws:s3:::b/k"),
                 IMPLICIT, [], None, id="implicit-deny-no-statement"),
    pytest.param([], None, Request("s3:GetObject", "arn:aws:s3:::b/k"), IMPLICIT, [], None, id="no-policies"),
    pytest.param([doc("a", allow("All", "*")), doc("b", deny("NoS3", "s3:*"))], None,
                 Request("s3:GetObject", "arn:aws:s3:::b/k"), EXPLICIT, ["b:NoS3"], None,
                 id="explicit-deny-in-one-of-several-policies"),
    pytest.param([doc("a", allow("All", "*")), doc("b", deny("NoS3", "s3:*"))], None,
                 Request("ec2:RunInstances", "*"), ALLOWED, ["a:All"], None, id="deny-for-another-service"),
    pytest.param([doc("a", deny("D", "s3:GetObject"), allow("A", "s3:GetObject"))], None,
                 Request("s3:GetObject", "arn:aws:s3:::b/k"), EXPLICIT, ["a:D"], None, id="deny-before-allow-same-doc"),
    pytest.param([doc("a", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})], None,
                 Request("s3:GetObject", "*"), ALLOWED, ["a:0"], None, id="statement-without-sid"),
    # --- actions ---
    pytest.param([doc("p", allow("Get", "s3:Get*"))], None, Request("s3:GetObjectTagging", "*"), ALLOWED, ["p:Get"],
                 None, id="action-star"),
    pytest.param([doc("p", allow("Get", "s3:Get*"))], None, Request("s3:PutObject", "*"), IMPLICIT, [], None,
                 id="action-star-no-match"),
    pytest.param([doc("p", allow("Q", "iam:Pass?ole"))], None, Request("iam:PassRole", ROLE), ALLOWED, ["p:Q"], None,
                 id="action-question-mark"),
    pytest.param([doc("p", allow("Q", "iam:Pass?ole"))], None, Request("iam:PassXXRole", ROLE), IMPLICIT, [], None,
                 id="action-question-mark-one-char"),
    pytest.param([doc("p", allow("Case", "IAM:passrole"))], None, Request("iam:PassRole", ROLE), ALLOWED,
                 ["p:Case"], None, id="actions-case-insensitive"),
    pytest.param([doc("p", allow("Star", "*"))], None, Request("bedrock:InvokeModel", MODEL), ALLOWED, ["p:Star"],
                 None, id="action-star-all"),
    pytest.param([doc("p", {"Sid": "NA", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})], None,
                 Request("s3:GetObject", "*"), ALLOWED, ["p:NA"], None, id="NotAction-allow-other-service"),
    pytest.param([doc("p", {"Sid": "NA", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"})], None,
                 Request("iam:PassRole", ROLE), IMPLICIT, [], None, id="NotAction-excluded-action"),
    # IAM User Guide, NotAction with Deny: deny everything except IAM when MFA is absent.
    pytest.param([MFA_GUARD], None, Request("s3:GetObject", "*"), EXPLICIT, ["mfa:DenyAllButIamWithoutMfa"], None,
                 id="aws-doc-NotAction-Deny-no-mfa"),
    pytest.param([MFA_GUARD], None, Request("iam:ChangePassword", "*"), ALLOWED, ["mfa:All"], None,
                 id="aws-doc-NotAction-Deny-iam-excluded"),
    pytest.param([MFA_GUARD], None, Request("s3:GetObject", "*", {"aws:MultiFactorAuthPresent": "true"}), ALLOWED,
                 ["mfa:All"], None, id="aws-doc-NotAction-Deny-with-mfa"),
    # --- resources ---
    pytest.param([doc("p", allow("B", "s3:GetObject", "arn:aws:s3:::MyBucket/*"))], None,
                 Request("s3:GetObject", "arn:aws:s3:::mybucket/k"), IMPLICIT, [], None, id="arn-case-sensitive"),
    pytest.param([doc("p", allow("B", "s3:GetObject", "arn:aws:s3:::MyBucket/*"))], None,
                 Request("s3:GetObject", "arn:aws:s3:::MyBucket/a/b"), ALLOWED, ["p:B"], None,
                 id="arn-star-spans-slashes"),
    pytest.param([doc("p", allow("Q", "s3:GetObject", "arn:aws:s3:::log-?/*"))], None,
                 Request("s3:GetObject", "arn:aws:s3:::log-1/x"), ALLOWED, ["p:Q"], None, id="arn-question-mark"),
    pytest.param([LOGS], None, Request("logs:PutLogEvents", f"{GROUP}:log-stream:abc"), ALLOWED, ["logs:Streams"],
                 None, id="log-stream-under-group-pattern"),
    pytest.param([LOGS], None, Request("logs:DescribeLogGroups", f"{GROUP}:log-stream:abc"), ALLOWED,
                 ["logs:Groups"], None, id="log-group-star-matches-colons"),
    pytest.param([LOGS], None, Request("logs:PutLogEvents", GROUP.replace("us-east-1", "eu-west-1") + ":log-stream:x"),
                 IMPLICIT, [], None, id="log-stream-other-region"),
    pytest.param([doc("p", allow("M", "bedrock:InvokeModel", "arn:aws:bedrock:*::foundation-model/*"))], None,
                 Request("bedrock:InvokeModel", MODEL), ALLOWED, ["p:M"], None, id="region-wildcard-empty-account"),
    pytest.param([doc("p", allow("M", "bedrock:InvokeModel", "arn:aws:bedrock:us-east-1::foundation-model/*"))], None,
                 Request("bedrock:InvokeModel", f"arn:aws:bedrock:us-east-1:{ACCT}:foundation-model/x"), IMPLICIT, [],
                 None, id="empty-account-segment-matches-only-empty"),
    pytest.param([doc("p", allow("M", "bedrock:InvokeModel", "arn:aws:bedrock:*::foundation-model/*"))], None,
                 Request("bedrock:InvokeModel", f"arn:aws:bedrock:us-east-1:{ACCT}:foundation-model/x"), IMPLICIT, [],
                 None, id="empty-account-segment-with-region-wildcard"),
    pytest.param([doc("p", allow("R", "iam:GetRole", "arn:aws:iam::*:role/*-ops"))], None,
                 Request("iam:GetRole", f"arn:aws:iam::{ACCT}:role/team-ops"), ALLOWED, ["p:R"], None,
                 id="account-wildcard-and-leading-star"),
    pytest.param([doc("p", allow("R", "iam:GetRole", "arn:aws:iam::*:role/*-ops"))], None,
                 Request("iam:GetRole", f"arn:aws:iam::{ACCT}:role/team-ops-2"), IMPLICIT, [], None,
                 id="leading-star-pattern-anchored-at-end"),
    pytest.param([doc("p", allow("R", "iam:GetRole", "arn:aws:iam::*:role/*-ops"))], None,
                 Request("iam:GetRole", f"arn:aws-cn:iam::{ACCT}:role/team-ops"), IMPLICIT, [], None,
                 id="wildcard-pattern-other-partition"),
    pytest.param([doc("p", allow("X", "xray:PutTraceSegments", "*"))], None, Request("xray:PutTraceSegments", "*"),
                 ALLOWED, ["p:X"], None, id="request-star-resource-star-pattern"),
    pytest.param([doc("p", allow("X", "xray:PutTraceSegments", "arn:aws:xray:*:*:*"))], None,
                 Request("xray:PutTraceSegments", "*"), IMPLICIT, [], None, id="request-star-needs-star-pattern"),
    pytest.param([doc("p", {"Sid": "NR", "Effect": "Allow", "Action": "s3:*",
                            "NotResource": "arn:aws:s3:::b/secret/*"})],
                 None, Request("s3:GetObject", "arn:aws:s3:::b/public/x"), ALLOWED, ["p:NR"], None,
                 id="NotResource-other-resource"),
    pytest.param([doc("p", {"Sid": "NR", "Effect": "Allow", "Action": "s3:*",
                            "NotResource": "arn:aws:s3:::b/secret/*"})],
                 None, Request("s3:GetObject", "arn:aws:s3:::b/secret/x"), IMPLICIT, [], None,
                 id="NotResource-excluded-resource"),
    pytest.param([doc("p", allow("All", "*"),
                      {"Sid": "OnlyB", "Effect": "Deny", "Action": "s3:*",
                       "NotResource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]})],
                 None, Request("s3:GetObject", "arn:aws:s3:::other/x"), EXPLICIT, ["p:OnlyB"], None,
                 id="Deny-NotResource"),
    # --- policy variables ---
    pytest.param([S3_HOME], None, Request("s3:GetObject", "arn:aws:s3:::home/bob/a", {"AWS:UserName": "bob"}), ALLOWED,
                 ["home:Home"], None, id="resource-variable"),
    pytest.param([S3_HOME], None, Request("s3:GetObject", "arn:aws:s3:::home/alice/a", {"aws:username": "bob"}),
                 IMPLICIT, [], None, id="resource-variable-other-user"),
    pytest.param([S3_HOME], None, Request("s3:GetObject", "arn:aws:s3:::home/bob/a"), IMPLICIT, [], None,
                 id="resource-variable-missing-key"),
    pytest.param([doc("p", allow("Lit", "s3:GetObject", "arn:aws:s3:::b/${*}"))], None,
                 Request("s3:GetObject", "arn:aws:s3:::b/x"), IMPLICIT, [], None, id="literal-star-variable"),
    pytest.param([doc("p", allow("Lit", "s3:GetObject", "arn:aws:s3:::b/${*}"))], None,
                 Request("s3:GetObject", "arn:aws:s3:::b/*"), ALLOWED, ["p:Lit"], None,
                 id="literal-star-variable-matches-star"),
    pytest.param([doc("old", allow("V", "s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"), version="2008-10-17")],
                 None, Request("s3:GetObject", "arn:aws:s3:::home/bob/a", {"aws:username": "bob"}), IMPLICIT, [], None,
                 id="version-2008-has-no-variables"),
    # --- permissions boundary ---
    pytest.param([doc("id", allow("A", "s3:*"))], doc("pb", allow("B", ["s3:*", "logs:*"])),
                 Request("s3:GetObject", "*"), ALLOWED, ["id:A", "pb:B"], ALLOWED, id="boundary-allows"),
    pytest.param([doc("id", allow("A", ["s3:*", "iam:*"]))], doc("pb", allow("B", "s3:*")),
                 Request("iam:CreateUser", "*"), IMPLICIT, ["id:A"], IMPLICIT, id="aws-doc-boundary-lacks-allow"),
    pytest.param([doc("id", allow("A", "*"))], doc("pb", allow("B", "*"), deny("NoIam", "iam:*")),
                 Request("iam:PassRole", ROLE), EXPLICIT, ["pb:NoIam"], EXPLICIT, id="boundary-denies"),
    pytest.param([doc("id", allow("A", "s3:*"))], doc("pb", allow("B", "*")), Request("ec2:RunInstances", "*"),
                 IMPLICIT, ["pb:B"], ALLOWED, id="boundary-alone-grants-nothing"),
    pytest.param([doc("id", allow("A", "s3:*"))], doc("pb", allow("B", "s3:*", Condition=UNKNOWN_COND)),
                 Request("s3:GetObject", "*"), UNKNOWN, ["pb:B"], UNKNOWN, id="boundary-unknown-allow"),
    # --- unknown conditions ---
    pytest.param([doc("p", allow("U", "s3:*", Condition=UNKNOWN_COND))], None, Request("s3:GetObject", "*"), UNKNOWN,
                 ["p:U"], None, id="unknown-allow-is-not-an-allow"),
    pytest.param([doc("p", allow("U", "s3:*", Condition=UNKNOWN_COND), allow("A", "s3:GetObject"))], None,
                 Request("s3:GetObject", "*"), ALLOWED, ["p:A"], None, id="unknown-allow-and-definite-allow"),
    pytest.param([doc("p", allow("A", "s3:*")), doc("q", deny("U", "s3:*", Condition=UNKNOWN_COND))], None,
                 Request("s3:GetObject", "*"), UNKNOWN, ["q:U"], None, id="unknown-deny-with-allow"),
    pytest.param([doc("q", deny("U", "s3:*", Condition=UNKNOWN_COND))], None, Request("s3:GetObject", "*"), IMPLICIT,
                 [], None, id="unknown-deny-without-allow"),
    pytest.param([doc("p", allow("A", "s3:*"), deny("D", "s3:GetObject"), deny("U", "s3:*", Condition=UNKNOWN_COND))],
                 None, Request("s3:GetObject", "*"), EXPLICIT, ["p:D"], None, id="definite-deny-beats-unknown"),
    pytest.param([doc("p", allow("A", "s3:*"), deny("U", "iam:*", Condition=UNKNOWN_COND))], None,
                 Request("s3:GetObject", "*"), ALLOWED, ["p:A"], None, id="unknown-deny-not-applying"),
    # --- trust policies (request.principal given) ---
    pytest.param([AWS_TRUST], None, Request("sts:AssumeRole", ROLE, AC_CTX, {"Service": AGENTCORE}), ALLOWED,
                 ["trust:AssumeRolePolicy"], None, id="aws-doc-trust-allows-agentcore"),
    pytest.param([AWS_TRUST], None, Request("sts:AssumeRole", ROLE, {**AC_CTX, "aws:SourceAccount": "111111111111"},
                 {"Service": AGENTCORE}), IMPLICIT, [], None, id="trust-other-source-account"),
    pytest.param([AWS_TRUST], None, Request("sts:AssumeRole", ROLE, {**AC_CTX, "aws:SourceArn": SOURCE_ARN.replace(
                 "us-east-1", "us-west-2")}, {"Service": AGENTCORE}), IMPLICIT, [], None, id="trust-other-region-arn"),
    pytest.param([AWS_TRUST], None, Request("sts:AssumeRole", ROLE, {}, {"Service": AGENTCORE}), IMPLICIT, [], None,
                 id="trust-missing-source-keys"),
    pytest.param([AWS_TRUST], None, Request("sts:AssumeRole", ROLE, AC_CTX, {"Service": "ecs-tasks.amazonaws.com"}),
                 IMPLICIT, [], None, id="trust-other-service"),
    pytest.param([AWS_TRUST], None,
                 Request("sts:AssumeRole", ROLE, AC_CTX, {"service": "Bedrock-AgentCore.amazonaws.com"}), ALLOWED,
                 ["trust:AssumeRolePolicy"], None, id="trust-service-case-insensitive"),
    pytest.param([AWS_TRUST], None, Request("sts:AssumeRole", ROLE, AC_CTX, {"AWS": f"arn:aws:iam::{ACCT}:root"}),
                 IMPLICIT, [], None, id="trust-service-statement-not-for-aws-principal"),
    pytest.param([doc("t", allow("Any", "sts:AssumeRole", Principal="*"))], None,
                 Request("sts:AssumeRole", ROLE, {}, {"AWS": "arn:aws:iam::999999999999:user/eve"}), ALLOWED, ["t:Any"],
                 None, id="principal-star"),
    pytest.param([doc("t", allow("Any", "sts:AssumeRole", Principal={"AWS": "*"}))], None,
                 Request("sts:AssumeRole", ROLE, {}, {"AWS": "arn:aws:iam::999999999999:user/eve"}), ALLOWED, ["t:Any"],
                 None, id="principal-aws-star"),
    pytest.param([doc("t", allow("Acct", "sts:AssumeRole", Principal={"AWS": ACCT}))], None,
                 Request("sts:AssumeRole", ROLE, {}, {"AWS": f"arn:aws:iam::{ACCT}:role/dev"}), ALLOWED, ["t:Acct"],
                 None, id="principal-account-id"),
    pytest.param([doc("t", allow("Acct", "sts:AssumeRole", Principal={"AWS": f"arn:aws:iam::{ACCT}:root"}))], None,
                 Request("sts:AssumeRole", ROLE, {}, {"AWS": f"arn:aws:iam::{ACCT}:user/alice"}), ALLOWED, ["t:Acct"],
                 None, id="principal-account-root-arn"),
    pytest.param([doc("t", allow("Acct", "sts:AssumeRole", Principal={"AWS": f"arn:aws:iam::{ACCT}:root"}))], None,
                 Request("sts:AssumeRole", ROLE, {}, {"AWS": "arn:aws:iam::999999999999:user/alice"}), IMPLICIT, [],
                 None, id="principal-other-account"),
    pytest.param([doc("t", allow("R", "sts:AssumeRole", Principal={"AWS": f"arn:aws:iam::{ACCT}:role/ci"}))], None,
                 Request("sts:AssumeRole", ROLE, {}, {"AWS": f"arn:aws:iam::{ACCT}:role/ci"}), ALLOWED, ["t:R"], None,
                 id="principal-exact-arn"),
    pytest.param([doc("t", allow("R", "sts:AssumeRole", Principal={"AWS": f"arn:aws:iam::{ACCT}:role/ci"}))], None,
                 Request("sts:AssumeRole", ROLE, {}, {"AWS": f"arn:aws:iam::{ACCT}:role/dev"}), IMPLICIT, [], None,
                 id="principal-other-arn"),
    pytest.param([doc("t", allow("NoPrincipal", "sts:AssumeRole"))], None,
                 Request("sts:AssumeRole", ROLE, {}, {"Service": AGENTCORE}), IMPLICIT, [], None,
                 id="trust-statement-without-principal"),
    pytest.param([doc("t", allow("Any", "sts:AssumeRole", Principal="*",
                                 Condition={"StringEquals": {"aws:PrincipalAccount": ACCT}}))], None,
                 Request("sts:AssumeRole", ROLE, {"aws:PrincipalAccount": "999999999999"},
                         {"AWS": "arn:aws:iam::999999999999:user/eve"}), IMPLICIT, [], None,
                 id="wildcard-principal-restricted-to-account"),
    pytest.param([doc("t", allow("Any", "sts:AssumeRole", Principal="*"),
                      deny("NotCi", "sts:AssumeRole", NotPrincipal={"AWS": f"arn:aws:iam::{ACCT}:role/ci"}))], None,
                 Request("sts:AssumeRole", ROLE, {}, {"AWS": f"arn:aws:iam::{ACCT}:role/dev"}), EXPLICIT, ["t:NotCi"],
                 None, id="NotPrincipal-deny"),
    pytest.param([doc("t", allow("P", "sts:AssumeRole", Principal={"Service": "ec2.amazonaws.com"}))], None,
                 Request("sts:AssumeRole", ROLE), ALLOWED, ["t:P"], None, id="identity-evaluation-ignores-principal"),
    # --- iam:PassRole as the AgentCore managed policy grants it ---
    pytest.param([FULL_ACCESS_PASSROLE], None, Request("iam:PassRole", ROLE, PASSED), ALLOWED,
                 ["BedrockAgentCoreFullAccess:PassRole"], None, id="passrole-managed-policy"),
    pytest.param([FULL_ACCESS_PASSROLE], None,
                 Request("iam:PassRole", f"arn:aws:iam::{ACCT}:role/AgentCoreRuntimeExecutionRole-x", PASSED),
                 IMPLICIT, [], None, id="passrole-role-name-without-BedrockAgentCore"),
    pytest.param([FULL_ACCESS_PASSROLE], None,
                 Request("iam:PassRole", f"arn:aws:iam::{ACCT}:role/service-role/MyBedrockAgentCoreRole", PASSED),
                 ALLOWED, ["BedrockAgentCoreFullAccess:PassRole"], None, id="passrole-role-with-path"),
    pytest.param([FULL_ACCESS_PASSROLE], None,
                 Request("iam:PassRole", ROLE, {"iam:PassedToService": "lambda.amazonaws.com"}), IMPLICIT, [], None,
                 id="passrole-other-service"),
    pytest.param([FULL_ACCESS_PASSROLE], None, Request("iam:PassRole", ROLE), IMPLICIT, [], None,
                 id="passrole-missing-passed-to-service"),
    # --- more AWS User Guide examples ---
    pytest.param([doc("p", allow("All", "*"),
                      deny("NotAdmin", "iam:*", Condition={"StringNotEquals": {"aws:PrincipalTag/job": "admin"}}))],
                 None, Request("iam:CreateUser", "*"), EXPLICIT, ["p:NotAdmin"], None,
                 id="aws-doc-StringNotEquals-deny-missing-tag"),
    pytest.param([doc("p", allow("All", "*"),
                      deny("NotAdmin", "iam:*", Condition={"StringNotEquals": {"aws:PrincipalTag/job": "admin"}}))],
                 None, Request("iam:CreateUser", "*", {"aws:PrincipalTag/job": "admin"}), ALLOWED, ["p:All"], None,
                 id="aws-doc-StringNotEquals-deny-tag-present"),
    pytest.param([doc("p", allow("Tags", "ec2:CreateTags",
                                 Condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}))],
                 None, Request("ec2:CreateTags", "*", {"aws:TagKeys": ()}), ALLOWED, ["p:Tags"], None,
                 id="aws-doc-ForAllValues-empty-context-allows"),
]  # fmt: skip


def _label(ref: Any) -> str:
    return f"{ref.policy}:{ref.sid if ref.sid else ref.index}"


@pytest.mark.parametrize(("policies", "boundary", "request_", "decision", "by", "boundary_decision"), CASES)
def test_evaluate(
    policies: list[PolicyDocument],
    boundary: PolicyDocument | None,
    request_: Request,
    decision: Decision,
    by: list[str],
    boundary_decision: Decision | None,
) -> None:
    result = evaluate(policies, request_, boundary)
    assert result.decision is decision, result.reason
    assert result.boundary is boundary_decision
    assert result.allowed is (decision is ALLOWED)
    field = {
        ALLOWED: result.allowed_by,
        EXPLICIT: result.denied_by,
        UNKNOWN: result.unknown_by,
        IMPLICIT: result.allowed_by,
    }[decision]
    assert [_label(r) for r in field] == by
    if decision is not EXPLICIT:
        assert result.denied_by == ()
    if decision is UNKNOWN:
        assert "cannot tell" in result.reason
    assert result.reason


def test_reasons() -> None:
    denied = evaluate([doc("a", allow("All", "*")), doc("b", deny("X", "s3:*"))], Request("s3:GetObject", "*"))
    assert denied.reason == "s3:GetObject on * is explicitly denied by b Sid 'X'"
    nothing = evaluate([doc("a", allow("S3", "s3:*"))], Request("iam:PassRole", ROLE))
    assert nothing.reason == f"no statement allows iam:PassRole on {ROLE}"
    blocked = evaluate([doc("id", allow("A", "*"))], Request("iam:PassRole", ROLE), doc("pb", allow("B", "s3:*")))
    assert (
        blocked.reason
        == f"iam:PassRole on {ROLE} is allowed by id Sid 'A' but the permissions boundary pb does not allow it"
    )
    unknown = evaluate([doc("p", allow("U", "s3:*", Condition=UNKNOWN_COND))], Request("s3:GetObject", "*"))
    assert "StringFuzzyEquals" in unknown.reason


def test_unknown_deny_and_unknown_allow_both_listed() -> None:
    result = evaluate(
        [doc("p", allow("UA", "s3:*", Condition=UNKNOWN_COND), deny("UD", "s3:*", Condition=UNKNOWN_COND))],
        Request("s3:GetObject", "*"),
    )
    assert result.decision is UNKNOWN
    assert sorted(_label(r) for r in result.unknown_by) == ["p:UA", "p:UD"]
    assert result.allowed_by == ()


@pytest.mark.parametrize(
    ("statement", "request_", "expected"),
    [
        (allow("A", "s3:GetObject"), Request("s3:GetObject", "*"), Match.YES),
        (deny("D", "s3:GetObject"), Request("s3:PutObject", "*"), Match.NO),
        (allow("U", "s3:*", Condition=UNKNOWN_COND), Request("s3:GetObject", "*"), Match.UNKNOWN),
        (allow("U", "s3:*", Condition=UNKNOWN_COND), Request("iam:PassRole", "*"), Match.NO),
    ],
)
def test_statement_matches(statement: dict[str, Any], request_: Request, expected: Match) -> None:
    assert statement_matches(doc("p", statement).statements[0], request_) is expected


def _big_policies() -> list[PolicyDocument]:
    docs = []
    for p in range(10):
        statements = []
        for s in range(50):
            statements.append(
                {
                    "Sid": f"S{p}x{s}",
                    "Effect": "Deny" if s % 17 == 16 else "Allow",
                    "Action": [f"svc{s}:Get*", f"svc{s}:List?tems", "logs:PutLogEvents" if s == 3 else "xray:Put*"],
                    "Resource": [f"arn:aws:svc{s}:us-east-1:{ACCT}:thing/{p}/*", f"arn:aws:logs:*:{ACCT}:log-group:*"],
                    "Condition": {"StringEquals": {"aws:SourceAccount": ACCT}, "ArnLike": {"aws:SourceArn": "arn:*"}}
                    if s % 5 == 0
                    else {},
                }
            )
        docs.append(parse_policy({"Version": "2012-10-17", "Statement": statements}, name=f"p{p}"))
    return docs


def test_large_policy_set_decides_correctly() -> None:
    # Speed is measured by `make bench`, not asserted here; this checks the decisions on the bench's shape.
    policies = _big_policies()
    requests = [
        Request(f"svc{i}:GetThing", f"arn:aws:svc{i}:us-east-1:{ACCT}:thing/{i % 10}/x", AC_CTX) for i in range(20)
    ] + [Request("logs:PutLogEvents", f"{GROUP}:log-stream:s{i}", AC_CTX) for i in range(5)]
    results: list[Evaluation] = [evaluate(policies, r) for r in requests]
    assert [r.decision for r in results].count(ALLOWED) == 24

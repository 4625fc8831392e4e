"""ARN and IAM name rules: enforced by the tool itself, since moto accepts anything."""

from __future__ import annotations

import pytest

from agentcore_ext import arns
from agentcore_ext.errors import UsageError


@pytest.mark.parametrize(
    ("region", "partition"),
    [
        ("us-east-1", "aws"),
        ("eu-west-3", "aws"),
        ("cn-north-1", "aws-cn"),
        ("cn-northwest-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("us-iso-east-1", "aws-iso"),
    ],
)
def test_partition_for_region(region: str, partition: str) -> None:
    assert arns.partition_for_region(region) == partition


def test_default_role_name_contains_pattern_and_region() -> None:
    name = arns.default_role_name("us-east-1", "hello_agent")
    assert name == "BedrockAgentCoreRuntime-us-east-1-hello_agent"
    assert "BedrockAgentCore" in name


def test_long_default_names_are_shortened_stably_and_distinctly() -> None:
    a = arns.default_role_name("ap-southeast-2", "a" * 48)
    b = arns.default_role_name("ap-southeast-2", "a" * 47 + "b")
    assert len(a) == 64 and len(b) == 64
    assert a != b
    assert a == arns.default_role_name("ap-southeast-2", "a" * 48)
    arns.validate_role_name(a)


@pytest.mark.parametrize("name", ["", "x" * 65, "has space", "slash/name", "ümlaut", "semi;colon"])
def test_invalid_role_names(name: str) -> None:
    with pytest.raises(UsageError):
        arns.validate_role_name(name)


@pytest.mark.parametrize("path", ["", "agents/", "/agents", "//", "/a//b/", "/" + "a" * 520 + "/", "/sp ace/"])
def test_invalid_paths(path: str) -> None:
    with pytest.raises(UsageError):
        arns.validate_role_path(path)


@pytest.mark.parametrize("path", ["/", "/agents/", "/a/b-c/d_e/"])
def test_valid_paths(path: str) -> None:
    assert arns.validate_role_path(path) == path


def test_parse_role_arn_keeps_path() -> None:
    ref = arns.parse_role_ref("arn:aws:iam::123456789012:role/team/x/MyRole", account="123456789012")
    assert (ref.name, ref.path, ref.account) == ("MyRole", "/team/x/", "123456789012")
    assert ref.arn("aws", "123456789012") == "arn:aws:iam::123456789012:role/team/x/MyRole"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("arn:aws:iam::123456789012:user/alice", "not a role"),
        ("arn:aws:sts::123456789012:assumed-role/Dev/alice", "not a role"),
        ("arn:aws:iam::210987654321:role/Other", "account 210987654321"),
        ("arn:aws-cn:iam::123456789012:role/X", "partition aws-cn"),
        ("arn:aws:iam", "not an ARN"),
        ("arn:aws:iam::12345:role/X", "account id"),
        ("team/MyRole", "invalid role name"),
        ("bad name", "invalid IAM role name"),
    ],
)
def test_role_refs_refused(value: str, fragment: str) -> None:
    with pytest.raises(UsageError, match=fragment):
        arns.parse_role_ref(value, account="123456789012", partition="aws")


def test_reserved_paths() -> None:
    assert arns.is_reserved_path("/aws-reserved/sso.amazonaws.com/")
    assert arns.is_reserved_path("/aws-reserved/sso.amazonaws.com/eu-west-1/")
    assert arns.is_reserved_path("/aws-service-role/bedrock-agentcore.amazonaws.com/")
    assert not arns.is_reserved_path("/agents/")


@pytest.mark.parametrize("name", ["hello", "a", "Agent_1", "a" * 48])
def test_agent_names_ok(name: str) -> None:
    assert arns.validate_agent_name(name) == name


@pytest.mark.parametrize("name", ["1agent", "my-agent", "a" * 49, "", "_x"])
def test_agent_names_rejected(name: str) -> None:
    with pytest.raises(UsageError):
        arns.validate_agent_name(name)

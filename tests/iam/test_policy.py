"""Policy parsing: the shapes IAM accepts, normalisation, and errors that say where."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from agentcore_ext.iam.policy import PolicyError, dumps_policy, parse_policy, policy_to_dict


def test_single_statement_object_and_string_values_are_normalised() -> None:
    doc = parse_policy(
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}
    )
    (st,) = doc.statements
    assert st.actions == ("s3:GetObject",)
    assert st.resources == ("*",)
    assert st.sid is None


def test_keys_are_case_insensitive_and_canonicalised() -> None:
    doc = parse_policy(
        {
            "version": "2012-10-17",
            "statement": [{"effect": "Deny", "notaction": ["iam:*"], "notresource": "arn:aws:iam::1:role/x"}],
        }
    )
    st = doc.statements[0]
    assert st.effect == "Deny" and st.not_actions == ("iam:*",) and st.not_resources == ("arn:aws:iam::1:role/x",)


def test_principal_forms() -> None:
    doc = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"},
                {
                    "Effect": "Allow",
                    "Principal": {"Service": ["a.amazonaws.com", "b.amazonaws.com"]},
                    "Action": "sts:*",
                },
            ],
        }
    )
    assert doc.statements[0].principal == {"*": ("*",)}
    assert doc.statements[1].principal == {"Service": ("a.amazonaws.com", "b.amazonaws.com")}


def test_condition_values_accept_bool_and_numbers() -> None:
    doc = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {"Bool": {"aws:SecureTransport": True}, "NumericLessThan": {"s3:max-keys": 10}},
                }
            ],
        }
    )
    cond = doc.statements[0].conditions
    assert cond["Bool"]["aws:SecureTransport"] == ("true",)
    assert cond["NumericLessThan"]["s3:max-keys"] == ("10",)


def test_url_encoded_text_as_iam_returns_it() -> None:
    raw = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}
    doc = parse_policy(quote(json.dumps(raw)))
    assert doc.statements[0].actions == ("logs:*",)


def test_round_trip_keeps_meaning() -> None:
    raw = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "A",
                "Effect": "Allow",
                "Action": ["a:B", "c:D"],
                "Resource": "*",
                "Condition": {"StringEquals": {"k": "v"}},
            }
        ],
    }
    assert policy_to_dict(parse_policy(raw)) == raw
    assert json.loads(dumps_policy(parse_policy(raw))) == raw


@pytest.mark.parametrize(
    ("raw", "where"),
    [
        (
            {"Version": "2012-10-17", "Statement": [{"Effect": "Permit", "Action": "a:b", "Resource": "*"}]},
            "Statement[0].Effect",
        ),
        ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}, "Statement[0]"),
        (
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "a:b", "NotAction": "c:d"}]},
            "Statement[0]",
        ),
        (
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "a:b", "Resource": "*"},
                    {"Effect": "Allow", "Action": 5, "Resource": "*"},
                ],
            },
            "Statement[1].Action",
        ),
        (
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [], "Resource": "*"}]},
            "Statement[0].Action",
        ),
        (
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "a:b", "Resource": "*", "Condition": {"StringEquals": "x"}}
                ],
            },
            "Statement[0].Condition.StringEquals",
        ),
        (
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "a:b", "Resource": "*", "Principal": {"Robot": "x"}}],
            },
            "Statement[0].Principal",
        ),
        ({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "a:b", "Bogus": 1}]}, "Statement[0]"),
        ({"Version": "2020-01-01", "Statement": []}, "Version"),
        ({"Version": "2012-10-17"}, "Statement"),
        ({"Version": "2012-10-17", "Statement": "nope"}, "Statement"),
    ],
)
def test_malformed_documents_name_the_place(raw: object, where: str) -> None:
    with pytest.raises(PolicyError) as info:
        parse_policy(raw)
    assert info.value.where == where


@pytest.mark.parametrize("text", ["", "   ", "{not json", "[1, 2]", "x" * 200_000])
def test_bad_text(text: str) -> None:
    with pytest.raises(PolicyError):
        parse_policy(text)


def test_invalid_json_names_line_and_column() -> None:
    with pytest.raises(PolicyError, match=r"line 2 column"):
        parse_policy('{"Version": "2012-10-17",\n "Statement": [,]}')

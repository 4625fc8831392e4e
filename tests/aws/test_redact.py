"""The SDK-log redaction filter: secrets never survive into a log record's message."""

from __future__ import annotations

import logging

import pytest

from agentcore_ext.aws import redact


@pytest.mark.parametrize(
    "text",
    [
        "{'X-Amz-Security-Token': b'IQoJb3JpZ2luX2VjSECRET', 'Authorization': 'AWS4'}",
        "<CreateAccessKeyResult><AccessKey><SecretAccessKey>wJalrXUtnFEMI/SECRET</SecretAccessKey>",
        '{"SecretAccessKey": "wJalrXUtnFEMI/SECRET", "AccessKeyId": "AKIA"}',
        "<Credentials><SessionToken>FwoGZXIvYXdzSECRET</SessionToken></Credentials>",
        "aws_secret_access_key = 'wJalrXUtnSECRET'",
    ],
)
def test_patterns_mask_secret_values(text: str) -> None:
    cleaned = redact.redact(text)
    assert "SECRET" not in cleaned and redact.MASK in cleaned


def test_exact_values_are_masked_anywhere() -> None:
    assert redact.redact("token=abc123XYZ in a url", frozenset({"abc123XYZ"})) == "token=**** in a url"


def test_installed_filter_rewrites_botocore_records(caplog: pytest.LogCaptureFixture) -> None:
    redact.install("s3cr3t-value")
    with caplog.at_level(logging.DEBUG, logger="botocore.endpoint"):
        logging.getLogger("botocore.endpoint").debug(
            "headers: %s", {"X-Amz-Security-Token": "tok-SECRET", "k": "s3cr3t-value"}
        )
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "tok-SECRET" not in text and "s3cr3t-value" not in text and "headers:" in text

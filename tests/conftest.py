"""Shared fixtures: no test may reach real AWS, and every test starts from the same fake environment."""

from __future__ import annotations

import os
from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from agentcore_ext.aws.gateway import Gateway

_CLEARED = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_IAM",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_MAX_ATTEMPTS",
    "AWS_RETRY_MODE",
)


@pytest.fixture(autouse=True)
def fake_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _CLEARED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    # The developer's own ~/.aws files and the instance metadata service must not leak into tests.
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


@pytest.fixture
def moto_iam() -> Iterator[boto3.Session]:
    """moto's in-process mock; the session uses the fake admin credentials (caller arn:...:sts::...:user/moto)."""
    with mock_aws():
        yield boto3.Session(region_name="us-east-1")


@pytest.fixture
def gateway(moto_iam: boto3.Session) -> Gateway:
    return Gateway(session=moto_iam, sleep=lambda seconds: None)


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """One moto server process for the whole run; tests that use it call moto_process.reset() first."""
    from moto_process import moto_server_process

    with moto_server_process() as url:
        yield url


# No finding a user reads may show the tool's probe internals (issue 15): the stand-in runtime id and log stream
# are how the judge asks IAM a concrete question, not something the user can act on. Every finding made by any
# in-process test is recorded and checked once at the end of the run.
PROBE_MARKERS = ("Pr0beRun1d", "00000000-0000-0000-0000-000000000000")
_SEEN_FINDINGS: list[str] = []


@pytest.fixture(autouse=True, scope="session")
def _no_probe_internals_in_findings() -> Iterator[None]:
    from agentcore_ext import findings

    original = findings.Finding.__post_init__

    def record(self: findings.Finding) -> None:
        original(self)
        _SEEN_FINDINGS.append(f"{self.code}: {self.message} / {self.hint}")

    findings.Finding.__post_init__ = record  # type: ignore[method-assign]
    yield
    findings.Finding.__post_init__ = original  # type: ignore[method-assign]
    leaked = sorted({m for m in _SEEN_FINDINGS if any(p in m for p in PROBE_MARKERS)})
    assert not leaked, f"{len(leaked)} finding(s) show probe internals, e.g. {leaked[:3]}"

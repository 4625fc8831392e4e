"""Shared fixtures: no test may reach real AWS, and every test starts from the same fake environment."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator
from typing import Any

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
    broken = sorted({c for c in _hint_commands(_SEEN_FINDINGS) if not _parses(c)})
    assert not broken, f"{len(broken)} hint command(s) do not parse as agentcore-ext commands, e.g. {broken[:3]}"


# A command is quoted in backticks or follows "run: " / "with: " (fix_command and apply's finish hint).
_COMMAND = re.compile(r"(?:`|run: |with: )(agentcore-ext(?: [^`;)\n]+)?)")


def _hint_commands(texts: list[str]) -> set[str]:
    """Every `agentcore-ext ...` command a finding's message or hint tells the user to run (issue 15 item 3)."""
    return {m.group(1).strip() for t in texts for m in _COMMAND.finditer(t) if "..." not in m.group(1)}


def _parses(command: str) -> bool:
    """The command exists and every option it names is one of that command's (click parses it strictly)."""
    import typer.main

    from agentcore_ext.cli.app import app

    try:
        args = shlex.split(command)[1:]
    except ValueError:  # unbalanced quotes: not something a shell would run
        return False
    cmd: Any = typer.main.get_command(app)  # typer bundles its own click: its classes, not click's
    try:
        while hasattr(cmd, "commands") and args and not args[0].startswith("-"):
            sub = cmd.commands.get(args[0])
            if sub is None:
                return False
            cmd, args = sub, args[1:]
        if hasattr(cmd, "commands"):
            return not args or args == ["--help"]
        if "--help" in args:  # asking for help is always valid; click would exit while parsing it
            return True
        cmd.make_context("agentcore-ext", list(args))
    except Exception:  # click's usage errors: no such option, a bad value, a missing argument
        return False
    return True

"""Gateway.speculate(): the role's first reads go out beside GetCallerIdentity and are used, counted, or dropped."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.errors import AwsError

TRUST = {"Version": "2012-10-17", "Statement": []}
LOGS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}


def _role(moto_iam: boto3.Session) -> None:
    iam = moto_iam.client("iam")
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.put_role_policy(RoleName="r", PolicyName="p", PolicyDocument=json.dumps(LOGS))


def test_early_reads_are_used_once_and_counted_when_the_identity_answers(moto_iam: boto3.Session) -> None:
    _role(moto_iam)
    gateway = Gateway(session=moto_iam)
    gateway.speculate("r")
    gateway.caller_identity()
    role = gateway.get_role("r")
    assert role is not None and role["RoleName"] == "r"
    assert gateway.list_role_policy_names("r") == ["p"]
    assert gateway.list_attached_role_policies("r") == []
    assert gateway.calls == 4  # GetCallerIdentity and the three early reads, which answered these
    assert gateway.get_role("r") is not None
    assert gateway.calls == 5  # a second read is a new request
    assert gateway.get_role("other") is None and gateway.calls == 6


def test_early_reads_are_dropped_when_the_identity_fails(moto_iam: boto3.Session) -> None:
    _role(moto_iam)
    gateway = Gateway(session=moto_iam, max_attempts=1)

    def refused(model: Any, **_: Any) -> None:
        raise ClientError({"Error": {"Code": "ExpiredToken", "Message": "expired"}}, model.name)

    gateway.sts.meta.events.register("before-call.sts.GetCallerIdentity", refused)
    gateway.speculate("r")
    with pytest.raises(AwsError):
        gateway.caller_identity()
    assert gateway.calls == 0  # the refusal sent nothing, and the early reads are not counted: the run stops here
    assert gateway.get_role("r") is not None  # nothing early is used after a failure: a fresh read
    assert gateway.calls == 1


def test_an_early_read_that_fails_raises_at_its_claim(moto_iam: boto3.Session) -> None:
    gateway = Gateway(session=moto_iam, max_attempts=1)

    def denied(model: Any, **_: Any) -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "no"}}, model.name)

    gateway.iam.meta.events.register("before-call.iam.ListRolePolicies", denied)
    gateway.speculate("r")
    gateway.caller_identity()
    with pytest.raises(AwsError) as refused:
        gateway.list_role_policy_names("r")
    assert refused.value.code == "AccessDenied" and refused.value.operation == "iam:ListRolePolicies"


def test_a_failed_early_attempt_never_waits_forever_for_the_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    # A run that stops before GetCallerIdentity answers left workers blocked, and the interpreter joins pool
    # threads at exit: the process (and `make test`) hung after its last line. The wait is bounded, and a read
    # abandoned that way is read again by its claimer instead of raising.
    import time

    from agentcore_ext.aws import speculate

    monkeypatch.setattr(speculate, "RESOLVE_WAIT", 0.05)
    spec = speculate.Speculation(lambda _: None)

    def failing_attempt() -> str:
        spec.before_retry()  # what the gateway's retry hook does after a failed attempt
        return "retried"

    spec.submit(("GetRole", "r"), failing_attempt)
    start = time.monotonic()
    spec._reads[("GetRole", "r")].result(timeout=5)  # raises TimeoutError while the worker still waits
    assert time.monotonic() - start < 5
    spec.resolve(True)
    assert spec.claim(("GetRole", "r")) == (False, None)  # abandoned: the claimer sends its own read

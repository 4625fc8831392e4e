"""agentcore_ext.sandbox: the embedded moto server and its seeded developer."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlparse

import boto3
import pytest

from agentcore_ext.aws import sandbox
from agentcore_ext.toolkit.argv import build_configure_argv
from agentcore_ext.toolkit.config import read_agent_config
from agentcore_ext.toolkit.run import run_toolkit

DEVELOPER_ARN = "arn:aws:iam::123456789012:user/developers/agentcore-developer"


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    # Whatever the sandbox forgets to override must still not reach AWS.
    monkeypatch.setenv("AWS_PROFILE", "must-be-removed")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "must-be-removed")
    monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", "http://127.0.0.1:9")  # would beat AWS_ENDPOINT_URL
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "us-east-1")


def _port_open(url: str) -> bool:
    parsed = urlparse(url)
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((parsed.hostname or "", parsed.port or 0)) == 0


def test_sandbox_seeds_the_developer_and_stops(capfd: pytest.CaptureFixture[str]) -> None:
    with sandbox.start_sandbox(region="eu-west-1") as sb:
        assert sb.endpoint_url.startswith("http://127.0.0.1:") and _port_open(sb.endpoint_url)
        assert sb.account == "123456789012" and sb.user_arn == DEVELOPER_ARN
        assert (
            sb.banner
            == f"SANDBOX: every AWS call went to a local moto server at {sb.endpoint_url}; nothing touched AWS."
        )
        assert sb.secret_access_key not in repr(sb)
        env = sb.env()
        assert env["AWS_PROFILE"] is None and env["AWS_SESSION_TOKEN"] is None and env["AWS_ENDPOINT_URL_IAM"] is None
        assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "eu-west-1"
        child = sb.child_env({"AWS_PROFILE": "x", "PATH": "/bin"})
        assert "AWS_PROFILE" not in child and child["PATH"] == "/bin" and child["AWS_ENDPOINT_URL"] == sb.endpoint_url

        with sb.activate():
            session = boto3.session.Session()
            assert session.region_name == "eu-west-1"
            assert session.client("sts").get_caller_identity()["Arn"] == DEVELOPER_ARN
            iam = session.client("iam")
            attached = iam.list_attached_user_policies(UserName=sandbox.DEVELOPER_USER)["AttachedPolicies"]
            assert [p["PolicyName"] for p in attached] == [sandbox.FULL_ACCESS_POLICY]
            policy = iam.get_policy(PolicyArn=attached[0]["PolicyArn"])["Policy"]
            document = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=policy["DefaultVersionId"])[
                "PolicyVersion"
            ]["Document"]
            pass_role = [s for s in document["Statement"] if s.get("Sid") == "BedrockAgentCorePassRoleAccess"]
            assert pass_role[0]["Resource"] == "arn:aws:iam::*:role/*BedrockAgentCore*"
            assert pass_role[0]["Condition"] == {
                "StringEquals": {"iam:PassedToService": "bedrock-agentcore.amazonaws.com"}
            }
            assert sorted(iam.list_user_policies(UserName=sandbox.DEVELOPER_USER)["PolicyNames"]) == sorted(
                [sandbox.ROLE_MANAGEMENT_POLICY, sandbox.DEPLOY_POLICY]
            )
            inline = iam.get_user_policy(UserName=sandbox.DEVELOPER_USER, PolicyName=sandbox.ROLE_MANAGEMENT_POLICY)
            actions = {
                a
                for s in inline["PolicyDocument"]["Statement"]
                for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
            }
            assert {"iam:CreateRole", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:GetUser"} <= actions
        # activate() put the caller's environment back.
        assert os.environ["AWS_PROFILE"] == "must-be-removed" and "AWS_ENDPOINT_URL" not in os.environ
    assert not _port_open(sb.endpoint_url)
    out, err = capfd.readouterr()
    assert out == "" and sb.secret_access_key not in out + err  # no moto banner, no request log, no secret


def test_sandbox_can_start_twice_in_one_process() -> None:
    # moto's state is per process: the second start reuses the user and still hands out a working key.
    for _ in range(2):
        with sandbox.start_sandbox() as sb, sb.activate():
            assert boto3.session.Session().client("sts").get_caller_identity()["Arn"] == DEVELOPER_ARN


def test_the_toolkit_configures_against_the_sandbox(tmp_path: Path) -> None:
    (tmp_path / "hello.py").write_text("from bedrock_agentcore.runtime import BedrockAgentCoreApp\n")
    (tmp_path / "requirements.txt").write_text("bedrock-agentcore\n")
    role = "arn:aws:iam::123456789012:role/BedrockAgentCoreRuntime-us-east-1-hello"
    argv = build_configure_argv("hello.py", "hello", role, "us-east-1", "container", True, None, True)
    with sandbox.start_sandbox() as sb:
        assert run_toolkit(argv, tmp_path, env=sb.env(), region=sb.region) == 0
    config = read_agent_config(tmp_path, "hello")
    assert config is not None and config.account == sb.account and config.execution_role == role

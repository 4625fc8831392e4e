"""End to end, the way users run it: the CLI in a subprocess, the real starter toolkit, a moto server.

The moto server runs in its own process, so in-process `mock_aws` tests elsewhere cannot wipe its state.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto_process import child_env, reset

from agentcore_ext.aws.sandbox import FULL_ACCESS_DOCUMENT, role_management_document
from agentcore_ext.judge.requirements import trust_document
from agentcore_ext.state import AgentSpec

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT, REGION = "123456789012", "us-east-1"
ROLE = "BedrockAgentCoreRuntime-us-east-1-hello_agent"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"


@dataclass
class World:
    url: str
    iam: Any
    workdir: Path
    env: dict[str, str]

    def run(self, *args: str, check_json: bool = True) -> tuple[int, dict[str, Any] | None, str]:
        proc = subprocess.run(
            [sys.executable, "-m", "agentcore_ext", *args],
            cwd=self.workdir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
            stdin=subprocess.DEVNULL,
        )
        report = json.loads(proc.stdout) if check_json and "--json" in args else None
        return proc.returncode, report, proc.stderr

    def role_state(self, name: str = ROLE) -> dict[str, Any] | None:
        try:
            role = self.iam.get_role(RoleName=name)["Role"]
        except self.iam.exceptions.NoSuchEntityException:
            return None
        inline = {
            p: self.iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]
            for p in self.iam.list_role_policies(RoleName=name)["PolicyNames"]
        }
        return {"trust": role["AssumeRolePolicyDocument"], "created": str(role["CreateDate"]), "inline": inline}

    def developer(self, *policies: dict[str, Any], name: str = "dev") -> None:
        """A caller with these inline policies; the child process runs with its keys."""
        self.iam.create_user(UserName=name, Path="/developers/")
        for i, doc in enumerate(policies):
            self.iam.put_user_policy(UserName=name, PolicyName=f"p{i}", PolicyDocument=json.dumps(doc))
        key = self.iam.create_access_key(UserName=name)["AccessKey"]
        self.env["AWS_ACCESS_KEY_ID"], self.env["AWS_SECRET_ACCESS_KEY"] = key["AccessKeyId"], key["SecretAccessKey"]


@pytest.fixture
def world(moto_server: str, tmp_path: Path) -> World:
    server = moto_server
    reset(server)
    workdir = tmp_path / "hello_agent"
    shutil.copytree(ROOT / "examples" / "hello_agent", workdir, ignore=shutil.ignore_patterns("__pycache__"))
    env = child_env(server)
    iam = boto3.client(
        "iam", endpoint_url=server, region_name=REGION, aws_access_key_id="admin", aws_secret_access_key="admin"
    )
    w = World(server, iam, workdir, env)
    w.developer(FULL_ACCESS_DOCUMENT, role_management_document())
    return w


BASE = ("configure", "-e", "hello_agent.py", "--disable-memory", "--yes", "--json")


def test_configure_from_nothing_creates_role_and_yaml_holds_that_arn(world: World) -> None:
    code, report, err = world.run(*BASE)
    assert code == 0, err
    assert report is not None and report["ok"] is True
    assert report["role"]["arn"] == ROLE_ARN and report["role"]["action_taken"] == "created"
    assert report["configure"]["ran"] is True and report["configure"]["exit_code"] == 0
    assert report["caller"]["principal_arn"] == f"arn:aws:iam::{ACCOUNT}:user/developers/dev"
    assert report["pass_role"]["decision"] == "allowed" and report["pass_role"]["method"] == "local"
    assert world.role_state() is not None
    from agentcore_ext.toolkit.config import read_configured_role

    assert read_configured_role(world.workdir, "hello_agent") == ("hello_agent", ROLE_ARN)
    assert (world.workdir / ".bedrock_agentcore" / "hello_agent" / "Dockerfile").is_file()

    before = world.role_state()
    code, report, err = world.run(*BASE)
    assert code == 0, err
    assert report is not None and report["role"]["action_taken"] == "none"
    assert world.role_state() == before  # a rerun changes nothing in IAM


def test_caller_without_passrole_gets_exit_3_and_nothing_is_written(world: World) -> None:
    doc = role_management_document()
    doc["Statement"] = [st for st in doc["Statement"] if st["Action"] != "iam:PassRole"]
    world.developer(doc, name="nopass")
    code, report, err = world.run(*BASE)
    assert code == 3, err
    assert report is not None and report["pass_role"]["decision"] == "denied"
    assert "PASSROLE_DENIED" in {f["code"] for f in report["findings"]}
    assert world.role_state() is None
    assert not (world.workdir / ".bedrock_agentcore.yaml").exists()
    assert report["configure"]["ran"] is False


def test_non_compliant_role_without_fix_exit_3_then_fix_repairs(world: World) -> None:
    spec = AgentSpec("hello_agent", ACCOUNT, REGION, memory=False)
    world.iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust_document(spec)))
    code, report, err = world.run(*BASE)
    assert code == 3
    assert report is not None and report["role"]["permissions_ok"] is False
    assert "ecr:BatchGetImage" in report["role"]["missing_actions"]
    assert "--fix" in err  # the report shows what --fix would change and the command
    assert not (world.workdir / ".bedrock_agentcore.yaml").exists()
    assert world.role_state()["inline"] == {}  # type: ignore[index]

    code, report, err = world.run(*BASE, "--fix")
    assert code == 0, err
    assert report is not None and report["role"]["action_taken"] == "repaired"
    assert report["role"]["permissions_ok"] is True


def test_dry_run_writes_neither_iam_nor_yaml(world: World) -> None:
    code, report, err = world.run(*BASE, "--dry-run")
    assert code == 0, err
    assert report is not None and report["role"]["action_taken"] == "planned"
    assert world.role_state() is None
    assert not (world.workdir / ".bedrock_agentcore.yaml").exists()
    assert "create role" in err


def test_arguments_after_double_dash_reach_the_toolkit(world: World) -> None:
    code, report, err = world.run(*BASE, "--", "--idle-timeout", "1234")
    assert code == 0, err
    assert report is not None and report["configure"]["argv"][-2:] == ["--idle-timeout", "1234"]
    assert "idle_runtime_session_timeout: 1234" in (world.workdir / ".bedrock_agentcore.yaml").read_text()


def test_double_dash_cannot_override_the_checked_role(world: World) -> None:
    code, _, err = world.run(*BASE, "--", "--execution-role", "arn:aws:iam::123456789012:role/Other", check_json=False)
    assert code == 2 and "--execution-role" in err
    assert world.role_state() is None


def test_status_help_passes_through(world: World) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "agentcore_ext", "status", "--help"],
        cwd=world.workdir,
        env=world.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0
    assert "status" in proc.stdout.lower() and "Usage" in proc.stdout


def test_deploy_guard_stops_on_a_broken_role(world: World) -> None:
    assert world.run(*BASE)[0] == 0
    # Someone breaks the role's trust: AgentCore could no longer assume it.
    broken = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    world.iam.update_assume_role_policy(RoleName=ROLE, PolicyDocument=json.dumps(broken))
    code, _, err = world.run("deploy", check_json=False)
    assert code == 3
    assert "TRUST_SERVICE_NOT_ALLOWED" in err and "deploy stopped before the image build" in err

    code, report, err = world.run("doctor", "--json")
    assert code == 3 and report is not None and report["role"]["trust_ok"] is False


def test_doctor_reads_the_configured_role(world: World) -> None:
    assert world.run(*BASE)[0] == 0
    code, report, err = world.run("doctor", "--json")
    assert code == 0, err
    assert report is not None and report["role"]["arn"] == ROLE_ARN and report["role"]["action_taken"] == "none"
    assert report["stats"]["aws_calls"] > 0


def test_role_ensure_prints_only_the_arn(world: World) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "agentcore_ext", "role", "ensure", "-n", "hello_agent", "--disable-memory", "--yes"],
        cwd=world.workdir,
        env=world.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ROLE_ARN + "\n"


def test_doctor_on_a_project_configured_without_er_warns_about_the_toolkit_role(world: World) -> None:
    env = dict(world.env)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bedrock_agentcore_starter_toolkit.cli.cli",
            "configure",
            "-e",
            "hello_agent.py",
            "--disable-memory",
            "-ni",
            "-dt",
            "container",
        ],
        cwd=world.workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    code, report, err = world.run("doctor", "--json")
    assert code == 0, err
    assert report is not None
    codes = {f["code"] for f in report["findings"]}
    assert "TOOLKIT_AUTO_CREATES_ROLE" in codes and "ROLE_NOT_FOUND" not in codes
    assert report["role"]["name"].startswith("AmazonBedrockAgentCoreSDKRuntime-us-east-1-")


def test_doctor_before_any_role_exists_reports_role_null(world: World) -> None:
    code, report, err = world.run("doctor", "-n", "hello_agent", "--json")
    assert code == 0, err
    assert report is not None and report["role"] is None
    assert "ROLE_NOT_CREATED_YET" in {f["code"] for f in report["findings"]}
    assert report["pass_role"]["decision"] == "allowed"


def test_custom_ecr_repository_after_double_dash_shapes_the_role(world: World) -> None:
    uri = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/team/hello:latest"
    code, report, err = world.run(*BASE, "--", "--ecr", uri)
    assert report is not None and report["ok"] is True
    assert code == 0, err
    state = world.role_state()
    assert state is not None
    text = json.dumps(state["inline"])
    assert f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/team/hello" in text
    assert "repository/bedrock-agentcore-hello_agent" not in text


def test_force_proceeds_past_a_passrole_denial_with_a_warning(world: World) -> None:
    doc = role_management_document()
    doc["Statement"] = [st for st in doc["Statement"] if st["Action"] != "iam:PassRole"]
    world.developer(doc, name="forced")
    code, report, err = world.run(*BASE, "--force")
    assert code == 0, err
    assert report is not None and report["pass_role"]["decision"] == "denied"
    severities = {f["code"]: f["severity"] for f in report["findings"]}
    assert severities["PASSROLE_FORCED"] == "warning" and severities["PASSROLE_DENIED"] == "warning"
    assert report["configure"]["ran"] is True and world.role_state() is not None

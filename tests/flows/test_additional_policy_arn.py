"""Issue 21, red-team item 6: `--additional-policy ARN` is read, required attached, and attached by create and
repair; a missing policy or another account's is refused (exit 2) before any write, an administrator-level one is
refused as an error finding (exit 3); offline commands say the ARN cannot be read and how to give its document.

moto holds the policies and the role; what is attached is read back with a client the tool never touched.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from typer.testing import CliRunner

from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.cli.app import app
from agentcore_ext.define.spec import agent_spec
from agentcore_ext.errors import EXIT_USAGE, UsageError
from agentcore_ext.findings import codes
from agentcore_ext.flows.profile import agent_profile
from agentcore_ext.flows.role import RoleOutcome, check_role, ensure_role
from agentcore_ext.judge.requirements import permissions_document
from agentcore_ext.judge.writes import write_requests
from agentcore_ext.settings import Settings
from agentcore_ext.state import AgentSpec

ACCOUNT, OTHER = "123456789012", "210987654321"
NAME = "BedrockAgentCoreRuntime-us-east-1-demo"
DATA: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::agent-data/*"}],
}
EVERYTHING: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
}
WRITES = {"CreateRole", "PutRolePolicy", "AttachRolePolicy", "UpdateAssumeRolePolicy", "TagRole"}


class Run:
    """A fresh gateway per run, recording the IAM operations it sends."""

    def __init__(self, session: boto3.Session) -> None:
        self.gateway = Gateway(session=session, sleep=lambda seconds: None)
        self.operations: list[str] = []
        self.gateway.iam.meta.events.register("before-call.iam", self._record)

    def _record(self, model: Any, **_: Any) -> None:
        self.operations.append(model.name)

    @property
    def writes(self) -> list[str]:
        return [op for op in self.operations if op in WRITES]

    def ensure(self, settings: Settings) -> RoleOutcome:
        return ensure_role(self.gateway, settings, _spec(settings), confirm=lambda plan: True, progress=lambda m: None)

    def check(self, settings: Settings) -> RoleOutcome:
        return check_role(self.gateway, settings, _spec(settings))


def _settings(*extras: str, **changes: Any) -> Settings:
    base = Settings(agent_name="demo", region="us-east-1", memory=False, yes=True, additional_policies=extras)
    return base.with_(**changes)


def _spec(settings: Settings) -> AgentSpec:
    profile, _ = agent_profile(settings, None)
    return agent_spec(settings, account=ACCOUNT, profile=profile)


def _policy(iam: Any, name: str, doc: dict[str, Any]) -> str:
    return str(iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(doc))["Policy"]["Arn"])


def _attached(iam: Any) -> list[str]:
    return [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=NAME)["AttachedPolicies"]]


def _role_without(iam: Any, arn_policy_doc: dict[str, Any] | None = None) -> None:
    """A compliant role of the user's (the tool's permissions inline), with nothing attached."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "bedrock-agentcore.amazonaws.com"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
            }
        ],
    }
    iam.create_role(RoleName=NAME, AssumeRolePolicyDocument=json.dumps(trust))
    plain = permissions_document(_spec(_settings()))
    iam.put_role_policy(RoleName=NAME, PolicyName="mine", PolicyDocument=json.dumps(plain))


@pytest.fixture
def iam(moto_iam: boto3.Session) -> Any:
    return moto_iam.client("iam")


@pytest.fixture
def managed_moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[boto3.Session]:
    """moto with the AWS managed policies loaded (arn:aws:iam::aws:policy/...): slower, so only where needed."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    with mock_aws():
        yield boto3.Session(region_name="us-east-1")


# --- attached on create and repair, required on every check ------------------------------------------------


def test_redteam_06_additional_policy_arn_is_attached_when_the_role_is_created(
    moto_iam: boto3.Session, iam: Any
) -> None:
    arn = _policy(iam, "AgentData", DATA)
    run = Run(moto_iam)
    outcome = run.ensure(_settings(arn))
    assert outcome.ok and outcome.role.action_taken == "created", outcome.findings
    assert run.writes == ["CreateRole", "PutRolePolicy", "AttachRolePolicy"]
    assert _attached(iam) == [arn]
    again = Run(moto_iam)
    assert again.ensure(_settings(arn, fix=True)).ok and again.writes == []


def test_redteam_06_additional_policy_arn_not_attached_is_an_error_and_fix_attaches_it(
    moto_iam: boto3.Session, iam: Any
) -> None:
    arn = _policy(iam, "AgentData", DATA)
    _role_without(iam)
    doctor = Run(moto_iam).check(_settings(arn))
    assert "ADDITIONAL_POLICY_NOT_ATTACHED" in codes(doctor.findings) and not doctor.ok
    assert doctor.role.permissions_ok is False and "ROLE_FIX_AVAILABLE" in codes(doctor.findings)
    unfixed = Run(moto_iam)
    assert not unfixed.ensure(_settings(arn)).ok and unfixed.writes == []  # without --fix: nothing written
    fixed = Run(moto_iam)
    outcome = fixed.ensure(_settings(arn, fix=True))
    assert outcome.ok and outcome.role.action_taken == "repaired", outcome.findings
    assert fixed.writes == ["AttachRolePolicy"] and _attached(iam) == [arn]
    assert Run(moto_iam).check(_settings(arn)).ok


def test_redteam_06_additional_policy_arn_with_a_deny_that_stops_the_agent_is_not_attached(
    moto_iam: boto3.Session, iam: Any
) -> None:
    arn = _policy(
        iam,
        "NoModels",
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "bedrock:*", "Resource": "*"}]},
    )
    run = Run(moto_iam)
    # an agent that calls a Bedrock model (none is assumed for one that calls none: INTERFACE.md 2026-12)
    outcome = run.ensure(_settings(arn, models=("global.anthropic.claude-sonnet-4-5-20250929-v1:0",)))
    assert "PERMISSIONS_EXPLICIT_DENY" in codes(outcome.plan.blocked_by) and run.writes == []


# --- refused before any write --------------------------------------------------------------------------------


def test_redteam_06_additional_policy_missing_arn_is_refused(moto_iam: boto3.Session, iam: Any) -> None:
    missing = f"arn:aws:iam::{ACCOUNT}:policy/NoSuchPolicy"
    run = Run(moto_iam)
    with pytest.raises(UsageError) as caught:
        run.ensure(_settings(missing))
    assert caught.value.exit_code == EXIT_USAGE and missing in caught.value.message and caught.value.hint
    assert run.writes == []
    with pytest.raises(UsageError):
        Run(moto_iam).check(_settings(missing))


def test_redteam_06_additional_policy_another_accounts_arn_is_refused(moto_iam: boto3.Session) -> None:
    foreign = f"arn:aws:iam::{OTHER}:policy/TheirData"
    run = Run(moto_iam)
    with pytest.raises(UsageError) as caught:
        run.ensure(_settings(foreign))
    assert caught.value.exit_code == EXIT_USAGE and OTHER in caught.value.message and ACCOUNT in caught.value.message
    assert run.writes == [] and "GetPolicy" not in run.operations


@pytest.mark.parametrize("name", ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"])
def test_redteam_06_additional_policy_aws_managed_admin_policy_is_refused(
    managed_moto: boto3.Session, name: str
) -> None:
    arn = f"arn:aws:iam::aws:policy/{name}"
    run = Run(managed_moto)
    outcome = run.ensure(_settings(arn))
    assert "ADDITIONAL_POLICY_TOO_BROAD" in codes(outcome.plan.blocked_by) and not outcome.ok
    assert run.writes == []


def test_redteam_06_additional_policy_customer_policy_allowing_everything_is_refused(
    moto_iam: boto3.Session, iam: Any
) -> None:
    arn = _policy(iam, "Everything", EVERYTHING)
    _role_without(iam)
    run = Run(moto_iam)
    outcome = run.ensure(_settings(arn, fix=True))
    assert "ADDITIONAL_POLICY_TOO_BROAD" in codes(outcome.plan.blocked_by) and run.writes == []
    assert _attached(iam) == []


def test_redteam_06_additional_policy_unreadable_arn_is_still_required_with_a_warning(
    moto_iam: boto3.Session, iam: Any
) -> None:
    arn = _policy(iam, "AgentData", DATA)
    run = Run(moto_iam)
    refusing = [True]  # until the plan is confirmed: the read before planning is refused, the read-back is not

    def refuse(**_: Any) -> None:
        if refusing[0]:
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not authorized"}}, "GetPolicy")

    def confirm(plan: Any) -> bool:
        refusing[0] = False
        return True

    for op in ("GetPolicy", "GetPolicyVersion"):
        run.gateway.iam.meta.events.register(f"before-call.iam.{op}", refuse)
    settings = _settings(arn)
    outcome = ensure_role(run.gateway, settings, _spec(settings), confirm=confirm, progress=lambda m: None)
    assert outcome.ok and "ADDITIONAL_POLICY_UNREAD" in codes(outcome.findings), outcome.findings
    (unread,) = [f for f in outcome.findings if str(f.code) == "ADDITIONAL_POLICY_UNREAD"]
    assert unread.severity == "warning" and "iam:GetPolicy" in unread.hint
    assert _attached(iam) == [arn]


def test_redteam_06_additional_policy_attach_is_a_write_the_caller_must_be_allowed(
    moto_iam: boto3.Session, iam: Any
) -> None:
    arn = _policy(iam, "AgentData", DATA)
    outcome = Run(moto_iam).ensure(_settings(arn, dry_run=True))
    requests = [r for r in write_requests(outcome.plan) if r.action == "iam:AttachRolePolicy"]
    assert [r.context["iam:PolicyARN"] for r in requests] == [arn]


# --- offline: validate and policy ----------------------------------------------------------------------------

BASE = ["--name", "demo", "--account", ACCOUNT, "--region", "us-east-1", "--disable-memory"]


def _cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # any AWS call would fail loudly
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_redteam_06_additional_policy_validate_says_the_arn_cannot_be_read_offline(offline: Path) -> None:
    perms = offline / "perms.json"
    perms.write_text(json.dumps(permissions_document(_spec(_settings()))))
    arn = f"arn:aws:iam::{ACCOUNT}:policy/AgentData"
    result = _cli("validate", "--permissions", str(perms), "--additional-policy", arn, *BASE, "--json")
    assert result.exit_code == 0, result.output
    (unread,) = [f for f in json.loads(result.stdout)["findings"] if f["code"] == "ADDITIONAL_POLICY_UNREAD"]
    assert unread["severity"] == "warning" and arn in unread["message"]
    assert "--additional-policy" in unread["hint"] and "get-policy-version" in unread["hint"]


def test_redteam_06_additional_policy_validate_refuses_admin_and_foreign_arns_offline(offline: Path) -> None:
    perms = offline / "perms.json"
    perms.write_text(json.dumps(permissions_document(_spec(_settings()))))
    admin = _cli(
        "validate",
        "--permissions",
        str(perms),
        "--additional-policy",
        "arn:aws:iam::aws:policy/AdministratorAccess",
        *BASE,
        "--json",
    )
    assert admin.exit_code == 3
    assert "ADDITIONAL_POLICY_TOO_BROAD" in {f["code"] for f in json.loads(admin.stdout)["findings"]}
    foreign = _cli(
        "validate", "--permissions", str(perms), "--additional-policy", f"arn:aws:iam::{OTHER}:policy/TheirData", *BASE
    )
    assert foreign.exit_code == 2 and OTHER in foreign.output


def test_redteam_06_additional_policy_policy_templates_attach_the_arn(offline: Path) -> None:
    arn = f"arn:aws:iam::{ACCOUNT}:policy/AgentData"
    args = ("policy", "permissions", *BASE, "--additional-policy", arn)
    stack = json.loads(_cli(*args, "--format", "cloudformation").stdout)
    assert stack["Resources"]["AgentCoreExecutionRole"]["Properties"]["ManagedPolicyArns"] == [arn]
    terraform = _cli(*args, "--format", "terraform").stdout
    assert 'resource "aws_iam_role_policy_attachment"' in terraform and f'"{arn}"' in terraform
    printed = _cli(*args)
    assert printed.exit_code == 0 and arn in printed.stderr and arn not in printed.stdout
    assert "not read" in printed.stderr and "agentcore-ext doctor" in printed.stderr  # offline: who judges it
    trust = _cli("policy", "trust", *BASE, "--additional-policy", arn, "--format", "cloudformation")
    assert json.loads(trust.stdout)["Resources"]["AgentCoreExecutionRole"]["Properties"]["ManagedPolicyArns"] == [arn]
    foreign = _cli("policy", "permissions", *BASE, "--additional-policy", f"arn:aws:iam::{OTHER}:policy/X")
    assert foreign.exit_code == 2
    # what the tool never attaches is not printed for an administrator to deploy either
    admin = _cli("policy", "permissions", *BASE, "--additional-policy", "arn:aws:iam::aws:policy/AdministratorAccess")
    assert admin.exit_code == 3 and admin.stdout == "" and "administrator" in admin.stderr


# --- the CLI, in process against moto: the JSON report and what IAM holds afterwards -----------------------

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hello_agent"
HELLO = "BedrockAgentCoreRuntime-us-east-1-hello_agent"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example agent's folder as the working directory (configure needs its entrypoint)."""
    target = tmp_path / "hello_agent"
    target.mkdir()
    (target / "hello_agent.py").write_text((EXAMPLE / "hello_agent.py").read_text())
    monkeypatch.chdir(target)
    monkeypatch.setenv("AGENTCORE_SUPPRESS_RECOMMENDATION", "1")
    return target


def test_redteam_06_additional_policy_arn_role_ensure_and_doctor_report_it(
    moto_iam: boto3.Session, iam: Any, project: Path
) -> None:
    arn = _policy(iam, "AgentData", DATA)
    flags = ("-n", "hello_agent", "--disable-memory", "--additional-policy", arn, "--json")
    planned = _cli("role", "ensure", *flags, "--dry-run", "--yes")
    assert planned.exit_code == 0, planned.stderr
    plan = json.loads(planned.stdout)["plan"]
    assert f"attach managed policy {arn} to role {HELLO}" in plan["actions"]
    assert {"managed_policy": arn} in plan["documents"]
    created = _cli("role", "ensure", *flags, "--yes")
    assert created.exit_code == 0 and json.loads(created.stdout)["role"]["action_taken"] == "created"
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=HELLO)["AttachedPolicies"]] == [arn]
    iam.detach_role_policy(RoleName=HELLO, PolicyArn=arn)  # someone takes it off: doctor says so, exit 3
    doctor = _cli("doctor", *flags)
    report = json.loads(doctor.stdout)
    assert doctor.exit_code == 3 and report["role"]["permissions_ok"] is False
    errors = {f["code"] for f in report["findings"] if f["severity"] == "error"}
    assert "ADDITIONAL_POLICY_NOT_ATTACHED" in errors


def test_redteam_06_additional_policy_arn_configure_dry_run_plans_the_attachment(
    moto_iam: boto3.Session, iam: Any, project: Path
) -> None:
    arn = _policy(iam, "AgentData", DATA)
    args = ("configure", "-e", "hello_agent.py", "--disable-memory", "--additional-policy", arn)
    result = _cli(*args, "--dry-run", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert f"attach managed policy {arn} to role {HELLO}" in report["plan"]["actions"]
    missing = f"arn:aws:iam::{ACCOUNT}:policy/Gone"
    refused = _cli("configure", "-e", "hello_agent.py", "--additional-policy", missing, "--dry-run", "--yes")
    assert refused.exit_code == 2 and missing in refused.stderr
    assert not (project / ".bedrock_agentcore.yaml").exists()

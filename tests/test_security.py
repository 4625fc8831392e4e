"""Security rules (DESIGN.md "Habits"), each pinned by tests that go through the real flows against moto.

1. created and repaired trust policies carry confused-deputy scoping (read back from IAM, not from the plan);
2. created permissions are scoped to the agent, account, region and partition;
3. nothing is widened or removed without --fix and a plan shown first; the user's documents stay byte for byte;
4. Identity Center and service-linked roles are never modified;
5. no credential, token or secret reaches any output, log or report;
6. over-broad roles get a PERMISSIONS_TOO_BROAD warning and --fix leaves those grants alone.

Writes are observed two ways: a `before-parameter-build` recorder on every Gateway's clients (the tool's own
calls, with their parameters), and a full snapshot of IAM read by an independent client (anything at all).
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import itertools
import json
import logging
import os
import random
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from typer.testing import CliRunner, Result

from agentcore_ext import arns
from agentcore_ext.aws import sandbox as sandbox_module
from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.cli import render
from agentcore_ext.cli.app import app
from agentcore_ext.findings import Severity, codes
from agentcore_ext.flows.role import RoleOutcome, check_role, ensure_role
from agentcore_ext.iam.policy import parse_policy
from agentcore_ext.judge.permissions import judge_permissions
from agentcore_ext.judge.requirements import (
    SERVICE_PRINCIPAL,
    TOOL_POLICY_NAME,
    TOOL_REPAIR_POLICY_NAME,
    permissions_document,
    trust_document,
)
from agentcore_ext.judge.trust import judge_trust
from agentcore_ext.plan.display import describe
from agentcore_ext.plan.model import Plan, summary
from agentcore_ext.settings import Settings
from agentcore_ext.state import AgentSpec

ROOT = Path(__file__).resolve().parents[1]
ACCOUNT = "123456789012"  # moto's default account
OTHER_ACCOUNT = "210987654321"
SERVICE = SERVICE_PRINCIPAL
READ_PREFIXES = ("Get", "List", "Simulate")
TOOL_POLICIES = {TOOL_POLICY_NAME, TOOL_REPAIR_POLICY_NAME}
# What the tool may ever send to IAM: it only adds. Anything else (Delete*, Detach*, Untag*, boundaries, ...) fails.
ALLOWED_WRITES = {"CreateRole", "PutRolePolicy", "UpdateAssumeRolePolicy", "TagRole"}
REGIONS = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}


def is_write(operation: str) -> bool:
    return not operation.startswith(READ_PREFIXES)


# --- observing what the tool does ------------------------------------------------------------------------------


@dataclass
class Recorder:
    """Every API call a Gateway makes (name and parameters), interleaved with marks such as CONFIRM or STDERR."""

    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def record(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self.events.append((str(model.name), copy.deepcopy(params)))

    def mark(self, label: str, **data: Any) -> None:
        self.events.append((label, data))

    @property
    def operations(self) -> list[str]:
        """API operation names in call order; marks are all upper case (CONFIRM, STDERR)."""
        return [name for name, _ in self.events if not name.isupper()]

    @property
    def writes(self) -> list[tuple[str, dict[str, Any]]]:
        return [(n, p) for n, p in self.events if not n.isupper() and is_write(n)]

    def index(self, label: str) -> int:
        return next(i for i, (name, _) in enumerate(self.events) if name == label)

    def first_write(self) -> int:
        return next(i for i, (name, _) in enumerate(self.events) if not name.isupper() and is_write(name))

    def assert_only_adds(self) -> None:
        """The tool's writes are additive and touch only what it owns."""
        for name, params in self.writes:
            assert name in ALLOWED_WRITES, (name, params)
            if name == "PutRolePolicy":
                assert params["PolicyName"] in TOOL_POLICIES, params


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    """Hook every Gateway built during the test, including the ones the CLI builds itself."""
    rec = Recorder()
    original = Gateway.__init__

    def init(self: Gateway, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        # Clients copy the session's handlers when they are created: registering here covers them all.
        self.session.events.register("before-parameter-build", rec.record)

    monkeypatch.setattr(Gateway, "__init__", init)
    return rec


def snapshot(iam: Any) -> dict[str, Any]:
    """Everything in IAM a run could change, read with a client the tool never touched."""
    roles: dict[str, Any] = {}
    for page in iam.get_paginator("list_roles").paginate():
        for listed in page["Roles"]:
            name = listed["RoleName"]
            role = iam.get_role(RoleName=name)["Role"]
            roles[name] = {
                "arn": role["Arn"],
                "trust": role["AssumeRolePolicyDocument"],
                "boundary": role.get("PermissionsBoundary"),
                "description": role.get("Description"),
                "tags": iam.list_role_tags(RoleName=name)["Tags"],
                "inline": {
                    p: iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]
                    for p in iam.list_role_policies(RoleName=name)["PolicyNames"]
                },
                "attached": iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"],
            }
    policies: dict[str, Any] = {}
    for page in iam.get_paginator("list_policies").paginate(Scope="Local"):
        for policy in page["Policies"]:
            versions = iam.list_policy_versions(PolicyArn=policy["Arn"])["Versions"]
            policies[policy["Arn"]] = {
                v["VersionId"]: iam.get_policy_version(PolicyArn=policy["Arn"], VersionId=v["VersionId"])[
                    "PolicyVersion"
                ]["Document"]
                for v in versions
            }
    users = sorted(u["UserName"] for page in iam.get_paginator("list_users").paginate() for u in page["Users"])
    return {"roles": roles, "policies": policies, "users": users}


# --- building roles -------------------------------------------------------------------------------------------


def default_name(spec: AgentSpec) -> str:
    return f"BedrockAgentCoreRuntime-{spec.region}-{spec.agent}"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def bare(sid: str = "Bare") -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Principal": {"Service": SERVICE}, "Action": "sts:AssumeRole"}


def without_ecr(spec: AgentSpec) -> dict[str, Any]:
    full = permissions_document(spec)
    full["Statement"] = [s for s in full["Statement"] if not s["Sid"].startswith("ECR")]
    return full


def make_role(iam: Any, name: str, trust: dict[str, Any], inline: dict[str, Any] | None = None, path: str = "/") -> str:
    arn = str(iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"])
    for policy, document in (inline or {}).items():
        iam.put_role_policy(RoleName=name, PolicyName=policy, PolicyDocument=json.dumps(document))
    return arn


def settings(spec: AgentSpec, **changes: Any) -> Settings:
    return Settings(
        agent_name=spec.agent,
        region=spec.region,
        deployment_type=spec.deployment_type,
        memory=spec.memory,
        protocol=spec.protocol,
        yes=True,
    ).with_(**changes)


def run_ensure(
    session: boto3.Session, spec: AgentSpec, confirm: Callable[[Plan], bool] = lambda plan: True, **changes: Any
) -> RoleOutcome:
    gateway = Gateway(session=session, sleep=lambda seconds: None)
    return ensure_role(gateway, settings(spec, **changes), spec, confirm=confirm, progress=lambda line: None)


def served_trust(iam: Any, name: str) -> dict[str, Any]:
    trust: dict[str, Any] = iam.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
    return trust


def statements_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    value = document["Statement"]
    return list(value) if isinstance(value, list) else [value]


# --- the CLI, in process --------------------------------------------------------------------------------------


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example agent's project as the working directory (configure needs its entrypoint)."""
    target = tmp_path / "hello_agent"
    shutil.copytree(ROOT / "examples" / "hello_agent", target, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(target)
    monkeypatch.setenv("AGENTCORE_SUPPRESS_RECOMMENDATION", "1")
    return target


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def report_of(result: Result) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(result.stdout)
    return report


def finding_codes(report: dict[str, Any], severity: str | None = None) -> set[str]:
    return {f["code"] for f in report["findings"] if severity is None or f["severity"] == severity}


# ==============================================================================================================
# 1. Created and repaired trust policies always carry confused-deputy scoping
# ==============================================================================================================

AGENTS = [
    ("demo", "us-east-1", "aws"),
    ("Agent_2", "eu-west-3", "aws"),
    ("a", "ap-southeast-2", "aws"),
    ("cnAgent", "cn-north-1", "aws-cn"),
    ("cn_two", "cn-northwest-1", "aws-cn"),
    ("gov", "us-gov-west-1", "aws-us-gov"),
    ("gov_east_agent_with_a_rather_long_name_x", "us-gov-east-1", "aws-us-gov"),
]


@pytest.mark.parametrize(("agent", "region", "partition"), AGENTS)
def test_created_trust_names_exactly_this_account_region_and_agent(
    moto_iam: boto3.Session, agent: str, region: str, partition: str
) -> None:
    spec = AgentSpec(agent=agent, account=ACCOUNT, region=region, partition=partition)
    session = boto3.Session(region_name=region)
    outcome = run_ensure(session, spec, fix=True)
    assert outcome.role.action_taken == "created" and outcome.ok, outcome.findings
    served = served_trust(session.client("iam"), outcome.role.name)
    [statement] = statements_of(served)
    assert statement["Effect"] == "Allow" and statement["Principal"] == {"Service": SERVICE}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": f"arn:{partition}:bedrock-agentcore:{region}:{ACCOUNT}:runtime/{agent}-*"},
    }
    document = parse_policy(served)
    verdict = judge_trust(document, spec)
    assert verdict.ok and verdict.scoped and not verdict.findings
    # Exactly this agent, region, account and partition: any other is refused.
    other_partition = next(p for p in REGIONS if p != partition)
    for other in (
        AgentSpec(agent=agent + "x", account=ACCOUNT, region=region, partition=partition),
        AgentSpec(agent=agent, account=OTHER_ACCOUNT, region=region, partition=partition),
        AgentSpec(agent=agent, account=ACCOUNT, region="us-west-2" if partition == "aws" else region[:-1] + "9"),
        AgentSpec(agent=agent, account=ACCOUNT, region=REGIONS[other_partition], partition=other_partition),
    ):
        assert not judge_trust(document, other).service_allowed, other


TRUST_REPAIRS: dict[str, Callable[[AgentSpec], dict[str, Any]]] = {
    # No statement for the service at all: the tool's scoped statement is added.
    "missing service statement": lambda s: doc(
        {"Sid": "Ec2", "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ),
    "empty trust": lambda s: doc(),
    # A bare, unscoped statement for the service: aws:SourceAccount is added to it.
    "bare unscoped statement": lambda s: doc(bare()),
    "bare statement as an object, list principal": lambda s: {
        "Version": "2012-10-17",
        "Statement": {"Effect": "Allow", "Principal": {"Service": [SERVICE]}, "Action": ["sts:AssumeRole"]},
    },
    "bare statement that also allows TagSession": lambda s: doc(
        {**bare(), "Action": ["sts:AssumeRole", "sts:TagSession"]}
    ),
    "two bare statements": lambda s: doc(bare("One"), bare("Two")),
    "bare next to a scoped one": lambda s: doc(
        bare(), {**bare("Scoped"), "Condition": {"StringEquals": {"aws:SourceAccount": s.account}}}
    ),
    # Scoped, but to somewhere else: the tool's statement is added next to it.
    "scoped to another region": lambda s: doc(
        {
            **bare("OtherRegion"),
            "Condition": {
                "ArnLike": {
                    "aws:SourceArn": f"arn:{s.partition}:bedrock-agentcore:{s.region[:-1]}9:{s.account}:runtime/*"
                }
            },
        }
    ),
    "scoped to another account": lambda s: doc(
        {**bare("OtherAccount"), "Condition": {"StringEquals": {"aws:SourceAccount": OTHER_ACCOUNT}}}
    ),
    "scoped to another agent": lambda s: doc(
        {
            **bare("OtherAgent"),
            "Condition": {"ArnLike": {"aws:SourceArn": s.arn("bedrock-agentcore", "runtime/someone_else-*")}},
        }
    ),
}


@pytest.mark.parametrize("repair", list(TRUST_REPAIRS))
@pytest.mark.parametrize(("agent", "region", "partition"), [AGENTS[0], AGENTS[3], AGENTS[5]])
def test_every_trust_repair_is_scoped_when_read_back(
    moto_iam: boto3.Session, repair: str, agent: str, region: str, partition: str
) -> None:
    spec = AgentSpec(agent=agent, account=ACCOUNT, region=region, partition=partition)
    session = boto3.Session(region_name=region)
    iam = session.client("iam")
    original = TRUST_REPAIRS[repair](spec)
    name = default_name(spec)
    make_role(iam, name, original, {"mine": permissions_document(spec)})
    outcome = run_ensure(session, spec, fix=True)
    assert outcome.role.action_taken == "repaired" and outcome.ok, (outcome.findings, describe(outcome.plan))
    served = served_trust(iam, name)
    verdict = judge_trust(parse_policy(served), spec)
    assert verdict.ok and verdict.scoped and not verdict.findings, (served, verdict.findings)
    # Not for AgentCore acting for an account nobody named (the user's own statement may name another one).
    assert not judge_trust(parse_policy(served), AgentSpec(agent, "333333333333", region, partition)).service_allowed
    # The user's statements are all still there, in order; a bare one only gained aws:SourceAccount.
    after = statements_of(served)
    for i, before in enumerate(statements_of(original)):
        if "Condition" not in before and before["Principal"] in ({"Service": SERVICE}, {"Service": [SERVICE]}):
            assert after[i] == {**before, "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}
        else:
            assert after[i] == before
    assert len(after) - len(statements_of(original)) in (0, 1)  # at most the tool's own statement was added
    # Running again changes nothing: the repair holds.
    assert run_ensure(session, spec, fix=True).role.action_taken == "none"


# ==============================================================================================================
# 2. Created permissions are scoped to the agent, account, region and partition
# ==============================================================================================================

# Actions AWS only authorises on "*" (no resource-level permissions).
WILDCARD_ACTIONS = {
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "ecr:GetAuthorizationToken",
    "cloudwatch:PutMetricData",
    # the toolkit template's MarketplaceSubscribeOnFirstCall, conditioned on aws:CalledViaLast (checked below)
    "aws-marketplace:Subscribe",
    "aws-marketplace:ViewSubscriptions",
}
# Resources shared by every agent of the account, each documented in INTERFACE.md or requirements.py.
SHARED_RESOURCES = {
    ("logs", "log-group:*"),  # logs:DescribeLogGroups
    ("bedrock", "inference-profile/*"),  # cross-region inference
    ("bedrock", "application-inference-profile/*"),
    ("bedrock-agentcore", "workload-identity-directory/default"),
}


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def assert_least_privilege(document: dict[str, Any], spec: AgentSpec) -> None:
    for st in statements_of(document):
        assert st["Effect"] == "Allow" and "NotAction" not in st and "NotResource" not in st, st
        actions = as_list(st["Action"])
        for action in actions:
            service, _, name = action.partition(":")
            assert name and "*" not in action and "?" not in action, f"wildcard action {action}"
        for resource in as_list(st["Resource"]):
            if resource == "*":
                assert set(actions) <= WILDCARD_ACTIONS, st
                if "cloudwatch:PutMetricData" in actions:
                    assert st["Condition"] == {"StringEquals": {"cloudwatch:namespace": "bedrock-agentcore"}}
                if "aws-marketplace:Subscribe" in actions:  # only when Bedrock calls it on the agent's behalf
                    assert st["Condition"] == {"StringEquals": {"aws:CalledViaLast": "bedrock.amazonaws.com"}}
                continue
            arn, partition, service, region, account, rest = resource.split(":", 5)
            assert arn == "arn" and partition == spec.partition, resource
            assert all(a.split(":")[0] == service for a in actions), (service, actions)
            if service == "bedrock" and rest.startswith("foundation-model/"):
                # the named model only; in its region, a destination region, or region-less for a global profile
                assert account == "" and "*" not in rest, resource
                continue
            if service == "bedrock" and rest.startswith("inference-profile/"):
                assert region == spec.region and account == spec.account and "*" not in rest, resource
                continue
            assert region == spec.region and account == spec.account, resource
            if (service, rest) in SHARED_RESOURCES:
                continue
            named = spec.repository if service == "ecr" else spec.agent
            assert named in rest, f"{resource} is not scoped to agent {spec.agent}"


def others(spec: AgentSpec) -> list[AgentSpec]:
    other_partition = next(p for p in REGIONS if p != spec.partition)
    same_partition_region = next(
        r
        for r in ("us-west-2", "eu-west-1", "cn-northwest-1", "cn-north-1", "us-gov-east-1", "us-gov-west-1")
        if r != spec.region and arns.partition_for_region(r) == spec.partition
    )
    agent = spec.agent[:-1] + ("y" if spec.agent[-1] != "y" else "z")
    return [
        AgentSpec(agent, spec.account, spec.region, spec.partition, spec.deployment_type, spec.memory, spec.protocol),
        AgentSpec(
            spec.agent, OTHER_ACCOUNT, spec.region, spec.partition, spec.deployment_type, spec.memory, spec.protocol
        ),
        AgentSpec(
            spec.agent,
            spec.account,
            same_partition_region,
            spec.partition,
            spec.deployment_type,
            spec.memory,
            spec.protocol,
        ),
        AgentSpec(
            spec.agent,
            spec.account,
            REGIONS[other_partition],
            other_partition,
            spec.deployment_type,
            spec.memory,
            spec.protocol,
        ),
    ]


def _all_specs() -> list[AgentSpec]:
    agents = ["demo", "Mixed_Case_9", "a", "x" * 48]
    accounts = [ACCOUNT, "000000000001", "999999999998"]
    places = [
        ("us-east-1", "aws"),
        ("eu-central-1", "aws"),
        ("cn-north-1", "aws-cn"),
        ("cn-northwest-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
    ]
    product = itertools.product(agents, accounts, places, ["container", "direct_code_deploy"], [True, False])
    specs = [
        AgentSpec(agent, account, region, partition, deployment, memory, protocol)
        for (agent, account, (region, partition), deployment, memory), protocol in zip(
            product, itertools.cycle(["HTTP", "MCP", "A2A", "AGUI", "A2A"]), strict=False
        )
    ]
    return specs


ALL_SPECS = _all_specs()


def test_every_written_permissions_document_is_least_privilege_and_only_fits_its_own_agent() -> None:
    assert len(ALL_SPECS) == 240
    for spec in ALL_SPECS:
        document = permissions_document(spec)
        assert_least_privilege(document, spec)
        parsed = parse_policy(document)
        assert judge_permissions([parsed], spec).ok, spec
        for other in others(spec):
            assert not judge_permissions([parsed], other).ok, (spec, other)


SAMPLE = random.Random(6).sample(
    [s for s in ALL_SPECS if s.account == ACCOUNT and len(s.agent) < 40], 10
)  # moto's account; role names under 64


@pytest.mark.parametrize("spec", SAMPLE, ids=lambda s: f"{s.agent}-{s.region}-{s.deployment_type}-{s.protocol}")
def test_created_permissions_read_back_are_scoped(moto_iam: boto3.Session, spec: AgentSpec) -> None:
    session = boto3.Session(region_name=spec.region)
    outcome = run_ensure(session, spec)
    assert outcome.role.action_taken == "created" and outcome.ok, outcome.findings
    iam: Any = session.client("iam")
    name = outcome.role.name
    assert iam.list_role_policies(RoleName=name)["PolicyNames"] == [TOOL_POLICY_NAME]
    assert iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"] == []
    served: dict[str, Any] = iam.get_role_policy(RoleName=name, PolicyName=TOOL_POLICY_NAME)["PolicyDocument"]
    assert served == permissions_document(spec)
    assert_least_privilege(served, spec)
    for other in others(spec):
        assert not judge_permissions([parse_policy(served)], other).ok, other


# ==============================================================================================================
# 3. The tool never widens or removes access without --fix and a shown plan
# ==============================================================================================================

DEMO = AgentSpec(agent="hello_agent", account=ACCOUNT, region="us-east-1", memory=False)
DEMO_ROLE = default_name(DEMO)
OPS_STATEMENT = {
    "Sid": "OpsBreakGlass",
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/Ops"},
    "Action": "sts:AssumeRole",
    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
}
USER_TRUST = {"Version": "2012-10-17", "Id": "team-trust-v3", "Statement": [bare("Mine"), OPS_STATEMENT]}
TEAM_POLICY = doc({"Sid": "TeamBucket", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::t/*"})


@pytest.fixture
def broken_role(moto_iam: boto3.Session) -> Any:
    """A role that needs both repairs: ECR permissions missing and an unscoped service statement.

    It also carries things the user owns: an unrelated trust statement, an inline policy and an attached one.
    """
    iam = moto_iam.client("iam")
    make_role(iam, DEMO_ROLE, USER_TRUST, {"user-policy": without_ecr(DEMO)})
    arn = iam.create_policy(PolicyName="team-bucket", PolicyDocument=json.dumps(TEAM_POLICY))["Policy"]["Arn"]
    iam.attach_role_policy(RoleName=DEMO_ROLE, PolicyArn=arn)
    return iam


NO_FIX_RUNS = {
    "doctor": (("doctor", "-n", "hello_agent", "--disable-memory", "--json"), 3, "none"),
    "role ensure": (("role", "ensure", "-n", "hello_agent", "--disable-memory", "--yes", "--json"), 3, "none"),
    "role ensure --fix --dry-run": (
        ("role", "ensure", "-n", "hello_agent", "--disable-memory", "--fix", "--dry-run", "--yes", "--json"),
        0,  # a dry run whose plan fixes everything succeeds; the issues stay in the report as warnings
        "planned",
    ),
    "configure --dry-run": (
        ("configure", "-e", "hello_agent.py", "--disable-memory", "--dry-run", "--yes", "--json"),
        3,
        "none",
    ),
    "configure --dry-run --fix": (
        ("configure", "-e", "hello_agent.py", "--disable-memory", "--dry-run", "--fix", "--yes", "--json"),
        0,
        "planned",
    ),
}


@pytest.mark.parametrize("run", list(NO_FIX_RUNS))
def test_without_fix_nothing_is_written(run: str, broken_role: Any, recorder: Recorder, workdir: Path) -> None:
    args, exit_code, taken = NO_FIX_RUNS[run]
    before = snapshot(broken_role)
    result = cli(*args)
    assert result.exit_code == exit_code, result.stderr
    report = report_of(result)
    assert report["role"]["action_taken"] == taken and report["role"]["permissions_ok"] is False
    assert recorder.operations and recorder.writes == []  # it did read IAM, and wrote nothing
    assert snapshot(broken_role) == before
    assert not (workdir / ".bedrock_agentcore.yaml").exists()
    # What --fix would do is shown, with the command that does it.
    assert "ecr:BatchGetImage" in result.stderr and "aws:SourceAccount" in result.stderr
    if taken == "none":
        assert "ROLE_FIX_AVAILABLE" in finding_codes(report) and "--fix" in result.stderr


def test_fix_without_a_terminal_to_confirm_writes_nothing(broken_role: Any, recorder: Recorder, workdir: Path) -> None:
    before = snapshot(broken_role)
    result = cli("role", "ensure", "-n", "hello_agent", "--disable-memory", "--fix")  # no --yes, stdin not a TTY
    assert result.exit_code == 2 and "no terminal to ask" in result.stderr
    assert "plan for role" in result.stderr  # shown even so
    assert recorder.writes == [] and snapshot(broken_role) == before


def test_fix_shows_the_plan_first_adds_only_and_keeps_the_users_documents(
    moto_iam: boto3.Session, broken_role: Any, recorder: Recorder
) -> None:
    before = snapshot(broken_role)
    shown: list[str] = []

    def confirm(plan: Plan) -> bool:
        recorder.mark("CONFIRM")
        shown.append(describe(plan))
        return True

    outcome = run_ensure(moto_iam, DEMO, confirm, fix=True)
    assert outcome.ok and outcome.role.action_taken == "repaired", outcome.findings
    # The plan was shown (once) before the first write, and it names every change that was then made.
    assert len(shown) == 1 and recorder.index("CONFIRM") < recorder.first_write()
    text = shown[0]
    assert outcome.applied == outcome.plan.actions
    for action in outcome.applied:
        assert summary(action) in text
    for added in ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:GetAuthorizationToken", "aws:SourceAccount"):
        assert added in text
    assert [name for name, _ in recorder.writes] == ["PutRolePolicy", "UpdateAssumeRolePolicy"]
    recorder.assert_only_adds()
    assert not [op for op in recorder.operations if op.startswith(("Delete", "Detach", "Untag", "Remove"))]
    # Byte for byte: the user's inline and attached policies, the policy's versions, the Ops statement.
    after = snapshot(broken_role)
    role_before, role_after = before["roles"][DEMO_ROLE], after["roles"][DEMO_ROLE]
    assert role_after["inline"]["user-policy"] == role_before["inline"]["user-policy"] == without_ecr(DEMO)
    assert set(role_after["inline"]) == {"user-policy", TOOL_REPAIR_POLICY_NAME}
    assert role_after["attached"] == role_before["attached"] and after["policies"] == before["policies"]
    assert role_after["tags"] == role_before["tags"] == []  # not the tool's role: no tags added
    # The whole trust document too: its Id and Version, the Ops statement; the bare one gained only the scoping.
    scoped_mine = {**bare("Mine"), "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}
    assert role_after["trust"] == {**USER_TRUST, "Statement": [scoped_mine, OPS_STATEMENT]}
    assert {k: v for k, v in role_after.items() if k not in ("inline", "trust")} == {
        k: v for k, v in role_before.items() if k not in ("inline", "trust")
    }


def test_fix_through_the_cli_prints_the_plan_before_the_first_write(
    broken_role: Any, recorder: Recorder, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = render.err

    def err(text: str = "", *, escaped: bool = False) -> None:
        recorder.mark("STDERR", text=text)
        original(text, escaped=escaped)

    monkeypatch.setattr(render, "err", err)
    before = snapshot(broken_role)
    result = cli("role", "ensure", "-n", "hello_agent", "--disable-memory", "--fix", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    assert report_of(result)["role"]["action_taken"] == "repaired"
    shown = [
        i for i, (name, data) in enumerate(recorder.events) if name == "STDERR" and "plan for role" in data["text"]
    ]
    assert shown and shown[0] < recorder.first_write()
    plan_text = recorder.events[shown[0]][1]["text"]
    assert "add inline policy agentcore-ext-repair" in plan_text and "update the trust policy" in plan_text
    recorder.assert_only_adds()
    after = snapshot(broken_role)
    assert after["roles"][DEMO_ROLE]["inline"]["user-policy"] == before["roles"][DEMO_ROLE]["inline"]["user-policy"]
    assert after["roles"][DEMO_ROLE]["attached"] == before["roles"][DEMO_ROLE]["attached"]


def test_declining_the_plan_writes_nothing(moto_iam: boto3.Session, broken_role: Any, recorder: Recorder) -> None:
    before = snapshot(broken_role)
    outcome = run_ensure(moto_iam, DEMO, lambda plan: False, fix=True)
    assert "ROLE_CHANGE_DECLINED" in codes(outcome.findings) and recorder.writes == []
    assert snapshot(broken_role) == before


# ==============================================================================================================
# 4. Reserved and service-linked roles are never modified
# ==============================================================================================================

RESERVED = {
    "Identity Center": ("/aws-reserved/sso.amazonaws.com/", "AWSReservedSSO_AdminAccess_0123456789abcdef"),
    "Identity Center, region segment": (
        "/aws-reserved/sso.amazonaws.com/eu-west-1/",
        "AWSReservedSSO_Developer_fedcba9876543210",
    ),
    "service-linked": (
        "/aws-service-role/runtime-identity.bedrock-agentcore.amazonaws.com/",
        "AWSServiceRoleForBedrockAgentCoreRuntimeIdentity",
    ),
    "service-linked, other service": ("/aws-service-role/ecs.amazonaws.com/", "AWSServiceRoleForECS"),
}
SAML_TRUST = doc(
    {
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/AWSSSO_0123_DO_NOT_DELETE"},
        "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
        "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}},
    }
)


@pytest.mark.parametrize("trust", ["own trust", "repairable trust"])
@pytest.mark.parametrize("command", ["role ensure", "configure"])
@pytest.mark.parametrize("kind", list(RESERVED))
def test_reserved_roles_are_refused_before_any_write(
    kind: str, command: str, trust: str, moto_iam: boto3.Session, recorder: Recorder, workdir: Path
) -> None:
    path, name = RESERVED[kind]
    iam = moto_iam.client("iam")
    # "repairable": a role any other path would get repaired (a bare service statement, ECR missing).
    own = (
        SAML_TRUST
        if kind.startswith("Identity")
        else doc(bare("Svc") | {"Principal": {"Service": "ecs.amazonaws.com"}})
    )
    trust_doc = own if trust == "own trust" else doc(*statements_of(own), bare())
    arn = make_role(iam, name, trust_doc, {"p": without_ecr(DEMO)}, path=path)
    assert arn == f"arn:aws:iam::{ACCOUNT}:role{path}{name}"
    before = snapshot(iam)
    base = (
        ("role", "ensure", "-n", "hello_agent") if command == "role ensure" else ("configure", "-e", "hello_agent.py")
    )
    result = cli(*base, "--disable-memory", "--execution-role", arn, "--fix", "--yes", "--json")
    assert result.exit_code == 3, result.stderr
    report = report_of(result)
    assert "ROLE_RESERVED" in finding_codes(report, "error")
    assert report["role"]["action_taken"] == "none" and report["role"]["arn"] == arn
    assert recorder.operations and recorder.writes == [] and snapshot(iam) == before
    assert "plan for role" not in result.stderr  # no change is planned, not even for display
    if command == "configure":
        assert report["configure"]["ran"] is False and not (workdir / ".bedrock_agentcore.yaml").exists()


@pytest.mark.parametrize("kind", ["Identity Center, region segment", "service-linked"])
def test_reserved_role_named_without_its_path_is_refused_too(
    kind: str, moto_iam: boto3.Session, recorder: Recorder, workdir: Path
) -> None:
    path, name = RESERVED[kind]
    iam = moto_iam.client("iam")
    make_role(iam, name, doc(bare()), path=path)
    before = snapshot(iam)
    result = cli("role", "ensure", "-n", "hello_agent", "--execution-role", name, "--fix", "--yes", "--json")
    assert result.exit_code == 3 and "ROLE_RESERVED" in finding_codes(report_of(result), "error")
    assert recorder.writes == [] and snapshot(iam) == before


def test_compliant_reserved_role_tagged_as_the_tools_own_is_still_not_modified(
    moto_iam: boto3.Session, recorder: Recorder
) -> None:
    """A compliant role whose tags claim the tool manages it: the path wins, no tag is added."""
    path, name = RESERVED["Identity Center, region segment"]
    iam = moto_iam.client("iam")
    make_role(iam, name, trust_document(DEMO), {"p": permissions_document(DEMO)}, path=path)
    iam.tag_role(RoleName=name, Tags=[{"Key": "managed-by", "Value": "agentcore-ext"}])
    before = snapshot(iam)
    arn = f"arn:aws:iam::{ACCOUNT}:role{path}{name}"
    outcome = run_ensure(moto_iam, DEMO, fix=True, execution_role=arn, tags={"team": "ml"})
    assert outcome.plan.actions == () and outcome.applied == ()
    assert recorder.writes == [] and snapshot(iam) == before


# ==============================================================================================================
# 5. No credential, token or secret appears in any output, log or JSON report
# ==============================================================================================================

SECRET = "SECRETabc123xyzDoNotPrint0000000000000000"
TOKEN = "TOKENsessionDoNotPrint" + "Q" * 40
# botocore's own DEBUG wire log: request headers (X-Amz-Security-Token) and response bodies. The tool never
# enables it; the last test of this section records that it does carry the token when someone else does.
WIRE_LOGGERS = ("botocore.endpoint", "botocore.parsers", "botocore.auth", "urllib3")


@pytest.fixture
def secret_env(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
    monkeypatch.setenv("AWS_SESSION_TOKEN", TOKEN)
    caplog.set_level(logging.DEBUG)
    return caplog


def visible_logs(caplog: pytest.LogCaptureFixture) -> str:
    """Every log record the tool or the toolkit could show: all of them, except botocore's wire log below INFO."""
    return "\n".join(
        f"{r.name} {r.getMessage()} {r.exc_text or ''}"
        for r in caplog.records
        if r.levelno >= logging.INFO or not r.name.startswith(WIRE_LOGGERS)
    )


def assert_no_secret(texts: list[str], *secrets: str) -> None:
    for secret in (SECRET, TOKEN, *secrets):
        for text in texts:
            assert secret not in text
        # Not even a recognisable piece of it (a truncated or wrapped line).
        for text in texts:
            assert secret[8:24] not in text


def files_text(directory: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in directory.rglob("*") if p.is_file())


SECRET_RUNS = {
    "doctor --json": ("doctor", "-n", "hello_agent", "--json"),
    "doctor": ("doctor", "-n", "hello_agent"),
    "role ensure --json": ("role", "ensure", "-n", "hello_agent", "--yes", "--json"),
    "role ensure": ("role", "ensure", "-n", "hello_agent", "--yes"),
    "role ensure --fix": ("role", "ensure", "-n", "hello_agent", "--fix", "--yes"),
    "configure --dry-run --json": ("configure", "-e", "hello_agent.py", "--dry-run", "--yes", "--json"),
    "validate": ("validate", "--trust", "trust.json", "--permissions", "perms.json", "--account", ACCOUNT, "-n", "x"),
    "validate --json": ("validate", "--trust", "trust.json", "--account", ACCOUNT, "-n", "x", "--json"),
    "policy permissions": ("policy", "permissions", "-n", "hello_agent", "--account", ACCOUNT),
}


@pytest.mark.parametrize("run", list(SECRET_RUNS))
def test_no_secret_in_output_logs_or_report(
    run: str, moto_iam: boto3.Session, secret_env: pytest.LogCaptureFixture, workdir: Path, capfd: Any
) -> None:
    (workdir / "trust.json").write_text(json.dumps(doc(bare())))
    (workdir / "perms.json").write_text(json.dumps(without_ecr(DEMO)))
    if "--fix" in SECRET_RUNS[run]:
        make_role(moto_iam.client("iam"), "BedrockAgentCoreRuntime-us-east-1-hello_agent", doc(bare()))
    result = cli(*SECRET_RUNS[run])
    assert result.exit_code in (0, 3), (result.stderr, result.exception)
    out, err = capfd.readouterr()
    assert_no_secret([result.stdout, result.stderr, out, err, visible_logs(secret_env), files_text(workdir)])


def _raise(code: str, message: str) -> Callable[..., None]:
    def handler(**_: Any) -> None:
        raise ClientError({"Error": {"Code": code, "Message": message}}, "Op")

    return handler


DENIED = f"User: arn:aws:sts::{ACCOUNT}:assumed-role/Dev/alice is not authorized to perform"
ERRORS = {
    # error: (service, operation, code, AWS's message, exit code, what the user is told)
    "expired token": (
        "sts",
        "GetCallerIdentity",
        "ExpiredToken",
        "The security token included in the request is expired",
        2,
        "aws sso login",
    ),
    "invalid token": (
        "sts",
        "GetCallerIdentity",
        "InvalidClientTokenId",
        "The security token included in the request is invalid",
        2,
        "does not accept your credentials",
    ),
    "access denied": ("iam", "GetRole", "AccessDenied", f"{DENIED}: iam:GetRole", 4, "AWS refused iam:GetRole"),
    "access denied on write": (
        "iam",
        "CreateRole",
        "AccessDenied",
        f"{DENIED}: iam:CreateRole",
        4,
        "AWS refused iam:CreateRole",
    ),
}


@pytest.mark.parametrize("error", list(ERRORS))
@pytest.mark.parametrize("json_flag", [(), ("--json",)])
def test_no_secret_on_error_paths(
    error: str,
    json_flag: tuple[str, ...],
    moto_iam: boto3.Session,
    secret_env: pytest.LogCaptureFixture,
    workdir: Path,
    capfd: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    service, operation, code, message, exit_code, told = ERRORS[error]
    original = Gateway.__init__

    def init(self: Gateway, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.session.events.register(f"before-call.{service}.{operation}", _raise(code, message))

    monkeypatch.setattr(Gateway, "__init__", init)
    result = cli("role", "ensure", "-n", "hello_agent", "--yes", *json_flag)
    assert result.exit_code == exit_code, (result.stderr, result.exception)
    assert told in result.stderr
    out, err = capfd.readouterr()
    assert_no_secret([result.stdout, result.stderr, out, err, visible_logs(secret_env)])


def test_sandbox_configure_shows_no_secret(
    secret_env: pytest.LogCaptureFixture, workdir: Path, capfd: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """configure --sandbox in process: the sandbox's own access key must not show either."""
    # The toolkit binds a logging.StreamHandler to sys.stderr when first imported. Imported inside CliRunner, that
    # would be the runner's stream, closed after this test: later tests would log into a closed file.
    with contextlib.redirect_stdout(sys.__stdout__), contextlib.redirect_stderr(sys.__stderr__):
        importlib.import_module("bedrock_agentcore_starter_toolkit.cli.cli")
    started: list[sandbox_module.Sandbox] = []
    original = sandbox_module.start_sandbox

    @contextlib.contextmanager
    def spy(region: str = "us-east-1") -> Iterator[sandbox_module.Sandbox]:
        with original(region) as sb:
            started.append(sb)
            yield sb

    monkeypatch.setattr(sandbox_module, "start_sandbox", spy)
    result = cli("configure", "-e", "hello_agent.py", "--disable-memory", "--sandbox", "--yes", "--json")
    assert result.exit_code == 0, result.stderr
    report = report_of(result)
    assert report["role"]["action_taken"] == "created" and report["configure"]["exit_code"] == 0
    [sb] = started
    assert len(sb.secret_access_key) >= 20
    out, err = capfd.readouterr()
    texts = [result.stdout, result.stderr, out, err, visible_logs(secret_env), files_text(workdir)]
    assert_no_secret(texts, sb.secret_access_key)
    assert os.environ["AWS_SESSION_TOKEN"] == TOKEN  # the sandbox put the user's environment back


def test_repr_of_sandbox_and_gateway_hides_secrets(moto_iam: boto3.Session) -> None:
    sb = sandbox_module.Sandbox("http://127.0.0.1:1", "us-east-1", ACCOUNT, "arn:aws:iam::1:user/d", "AKIDX", SECRET)
    assert SECRET not in repr(sb) and SECRET not in str(sb) and SECRET not in f"{sb!r} {sb}"
    session = boto3.Session(
        aws_access_key_id="AKIDX", aws_secret_access_key=SECRET, aws_session_token=TOKEN, region_name="us-east-1"
    )
    gateway = Gateway(session=session)
    gateway.caller_identity()  # clients built, credentials resolved
    for text in (repr(gateway), str(gateway), repr(gateway.session), repr(gateway.iam), repr(gateway.sts)):
        assert SECRET not in text and TOKEN not in text


def test_tracebacks_never_show_local_variables() -> None:
    """Typer's pretty tracebacks print every frame's locals (credentials included): they stay off."""
    assert not (app.pretty_exceptions_enable and app.pretty_exceptions_show_locals)


def test_botocore_debug_log_carries_no_session_token(
    moto_iam: boto3.Session, secret_env: pytest.LogCaptureFixture, workdir: Path
) -> None:
    cli("doctor", "-n", "hello_agent", "--json")
    assert TOKEN not in "\n".join(r.getMessage() for r in secret_env.records)


# ==============================================================================================================
# 6. Over-broad roles: PERMISSIONS_TOO_BROAD, and --fix leaves those grants alone
# ==============================================================================================================

BROAD_INLINE = {
    "Allow */*": doc({"Effect": "Allow", "Action": "*", "Resource": "*"}),
    "Allow [*] on [*]": doc({"Effect": "Allow", "Action": ["*"], "Resource": ["*"]}),
    "iam:*": doc({"Effect": "Allow", "Action": "iam:*", "Resource": "*"}),
    "IAM:* in capitals": doc({"Effect": "Allow", "Action": "IAM:*", "Resource": "*"}),
    "sts:*": doc({"Effect": "Allow", "Action": ["s3:GetObject", "sts:*"], "Resource": "*"}),
    "NotAction": doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}),
}
BROAD_MANAGED = ["AdministratorAccess", "PowerUserAccess"]


@pytest.fixture
def managed_moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[boto3.Session]:
    """moto with the AWS managed policies loaded (arn:aws:iam::aws:policy/...): slower, so only where needed."""
    monkeypatch.setenv("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    with mock_aws():
        yield boto3.Session(region_name="us-east-1")


def _broad_role(iam: Any, broad: str) -> None:
    inline = {"agent": without_ecr(DEMO)}
    if broad in BROAD_INLINE:
        inline["wide"] = BROAD_INLINE[broad]
    make_role(iam, DEMO_ROLE, doc(bare("Mine")), inline)
    if broad in BROAD_MANAGED:
        iam.attach_role_policy(RoleName=DEMO_ROLE, PolicyArn=f"arn:aws:iam::aws:policy/{broad}")


def _check(session: boto3.Session) -> RoleOutcome:
    return check_role(Gateway(session=session, sleep=lambda seconds: None), settings(DEMO), DEMO)


@pytest.mark.parametrize("broad", list(BROAD_INLINE))
def test_broad_inline_grants_warn_and_fix_does_not_touch_them(
    broad: str, moto_iam: boto3.Session, recorder: Recorder
) -> None:
    _assert_broad_kept(moto_iam, broad, recorder)


@pytest.mark.parametrize("broad", BROAD_MANAGED)
def test_broad_aws_managed_policies_warn_and_fix_does_not_detach_them(
    broad: str, managed_moto: boto3.Session, recorder: Recorder
) -> None:
    _assert_broad_kept(managed_moto, broad, recorder)


def _assert_broad_kept(session: boto3.Session, broad: str, recorder: Recorder) -> None:
    iam = session.client("iam")
    _broad_role(iam, broad)
    warned = [f for f in _check(session).findings if f.code == "PERMISSIONS_TOO_BROAD"]
    assert len(warned) == 1 and warned[0].severity is Severity.WARNING
    assert ("attached " + broad if broad in BROAD_MANAGED else "wide statement 0") in warned[0].message
    before = snapshot(iam)
    outcome = run_ensure(session, DEMO, fix=True)
    assert outcome.ok and outcome.role.action_taken == "repaired", outcome.findings
    recorder.assert_only_adds()
    assert "UpdateAssumeRolePolicy" in [name for name, _ in recorder.writes]  # the fix did run
    after = snapshot(iam)["roles"][DEMO_ROLE]
    assert after["attached"] == before["roles"][DEMO_ROLE]["attached"]
    for name, document in before["roles"][DEMO_ROLE]["inline"].items():
        assert after["inline"][name] == document
    # Read back: still there, still warned about, and still only a warning.
    again = _check(session)
    assert "PERMISSIONS_TOO_BROAD" in codes(again.findings) and again.ok


def test_doctor_reports_attached_administrator_access_as_a_warning(
    managed_moto: boto3.Session, recorder: Recorder, workdir: Path
) -> None:
    iam = managed_moto.client("iam")
    make_role(iam, DEMO_ROLE, trust_document(DEMO))
    iam.attach_role_policy(RoleName=DEMO_ROLE, PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    result = cli("doctor", "-n", "hello_agent", "--disable-memory", "--json")
    report = report_of(result)
    assert result.exit_code == 0 and report["ok"] is True, result.stderr
    assert "PERMISSIONS_TOO_BROAD" in finding_codes(report, "warning") and report["role"]["permissions_ok"] is True
    assert recorder.writes == []

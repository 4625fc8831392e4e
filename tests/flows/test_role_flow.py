"""ensure_role / apply against moto: create, read back, repair, races, eventual consistency, failures half-way.

Another client ("the other engineer") sets up roles and reads them back independently of the gateway under test.
Faults are injected with before-call handlers, as moto has no fault injection of its own.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from agentcore_ext.aws.apply import ApplyFailed, ApplyInterrupted
from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.errors import EXIT_AWS_CHANGE_FAILED, EXIT_INTERRUPTED, UsageError
from agentcore_ext.findings import Severity, codes
from agentcore_ext.flows.role import RoleOutcome, check_role, ensure_role
from agentcore_ext.iam.policy import parse_policy
from agentcore_ext.judge.permissions import judge_permissions
from agentcore_ext.judge.requirements import TOOL_POLICY_NAME, TOOL_REPAIR_POLICY_NAME, permissions_document
from agentcore_ext.judge.trust import judge_trust
from agentcore_ext.plan.display import describe
from agentcore_ext.plan.model import Plan
from agentcore_ext.settings import Settings
from agentcore_ext.state import AgentSpec

ACCOUNT = "123456789012"
SPEC = AgentSpec(agent="demo", account=ACCOUNT, region="us-east-1")
NAME = "BedrockAgentCoreRuntime-us-east-1-demo"
SERVICE = "bedrock-agentcore.amazonaws.com"
WRITES = {
    "CreateRole",
    "PutRolePolicy",
    "UpdateAssumeRolePolicy",
    "TagRole",
    "DeleteRolePolicy",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "DeleteRole",
    "UntagRole",
    "PutRolePermissionsBoundary",
}
SCOPED = {
    "StringEquals": {"aws:SourceAccount": ACCOUNT},
    "ArnLike": {"aws:SourceArn": f"arn:aws:bedrock-agentcore:us-east-1:{ACCOUNT}:*"},
}
USER_TRUST_STATEMENT = {
    "Sid": "Mine",
    "Effect": "Allow",
    "Principal": {"Service": SERVICE},
    "Action": "sts:AssumeRole",
    "Condition": SCOPED,
}


class Run:
    """One CLI run: a fresh gateway, the IAM operations it called, and the sleeps it asked for."""

    def __init__(self, session: boto3.Session) -> None:
        self.sleeps: list[float] = []
        self.gateway = Gateway(session=session, sleep=self.sleeps.append)
        self.operations: list[str] = []
        self.progress: list[str] = []
        self.gateway.iam.meta.events.register("before-call.iam", self._record)

    def _record(self, model: Any, **_: Any) -> None:
        self.operations.append(model.name)

    @property
    def writes(self) -> list[str]:
        return [op for op in self.operations if op in WRITES]

    def on(self, operation: str, handler: Callable[..., Any]) -> None:
        self.gateway.iam.meta.events.register(f"before-call.iam.{operation}", handler)

    def ensure(self, confirm: Callable[[Plan], bool] = lambda plan: True, **settings: Any) -> RoleOutcome:
        return ensure_role(
            self.gateway, make_settings(**settings), SPEC, confirm=confirm, progress=self.progress.append
        )


def make_settings(**changes: Any) -> Settings:
    return Settings(agent_name="demo", region="us-east-1", yes=True, tags={"team": "ml"}).with_(**changes)


def client_error(code: str, operation: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"injected {code}"}}, operation)


@pytest.fixture
def other(moto_iam: boto3.Session) -> Any:
    """An independent IAM client: sets up roles and reads them back, bypassing the code under test."""
    return moto_iam.client("iam")


def make_role(
    other: Any,
    trust: dict[str, Any],
    inline: dict[str, Any] | None = None,
    name: str = NAME,
    path: str = "/",
    **extra: Any,
) -> None:
    other.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=json.dumps(trust), **extra)
    for policy, doc in (inline or {}).items():
        other.put_role_policy(RoleName=name, PolicyName=policy, PolicyDocument=json.dumps(doc))


def trust(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def without_ecr() -> dict[str, Any]:
    doc = permissions_document(SPEC)
    doc["Statement"] = [s for s in doc["Statement"] if not s["Sid"].startswith("ECR")]
    return doc


def read_back_compliant(other: Any, name: str = NAME) -> bool:
    """Judge what IAM serves, read with a client the tool never touched."""
    role = other.get_role(RoleName=name)["Role"]
    docs = [
        parse_policy(other.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"], name=p)
        for p in other.list_role_policies(RoleName=name)["PolicyNames"]
    ]
    for attached in other.list_attached_role_policies(RoleName=name)["AttachedPolicies"]:
        version = other.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]["DefaultVersionId"]
        got = other.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=version)["PolicyVersion"]
        docs.append(parse_policy(got["Document"]))
    trust_verdict = judge_trust(parse_policy(role["AssumeRolePolicyDocument"]), SPEC)
    return trust_verdict.ok and trust_verdict.scoped and judge_permissions(docs, SPEC).ok


# --- create, read back, rerun ------------------------------------------------------------------------------


def test_create_from_nothing_then_independent_read_back(moto_iam: boto3.Session, other: Any) -> None:
    run = Run(moto_iam)
    outcome = run.ensure()
    assert outcome.role.action_taken == "created" and outcome.ok, (outcome.findings, run.operations)
    assert outcome.role.to_dict() == {
        "name": NAME,
        "arn": f"arn:aws:iam::{ACCOUNT}:role/{NAME}",
        "exists": True,
        "trust_ok": True,
        "permissions_ok": True,
        "missing_actions": [],
        "action_taken": "created",
        "requirements": [],  # the flow fills them in from the agent profile (flows/session.role_into_report)
    }
    assert run.writes == ["CreateRole", "PutRolePolicy"]
    assert read_back_compliant(other)
    role = other.get_role(RoleName=NAME)["Role"]
    assert {t["Key"]: t["Value"] for t in role["Tags"]} == {"managed-by": "agentcore-ext", "team": "ml"}
    assert other.list_role_policies(RoleName=NAME)["PolicyNames"] == [TOOL_POLICY_NAME]
    assert run.gateway.calls == len(run.operations)


def test_second_run_makes_no_write_call(moto_iam: boto3.Session) -> None:
    Run(moto_iam).ensure()
    again = Run(moto_iam)
    outcome = again.ensure(fix=True)
    assert again.writes == [] and outcome.role.action_taken == "none" and outcome.ok
    assert "ListRoles" not in again.operations


def test_role_path_and_boundary_are_applied(moto_iam: boto3.Session, other: Any) -> None:
    boundary = other.create_policy(
        PolicyName="AgentBoundary",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        ),
    )["Policy"]["Arn"]
    outcome = Run(moto_iam).ensure(role_path="/agents/", permissions_boundary=boundary)
    assert outcome.ok and outcome.arn == f"arn:aws:iam::{ACCOUNT}:role/agents/{NAME}"
    role = other.get_role(RoleName=NAME)["Role"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == boundary


def test_create_under_a_blocking_boundary_is_refused_before_any_write(moto_iam: boto3.Session, other: Any) -> None:
    boundary = other.create_policy(
        PolicyName="LogsOnly",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}
        ),
    )["Policy"]["Arn"]
    run = Run(moto_iam)
    outcome = run.ensure(permissions_boundary=boundary)
    assert "PERMISSIONS_BOUNDARY_BLOCKS" in codes(outcome.findings) and not outcome.ok and run.writes == []


# --- non-compliant variants --------------------------------------------------------------------------------

VARIANTS: dict[str, tuple[dict[str, Any], dict[str, Any], set[str], bool]] = {
    # name: (trust, inline policies, error/warning codes without --fix, fixable)
    "missing ECR": (trust(USER_TRUST_STATEMENT), {"user-policy": without_ecr()}, {"PERMISSIONS_MISSING"}, True),
    "unscoped trust": (
        trust({"Sid": "Bare", "Effect": "Allow", "Principal": {"Service": SERVICE}, "Action": "sts:AssumeRole"}),
        {"user-policy": permissions_document(SPEC)},
        {"TRUST_NOT_SCOPED"},
        True,
    ),
    "wrong service": (
        trust({**USER_TRUST_STATEMENT, "Principal": {"Service": "bedrock.amazonaws.com"}}),
        {"user-policy": permissions_document(SPEC)},
        {"TRUST_SERVICE_NOT_ALLOWED"},
        True,
    ),
    "SourceArn in another region": (
        trust(
            {
                **USER_TRUST_STATEMENT,
                "Condition": {"ArnLike": {"aws:SourceArn": f"arn:aws:bedrock-agentcore:eu-west-1:{ACCOUNT}:*"}},
            }
        ),
        {"user-policy": permissions_document(SPEC)},
        {"TRUST_SERVICE_NOT_ALLOWED"},
        True,
    ),
    "explicit deny": (
        trust(USER_TRUST_STATEMENT),
        {
            "user-policy": permissions_document(SPEC),
            "deny": {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "ecr:*", "Resource": "*"}]},
        },
        {"PERMISSIONS_EXPLICIT_DENY"},
        False,
    ),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_variant_findings_and_fix(variant: str, moto_iam: boto3.Session, other: Any) -> None:
    trust_doc, inline, expected, fixable = copy.deepcopy(VARIANTS[variant])
    make_role(other, trust_doc, inline)
    checked = Run(moto_iam)
    outcome = check_role(checked.gateway, make_settings(), SPEC)
    assert {f.code for f in outcome.findings if f.severity is not Severity.INFO} == expected
    assert checked.writes == []

    plain = Run(moto_iam)
    unfixed = plain.ensure()
    assert plain.writes == [] and unfixed.role.action_taken == "none"

    fixing = Run(moto_iam)
    fixed = fixing.ensure(fix=True)
    if not fixable:
        assert fixing.writes == [] and not fixed.ok and fixed.plan.blocked_by
        return
    assert fixed.role.action_taken == "repaired" and fixed.ok and read_back_compliant(other)
    # The user's own statements and policies are kept byte for byte.
    served = other.get_role(RoleName=NAME)["Role"]["AssumeRolePolicyDocument"]["Statement"]
    if variant == "unscoped trust":
        assert served == [{**trust_doc["Statement"][0], "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}}]
    else:
        assert served[: len(trust_doc["Statement"])] == trust_doc["Statement"]
    for policy, doc in inline.items():
        assert other.get_role_policy(RoleName=NAME, PolicyName=policy)["PolicyDocument"] == doc
    rerun = Run(moto_iam)
    assert rerun.ensure(fix=True).role.action_taken == "none" and rerun.writes == []


def test_permissions_only_in_an_attached_managed_policy_are_compliant(moto_iam: boto3.Session, other: Any) -> None:
    arn = other.create_policy(PolicyName="AgentPolicy", PolicyDocument=json.dumps(permissions_document(SPEC)))
    make_role(other, trust(USER_TRUST_STATEMENT))
    other.attach_role_policy(RoleName=NAME, PolicyArn=arn["Policy"]["Arn"])
    run = Run(moto_iam)
    outcome = check_role(run.gateway, make_settings(), SPEC)
    assert outcome.ok and outcome.role.permissions_ok and not codes(outcome.findings) - {"ROLE_FIX_AVAILABLE"}
    # One GetRole, ListRolePolicies, ListAttachedRolePolicies, then GetPolicy + GetPolicyVersion: each document once.
    assert run.gateway.calls == 5


def test_a_boundary_that_blocks_is_not_fixable(moto_iam: boto3.Session, other: Any) -> None:
    boundary = other.create_policy(
        PolicyName="LogsOnly",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}]}
        ),
    )["Policy"]["Arn"]
    make_role(other, trust(USER_TRUST_STATEMENT), {"p": permissions_document(SPEC)}, PermissionsBoundary=boundary)
    run = Run(moto_iam)
    outcome = run.ensure(fix=True)
    assert "PERMISSIONS_BOUNDARY_BLOCKS" in codes(outcome.plan.blocked_by) and run.writes == [] and not outcome.ok


def test_repair_reuses_the_tools_repair_policy(moto_iam: boto3.Session, other: Any) -> None:
    make_role(other, trust(USER_TRUST_STATEMENT), {"p": without_ecr()})
    assert Run(moto_iam).ensure(fix=True).ok
    names = other.list_role_policies(RoleName=NAME)["PolicyNames"]
    assert sorted(names) == sorted(["p", TOOL_REPAIR_POLICY_NAME])


# --- races, eventual consistency, refusals, failures -------------------------------------------------------


def test_a_role_created_by_someone_else_meanwhile_is_adopted(moto_iam: boto3.Session, other: Any) -> None:
    run = Run(moto_iam)

    def someone_else_first(**_: Any) -> None:
        if not run.operations.count("CreateRole") > 1:
            make_role(other, trust(USER_TRUST_STATEMENT), {"theirs": without_ecr()})

    run.on("CreateRole", someone_else_first)
    outcome = run.ensure(fix=True)
    assert "ROLE_ADOPTED" in codes(outcome.findings) and outcome.ok
    assert outcome.role.action_taken == "repaired" and read_back_compliant(other)
    assert sorted(other.list_role_policies(RoleName=NAME)["PolicyNames"]) == sorted(["theirs", TOOL_REPAIR_POLICY_NAME])


def test_an_adopted_role_is_not_changed_without_fix(moto_iam: boto3.Session, other: Any) -> None:
    run = Run(moto_iam)
    run.on("CreateRole", lambda **_: make_role(other, trust(USER_TRUST_STATEMENT), {"theirs": without_ecr()}))
    outcome = run.ensure()
    assert {"ROLE_ADOPTED", "PERMISSIONS_MISSING"} <= codes(outcome.findings) and not outcome.ok
    assert run.writes == ["CreateRole"] and outcome.role.action_taken == "none"


def test_no_such_entity_after_create_is_waited_out(moto_iam: boto3.Session) -> None:
    run = Run(moto_iam)
    state = {"created": False, "misses": 3}

    def lagging_get_role(**_: Any) -> None:
        if state["created"] and state["misses"]:
            state["misses"] -= 1
            raise client_error("NoSuchEntity", "GetRole")

    run.gateway.iam.meta.events.register("after-call.iam.CreateRole", lambda **_: state.update(created=True))
    run.on("GetRole", lagging_get_role)
    outcome = run.ensure()
    assert outcome.ok and outcome.role.action_taken == "created"
    assert run.sleeps == [0.25, 0.5, 0.5] and any("waiting for IAM" in line for line in run.progress)


def test_waiting_is_bounded_and_then_says_what_was_done(moto_iam: boto3.Session) -> None:
    run = Run(moto_iam)

    def never_served(**_: Any) -> None:
        raise client_error("NoSuchEntity", "GetRolePolicy")

    run.on("GetRolePolicy", never_served)
    with pytest.raises(ApplyFailed) as late:
        run.ensure()
    assert late.value.code == "NotPropagated" and "Not done: nothing" in late.value.message
    assert sum(run.sleeps) == 30.0 and run.sleeps[:4] == [0.25, 0.5, 0.5, 0.5]


def test_identity_center_role_with_fix_is_refused_before_any_write(moto_iam: boto3.Session, other: Any) -> None:
    saml = trust(
        {
            "Effect": "Allow",
            "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/AWSSSO"},
            "Action": "sts:AssumeRoleWithSAML",
        }
    )
    sso = "AWSReservedSSO_Admin_0123456789abcdef"
    make_role(other, saml, name=sso, path="/aws-reserved/sso.amazonaws.com/")
    run = Run(moto_iam)
    outcome = run.ensure(fix=True, execution_role=f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/{sso}")
    assert "ROLE_RESERVED" in codes(outcome.plan.blocked_by) and not outcome.ok and run.writes == []


def test_dry_run_writes_nothing(moto_iam: boto3.Session, other: Any) -> None:
    run = Run(moto_iam)
    outcome = run.ensure(dry_run=True)
    assert outcome.role.action_taken == "planned" and outcome.ok and run.writes == []
    assert "create role" in describe(outcome.plan)
    assert other.list_roles()["Roles"] == []
    make_role(other, trust(USER_TRUST_STATEMENT), {"p": without_ecr()})
    broken = Run(moto_iam)
    assert broken.ensure(dry_run=True, fix=True).role.action_taken == "planned" and broken.writes == []


def test_declined_confirmation_changes_nothing(moto_iam: boto3.Session) -> None:
    run = Run(moto_iam)
    outcome = run.ensure(confirm=lambda plan: False)
    assert "ROLE_CHANGE_DECLINED" in codes(outcome.findings) and run.writes == []


def test_access_denied_half_way_then_a_rerun_with_fix_completes(moto_iam: boto3.Session, other: Any) -> None:
    run = Run(moto_iam)

    def refuse(**_: Any) -> None:
        raise client_error("AccessDenied", "PutRolePolicy")

    run.on("PutRolePolicy", refuse)
    with pytest.raises(ApplyFailed) as failed:
        run.ensure()
    error = failed.value
    assert error.exit_code == EXIT_AWS_CHANGE_FAILED and error.code == "AccessDenied"
    assert "Done: create role " + NAME in error.message and "Not done: add inline policy" in error.message
    assert "--fix" in error.finish_command and error.finish_command in error.hint
    assert other.get_role(RoleName=NAME)["Role"]["RoleName"] == NAME  # it says what exists: it does
    rerun = Run(moto_iam)
    outcome = rerun.ensure(fix=True)
    assert outcome.role.action_taken == "repaired" and outcome.ok and read_back_compliant(other)


def test_ctrl_c_during_apply_reports_what_was_done(moto_iam: boto3.Session) -> None:
    run = Run(moto_iam)

    def interrupt(**_: Any) -> None:
        raise KeyboardInterrupt

    run.on("PutRolePolicy", interrupt)
    with pytest.raises(ApplyInterrupted) as stopped:
        run.ensure()
    assert stopped.value.exit_code == EXIT_INTERRUPTED
    assert [type(a).__name__ for a in stopped.value.done] == ["CreateRole"]
    assert stopped.value.in_flight is not None and "Interrupted during: add inline policy" in stopped.value.message


# --- which role ----------------------------------------------------------------------------------------------


def test_a_bare_name_is_resolved_with_its_path(moto_iam: boto3.Session, other: Any) -> None:
    make_role(other, trust(USER_TRUST_STATEMENT), {"p": permissions_document(SPEC)}, name="MyAgentRole", path="/team/")
    outcome = check_role(Run(moto_iam).gateway, make_settings(execution_role="myagentrole"), SPEC)
    assert outcome.arn == f"arn:aws:iam::{ACCOUNT}:role/team/MyAgentRole" and outcome.ok


def test_an_arn_with_the_wrong_path_is_an_error(moto_iam: boto3.Session, other: Any) -> None:
    make_role(other, trust(USER_TRUST_STATEMENT), {"p": permissions_document(SPEC)}, name="MyAgentRole", path="/team/")
    run = Run(moto_iam)
    outcome = run.ensure(fix=True, execution_role=f"arn:aws:iam::{ACCOUNT}:role/MyAgentRole")
    assert "ROLE_ARN_MISMATCH" in codes(outcome.findings) and run.writes == []


def test_a_named_role_that_does_not_exist_is_not_created(moto_iam: boto3.Session) -> None:
    run = Run(moto_iam)
    outcome = run.ensure(execution_role="NoSuchRole")
    assert codes(outcome.findings) == {"ROLE_NOT_FOUND"} and run.writes == [] and outcome.role.exists is False


@pytest.mark.parametrize(
    "value",
    [
        f"arn:aws:iam::{ACCOUNT}:user/alice",
        "arn:aws:iam::999999999999:role/Theirs",
        f"arn:aws-cn:iam::{ACCOUNT}:role/Other",
        "x" * 65,
        "bad name",
    ],
)
def test_bad_role_references_are_usage_errors_before_any_call(value: str, moto_iam: boto3.Session) -> None:
    run = Run(moto_iam)
    with pytest.raises(UsageError):
        run.ensure(execution_role=value)
    assert run.operations == [] and run.gateway.calls == 0

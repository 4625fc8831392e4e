"""Issue 10 items 6-9: races, half-created roles, repairs that can never finish, and what a failed apply reports.

ensure_role against moto's in-process mock. The other writer (another run of the tool, a colleague) is simulated
by hooking the gateway under test: botocore `before-call`/`after-call` handlers on its IAM client, or its
injected `sleep` (the tool's only way to wait), write through an independent client at exactly that moment.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError

from agentcore_ext.aws.apply import ApplyFailed
from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.findings import Severity, codes
from agentcore_ext.flows.role import RoleOutcome, check_role, ensure_role
from agentcore_ext.iam.policy import parse_policy
from agentcore_ext.judge.permissions import judge_permissions
from agentcore_ext.judge.requirements import (
    TOOL_POLICY_NAME,
    TOOL_REPAIR_POLICY_NAME,
    permissions_document,
    trust_document,
)
from agentcore_ext.judge.trust import judge_trust
from agentcore_ext.plan.model import CreateRole, PutInlinePolicy
from agentcore_ext.settings import Settings
from agentcore_ext.state import MANAGED_BY_TAG, AgentSpec

ACCOUNT = "123456789012"
SPEC = AgentSpec(agent="demo", account=ACCOUNT, region="us-east-1")
NAME = "BedrockAgentCoreRuntime-us-east-1-demo"
WRITES = {"CreateRole", "PutRolePolicy", "UpdateAssumeRolePolicy", "TagRole"}
TOOL_TAG = [{"Key": MANAGED_BY_TAG[0], "Value": MANAGED_BY_TAG[1]}]


class Run:
    """One run of the tool: its own gateway, the IAM operations it called, the sleeps it asked for."""

    def __init__(self, session: boto3.Session, on_sleep: Callable[[float], None] | None = None) -> None:
        self.sleeps: list[float] = []
        self.on_sleep = on_sleep
        self.gateway = Gateway(session=session, sleep=self._sleep)
        self.operations: list[str] = []
        self.progress: list[str] = []
        self.gateway.iam.meta.events.register("before-call.iam", self._record)

    def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if self.on_sleep is not None:
            self.on_sleep(seconds)

    def _record(self, model: Any, **_: Any) -> None:
        self.operations.append(model.name)

    @property
    def writes(self) -> list[str]:
        return [op for op in self.operations if op in WRITES]

    def on(self, event: str, operation: str, handler: Callable[..., Any]) -> None:
        self.gateway.iam.meta.events.register(f"{event}.iam.{operation}", handler)

    def ensure(self, spec: AgentSpec = SPEC, **settings: Any) -> RoleOutcome:
        s = Settings(agent_name=spec.agent, region="us-east-1", yes=True).with_(**settings)
        return ensure_role(self.gateway, s, spec, confirm=lambda plan: True, progress=self.progress.append)


@pytest.fixture
def other(moto_iam: boto3.Session) -> Any:
    """The other writer's own IAM client; also reads back what IAM serves, bypassing the code under test."""
    return moto_iam.client("iam")


def inline(other: Any, name: str = NAME) -> dict[str, Any]:
    return {
        p: other.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]
        for p in other.list_role_policies(RoleName=name)["PolicyNames"]
    }


def compliant_for(other: Any, spec: AgentSpec, name: str = NAME) -> bool:
    role = other.get_role(RoleName=name)["Role"]
    trust = judge_trust(parse_policy(role["AssumeRolePolicyDocument"]), spec)
    docs = [parse_policy(doc, name=p) for p, doc in inline(other, name).items()]
    return trust.ok and judge_permissions(docs, spec).ok


def create_tool_role(other: Any, spec: AgentSpec = SPEC, name: str = NAME, **extra: Any) -> None:
    """What the tool's CreateRole leaves: its trust and its managed-by tag, no inline policy yet."""
    other.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust_document(spec)), Tags=TOOL_TAG, **extra)


def put_execution(other: Any, spec: AgentSpec = SPEC, name: str = NAME) -> None:
    doc = json.dumps(permissions_document(spec))
    other.put_role_policy(RoleName=name, PolicyName=TOOL_POLICY_NAME, PolicyDocument=doc)


def once(action: Callable[[], None]) -> Callable[..., None]:
    done: list[bool] = []

    def handler(**_: Any) -> None:
        if not done:
            done.append(True)
            action()

    return handler


# --- item 6: races ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("fix", [True, False])
def test_item6_two_runs_creating_one_role_do_not_duplicate_the_permissions(
    moto_iam: boto3.Session, other: Any, fix: bool
) -> None:
    # Run A's CreateRole lands just before ours; its PutRolePolicy lands while we wait for it.
    run = Run(moto_iam, on_sleep=lambda seconds: put_execution(other) if not inline(other) else None)
    run.on("before-call", "CreateRole", once(lambda: create_tool_role(other)))
    outcome = run.ensure(fix=fix)
    assert outcome.ok, outcome.findings
    assert "ROLE_ADOPTED" in codes(outcome.findings)
    assert list(inline(other)) == [TOOL_POLICY_NAME]  # nothing copied into agentcore-ext-repair
    assert run.writes == ["CreateRole"] and run.sleeps  # it waited (through the injected sleep), then judged
    assert compliant_for(other, SPEC)


def test_item6_a_create_that_stays_half_done_is_finished_after_a_bounded_wait(
    moto_iam: boto3.Session, other: Any
) -> None:
    run = Run(moto_iam)
    run.on("before-call", "CreateRole", once(lambda: create_tool_role(other)))  # run A then dies
    outcome = run.ensure()
    assert outcome.ok, outcome.findings
    assert sum(run.sleeps) <= 30
    assert list(inline(other)) == [TOOL_POLICY_NAME] and compliant_for(other, SPEC)


def test_item6_two_agents_fixing_one_shared_role_keep_both_trust_statements(
    moto_iam: boto3.Session, other: Any
) -> None:
    shared = "BedrockAgentCoreRuntime-shared"
    first, second, third = (AgentSpec(agent=a, account=ACCOUNT, region="us-east-1") for a in ("one", "two", "three"))
    create_tool_role(other, first, shared)
    put_execution(other, first, shared)

    def third_agent_writes_meanwhile() -> None:
        # Another run, for agent `three`, adds its statement after we read the trust and before we write it.
        doc = other.get_role(RoleName=shared)["Role"]["AssumeRolePolicyDocument"]
        added = dict(trust_document(third)["Statement"][0], Sid="AgentThree")
        doc["Statement"].append(added)
        other.update_assume_role_policy(RoleName=shared, PolicyDocument=json.dumps(doc))

    run = Run(moto_iam)
    run.on("before-call", "PutRolePolicy", once(third_agent_writes_meanwhile))
    outcome = run.ensure(second, role_name=shared, fix=True)
    assert outcome.ok, outcome.findings
    assert "ROLE_CHANGED_BY_OTHER_WRITER" in codes(outcome.findings)
    trust = parse_policy(other.get_role(RoleName=shared)["Role"]["AssumeRolePolicyDocument"])
    for spec in (first, second, third):
        assert judge_trust(trust, spec).service_allowed, spec.agent


def test_item6_a_repair_policy_changed_meanwhile_is_merged_not_overwritten(moto_iam: boto3.Session, other: Any) -> None:
    theirs = {"Sid": "Theirs", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}
    base = permissions_document(SPEC)
    base["Statement"] = [s for s in base["Statement"] if not s["Sid"].startswith("ECR")]
    other.create_role(RoleName=NAME, AssumeRolePolicyDocument=json.dumps(trust_document(SPEC)))
    other.put_role_policy(RoleName=NAME, PolicyName="base", PolicyDocument=json.dumps(base))

    def colleague_adds_to_the_repair_policy() -> None:
        doc = {"Version": "2012-10-17", "Statement": [theirs]}
        other.put_role_policy(RoleName=NAME, PolicyName=TOOL_REPAIR_POLICY_NAME, PolicyDocument=json.dumps(doc))

    def just_before_our_write(params: dict[str, Any], **_: Any) -> None:
        # Our plan is made; the pre-write read of the repair policy is about to go out: the colleague is faster.
        if params["body"].get("PolicyName") == TOOL_REPAIR_POLICY_NAME and not theirs_written:
            theirs_written.append(True)
            colleague_adds_to_the_repair_policy()

    theirs_written: list[bool] = []
    run = Run(moto_iam)
    run.on("before-call", "GetRolePolicy", just_before_our_write)
    outcome = run.ensure(fix=True)
    assert outcome.ok, outcome.findings
    assert "ROLE_CHANGED_BY_OTHER_WRITER" in codes(outcome.findings)
    repair = inline(other)[TOOL_REPAIR_POLICY_NAME]
    assert theirs in repair["Statement"] and compliant_for(other, SPEC)


# --- item 7: a half-created role is finished by the same command ------------------------------------------


def test_item7_a_half_created_role_is_finished_by_rerunning_the_same_command(
    moto_iam: boto3.Session, other: Any
) -> None:
    first = Run(moto_iam)
    first.on("before-call", "PutRolePolicy", lambda **_: (_ for _ in ()).throw(_error("AccessDenied")))
    with pytest.raises(ApplyFailed):
        first.ensure()
    assert inline(other) == {}

    doctor = check_role(Run(moto_iam).gateway, Settings(agent_name="demo", region="us-east-1"), SPEC)
    assert not doctor.ok and inline(other) == {}  # doctor only reads

    again = Run(moto_iam)
    outcome = again.ensure()  # the same command: no --fix
    assert outcome.ok, outcome.findings
    assert outcome.role.action_taken == "repaired" and again.writes == ["PutRolePolicy"]
    assert inline(other) == {TOOL_POLICY_NAME: permissions_document(SPEC)}


def test_item7_a_role_without_the_tools_tag_is_still_not_changed_without_fix(
    moto_iam: boto3.Session, other: Any
) -> None:
    other.create_role(RoleName=NAME, AssumeRolePolicyDocument=json.dumps(trust_document(SPEC)))
    run = Run(moto_iam)
    outcome = run.ensure()
    assert not outcome.ok and "PERMISSIONS_MISSING" in codes(outcome.findings) and run.writes == []


# --- item 8: repairs that can never finish ---------------------------------------------------------------


def test_item8_the_tag_limit_skips_the_tags_with_a_warning(moto_iam: boto3.Session, other: Any) -> None:
    create_tool_role(other)
    put_execution(other)
    other.tag_role(RoleName=NAME, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(49)])
    run = Run(moto_iam)
    outcome = run.ensure(fix=True, tags={"team": "ml"})
    assert outcome.ok, outcome.findings
    limit = next(f for f in outcome.findings if f.code == "ROLE_TAG_LIMIT")
    assert limit.level is Severity.WARNING and run.writes == []


def test_item8_a_refused_warning_only_repair_never_blocks_the_run(moto_iam: boto3.Session, other: Any) -> None:
    bare = {"Effect": "Allow", "Principal": {"Service": "bedrock-agentcore.amazonaws.com"}, "Action": "sts:AssumeRole"}
    other.create_role(
        RoleName=NAME, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [bare]})
    )
    put_execution(other)
    run = Run(moto_iam)
    run.on(
        "before-call", "UpdateAssumeRolePolicy", lambda **_: (_ for _ in ()).throw(_error("MalformedPolicyDocument"))
    )
    outcome = run.ensure(fix=True)  # no ApplyFailed (exit 4)
    assert outcome.ok, outcome.findings
    assert {"ROLE_REPAIR_REFUSED", "TRUST_NOT_SCOPED"} <= codes(outcome.findings)
    assert "ROLE_READBACK_MISMATCH" not in codes(outcome.findings)
    assert all(f.level is not Severity.ERROR for f in outcome.findings)


def test_item8_a_refused_repair_of_an_error_still_fails(moto_iam: boto3.Session, other: Any) -> None:
    other.create_role(RoleName=NAME, AssumeRolePolicyDocument=json.dumps(trust_document(SPEC)))
    run = Run(moto_iam)
    run.on("before-call", "PutRolePolicy", lambda **_: (_ for _ in ()).throw(_error("MalformedPolicyDocument")))
    with pytest.raises(ApplyFailed):
        run.ensure(fix=True)


# --- item 9: a write counts as done once its call returned -------------------------------------------------


def test_item9_the_report_does_not_deny_a_create_that_happened(moto_iam: boto3.Session, other: Any) -> None:
    run = Run(moto_iam)
    dead: list[bool] = []
    run.on("after-call", "CreateRole", lambda **_: dead.append(True))

    def endpoint_gone(**_: Any) -> None:
        if dead:
            raise EndpointConnectionError(endpoint_url="https://iam.amazonaws.com/")

    run.gateway.iam.meta.events.register("before-call.iam", endpoint_gone)
    with pytest.raises(ApplyFailed) as err:
        run.ensure()
    assert [type(a) for a in err.value.done] == [CreateRole]
    assert [type(a) for a in err.value.not_done] == [PutInlinePolicy]
    assert "Done: create role" in err.value.message
    assert other.get_role(RoleName=NAME)["Role"]["RoleName"] == NAME  # IAM agrees: the role exists


def test_item9_a_lost_response_may_or_may_not_have_taken_effect(moto_iam: boto3.Session, other: Any) -> None:
    run = Run(moto_iam)

    def written_then_answer_lost(**_: Any) -> None:
        put_execution(other)  # IAM carried the request out; its answer never came back
        raise ReadTimeoutError(endpoint_url="https://iam.amazonaws.com/")

    run.on("before-call", "PutRolePolicy", written_then_answer_lost)
    with pytest.raises(ApplyFailed) as err:
        run.ensure()
    assert isinstance(err.value.in_flight, PutInlinePolicy)
    assert err.value.not_done == () and [type(a) for a in err.value.done] == [CreateRole]
    assert "may or may not have taken effect" in err.value.message
    assert Run(moto_iam).ensure().ok  # a rerun checks and finds the job done


def _error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"injected {code}"}}, "op")  # type: ignore[arg-type]


def test_redteam_19_a_repair_replaced_after_our_write_is_merged_and_written_again(
    moto_iam: boto3.Session, other: Any
) -> None:
    # Two agents' --fix on one shared role: the other run read the repair policy before our write and wrote its own
    # merge just after it, dropping our statements. Before: both exited 0, this agent lost its grants, and the run
    # waited IAM's whole budget blaming propagation.
    theirs = {"Sid": "OtherAgent", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"}
    base = permissions_document(SPEC)
    base["Statement"] = [s for s in base["Statement"] if not s["Sid"].startswith("ECR")]
    other.create_role(RoleName=NAME, AssumeRolePolicyDocument=json.dumps(trust_document(SPEC)))
    other.put_role_policy(RoleName=NAME, PolicyName="base", PolicyDocument=json.dumps(base))

    def the_other_run_overwrites(**_: Any) -> None:
        doc = {"Version": "2012-10-17", "Statement": [theirs]}
        other.put_role_policy(RoleName=NAME, PolicyName=TOOL_REPAIR_POLICY_NAME, PolicyDocument=json.dumps(doc))

    run = Run(moto_iam)
    run.on("after-call", "PutRolePolicy", once(the_other_run_overwrites))
    outcome = run.ensure(fix=True)
    assert outcome.ok, outcome.findings
    assert "ROLE_CHANGED_BY_OTHER_WRITER" in codes(outcome.findings)
    repair = inline(other)[TOOL_REPAIR_POLICY_NAME]
    assert theirs in repair["Statement"] and compliant_for(other, SPEC)  # both agents' grants are there
    assert sum(run.sleeps) < 5  # no propagation wait for a document another writer replaced

"""Faults through the CLI: throttling, refusals half-way, races, IAM lag, Ctrl-C, a failing toolkit, no endpoint.

Each test runs the real commands (typer's CliRunner) against moto's in-process mock. moto has no fault injection,
so `aws.Gateway` is replaced by a subclass that registers botocore handlers on its own IAM and STS clients:
`before-call` handlers refuse or race a call (nothing is sent), `before-send` handlers registered first answer an
attempt with an HTTP 400 Throttling, which goes through botocore's real retry logic (a `before-call` error would
not be retried). botocore's retry sleep and the tool's own IAM-propagation sleep are recorded, never slept.

test_role_apply.py covers the same faults one level down (ensure_role); here the subject is what the user sees:
the exit code, the one JSON document on stdout, what it says was done and not done, and that a rerun finishes.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import shlex
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import boto3
import botocore.endpoint
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from typer.testing import CliRunner

from agentcore_ext.aws import gateway as aws
from agentcore_ext.aws import waiting
from agentcore_ext.aws.apply import BACKOFF, MAX_WAIT, SLOW_BACKOFF
from agentcore_ext.aws.sandbox import FULL_ACCESS_DOCUMENT, role_management_document
from agentcore_ext.cli.app import app
from agentcore_ext.flows import configure as configure_flow
from agentcore_ext.flows import session as session_flow
from agentcore_ext.judge.requirements import (
    TOOL_POLICY_NAME,
    permissions_document,
    trust_document,
)
from agentcore_ext.settings import MANAGED_BY_TAG
from agentcore_ext.state import AgentSpec
from agentcore_ext.toolkit import config as toolkit_config
from agentcore_ext.toolkit import run as toolkit

ACCOUNT = "123456789012"
AGENT = "demo"
ROLE = f"BedrockAgentCoreRuntime-us-east-1-{AGENT}"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
SERVICE = "bedrock-agentcore.amazonaws.com"
ENSURE = ("role", "ensure", "-n", AGENT, "--disable-memory", "--yes", "--json")
CONFIGURE = ("configure", "-e", "demo.py", "--disable-memory", "--yes", "--json")
DOCTOR = ("doctor", "-n", AGENT, "--disable-memory", "--json")
WRITES = ("CreateRole", "PutRolePolicy", "UpdateAssumeRolePolicy", "TagRole")
THROTTLE_BODY = (
    b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
    b"<RequestId>r</RequestId></ErrorResponse>"
)

runner = CliRunner()
Handler = Callable[..., Any]


# -- the seam: a Gateway whose clients carry the test's handlers -------------------------------------------------


@dataclass
class Fault:
    service: str  # "iam" | "sts"
    event: str  # "before-call" | "before-send" | "after-call"
    operation: str
    handler: Handler
    first: bool = False


@dataclass
class Faults:
    active: list[Fault] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)  # the tool's own waits (IAM propagation)
    backoff: list[float] = field(default_factory=list)  # botocore's retry sleeps
    operations: list[str] = field(default_factory=list)  # every API call made (once per call, not per attempt)

    def add(self, service: str, event: str, operation: str, handler: Handler, *, first: bool = False) -> None:
        self.active.append(Fault(service, event, operation, handler, first))

    def clear(self) -> None:
        """The fault is gone (the administrator fixed it, the throttling stopped): the next run sees none."""
        self.active.clear()
        self.sleeps.clear()
        self.backoff.clear()
        self.operations.clear()

    def attach(self, gateway: aws.Gateway) -> None:
        clients: dict[str, Any] = {"iam": gateway.iam, "sts": gateway.sts}
        for service, client in clients.items():
            client.meta.events.register_first(f"before-call.{service}", self._record)
        for f in self.active:
            # On the service's node, after _record: botocore calls an operation's own node before its service's,
            # so a fault registered on "before-call.iam.CreateRole" would hide the call from _record.
            events = clients[f.service].meta.events
            register = events.register_first if f.first else events.register
            register(f"{f.event}.{f.service}", _only(f"{f.event}.{f.service}.{f.operation}", f.handler))

    def _record(self, model: Any, **_: Any) -> None:
        self.operations.append(model.name)

    @property
    def writes(self) -> list[str]:
        return [op for op in self.operations if op in WRITES]


def _only(event_name: str, handler: Handler) -> Handler:
    def filtered(**kwargs: Any) -> Any:
        return handler(**kwargs) if kwargs["event_name"] == event_name else None

    return filtered


def refuse(code: str = "AccessDenied", times: int | None = None) -> Handler:
    """A before-call handler: AWS answers `code` (always, or the first `times` calls); nothing is sent."""
    left = [times]

    def handler(model: Any, **_: Any) -> None:
        if left[0] is None or left[0] > 0:
            left[0] = None if left[0] is None else left[0] - 1
            raise ClientError({"Error": {"Code": code, "Message": f"injected {code}"}}, model.name)

    return handler


def throttle(times: int | None = None) -> Handler:
    """A before-send handler (register it first): the first `times` attempts (None: all) get HTTP 400 Throttling.

    botocore calls every before-send handler and takes the first answer, so moto's own handler (registered on
    "before-send") would still execute a throttled CreateRole. Pointing the throttled attempt's request at a
    host moto does not serve keeps it from executing; botocore builds a fresh request for each retry.
    """
    left = [times]

    def handler(request: Any, **_: Any) -> AWSResponse | None:
        if left[0] is None or left[0] > 0:
            left[0] = None if left[0] is None else left[0] - 1
            url, request.url = request.url, "http://throttled.invalid/"
            return AWSResponse(url, 400, {}, _Body(THROTTLE_BODY))  # type: ignore[arg-type]
        return None

    return handler


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


def interrupt(**_: Any) -> None:
    raise KeyboardInterrupt


# -- the world: moto, a developer with the documented permissions, an agent project -------------------------------


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    report: dict[str, Any] | None

    @property
    def codes(self) -> set[str]:
        return {f["code"] for f in self.report["findings"]} if self.report else set()

    def finding(self, code: str) -> dict[str, Any]:
        assert self.report is not None
        return next(f for f in self.report["findings"] if f["code"] == code)


@dataclass
class World:
    iam: Any  # an admin client the tool never touches: sets roles up and reads them back
    faults: Faults
    workdir: Path

    def run(self, *args: str) -> Result:
        result = runner.invoke(app, list(args))
        # No traceback ever reaches the user, and no exception escapes the CLI.
        assert "Traceback" not in result.output, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        report = None
        if "--json" in args:
            report = json.loads(result.stdout)  # the one JSON document: anything else on stdout fails here
            assert isinstance(report, dict) and report["schema_version"] == 1
            assert report["ok"] is (result.exit_code == 0)
        return Result(result.exit_code, result.stdout, result.stderr, report)

    def role(self) -> dict[str, Any] | None:
        try:
            role = self.iam.get_role(RoleName=ROLE)["Role"]
        except self.iam.exceptions.NoSuchEntityException:
            return None
        inline = {
            p: self.iam.get_role_policy(RoleName=ROLE, PolicyName=p)["PolicyDocument"]
            for p in self.iam.list_role_policies(RoleName=ROLE)["PolicyNames"]
        }
        tags = {t["Key"]: t["Value"] for t in self.iam.list_role_tags(RoleName=ROLE)["Tags"]}
        return {"trust": role["AssumeRolePolicyDocument"], "inline": inline, "tags": tags}

    def assert_compliant(self) -> None:
        """doctor, without faults, judges what IAM now serves: the job is done."""
        self.faults.clear()
        done = self.run(*DOCTOR)
        assert done.code == 0, done.stderr
        assert done.report is not None and done.report["role"]["trust_ok"] and done.report["role"]["permissions_ok"]
        assert not done.codes & {"TRUST_NOT_SCOPED", "PERMISSIONS_MISSING"}


@pytest.fixture
def world(moto_iam: boto3.Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> World:
    admin = moto_iam.client("iam", aws_access_key_id="admin", aws_secret_access_key="admin")
    admin.create_user(UserName="dev", Path="/developers/")
    for i, doc in enumerate((FULL_ACCESS_DOCUMENT, role_management_document())):
        admin.put_user_policy(UserName="dev", PolicyName=f"p{i}", PolicyDocument=json.dumps(doc))
    key = admin.create_access_key(UserName="dev")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    monkeypatch.setenv(toolkit.SUPPRESS_RECOMMENDATION_ENV, "1")
    monkeypatch.delenv(toolkit.MODE_ENV, raising=False)
    (tmp_path / "demo.py").write_text("def invoke(payload, context=None):\n    return payload\n")
    (tmp_path / "requirements.txt").write_text("bedrock-agentcore\n")  # the toolkit refuses a project without one
    monkeypatch.chdir(tmp_path)

    faults = Faults()

    class FaultyGateway(aws.Gateway):
        def __init__(self, **kwargs: Any) -> None:
            kwargs.setdefault("sleep", faults.sleeps.append)
            super().__init__(**kwargs)
            faults.attach(self)

    monkeypatch.setattr(session_flow, "Gateway", FaultyGateway)
    # botocore's retry backoff is `time.sleep` in botocore.endpoint: record it instead.
    monkeypatch.setattr(botocore.endpoint, "time", SimpleNamespace(sleep=faults.backoff.append))
    return World(admin, faults, tmp_path)


def _tool_role_to_repair(world: World) -> None:
    """A role the tool created earlier, since broken: unscoped trust, the tool's inline policy deleted.

    `--fix --tag owner=me` then plans one of each repair write: PutRolePolicy, UpdateAssumeRolePolicy, TagRole.
    """
    bare = {"Effect": "Allow", "Principal": {"Service": SERVICE}, "Action": "sts:AssumeRole"}
    world.iam.create_role(
        RoleName=ROLE,
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [bare]}),
        Tags=[{"Key": MANAGED_BY_TAG[0], "Value": MANAGED_BY_TAG[1]}],
    )


def _finish_command(result: Result) -> list[str]:
    """The command the error's hint says finishes the job, as argv for the CLI (without the program name)."""
    hint = next(f["hint"] for f in result.report["findings"] if f["severity"] == "error")  # type: ignore[index]
    command = hint.rsplit(": ", 1)[1]
    argv = shlex.split(command)
    assert argv[0] == "agentcore-ext" and "--fix" in argv
    return argv[1:]


# -- throttling -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "operation"),
    [("sts", "GetCallerIdentity"), ("iam", "GetRole"), ("iam", "CreateRole"), ("iam", "PutRolePolicy")],
)
def test_throttling_a_few_times_is_retried_and_every_attempt_counted(
    world: World, service: str, operation: str
) -> None:
    world.faults.add(service, "before-send", operation, throttle(2), first=True)
    r = world.run(*ENSURE)
    assert r.code == 0, r.stderr
    assert r.report is not None and r.report["role"]["action_taken"] == "created"
    # stats.aws_calls counts HTTP requests: one per call, plus the two retried attempts.
    assert r.report["stats"]["aws_calls"] == len(world.faults.operations) + 2
    assert len(world.faults.backoff) == 2 and all(0 <= s <= 20 for s in world.faults.backoff)
    assert world.role() is not None


def test_doctor_rides_out_throttled_reads(world: World) -> None:
    assert world.run(*ENSURE).code == 0
    world.faults.clear()
    for operation in ("GetRole", "ListRolePolicies", "GetRolePolicy"):
        world.faults.add("iam", "before-send", operation, throttle(1), first=True)
    r = world.run(*DOCTOR)
    assert r.code == 0, r.stderr
    assert r.report is not None and r.report["stats"]["aws_calls"] == len(world.faults.operations) + 3


def test_persistent_throttling_on_a_read_is_exit_4_naming_the_operation(world: World) -> None:
    world.faults.add("sts", "before-send", "GetCallerIdentity", throttle(), first=True)
    r = world.run(*ENSURE)
    assert r.code == 4
    error = r.finding("AWS_ERROR")
    assert "throttled sts:GetCallerIdentity (3 attempts)" in error["message"]
    assert "wait a minute and run again" in error["hint"]
    assert r.report is not None and r.report["stats"]["aws_calls"] == 3  # standard retry mode: 3 attempts
    assert world.role() is None


def test_persistent_throttling_on_a_write_says_what_was_done(world: World) -> None:
    world.faults.add("iam", "before-send", "PutRolePolicy", throttle(), first=True)
    r = world.run(*ENSURE)
    assert r.code == 4
    error = r.finding("AWS_ERROR")
    assert "throttled iam:PutRolePolicy (3 attempts)" in error["message"]
    assert f"Done: create role {ROLE}." in error["message"]
    assert f"Not done: add inline policy {TOOL_POLICY_NAME}" in error["message"]
    assert "wait a minute" in error["hint"] and "--fix" in error["hint"]
    assert r.report is not None and r.report["stats"]["aws_calls"] == len(world.faults.operations) + 2
    assert "throttled iam:PutRolePolicy" in r.stderr  # the human report says it too


# -- AccessDenied at each write step --------------------------------------------------------------------------

CREATE_STEPS = {
    "CreateRole": ((), ("create role", "add inline policy")),
    "PutRolePolicy": (("create role",), ("add inline policy",)),
}
STEP_WRITES = {
    "add inline policy": "PutRolePolicy",
    "update the trust policy": "UpdateAssumeRolePolicy",
    "tag role": "TagRole",
}
# A refused UpdateAssumeRolePolicy is no row: on this role it only adds scoping (T3, a warning), and a warning's
# repair never blocks the run (issue 10 item 8, tests/flows/test_role_races.py).
REPAIR_STEPS = {
    "PutRolePolicy": ((), ("add inline policy", "update the trust policy", "tag role")),
    "TagRole": (("add inline policy", "update the trust policy"), ("tag role",)),
}


def _done_and_not_done(message: str) -> tuple[str, str]:
    done = message.split("Done: ", 1)[1].split(". Not done: ", 1)
    return done[0], done[1]


@pytest.mark.parametrize("operation", list(CREATE_STEPS))
def test_access_denied_while_creating(world: World, operation: str) -> None:
    world.faults.add("iam", "before-call", operation, refuse("AccessDenied"))
    r = world.run(*ENSURE)
    assert r.code == 4
    error = r.finding("AWS_ERROR")
    assert error["message"].startswith(f"AWS refused iam:{operation}: injected AccessDenied")
    done, not_done = _done_and_not_done(error["message"])
    expected_done, expected_not_done = CREATE_STEPS[operation]
    assert all(step in done for step in expected_done) and (expected_done or done == "nothing")
    assert all(step in not_done for step in expected_not_done)
    assert "agentcore-ext policy caller" in error["hint"]
    # The report matches IAM: the role exists exactly when it says "create role" was done.
    state = world.role()
    assert (state is not None) == ("create role" in done)
    if state is not None:
        assert state["inline"] == {}
    assert r.report is not None and r.report["pass_role"]["decision"] == "allowed"
    assert r.report["stats"]["aws_calls"] == len(world.faults.operations) - 1  # the refused call was never sent

    world.faults.clear()
    finish = world.run(*_finish_command(r), "--yes", "--json")
    assert finish.code == 0, finish.stderr
    assert finish.report is not None
    assert finish.report["role"]["action_taken"] == ("repaired" if state is not None else "created")
    world.assert_compliant()


@pytest.mark.parametrize("operation", list(REPAIR_STEPS))
def test_access_denied_while_repairing(world: World, operation: str) -> None:
    _tool_role_to_repair(world)
    world.faults.add("iam", "before-call", operation, refuse("AccessDenied"))
    r = world.run(*ENSURE, "--fix", "--tag", "owner=me")
    assert r.code == 4
    error = r.finding("AWS_ERROR")
    assert error["message"].startswith(f"AWS refused iam:{operation}")
    done, not_done = _done_and_not_done(error["message"])
    expected_done, expected_not_done = REPAIR_STEPS[operation]
    assert all(step in done for step in expected_done) and (expected_done or done == "nothing")
    assert all(step in not_done for step in expected_not_done)
    assert not any(step in done for step in expected_not_done)
    # IAM holds exactly what the report says was done.
    state = world.role()
    assert state is not None
    # The role is the tool's own, without its inline policy: the repair finishes it (issue 10 item 7).
    assert (TOOL_POLICY_NAME in state["inline"]) == ("add inline policy" in done)
    scoped = "Condition" in state["trust"]["Statement"][0]
    assert scoped == ("update the trust policy" in done)
    assert ("owner" in state["tags"]) == ("tag role" in done)
    assert world.faults.writes[-1] == operation

    world.faults.clear()
    finish = world.run(*_finish_command(r), "--yes", "--json")
    assert finish.code == 0, finish.stderr
    assert finish.report is not None and finish.report["role"]["action_taken"] == "repaired"
    # Only what was not done is done now.
    assert world.faults.writes == [STEP_WRITES[step] for step in expected_not_done]
    assert world.role()["tags"]["owner"] == "me"  # type: ignore[index]
    world.assert_compliant()


def test_access_denied_in_configure_then_configure_with_fix_completes(world: World) -> None:
    world.faults.add("iam", "before-call", "PutRolePolicy", refuse("AccessDenied"))
    r = world.run(*CONFIGURE)
    assert r.code == 4
    # The toolkit runs before the plan now (its answers shape the role); the folder is put back when IAM fails.
    assert r.report is not None and r.report["configure"]["ran"] is True
    assert r.report["configure"]["exit_code"] == 0
    assert f"Done: create role {ROLE}" in r.finding("AWS_ERROR")["message"]
    assert "CONFIG_RESTORED" in r.codes
    assert not (world.workdir / toolkit_config.CONFIG_FILE).exists()

    world.faults.clear()
    again = world.run(*CONFIGURE, "--fix")
    assert again.code == 0, again.stderr
    assert again.report is not None and again.report["configure"]["exit_code"] == 0
    assert again.report["role"]["action_taken"] == "repaired"
    assert toolkit_config.read_configured_role(world.workdir, AGENT) == (AGENT, ROLE_ARN)
    world.assert_compliant()


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_create_role_refused_in_configure_restores_the_folder_byte_for_byte(world: World) -> None:
    # A folder with a past: the user's own .bak and .dockerignore, which the toolkit would overwrite or keep.
    (world.workdir / ".bedrock_agentcore.yaml.bak").write_bytes(b"# mine\n")
    (world.workdir / ".dockerignore").write_bytes(b"data/\n")
    before = _files(world.workdir)
    world.faults.add("iam", "before-call", "CreateRole", refuse("AccessDenied"))
    r = world.run(*CONFIGURE)
    assert r.code == 4, r.stderr
    assert "CreateRole" in world.faults.operations and world.faults.writes == ["CreateRole"]
    assert r.report is not None and r.report["configure"]["ran"] is True  # the toolkit ran first
    assert "CONFIG_RESTORED" in r.codes and "CONFIG_BACKED_UP" not in r.codes
    assert _files(world.workdir) == before
    assert world.role() is None


def test_a_declined_plan_in_configure_is_one_finding_and_restores_the_folder(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agentcore_ext.cli import configure as configure_cli

    monkeypatch.setattr(configure_cli, "confirmer", lambda settings: lambda plan: False)
    before = _files(world.workdir)
    r = world.run("configure", "-e", "demo.py", "--disable-memory", "--json")
    assert r.code == 3, r.stderr
    assert r.report is not None
    assert [f["code"] for f in r.report["findings"]] == ["ROLE_CHANGE_DECLINED"]
    declined = r.finding("ROLE_CHANGE_DECLINED")
    codebuild = f"BedrockAgentCoreCodeBuild-us-east-1-{AGENT}"  # issue 13: asked at the same prompt
    assert declined["message"].startswith(f"declined: create role {ROLE} and create role {codebuild}; nothing was")
    assert "rerun: agentcore-ext configure --entrypoint demo.py" in declined["hint"]
    assert r.report["role"] is None and r.report["plan"]["actions"]  # what was declined stays in the JSON
    assert world.faults.writes == [] and world.role() is None
    assert r.report["plan"]["codebuild"]["actions"]  # the CodeBuild plan declined with it is in the JSON too
    assert _files(world.workdir) == before


# -- races ----------------------------------------------------------------------------------------------------


def _someone_else_creates(world: World, *, compliant: bool) -> Handler:
    """A before-call handler on CreateRole: another run creates the role a moment before ours reaches IAM."""
    spec = AgentSpec(AGENT, ACCOUNT, "us-east-1", memory=False)
    trust = trust_document(spec)
    if not compliant:
        trust["Statement"][0]["Principal"] = {"Service": "bedrock.amazonaws.com"}

    def handler(**_: Any) -> None:
        if world.role() is None:
            world.iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust))
            if compliant:
                doc = json.dumps(permissions_document(spec))
                world.iam.put_role_policy(RoleName=ROLE, PolicyName="theirs", PolicyDocument=doc)

    return handler


def test_create_race_with_a_compliant_role_adopts_it(world: World) -> None:
    world.faults.add("iam", "before-call", "CreateRole", _someone_else_creates(world, compliant=True))
    r = world.run(*ENSURE)
    assert r.code == 0, r.stderr
    assert "ROLE_ADOPTED" in r.codes and r.report is not None
    assert r.report["role"]["action_taken"] == "none" and r.report["role"]["arn"] == ROLE_ARN
    assert world.faults.writes == ["CreateRole"]  # theirs won; nothing of ours was written over it
    assert list(world.role()["inline"]) == ["theirs"]  # type: ignore[index]


def test_create_race_with_a_non_compliant_role(world: World) -> None:
    world.faults.add("iam", "before-call", "CreateRole", _someone_else_creates(world, compliant=False))
    r = world.run(*ENSURE)
    assert r.code == 3
    assert {"ROLE_ADOPTED", "TRUST_SERVICE_NOT_ALLOWED", "PERMISSIONS_MISSING"} <= r.codes
    assert r.report is not None and r.report["role"]["action_taken"] == "none"
    assert world.faults.writes == ["CreateRole"] and world.role()["inline"] == {}  # type: ignore[index]

    # Same race, with --fix: the racing role is repaired instead of created.
    world.iam.delete_role(RoleName=ROLE)
    world.faults.clear()
    world.faults.add("iam", "before-call", "CreateRole", _someone_else_creates(world, compliant=False))
    fixed = world.run(*ENSURE, "--fix")
    assert fixed.code == 0, fixed.stderr
    assert "ROLE_ADOPTED" in fixed.codes and fixed.report is not None
    assert fixed.report["role"]["action_taken"] == "repaired"
    assert world.faults.writes == ["CreateRole", "PutRolePolicy", "UpdateAssumeRolePolicy"]
    world.assert_compliant()


# -- eventual consistency -------------------------------------------------------------------------------------


def _lag_after_write(world: World, write: str, read: str, misses: int | None) -> None:
    """After `write` succeeded, `read` answers NoSuchEntity `misses` times (None: for ever)."""
    state: dict[str, Any] = {"written": False, "left": misses}

    def lagging(model: Any, **_: Any) -> None:
        if state["written"] and (state["left"] is None or state["left"] > 0):
            state["left"] = None if state["left"] is None else state["left"] - 1
            raise ClientError({"Error": {"Code": "NoSuchEntity", "Message": "injected lag"}}, model.name)

    world.faults.add("iam", "after-call", write, lambda **_: state.update(written=True))
    world.faults.add("iam", "before-call", read, lagging)


def _assert_backoff(sleeps: list[float]) -> None:
    """Short steps from BACKOFF[0] (at most 0.5 s while waits are short), then growing, capped; bounded in total."""
    assert sleeps, "no wait happened"
    assert sleeps[0] == BACKOFF[0]
    for before, after in itertools.pairwise(sleeps[:-1]):  # the last one may be the budget's rest
        assert after >= before
    assert max(sleeps) <= SLOW_BACKOFF[-1] and sum(sleeps) <= MAX_WAIT


@pytest.mark.parametrize(("write", "read"), [("CreateRole", "GetRole"), ("PutRolePolicy", "GetRolePolicy")])
def test_no_such_entity_after_a_write_is_waited_out(world: World, write: str, read: str) -> None:
    _lag_after_write(world, write, read, misses=3)
    r = world.run(*ENSURE)
    assert r.code == 0, r.stderr
    assert world.faults.sleeps == [0.25, 0.5, 0.5]
    _assert_backoff(world.faults.sleeps)
    assert "waiting for IAM to serve" in r.stderr
    assert r.report is not None and r.report["role"]["action_taken"] == "created"


@pytest.mark.parametrize(("write", "read"), [("CreateRole", "GetRole"), ("PutRolePolicy", "GetRolePolicy")])
def test_persistent_no_such_entity_is_a_bounded_wait_then_exit_4(world: World, write: str, read: str) -> None:
    _lag_after_write(world, write, read, misses=None)
    start = time.perf_counter()
    r = world.run(*ENSURE)
    assert r.code == 4
    assert time.perf_counter() - start < 10  # the waits were recorded, not slept
    _assert_backoff(world.faults.sleeps)
    assert sum(world.faults.sleeps) == MAX_WAIT
    error = r.finding("AWS_ERROR")
    assert "IAM did not serve the new " in error["message"] and f"within {MAX_WAIT:g} s" in error["message"]
    assert f"Done: create role {ROLE}" in error["message"]
    assert "wait a minute" in error["hint"] and "--fix" in error["hint"]


# -- Ctrl-C ---------------------------------------------------------------------------------------------------


def test_ctrl_c_during_apply_is_exit_130_and_says_how_to_finish(world: World) -> None:
    world.faults.add("iam", "before-call", "PutRolePolicy", interrupt)
    r = world.run(*ENSURE)
    assert r.code == 130
    assert "INTERRUPTED" in r.codes
    error = r.finding("INTERRUPTED")
    assert f"Done: create role {ROLE}" in error["message"]
    assert f"Interrupted during: add inline policy {TOOL_POLICY_NAME}" in error["message"]
    assert world.role() is not None
    assert r.report is not None and r.report["stats"]["aws_calls"] == len(world.faults.operations) - 1

    world.faults.clear()
    finish = world.run(*_finish_command(r), "--yes", "--json")
    assert finish.code == 0, finish.stderr
    assert finish.report is not None and finish.report["role"]["action_taken"] == "repaired"
    world.assert_compliant()


def test_ctrl_c_before_any_write_is_exit_130(world: World) -> None:
    world.faults.add("iam", "before-call", "GetRole", interrupt)
    r = world.run(*ENSURE)
    assert r.code == 130 and "INTERRUPTED" in r.codes and world.faults.writes == []


# -- the toolkit failing --------------------------------------------------------------------------------------


def test_a_value_the_toolkit_rejects_is_exit_2_before_any_aws_call(world: World) -> None:
    # The toolkit's click rejects --idle-timeout below its minimum: parsed with its own command, strictly, first.
    r = world.run(*CONFIGURE, "--", "--idle-timeout", "5")
    assert r.code == 2 and "USAGE_ERROR" in r.codes
    assert r.report is not None and r.report["configure"]["ran"] is False
    assert r.report["stats"]["aws_calls"] == 0 and world.faults.writes == []
    assert "--idle-timeout" in r.stderr
    assert not (world.workdir / toolkit_config.CONFIG_FILE).exists()


def test_a_toolkit_failure_is_exit_6_with_its_code_in_the_report(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(configure_flow, "run_toolkit", lambda *a, **k: 7)
    r = world.run(*CONFIGURE)
    assert r.code == 6
    assert r.report is not None and r.report["configure"]["exit_code"] == 7
    assert (
        r.finding("TOOLKIT_CONFIGURE_FAILED")["message"] == "the starter toolkit failed: agentcore configure exited 7"
    )


# -- no endpoint ----------------------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("args", [ENSURE, DOCTOR, CONFIGURE])
def test_endpoint_down_is_exit_4_and_fast(
    args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # No moto here: a real connection refused, with botocore's real retries and backoff sleeps.
    port = _closed_port()
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    (tmp_path / "demo.py").write_text("")
    monkeypatch.chdir(tmp_path)
    start = time.perf_counter()
    result = runner.invoke(app, list(args))
    elapsed = time.perf_counter() - start
    assert result.exit_code == 4, result.output
    assert "Traceback" not in result.output
    report = json.loads(result.stdout)
    error = next(f for f in report["findings"] if f["code"] == "AWS_ERROR")
    assert error["message"] == f"cannot reach AWS endpoint http://127.0.0.1:{port}/ (sts:GetCallerIdentity)"
    assert "AWS_ENDPOINT_URL" in error["hint"]
    assert report["stats"]["aws_calls"] == 3  # every attempt counted, even on failure
    assert elapsed < 8, elapsed  # 3 attempts, jittered backoff of at most 1 + 2 s


@pytest.fixture
def blackhole() -> Iterator[int]:
    """A port that accepts no connection and refuses none: its listen queue is full, so SYNs go unanswered."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = int(server.getsockname()[1])
    fillers = []
    for _ in range(4):
        c = socket.socket()
        c.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            c.connect(("127.0.0.1", port))
        fillers.append(c)
    probe = socket.socket()
    probe.settimeout(0.3)
    try:
        probe.connect(("127.0.0.1", port))
        pytest.skip("this system completes connections to a full listen queue")
    except OSError:
        pass
    finally:
        probe.close()
    yield port
    for c in fillers:
        c.close()
    server.close()


def test_a_silent_endpoint_times_out_in_seconds_not_minutes(
    blackhole: int, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # botocore's default connect timeout is 60 s per attempt: 3 minutes before the user hears anything.
    assert waiting.CONNECT_TIMEOUT <= 10
    monkeypatch.setattr(waiting, "CONNECT_TIMEOUT", 0.2)
    slept: list[float] = []
    monkeypatch.setattr(botocore.endpoint, "time", SimpleNamespace(sleep=slept.append))
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{blackhole}")
    monkeypatch.chdir(tmp_path)
    start = time.perf_counter()
    result = runner.invoke(app, list(DOCTOR))
    assert time.perf_counter() - start < 5
    assert result.exit_code == 4, result.output
    report = json.loads(result.stdout)
    assert report["findings"][0]["message"].startswith(f"cannot reach AWS endpoint http://127.0.0.1:{blackhole}")
    assert report["stats"]["aws_calls"] == 3 and len(slept) == 2


def test_a_create_the_callers_policies_refuse_is_predicted_before_the_plan(world: World) -> None:
    # Issue 15 build 5: `policy caller` lets the developer create only roles of the tool's name prefix, though
    # PassRole allows any *BedrockAgentCore* role. Another name is refused before the prompt, from the policies
    # already read for PassRole (moto itself would create any role: the decision is the tool's own evaluation).
    r = world.run(
        "role", "ensure", "-n", AGENT, "--role-name", "TeamBedrockAgentCoreRole", "--disable-memory", "--yes", "--json"
    )
    assert r.code == 3 and r.report is not None
    codes = [f["code"] for f in r.report["findings"]]
    assert "CALLER_CANNOT_WRITE_ROLE" in codes, r.report["findings"]
    finding = r.finding("CALLER_CANNOT_WRITE_ROLE")
    assert "iam:CreateRole" in finding["message"] and "--no-create" in finding["hint"]
    assert "policy permissions --format cloudformation" in finding["hint"]
    assert world.faults.writes == []
    assert [r["RoleName"] for r in world.iam.list_roles()["Roles"] if r["RoleName"] == "TeamBedrockAgentCoreRole"] == []

"""Round-trip depth: how many requests a run sends one after another (not how long it takes).

On real IAM every sequential round trip costs 50-150 ms, so the number of layers, not the number of calls, is what
a user waits for. A recording gateway holds every request until the run can do nothing else, then answers every
held request at once (Recorder): the depth is the number of such batches, counted by causality, not by a clock, so
a loaded machine cannot change it. The bounds are what the code reaches (issue 14's goals: doctor <= 3, 2 with the
simulator; first-time create <= 10; a caller in 10 groups <= 6): doctor 3, 3 with the simulator (the role's
documents, then the deploy preflight's simulations), configure's checks 3, first-time create 8, 10 groups 4; a change
that serialises independent reads again fails here. Before issue 14: 9, 6, 9, 15 and 18.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import boto3
import pytest

from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.aws.sandbox import FULL_ACCESS_DOCUMENT, role_management_document
from agentcore_ext.flows import session as session_flow
from agentcore_ext.flows.doctor import doctor
from agentcore_ext.flows.ensure import role_ensure
from agentcore_ext.judge.codebuild_role import codebuild_permissions_document, codebuild_trust_document
from agentcore_ext.judge.deploy_needs import toolkit_codebuild_role_name
from agentcore_ext.judge.requirements import permissions_document, trust_document
from agentcore_ext.report import Report
from agentcore_ext.settings import Settings
from agentcore_ext.state import AgentSpec, SimulationResult

POLL = 0.002  # seconds between looks at the run's threads
STABLE_POLLS = 3  # a batch is answered after this many looks that saw every thread waiting and nothing new held
STUCK = 5.0  # seconds: a batch that never settles is answered anyway, and the depth then refuses to count
ACCOUNT, REGION, AGENT = "123456789012", "us-east-1", "hello_agent"
ROLE = f"BedrockAgentCoreRuntime-{REGION}-{AGENT}"


def _waiting(frame: FrameType | None) -> bool:
    """Whether a thread whose innermost Python frame is `frame` is blocked until another thread acts.

    A thread that was woken but not yet scheduled still shows its waiting frame, so the frame's own lock or queue
    says whether it may run: a notified Condition waiter's lock is released, a pool worker's queue holds work.
    """
    if frame is None:
        return True
    name, func, local = frame.f_code.co_filename.replace("\\", "/"), frame.f_code.co_name, frame.f_locals
    if name.endswith("/threading.py") and func == "wait":  # Condition.wait (Event.wait, Future.result use it)
        if _starting_a_thread(frame):
            return False  # the new thread may not be visible yet, and will run
        waiter = local.get("waiter")
        return waiter is not None and waiter.locked()
    if name.endswith("/threading.py") and func == "_wait_for_tstate_lock":  # Thread.join
        lock = local.get("lock")
        return lock is not None and lock.locked()
    if name.endswith("/concurrent/futures/thread.py") and func == "_worker":  # an idle pool worker, in get()
        queue = local.get("work_queue")
        return queue is not None and queue.empty()
    return False


def _starting_a_thread(frame: FrameType) -> bool:
    """Whether this wait is Thread.start() waiting for the new thread to run (Event.wait -> Condition.wait)."""
    outer = frame.f_back
    for _ in range(2):
        if outer is None:
            return False
        if outer.f_code.co_filename.endswith("threading.py") and outer.f_code.co_name == "start":
            return True
        outer = outer.f_back
    return False


class Recorder:
    """Holds every request until the run can do nothing else, then answers all the held requests at once.

    The depth is the number of such batches: a request sent only after another was answered lands in a later
    batch, requests sent side by side share one. It is decided by causality, not by the clock: a batch is answered
    when every thread of the run (the test's and those it started) is blocked, in a hold or waiting on one, for a
    few looks in a row. On a loaded machine a batch only takes longer to settle; the count stays the same, and an
    unloaded layer costs milliseconds, not a fixed hold. Threads that existed before the recorder (other fixtures'
    servers) are not the run's and are ignored.
    """

    def __init__(self) -> None:
        self.operations: list[str] = []
        self.batches: list[list[str]] = []
        self.simulator = False
        self.forced = 0
        self._cond = threading.Condition()
        self._held: list[str] = []
        self._generation = 0
        self._stop = threading.Event()
        main = threading.main_thread().ident
        self._ignored = {t.ident for t in threading.enumerate() if t.ident != main}
        self._thread = threading.Thread(target=self._answer, name="round-trip-recorder", daemon=True)

    def start(self) -> None:
        self._thread.start()
        self._ignored.add(self._thread.ident)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def hold(self, operation: str) -> None:
        with self._cond:
            self._held.append(operation)
            self.operations.append(operation)
            generation = self._generation
            while self._generation == generation:
                self._cond.wait()

    def _settled(self) -> bool:
        frames = sys._current_frames()
        return all(_waiting(frame) for ident, frame in frames.items() if ident not in self._ignored)

    def _answer(self) -> None:
        stable, seen, since = 0, -1, time.monotonic()
        while not self._stop.wait(POLL):
            with self._cond:
                held = len(self._held)
            if not held:
                stable, seen, since = 0, -1, time.monotonic()
                continue
            stable = stable + 1 if held == seen and self._settled() else 0
            seen = held
            stuck = time.monotonic() - since > STUCK
            if stable >= STABLE_POLLS or stuck:
                self.forced += stuck
                with self._cond:
                    self.batches.append(self._held)
                    self._held = []
                    self._generation += 1
                    self._cond.notify_all()
                stable, seen, since = 0, -1, time.monotonic()

    @property
    def depth(self) -> int:
        assert not self.forced, f"{self.forced} batch(es) never settled: {self.batches}"
        return len(self.batches)


def test_the_recorder_counts_batches_of_requests_not_requests() -> None:
    from concurrent.futures import ThreadPoolExecutor

    rec = Recorder()
    rec.start()
    try:
        with ThreadPoolExecutor(max_workers=3) as pool:
            list(pool.map(rec.hold, ["A", "B", "C"]))  # side by side: one batch
        rec.hold("D")  # then one after another: two more
        with ThreadPoolExecutor(max_workers=2) as pool:
            pool.submit(lambda: [rec.hold("E"), rec.hold("F")])  # a chain in a worker, beside G: two batches
            pool.submit(rec.hold, "G")
    finally:
        rec.stop()
    assert [sorted(b) for b in rec.batches] == [["A", "B", "C"], ["D"], ["E", "G"], ["F"]]
    assert rec.depth == 4


def recording_gateway(recorder: Recorder) -> type[Gateway]:
    class RecordingGateway(Gateway):
        """A Gateway whose every request is held by the recorder until its batch is answered."""

        def _count(self, **kwargs: Any) -> None:
            super()._count(**kwargs)
            recorder.hold(str(kwargs.get("event_name", "before-send.?.request")).rsplit(".", 1)[-1])

        def simulate_principal_policy(self, principal_arn: str, actions: Any, resources: Any, context: Any) -> Any:
            if not recorder.simulator:
                return super().simulate_principal_policy(principal_arn, actions, resources, context)
            super()._count()
            recorder.hold("SimulatePrincipalPolicy")  # a stand-in: moto has no simulator
            return [SimulationResult(a, r, "allowed") for a in actions for r in resources]

    return RecordingGateway


@pytest.fixture
def recorder(moto_iam: boto3.Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Recorder]:
    rec = Recorder()
    rec.start()
    monkeypatch.setattr(session_flow, "Gateway", recording_gateway(rec))
    admin = moto_iam.client("iam", aws_access_key_id="admin", aws_secret_access_key="admin")
    admin.create_user(UserName="dev", Path="/developers/")
    admin.put_user_policy(UserName="dev", PolicyName="roles", PolicyDocument=json.dumps(role_management_document()))
    managed = admin.create_policy(PolicyName="FullAccess", PolicyDocument=json.dumps(FULL_ACCESS_DOCUMENT))
    admin.attach_user_policy(UserName="dev", PolicyArn=managed["Policy"]["Arn"])
    key = admin.create_access_key(UserName="dev")["AccessKey"]
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    monkeypatch.chdir(tmp_path)
    rec.admin = admin  # type: ignore[attr-defined]
    try:
        yield rec
    finally:
        rec.stop()


def compliant_role(admin: Any) -> None:
    """The role of the benchmark: one inline and one managed policy, compliant together."""
    spec = AgentSpec(AGENT, ACCOUNT, REGION, memory=False)
    admin.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust_document(spec)))
    statements = permissions_document(spec)["Statement"]
    half = len(statements) // 2
    admin.put_role_policy(
        RoleName=ROLE,
        PolicyName="inline",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements[:half]}),
    )
    pol = admin.create_policy(
        PolicyName="agent-managed", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements[half:]})
    )
    admin.attach_role_policy(RoleName=ROLE, PolicyArn=pol["Policy"]["Arn"])


def settings(tmp_path: Path, **extra: Any) -> Settings:
    return Settings(agent_name=AGENT, region=REGION, memory=False, workdir=str(tmp_path), yes=True, **extra)


def run_doctor(tmp_path: Path) -> Report:
    report = Report("doctor")
    assert doctor(settings(tmp_path), report) == 0, report.findings
    return report


def run_ensure(tmp_path: Path, **extra: Any) -> Report:
    report = Report("role ensure")
    code, _ = role_ensure(settings(tmp_path, **extra), report, lambda plan: True, lambda message: None)
    assert code == 0, report.findings
    return report


def test_doctor_depth(recorder: Recorder, tmp_path: Path) -> None:
    compliant_role(recorder.admin)  # type: ignore[attr-defined]
    report = run_doctor(tmp_path)
    assert report.aws_calls == len(recorder.operations)
    assert recorder.depth <= 3, recorder.batches


@pytest.mark.parametrize("codebuild_role", [False, True], ids=["no-codebuild-role", "codebuild-role"])
def test_doctor_depth_when_the_simulator_answers(recorder: Recorder, tmp_path: Path, codebuild_role: bool) -> None:
    """Issue 14: doctor in 2 round trips when the simulator answers. 1: GetCallerIdentity with the execution
    role's and the CodeBuild role's GetRole and listings (both named before the account is known); 2: the roles'
    documents and every simulator call (one per iam:PassedToService context, asked for every outcome of the
    CodeBuild role's GetRole so none waits for it)."""
    compliant_role(recorder.admin)  # type: ignore[attr-defined]
    if codebuild_role:
        spec = AgentSpec(AGENT, ACCOUNT, REGION, memory=False)
        name = toolkit_codebuild_role_name(REGION, AGENT)
        admin: Any = recorder.admin  # type: ignore[attr-defined]
        admin.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(codebuild_trust_document(spec)))
        admin.put_role_policy(
            RoleName=name, PolicyName="build", PolicyDocument=json.dumps(codebuild_permissions_document(spec))
        )
    recorder.simulator = True
    report = run_doctor(tmp_path)
    assert report.aws_calls == len(recorder.operations)
    assert not [f for f in report.findings if f.code.startswith("CODEBUILD_")], report.findings
    # The execution role's inline policy, and the CodeBuild role's when it exists: read, in the second layer.
    assert recorder.operations.count("GetRolePolicy") == 1 + codebuild_role
    assert recorder.operations.count("SimulatePrincipalPolicy") == 2
    assert recorder.depth <= 2, recorder.batches


def test_configure_checks_depth_with_a_compliant_role(recorder: Recorder, tmp_path: Path) -> None:
    compliant_role(recorder.admin)  # type: ignore[attr-defined]
    report = run_ensure(tmp_path)
    assert report.role is not None and report.role.action_taken.value == "none"
    assert recorder.depth <= 3, recorder.batches


def test_first_time_create_depth(recorder: Recorder, tmp_path: Path) -> None:
    report = run_ensure(tmp_path)
    assert report.role is not None and report.role.action_taken.value == "created"
    assert recorder.depth <= 8, recorder.batches


def test_caller_in_ten_groups_depth(recorder: Recorder, tmp_path: Path) -> None:
    admin: Any = recorder.admin  # type: ignore[attr-defined]
    compliant_role(admin)
    for g in range(10):
        admin.create_group(GroupName=f"team{g}")
        admin.add_user_to_group(GroupName=f"team{g}", UserName="dev")
        statement = {"Effect": "Allow", "Action": f"s3:Get{g}*", "Resource": "*"}
        admin.put_group_policy(
            GroupName=f"team{g}",
            PolicyName="inline",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
        )
        pol = admin.create_policy(
            PolicyName=f"team{g}-managed",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{**statement, "Action": "logs:Get*"}]}),
        )
        admin.attach_group_policy(GroupName=f"team{g}", PolicyArn=pol["Policy"]["Arn"])
    report = run_doctor(tmp_path)
    assert report.aws_calls == len(recorder.operations)
    assert recorder.depth <= 4, recorder.batches


@pytest.mark.parametrize("simulator", [False, True], ids=["caller-policies", "simulator"])
def test_whole_configure_depth_with_compliant_roles(recorder: Recorder, tmp_path: Path, simulator: bool) -> None:
    # Issue 14's configure goal (<= plain + 2 round trips): after a non-interactive toolkit run the roles read by the
    # precheck are planned again without another read; the CodeBuild role's first reads go out with the execution
    # role's, beside GetCallerIdentity. 3 when the caller's own policies decide (their documents are a third
    # layer), 2 when the simulator answers.
    from agentcore_ext.flows.configure import configure

    compliant_role(recorder.admin)  # type: ignore[attr-defined]
    (tmp_path / "hello_agent.py").write_text("print('hello')\n")
    (tmp_path / "requirements.txt").write_text("bedrock-agentcore\n")
    first = Report("configure")
    base = settings(tmp_path, entrypoint="hello_agent.py")
    recorder.simulator = simulator
    assert configure(base, first, lambda plan: True, lambda message: None, interactive=False) == 0, first.findings
    recorder.batches.clear()
    recorder.operations.clear()
    report = Report("configure")
    assert configure(base, report, lambda plan: True, lambda message: None, interactive=False) == 0, report.findings
    assert report.role is not None and report.role.action_taken.value == "none"
    assert report.aws_calls == len(recorder.operations)
    assert recorder.depth <= (2 if simulator else 3), recorder.batches

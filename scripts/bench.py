"""`make bench`: speed and cost figures against a local moto server (not a test: nothing here asserts).

Each A/B pair is run interleaved (A, B, A, B, ...) so drift on a busy machine hits both sides alike; the figures
are medians. Peak memory is the child's max RSS from wait4(). Goals (issues 6 and 14) are printed beside the
figures, with whether each holds. The latency mode (scripts/bench_rtt.py) repeats the AWS-bound measures with 80 ms
added to every request by a proxy (scripts/bench_latency.py) and counts sequential round trips.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
BIN = Path(sys.executable).parent
REPEAT = int(os.environ.get("BENCH_REPEAT", "7"))
ACCOUNT, REGION = "123456789012", "us-east-1"


def run_measured(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int]:
    """(seconds, peak RSS MiB, exit code) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return elapsed, usage.ru_maxrss / 1024, proc.returncode


def ab(
    label_a: str, a: Callable[[], tuple[float, float, int]], label_b: str, b: Callable[[], tuple[float, float, int]]
) -> dict[str, Any]:
    a(), b()  # warm caches (bytecode, page cache) before measuring
    ra, rb = [], []
    for _ in range(REPEAT):
        ra.append(a())
        rb.append(b())
    bad = [r for r in ra + rb if r[2] != 0]
    if bad:
        raise SystemExit(f"a benchmarked command failed (exit {bad[0][2]})")
    med = {
        label_a: (statistics.median(r[0] for r in ra), statistics.median(r[1] for r in ra)),
        label_b: (statistics.median(r[0] for r in rb), statistics.median(r[1] for r in rb)),
    }
    return med


def show(label: str, figure: str, goal: str, ok: bool) -> None:
    print(f"{label:<34} {figure:<44} goal {goal:<24} {'holds' if ok else 'MISSED'}")


def group_caller(iam: Any, groups: int = 10) -> dict[str, str]:
    """A user in `groups` groups, each with one inline and one managed policy; returns its access key."""
    from agentcore_ext.aws.sandbox import FULL_ACCESS_DOCUMENT, role_management_document

    iam.create_user(UserName="grouped")
    for g in range(groups):
        name = f"team{g}"
        iam.create_group(GroupName=name)
        iam.add_user_to_group(GroupName=name, UserName="grouped")
        inline = (
            FULL_ACCESS_DOCUMENT
            if g == 0
            else role_management_document()
            if g == 1
            else {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": f"s3:Get{g}*", "Resource": "*"}],
            }
        )
        iam.put_group_policy(GroupName=name, PolicyName="inline", PolicyDocument=json.dumps(inline))
        managed = iam.create_policy(
            PolicyName=f"team{g}-managed",
            PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:Get*", "Resource": "*"}]}
            ),
        )
        iam.attach_group_policy(GroupName=name, PolicyArn=managed["Policy"]["Arn"])
    key = iam.create_access_key(UserName="grouped")["AccessKey"]
    return {"AWS_ACCESS_KEY_ID": key["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"]}


def doctor_calls_with_simulator(env: dict[str, str], project: Path) -> int:
    """doctor in-process, with SimulatePrincipalPolicy answered "allowed" by a stand-in (moto has no simulator);
    each call the stand-in answers counts as the one request a real simulator would take."""
    from agentcore_ext.aws import gateway as aws
    from agentcore_ext.flows.doctor import doctor
    from agentcore_ext.report import Report
    from agentcore_ext.settings import Settings
    from agentcore_ext.state import SimulationResult

    def simulate(self: aws.Gateway, principal: str, actions: Any, resources: Any, context: Any) -> Any:
        self.calls += 1
        return [SimulationResult(a, r, "allowed") for a in actions for r in resources]

    saved_env, saved_sim = dict(os.environ), aws.Gateway.simulate_principal_policy
    os.environ.clear()
    os.environ.update(env)
    aws.Gateway.simulate_principal_policy = simulate  # type: ignore[method-assign]
    try:
        report = Report("doctor")
        doctor(Settings(workdir=str(project)), report)
        return report.aws_calls
    finally:
        aws.Gateway.simulate_principal_policy = saved_sim  # type: ignore[method-assign]
        os.environ.clear()
        os.environ.update(saved_env)


def compile_package() -> None:
    """Byte-compile agentcore_ext as an installed wheel is. The toolkit's modules were compiled by pip at install
    time; an editable checkout's are compiled on first import, and never when PYTHONDONTWRITEBYTECODE is set (as on
    some CI machines): each run would then compile our ~90 modules again, ~130 ms that no installed user pays."""
    import compileall

    compileall.compile_dir(str(ROOT / "agentcore_ext"), quiet=1)


def main() -> int:
    compile_package()
    import boto3

    from agentcore_ext.aws.sandbox import FULL_ACCESS_DOCUMENT, role_management_document
    from agentcore_ext.iam.policy import parse_policy
    from agentcore_ext.judge.permissions import judge_permissions
    from agentcore_ext.judge.requirements import permissions_document, trust_document
    from agentcore_ext.state import AgentSpec

    sys.path.insert(0, str(ROOT / "tests"))  # the same moto server helper the subprocess tests use
    from moto_process import child_env, moto_server_process

    work = Path(tempfile.mkdtemp(prefix="agentcore-ext-bench-"))
    with moto_server_process() as url:
        iam = boto3.client(
            "iam", endpoint_url=url, region_name=REGION, aws_access_key_id="a", aws_secret_access_key="a"
        )
        iam.create_user(UserName="dev", Path="/developers/")
        iam.put_user_policy(UserName="dev", PolicyName="roles", PolicyDocument=json.dumps(role_management_document()))
        managed = iam.create_policy(PolicyName="FullAccess", PolicyDocument=json.dumps(FULL_ACCESS_DOCUMENT))
        iam.attach_user_policy(UserName="dev", PolicyArn=managed["Policy"]["Arn"])
        key = iam.create_access_key(UserName="dev")["AccessKey"]
        # The role: one inline and one managed policy, compliant together.
        spec = AgentSpec("hello_agent", ACCOUNT, REGION, memory=False)
        role = "BedrockAgentCoreRuntime-us-east-1-hello_agent"
        arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust_document(spec)))["Role"]["Arn"]
        doc = permissions_document(spec)
        half = len(doc["Statement"]) // 2
        iam.put_role_policy(
            RoleName=role,
            PolicyName="inline",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": doc["Statement"][:half]}),
        )
        pol = iam.create_policy(
            PolicyName="agent-managed",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": doc["Statement"][half:]}),
        )
        iam.attach_role_policy(RoleName=role, PolicyArn=pol["Policy"]["Arn"])

        env = child_env(url, AWS_ACCESS_KEY_ID=key["AccessKeyId"], AWS_SECRET_ACCESS_KEY=key["SecretAccessKey"])
        project = work / "hello_agent"
        shutil.copytree(ROOT / "examples" / "hello_agent", project, ignore=shutil.ignore_patterns("__pycache__"))
        ext, agentcore = str(BIN / "agentcore-ext"), str(BIN / "agentcore")

        print(f"agentcore-ext benchmark: {REPEAT} interleaved runs per side, medians; moto server at {url}\n")
        helps = ab(
            "agentcore-ext --help",
            lambda: run_measured([ext, "--help"], project, env),
            "agentcore --help",
            lambda: run_measured([agentcore, "--help"], project, env),
        )
        (ta, _), (tb, _) = helps.values()
        show("--help", f"{ta:.3f} s vs agentcore {tb:.3f} s: {ta / tb:.2f}x", "<= 0.15x", ta / tb <= 0.15)

        common = ["-e", "hello_agent.py", "--disable-memory", "--deployment-type", "container", "--region", REGION]
        conf = ab(
            "agentcore-ext configure",
            lambda: run_measured([ext, "configure", *common, "--yes"], project, env),
            "agentcore configure -er",
            lambda: run_measured(
                [agentcore, "configure", *common, "--execution-role", arn, "--non-interactive"], project, env
            ),
        )
        (ca, ma), (cb, mb) = conf.values()
        show(
            "configure, compliant role: time",
            f"{ca:.3f} s vs plain {cb:.3f} s: {ca / cb:.2f}x",
            "<= 1.15x",
            ca / cb <= 1.15,
        )
        show(
            "configure, compliant role: memory",
            f"{ma:.0f} MiB vs plain {mb:.0f} MiB: {ma / mb:.2f}x",
            "<= 1.1x",
            ma / mb <= 1.1,
        )

        out = subprocess.run([ext, "doctor", "--json"], cwd=project, env=env, capture_output=True, text=True)
        calls = json.loads(out.stdout)["stats"]["aws_calls"]
        show("doctor AWS calls", f"{calls} (simulator unavailable: caller's policies read)", "-", True)
        with_sim = doctor_calls_with_simulator(env, project)
        # Issue 6's budget (<= 8) predates the CodeBuild role check (issue 13: its GetRole, listings and documents)
        # and issue 14's trade of requests for round trips (the caller's first policy reads go out beside the
        # simulator, unused when it answers): round trips are the goal now (latency mode), the count is shown.
        show("doctor AWS calls, simulator", f"{with_sim} (stand-in simulator: 2 calls, one per context)", "-", True)

        docs = [
            parse_policy(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": f"S{p}x{s}",
                            "Effect": "Allow",
                            "Action": [f"svc{s}:Get*", "logs:Describe*"],
                            "Resource": [f"arn:aws:svc{s}:{REGION}:{ACCOUNT}:thing/{p}/*"],
                            "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}} if s % 5 == 0 else {},
                        }
                        for s in range(50)
                    ],
                },
                name=f"p{p}",
            )
            for p in range(10)
        ]
        docs.append(parse_policy(permissions_document(spec), name="agent"))
        timings = []
        for _ in range(max(REPEAT, 20)):
            start = time.perf_counter()
            verdict = judge_permissions(docs, spec)
            timings.append(time.perf_counter() - start)
        assert verdict.ok
        med = statistics.median(timings) * 1000
        show(
            "judge 10 x 50 statements",
            f"{med:.1f} ms median, first run {timings[0] * 1000:.1f} ms",
            "< 50 ms",
            med < 50,
        )

        if os.environ.get("BENCH_LATENCY", "1") != "0":
            from bench_latency import latency_proxy
            from bench_rtt import latency_mode

            grouped = group_caller(iam)
            with latency_proxy(url) as proxy:
                penv = {**env, "AWS_ENDPOINT_URL": proxy.url}
                genv = {**penv, **grouped}
                latency_mode(proxy, iam, penv, genv, project, ext, agentcore, arn, common, ab, run_measured)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

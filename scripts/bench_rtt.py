"""`make bench`'s latency mode: every request held 80 ms by a proxy (scripts/bench_latency.py) in front of moto.

Measures, each printed with its goal (issue 14) and whether it holds:
- configure with a compliant role against plain `agentcore configure -er ARN` (both through the proxy);
- sequential round trips (depth) of doctor, doctor when the simulator answers, a first-time create, and doctor for
  a caller in 10 groups;
- IAM propagation: with a modelled lag (reads miss a new role / inline policy for L seconds), how much longer than
  L a first-time create takes beyond the same create without lag.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_latency import LatencyProxy

DELAY = 0.08


def verdict(ok: bool) -> str:
    return "holds" if ok else "MISSED"


def show(label: str, figure: str, goal: str, ok: bool) -> dict[str, Any]:
    print(f"{label:<34} {figure:<44} goal {goal:<24} {verdict(ok)}")
    return {"what": label, "figure": figure, "goal": goal, "holds": ok}


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({out.returncode}): {out.stderr[-2000:]}")
    return out


def depth_of(proxy: LatencyProxy, run: Callable[[], Any]) -> tuple[int, int]:
    mark = proxy.mark()
    run()
    return proxy.depth_since(mark)


def doctor_with_simulator(proxy: LatencyProxy, env: dict[str, str], project: Path) -> tuple[int, int]:
    """doctor in-process through the proxy; SimulatePrincipalPolicy answered "allowed" by a stand-in that takes
    one round trip (moto has no simulator). (depth, requests)"""
    import time

    from agentcore_ext.aws import gateway as aws
    from agentcore_ext.flows.doctor import doctor
    from agentcore_ext.report import Report
    from agentcore_ext.settings import Settings
    from agentcore_ext.state import SimulationResult

    def simulate(self: aws.Gateway, principal: str, actions: Any, resources: Any, context: Any) -> Any:
        self._count()
        start = time.perf_counter()
        time.sleep(proxy.delay)
        proxy.record(start, time.perf_counter(), "SimulatePrincipalPolicy")
        return [SimulationResult(a, r, "allowed") for a in actions for r in resources]

    saved_env, saved_sim = dict(os.environ), aws.Gateway.simulate_principal_policy
    os.environ.clear()
    os.environ.update(env)
    aws.Gateway.simulate_principal_policy = simulate  # type: ignore[method-assign]
    try:
        mark = proxy.mark()
        report = Report("doctor")
        doctor(Settings(workdir=str(project)), report)
        return proxy.depth_since(mark)
    finally:
        aws.Gateway.simulate_principal_policy = saved_sim  # type: ignore[method-assign]
        os.environ.clear()
        os.environ.update(saved_env)


def latency_mode(
    proxy: LatencyProxy,
    iam: Any,
    env: dict[str, str],
    group_env: dict[str, str],
    project: Path,
    ext: str,
    agentcore: str,
    arn: str,
    common: list[str],
    ab: Callable[..., dict[str, Any]],
    run_measured: Callable[..., tuple[float, float, int]],
) -> list[dict[str, Any]]:
    """Every latency-mode measure; env/group_env point at the proxy. Returns the rows printed."""
    rows: list[dict[str, Any]] = []
    proxy.delay = DELAY
    print(f"\nlatency mode: {DELAY * 1000:.0f} ms added to every request by a proxy in front of moto")
    conf = ab(
        "ext",
        lambda: run_measured([ext, "configure", *common, "--yes"], project, env),
        "plain",
        lambda: run_measured(
            [agentcore, "configure", *common, "--execution-role", arn, "--non-interactive"], project, env
        ),
    )
    (ca, _), (cb, _) = conf.values()
    rows.append(
        show(
            "configure, compliant role",
            f"{ca:.3f} s vs plain {cb:.3f} s ({(ca - cb) * 1000:+.0f} ms)",
            "<= plain + 160 ms",
            ca - cb <= 2 * DELAY,
        )
    )
    d, n = depth_of(proxy, lambda: _run([ext, "configure", *common, "--yes"], project, env))
    rows.append(show("configure round trips (all)", f"{d} sequential, {n} requests (toolkit's included)", "-", True))
    d, n = depth_of(proxy, lambda: _run([ext, "doctor", "--json"], project, env))
    rows.append(show("doctor round trips", f"{d} sequential, {n} requests", "<= 3", d <= 3))
    d, n = doctor_with_simulator(proxy, env, project)
    rows.append(show("doctor round trips, simulator", f"{d} sequential, {n} requests", "<= 2", d <= 2))
    creates = []
    for i in range(2):
        cmd = [ext, "role", "ensure", "-n", f"fresh_{os.getpid()}_{i}", "--yes", "--json"]
        creates.append(depth_of(proxy, lambda cmd=cmd: _run(cmd, project, env)))  # type: ignore[misc]
    d, n = max(creates)
    rows.append(show("first-time create round trips", f"{d} sequential, {n} requests", "<= 10", d <= 10))
    out: list[Any] = []
    d, n = depth_of(proxy, lambda: out.append(_run([ext, "doctor", "--json"], project, group_env)))
    calls = json.loads(out[0].stdout)["stats"]["aws_calls"]
    rows.append(
        show("caller in 10 groups, doctor", f"{d} sequential, {n} requests ({calls} aws_calls)", "<= 6", d <= 6)
    )
    rows += propagation(proxy, env, project, ext)
    return rows


def propagation(proxy: LatencyProxy, env: dict[str, str], project: Path, ext: str) -> list[dict[str, Any]]:
    """A first-time create with reads lagging L s behind each write, against the same create without lag."""
    import time

    rows: list[dict[str, Any]] = []
    proxy.delay = 0.0
    runs = 3
    seq = [0]

    def create(lag: float) -> float:
        proxy.lag = lag
        seq[0] += 1
        cmd = [ext, "role", "ensure", "-n", f"lag_{os.getpid()}_{seq[0]}", "--yes", "--json"]
        start = time.perf_counter()
        _run(cmd, project, env)
        return time.perf_counter() - start

    try:
        for lag in (1.2, 4.0):
            base, lagged = [], []
            for _ in range(runs):
                base.append(create(0.0))
                lagged.append(create(lag))
            over = statistics.median(lagged) - statistics.median(base) - lag
            rows.append(
                show(
                    f"IAM propagation, {lag:g} s lag",
                    f"create {statistics.median(lagged):.2f} s vs {statistics.median(base):.2f} s: {over:+.2f} s",
                    "overshoot <= 0.5 s",
                    over <= 0.5,
                )
            )
    finally:
        proxy.lag, proxy.delay = 0.0, DELAY
    return rows

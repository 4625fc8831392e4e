# ruff: noqa: F811  (tests take the imported `world` fixture as their parameter)
"""Issue 21, red-team item 7: the deploy guard decides "help" as the toolkit's parser does, guards every toolkit
command that deploys, and says when --skip-checks skipped it.

End to end: the CLI in a subprocess, the real toolkit, a moto server. The caller may do everything configure needs
but not pass the CodeBuild role (the FullAccess policy), so a guarded deploy stops with DEPLOY_STOPPED (exit 3)
before anything is built, and an unguarded one would build.
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from import_agent_driver import AGENT_ID, ALIAS_ID
from test_e2e import REGION, ROOT, World, world  # noqa: F401  (the fixture)

from agentcore_ext.aws.sandbox import FULL_ACCESS_DOCUMENT
from agentcore_ext.cli import passthrough
from agentcore_ext.judge.caller_policy import CallerScope, caller_document

DRIVER = Path(__file__).with_name("import_agent_driver.py")
CONFIGURE = ("configure", "-e", "hello_agent.py", "--disable-memory", "--yes", "--json")
IMPORT = (
    *("--agent-id", AGENT_ID, "--agent-alias-id", ALIAS_ID, "--target-platform", "strands"),
    *("--region", REGION, "--verbose", "--deploy-runtime", "--output-dir", "imported"),
)
DEPLOYING = (("deploy",), ("launch",), ("import-agent",), ("create", "import"))
SKIPPED_LINE = "checks skipped at your request"


def _importing(command: tuple[str, ...]) -> bool:
    return command[-1].startswith("import")


def _caller_who_may_not_deploy(w: World) -> None:
    """Configure works; the deploy preflight denies iam:PassRole of the CodeBuild role (DEPLOY_STOPPED)."""
    w.developer(FULL_ACCESS_DOCUMENT, caller_document(CallerScope("123456789012", deploy_mode=None)), name="fa")
    # If a guard ever let a deploy through, the toolkit's AgentCore calls reach moto, never AWS.
    w.env["BEDROCK_AGENTCORE_CP_ENDPOINT"] = w.env["BEDROCK_AGENTCORE_DP_ENDPOINT"] = w.url


def _built(w: World) -> list[str]:
    """What a deploy makes before CreateAgentRuntime: a repository, a source bucket, a CodeBuild project."""
    session = boto3.Session(aws_access_key_id="admin", aws_secret_access_key="admin", region_name=REGION)
    return [
        *(
            r["repositoryName"]
            for r in session.client("ecr", endpoint_url=w.url).describe_repositories()["repositories"]
        ),
        *(b["Name"] for b in session.client("s3", endpoint_url=w.url).list_buckets()["Buckets"]),
        *session.client("codebuild", endpoint_url=w.url).list_projects()["projects"],
    ]


def _run(w: World, command: tuple[str, ...], *args: str, configured: bool = False) -> subprocess.CompletedProcess[str]:
    """`agentcore-ext COMMAND ARGS` (an import through the driver); Enter at every toolkit configure prompt.
    configured: the agent is configured first (an import configures its own)."""
    if configured and not _importing(command):
        assert w.run(*CONFIGURE)[0] == 0
    head = [str(DRIVER)] if _importing(command) else ["-m", "agentcore_ext"]
    return subprocess.run(
        [sys.executable, *head, *command, *(IMPORT if _importing(command) else ()), *args],
        cwd=w.workdir,
        env=w.env,
        input="\n" * 80,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _as_value(command: tuple[str, ...], token: str) -> list[str]:
    """`token` as the value of one of the command's options (click gives it to that option, not to --help)."""
    return ["--run-option", token] if _importing(command) else ["-t", token]


@pytest.mark.parametrize("command", DEPLOYING, ids=" ".join)
@pytest.mark.parametrize("token", ["-h", "--help"])
def test_redteam_07_deploy_tag_value_dash_h_is_guarded(world: World, command: tuple[str, ...], token: str) -> None:
    _caller_who_may_not_deploy(world)
    done = _run(world, command, *_as_value(command, token), configured=True)
    assert done.returncode == 3, done.stderr
    assert "DEPLOY_STOPPED" in done.stderr and "deploy stopped before the image build" in done.stderr
    assert _built(world) == []
    if _importing(command):  # the import itself ran: its project is there, its deploy was stopped
        assert (world.workdir / "imported" / "strands_agent.py").is_file()


@pytest.mark.parametrize("command", DEPLOYING, ids=" ".join)
def test_redteam_07_help_after_double_dash_is_an_argument_not_help(world: World, command: tuple[str, ...]) -> None:
    _caller_who_may_not_deploy(world)
    done = _run(world, command, "--", "--help")
    assert done.returncode == 2, done.stderr  # the toolkit takes no arguments: a usage error, nothing runs
    assert "unexpected extra argument" in done.stderr and "--help" in done.stderr
    assert "Usage:" not in done.stdout and "DEPLOY_STOPPED" not in done.stderr
    assert _built(world) == [] and not (world.workdir / "imported").exists()


@pytest.mark.parametrize("command", DEPLOYING, ids=" ".join)
def test_redteam_07_real_help_shows_help_and_checks_nothing(world: World, command: tuple[str, ...]) -> None:
    _caller_who_may_not_deploy(world)
    done = _run(world, command, "--help")
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout and f"{passthrough.SKIP_FLAG}" in done.stdout.split("agentcore-ext options")[1]
    assert "DEPLOY_STOPPED" not in done.stderr and "AWS calls" not in done.stderr
    assert _built(world) == [] and not (world.workdir / "imported").exists()


def test_redteam_07_import_agent_deploy_runtime_is_guarded(world: World) -> None:
    _caller_who_may_not_deploy(world)
    done = _run(world, ("import-agent",), "--run-option", "none")
    assert done.returncode == 3, done.stderr
    assert "DEPLOY_STOPPED" in done.stderr and "the deploy it started for it did not run" in done.stderr
    assert _built(world) == []
    # the toolkit's configure did run in the shell the import started (the deploy after it was the one stopped)
    assert (world.workdir / "imported" / ".bedrock_agentcore.yaml").is_file()


def test_redteam_07_deploy_skip_checks_says_so_in_one_line(world: World) -> None:
    # No project: the toolkit's own deploy runs (the guard would have needed the YAML) and says what is missing.
    done = subprocess.run(
        [sys.executable, "-m", "agentcore_ext", "deploy", "--skip-checks"],
        cwd=world.workdir,
        env=world.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "agentcore deploy failed" in done.stderr and "Configuration not found" in done.stderr  # the toolkit's
    lines = [line for line in done.stderr.splitlines() if SKIPPED_LINE in line]
    assert len(lines) == 1 and passthrough.SKIP_FLAG in lines[0]
    assert "AWS calls" not in done.stderr  # no check ran


def test_redteam_07_import_agent_skip_checks_reaches_its_deploy_with_one_line(world: World) -> None:
    _caller_who_may_not_deploy(world)
    # The toolkit's deploy fails at its first build step, ECR, unreachable here: quick, and proof that it ran.
    world.env.update(AWS_ENDPOINT_URL_ECR="http://127.0.0.1:9", AWS_MAX_ATTEMPTS="1")
    done = _run(world, ("import-agent",), "--run-option", "none", "--skip-checks")
    assert "DEPLOY_STOPPED" not in done.stderr and "AWS calls" not in done.stderr  # no check ran
    assert len([line for line in done.stderr.splitlines() if SKIPPED_LINE in line]) == 1
    assert "Launch failed" in done.stdout + done.stderr and "127.0.0.1:9" in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("args", "helps"),
    [
        (["-h"], True),
        (["--disable-memory", "--help"], True),
        (["-r", REGION, "-h"], True),
        (["-n", "-h"], False),  # an agent named `-h`: its usage error, not the help
        (["--name", "--help"], False),
        (["--name=-h"], False),
    ],
)
def test_redteam_07_configure_help_is_what_click_hands_to_the_help_option(
    tmp_path: Path, args: list[str], helps: bool
) -> None:
    shutil.copy(ROOT / "examples" / "hello_agent" / "hello_agent.py", tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "agentcore_ext", "configure", "-e", "hello_agent.py", *args, "--dry-run", "--json"],
        cwd=tmp_path,
        env={**os.environ, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"},  # nothing may be asked of AWS
        capture_output=True,
        text=True,
        timeout=60,
    )
    if helps:
        assert done.returncode == 0 and done.stdout.startswith("Usage: agentcore-ext configure"), done.stderr
    else:
        assert done.returncode == 2, done.stderr
        (finding,) = json.loads(done.stdout)["findings"]
        assert finding["code"] == "USAGE_ERROR" and "invalid agent name" in finding["message"]


# What the toolkit's parser makes of a command line: the decisions above, without AWS (fast, many placements).
@pytest.mark.parametrize(
    ("args", "helps", "deploys"),
    [
        (["deploy", "--help"], True, passthrough.GUARD_FIRST),
        (["deploy", "-h"], False, passthrough.GUARD_FIRST),  # the toolkit has no -h: its usage error
        (["deploy", "-t", "-h"], False, passthrough.GUARD_FIRST),
        (["deploy", "--image-tag", "--help"], False, passthrough.GUARD_FIRST),
        (["deploy", "--image-tag=--help"], False, passthrough.GUARD_FIRST),
        (["deploy", "--env", "--help"], False, passthrough.GUARD_FIRST),
        (["deploy", "-a", "--help", "-l"], False, passthrough.GUARD_FIRST),
        (["deploy", "--", "--help"], False, passthrough.GUARD_FIRST),
        (["deploy", "-l", "--help"], True, passthrough.GUARD_FIRST),
        (["launch", "-t", "--help"], False, passthrough.GUARD_FIRST),
        (["import-agent", "--deploy-runtime", "--output-dir", "--help"], False, passthrough.GUARD_SHELL),
        (["import-agent", "--help"], True, passthrough.GUARD_SHELL),
        (["create", "import", "--run-option", "-h"], False, passthrough.GUARD_SHELL),
        (["create", "import", "--help"], True, passthrough.GUARD_SHELL),
        (["create", "--help"], True, None),
        (["status", "--help"], True, None),
        (["memory", "create", "--help"], True, None),
        (["invoke", "--help"], True, None),
        (["invoke", "--", "--help"], False, None),
    ],
)
def test_redteam_07_help_and_deploy_are_read_with_the_toolkits_parser(
    args: list[str], helps: bool, deploys: str | None
) -> None:
    call = passthrough.read(args)
    assert (call.help, call.deploys) == (helps, deploys)


def test_redteam_07_the_guard_reads_the_agent_and_mode_from_parsed_values() -> None:
    assert passthrough.read(["deploy", "-t", "-lb", "-aother"]).params["local_build"] is False  # `-lb` is the tag
    assert passthrough.read(["deploy", "-t", "-lb", "-aother"]).params["agent"] == "other"
    assert passthrough.read(["deploy", "--local-build"]).params["local_build"] is True


def _deploying_functions() -> set[str]:
    """Every function in the toolkit's CLI that deploys: it calls launch_bedrock_agentcore, or it builds a shell
    command that runs `agentcore deploy`/`agentcore launch` (read from the source, not from our table)."""
    import bedrock_agentcore_starter_toolkit.cli as cli

    found: set[str] = set()
    for path in Path(inspect.getfile(cli)).parent.rglob("*.py"):
        module = "bedrock_agentcore_starter_toolkit.cli." + ".".join(
            path.relative_to(Path(cli.__file__).parent).with_suffix("").parts
        )
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and _deploys(node):
                found.add(f"{module.removesuffix('.__init__')}.{node.name}")
    return found


def _deploys(function: ast.FunctionDef) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "launch_bedrock_agentcore":
            return True
        if isinstance(node, ast.Constant) and str(node.value).startswith(("agentcore deploy", "agentcore launch")):
            return True
    return False


def test_redteam_07_every_toolkit_command_that_deploys_is_guarded() -> None:
    assert _deploying_functions() == set(passthrough.DEPLOYING)
    guarded = {" ".join(path) for path, how in passthrough.deploying_commands().items() if how is not None}
    assert guarded == {"deploy", "launch", "import-agent", "create import"}

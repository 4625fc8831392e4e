# ruff: noqa: F811  (tests take the imported `world` fixture as their parameter)
"""End to end (subprocess, the real toolkit, a moto server): `agentcore-ext configure` as a drop-in for
`agentcore configure`, with the toolkit's own spellings (issue 12, "What goes wrong today").
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from test_e2e import ACCOUNT, REGION, ROLE, ROLE_ARN, World, world  # noqa: F401  (the `world` fixture)

BASE = ("configure", "-e", "hello_agent.py", "--disable-memory", "--json")


def _yaml(world: World) -> dict[str, object]:
    data = yaml.safe_load((world.workdir / ".bedrock_agentcore.yaml").read_text())
    assert isinstance(data, dict)
    return data


def test_toolkit_short_flags_are_read_as_the_toolkit_spells_them(world: World) -> None:
    code, report, err = world.run(*BASE, "-ni", "-rf", "requirements.txt", "-do", "--yes")
    assert code == 0, err
    assert report is not None and report["role"]["arn"] == ROLE_ARN  # not ...-i: `-ni` is not `-n i`
    argv = report["configure"]["argv"]
    assert "--non-interactive" in argv and "--requirements-file=requirements.txt" in argv and "--disable-otel" in argv
    data = _yaml(world)
    assert data["default_agent"] == "hello_agent"
    # no stray role from `-ni` read as `-n i`: the execution role and (issue 13) the agent's CodeBuild role only
    names = {r["RoleName"] for r in world.iam.list_roles()["Roles"]}
    assert names == {ROLE, f"BedrockAgentCoreCodeBuild-{REGION}-hello_agent"}


def test_a_compliant_role_given_with_er_and_ni_is_left_alone(world: World) -> None:
    code, _, err = world.run(*BASE, "--yes")
    assert code == 0, err
    before = world.role_state()
    code, report, err = world.run(*BASE, "-er", ROLE_ARN, "-ni")
    assert code == 0, err
    assert report is not None and report["role"]["action_taken"] == "none"
    assert "ROLE_FIX_AVAILABLE" not in {f["code"] for f in report["findings"]}
    assert world.role_state() == before


def test_ecr_short_flag_at_top_level_shapes_the_role(world: World) -> None:
    code, _, err = world.run(*BASE, "-ecr", "team/hello", "--yes")
    assert code == 0, err
    state = world.role_state()
    assert state is not None
    text = json.dumps(state["inline"])
    assert f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/team/hello" in text
    assert "repository/bedrock-agentcore-hello_agent" not in text


@pytest.mark.parametrize(
    "extra",
    [
        ["--bogus"],
        ["stray_word"],
        ["--", "--bogus"],
        ["--", "stray_word"],
        ["--", "set-default", "other"],
        ["--", "--idle-timeout", "5"],
        ["--idle-timeout", "5"],
        ["--vpc"],
        ["--", "--vpc", "--subnets", "subnet-0123456789"],
        ["--subnets", "subnet-0123456789abc"],
    ],
)
def test_input_the_toolkit_rejects_is_exit_2_before_any_aws_change(world: World, extra: list[str]) -> None:
    code, report, err = world.run(*BASE, "--yes", *extra)
    assert code == 2, err
    assert report is not None and "USAGE_ERROR" in {f["code"] for f in report["findings"]}
    assert report["stats"]["aws_calls"] == 0
    assert world.role_state() is None
    assert not (world.workdir / ".bedrock_agentcore.yaml").exists()


def test_direct_code_deploy_without_uv_is_exit_2_before_any_aws_change(world: World, tmp_path: Path) -> None:
    empty = tmp_path / "empty_path"
    empty.mkdir()
    world.env["PATH"] = str(empty)  # the CLI runs as sys.executable -m agentcore_ext: PATH is only for `uv`
    code, report, err = world.run(*BASE, "--yes", "-dt", "direct_code_deploy")
    assert code == 2, err
    assert report is not None and "uv" in report["findings"][0]["message"]
    assert world.role_state() is None


def test_configure_subcommands_pass_through_to_the_toolkit(world: World) -> None:
    code, _, err = world.run(*BASE, "--yes")
    assert code == 0, err
    code, _, err = world.run("configure", "list", check_json=False)
    assert code == 0, err
    code, _, err = world.run("configure", "set-default", "hello_agent", check_json=False)
    assert code == 0, err
    assert "entrypoint" not in err.lower() or "needs" not in err
    code, _, err = world.run("configure", "set-default", "no_such_agent", check_json=False)
    assert code != 0 and "configure needs the agent's entrypoint" not in err
    assert os.path.exists(world.workdir / ".bedrock_agentcore.yaml")


def _codes(report: dict[str, object] | None) -> set[str]:
    assert report is not None
    findings = report["findings"]
    assert isinstance(findings, list)
    return {f["code"] for f in findings}


def test_a_role_the_user_chose_stays_the_target_and_replacing_it_is_said(world: World) -> None:
    # a name `policy caller` lets the developer create (the tool's prefix): moto would create any, IAM would not
    chosen = "BedrockAgentCoreRuntime-team-shared"
    code, _, err = world.run(*BASE, "--role-name", chosen, "--yes")
    assert code == 0, err
    first = (world.workdir / ".bedrock_agentcore.yaml").read_bytes()
    code, report, err = world.run(*BASE, "--yes")
    assert code == 0, err
    assert "CONFIGURED_ROLE_KEPT" in _codes(report) and world.role_state() is None  # no default role made
    assert report is not None and report["role"]["arn"].endswith(f":role/{chosen}")
    assert (world.workdir / ".bedrock_agentcore.yaml.bak").read_bytes() == first  # one generation of backup
    code, report, err = world.run(*BASE, "--role-name", ROLE, "--yes")
    assert code == 0, err
    assert "CONFIGURED_ROLE_REPLACED" in _codes(report)
    assert report is not None and any(
        f["message"].startswith("replacing configured role") and chosen in f["message"] and ROLE_ARN in f["message"]
        for f in report["findings"]
    )
    agents = _yaml(world)["agents"]
    assert isinstance(agents, dict) and agents["hello_agent"]["aws"]["execution_role"] == ROLE_ARN


def test_an_agentcore_create_default_agent_is_not_rewritten(world: World) -> None:
    config = world.workdir / ".bedrock_agentcore.yaml"
    config.write_text(
        "default_agent: created\nagents:\n  created:\n    name: created\n    entrypoint: src/main.py\n"
        "    is_generated_by_agentcore_create: true\n    aws:\n      region: us-east-1\n"
    )
    before = config.read_bytes()
    code, report, err = world.run(*BASE, "--yes")
    assert code == 3, err
    assert "TOOLKIT_OTHER_AGENT" in _codes(report)
    assert report is not None and report["stats"]["aws_calls"] == 0
    assert config.read_bytes() == before and world.role_state() is None


def test_an_invalid_yaml_is_exit_2_before_any_aws_change(world: World) -> None:
    (world.workdir / ".bedrock_agentcore.yaml").write_text("agents: [unclosed\n")
    code, report, _ = world.run(*BASE, "--yes")
    assert code == 2 and "USAGE_ERROR" in _codes(report)
    assert world.role_state() is None


def test_doctor_and_deploy_use_the_yaml_region(world: World) -> None:
    code, _, err = world.run(*BASE, "--yes")
    assert code == 0, err
    world.env["AWS_REGION"] = world.env["AWS_DEFAULT_REGION"] = "eu-west-1"
    code, report, _ = world.run("doctor", "--json")
    assert code == 3 and "REGION_MISMATCH" in _codes(report)
    assert report is not None and report["stats"]["aws_calls"] == 0
    message = next(f["message"] for f in report["findings"] if f["code"] == "REGION_MISMATCH")
    assert "us-east-1" in message and "eu-west-1" in message
    code, _, err = world.run("deploy", check_json=False)
    assert code == 3 and "REGION_MISMATCH" in err


def test_deploy_guard_checks_the_agent_named_with_the_toolkits_spellings(world: World) -> None:
    (world.workdir / "other.py").write_text((world.workdir / "hello_agent.py").read_text())
    assert world.run(*BASE, "--yes")[0] == 0
    assert world.run("configure", "-e", "other.py", "--disable-memory", "--yes", "--json")[0] == 0
    assert world.run("configure", "set-default", "hello_agent", check_json=False)[0] == 0
    broken = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    other_role = "BedrockAgentCoreRuntime-us-east-1-other"
    world.iam.update_assume_role_policy(RoleName=other_role, PolicyDocument=json.dumps(broken))
    for spelling in (["-aother"], ["--agent=other"], ["-a", "other"]):
        code, _, err = world.run("deploy", *spelling, check_json=False)
        assert code == 3, (spelling, err)
        assert "TRUST_SERVICE_NOT_ALLOWED" in err


def test_the_end_of_support_notice_is_shown_once_on_stderr(world: World) -> None:
    world.env.pop("AGENTCORE_SUPPRESS_RECOMMENDATION", None)
    code, report, err = world.run(*BASE, "--yes")  # --json: stdout must still be the one JSON document
    assert code == 0, err
    assert report is not None
    assert err.count("no longer supported") == 1 and "@aws/agentcore" in err


def test_entrypoint_is_found_as_the_toolkit_finds_it(world: World) -> None:
    code, report, _ = world.run("configure", "--disable-memory", "--yes", "--json")  # no agent.py/app.py/main.py
    assert code == 2 and "USAGE_ERROR" in _codes(report) and world.role_state() is None
    src = world.workdir / "src"
    src.mkdir()
    (src / "agent.py").write_text((world.workdir / "hello_agent.py").read_text())
    code, report, err = world.run("configure", "-e", "src", "--disable-memory", "--yes", "--json")
    assert code == 0, err
    assert report is not None and report["role"]["arn"].endswith(":role/BedrockAgentCoreRuntime-us-east-1-src_agent")


def test_a_usage_error_still_shows_the_end_of_support_notice_once(world: World) -> None:
    # The toolkit prints its notice before its own usage errors; the drop-in does the same, on stderr only.
    world.env.pop("AGENTCORE_SUPPRESS_RECOMMENDATION", None)
    code, report, err = world.run(*BASE, "--bogus")
    assert code == 2 and "USAGE_ERROR" in _codes(report)  # stdout is still the one JSON document
    assert err.count("no longer supported") == 1


def test_dry_run_runs_no_toolkit_and_ends_with_the_command_it_would_run(world: World) -> None:
    before = {p.name: p.read_bytes() for p in world.workdir.iterdir() if p.is_file()}
    code, report, err = world.run(*BASE, "--dry-run")
    assert code == 0, err
    assert report is not None and report["configure"]["ran"] is False and report["configure"]["exit_code"] is None
    argv = report["configure"]["argv"]
    assert argv[:2] == ["agentcore", "configure"] and argv[argv.index("--execution-role") + 1] == ROLE_ARN
    last = report["findings"][-1]
    assert (
        last["code"] == "TOOLKIT_NOT_RUN"
        and "would run: agentcore configure --entrypoint hello_agent.py" in (last["message"])
    )
    assert "configure: agentcore configure exited" not in err  # it did not run
    assert {p.name: p.read_bytes() for p in world.workdir.iterdir() if p.is_file()} == before
    assert not (world.workdir / ".bedrock_agentcore").exists() and world.role_state() is None


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_blocked_plan_after_the_toolkit_ran_restores_every_file(world: World) -> None:
    # Another agent configured before, and the user's own .bak: both must come back as they were.
    (world.workdir / "other.py").write_text((world.workdir / "hello_agent.py").read_text())
    assert world.run("configure", "-e", "other.py", "--disable-memory", "--yes", "--json")[0] == 0
    (world.workdir / ".bedrock_agentcore.yaml.bak").write_bytes(b"# mine\n")
    broken = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    world.iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(broken))
    role_before, before = world.role_state(), _tree(world.workdir)
    code, report, err = world.run(*BASE, "--yes")  # a repair is needed and --fix was not given: blocked
    assert code == 3, err
    assert report is not None and report["configure"]["ran"] is True  # the toolkit ran, then the plan blocked
    assert {"ROLE_FIX_AVAILABLE", "CONFIG_RESTORED"} <= _codes(report) and "CONFIG_BACKED_UP" not in _codes(report)
    assert _tree(world.workdir) == before
    assert world.role_state() == role_before

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
    assert world.iam.list_roles()["Roles"] and all(r["RoleName"] == ROLE for r in world.iam.list_roles()["Roles"])


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

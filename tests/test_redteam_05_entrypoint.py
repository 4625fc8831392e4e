# ruff: noqa: F811  (tests take the imported `world` fixture as their parameter)
"""Red-team issue 21, item 5: the toolkit records the entrypoint as an absolute path; every reader of the YAML
(doctor, the deploy guard, role ensure, validate, configure's reprofile) must scan the agent's code from it, never
judge the agent for the default model instead. The YAML's entrypoint is made relative to the working directory where
it is read (toolkit/config.py); one outside the working directory is not scanned, and no model is assumed for it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from test_e2e import ACCOUNT, REGION, World, world  # noqa: F401  (the `world` fixture)

from agentcore_ext.define.spec import agent_spec
from agentcore_ext.flows.profile import agent_profile
from agentcore_ext.judge.needs import effective_models
from agentcore_ext.judge.scan import scan_agent
from agentcore_ext.settings import Settings
from agentcore_ext.toolkit.config import read_agent_config

HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
# The toolkit's `agentcore create` default (its model_provider/bedrock/model/load.py.j2), which agentcore-ext once
# assumed for an agent whose model it did not find: it must never be granted to an agent that does not call it.
CREATE_DEFAULT_MODEL = "anthropic.claude-sonnet-4-5-20250929-v1:0"
AGENT = "src_my_agent"
ROLE = f"BedrockAgentCoreRuntime-{REGION}-{AGENT}"
# The model id lives beside the entry file and is imported the way Python finds it (src/ first on sys.path): only a
# scan whose import roots include src/ sees it.
ENTRY = """import boto3
from bedrock_agentcore.runtime import BedrockAgentCoreApp
from settings import MODEL_ID

app = BedrockAgentCoreApp()
client = boto3.client("bedrock-runtime")


@app.entrypoint
def invoke(payload):
    return client.converse(modelId=MODEL_ID, messages=[{"role": "user", "content": [{"text": "hi"}]}])
"""


def _agent_under_src(folder: Path) -> None:
    (folder / "src").mkdir(exist_ok=True)
    (folder / "src" / "my_agent.py").write_text(ENTRY)
    (folder / "src" / "settings.py").write_text(f'MODEL_ID = "{HAIKU}"\n')


def _codes(report: dict[str, object] | None) -> set[str]:
    assert report is not None
    return {f["code"] for f in report["findings"]}  # type: ignore[attr-defined]


def _yaml_entrypoint(folder: Path) -> str:
    return str(yaml.safe_load((folder / ".bedrock_agentcore.yaml").read_text())["agents"][AGENT]["entrypoint"])


def _granted_models(world: World) -> str:
    state = world.role_state(ROLE)
    assert state is not None
    return json.dumps(state["inline"])


def test_redteam_05_agent_under_src_is_judged_for_its_model(world: World) -> None:
    _agent_under_src(world.workdir)
    code, _, err = world.run("configure", "-e", "src/my_agent.py", "--disable-memory", "--yes", check_json=False)
    assert code == 0, err
    written = _yaml_entrypoint(world.workdir)
    assert written.startswith("/") and written.endswith("/src/my_agent.py")  # the toolkit's absolute path
    assert HAIKU in _granted_models(world) and CREATE_DEFAULT_MODEL not in _granted_models(world)

    code, report, err = world.run("doctor", "--json")
    assert code == 0, err  # was 3: PERMISSIONS_MISSING for the default model the agent never calls
    assert report is not None
    assert report["agent"]["models"] == [
        {"id": HAIKU, "kind": "foundation_model", "source": "src/settings.py:1", "provider": "bedrock"}
    ]
    assert not {"AGENT_SCAN_UNRESOLVED", "PERMISSIONS_MISSING"} & _codes(report)

    code, report, err = world.run("role", "ensure", "-n", AGENT, "--fix", "--json")
    assert code == 0, err
    assert report is not None and report["role"]["action_taken"] == "none"  # --fix grants nothing it does not need
    assert [m["id"] for m in report["agent"]["models"]] == [HAIKU]


def test_redteam_05_the_deploy_guard_judges_the_agents_model(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from agentcore_ext.cli.passthrough import guard, read

    _agent_under_src(world.workdir)
    assert world.run("configure", "-e", "src/my_agent.py", "--disable-memory", "--yes", check_json=False)[0] == 0
    for key, value in world.env.items():
        if key.startswith("AWS_"):
            monkeypatch.setenv(key, value)
    monkeypatch.chdir(world.workdir)
    assert guard(read(["deploy"])) == 0  # was 3: the guard blocked the deploy over the default model


def test_redteam_05_validate_scans_the_yaml_entrypoint(world: World) -> None:
    _agent_under_src(world.workdir)
    assert world.run("configure", "-e", "src/my_agent.py", "--disable-memory", "--yes", check_json=False)[0] == 0
    state = world.role_state(ROLE)
    assert state is not None
    (world.workdir / "trust.json").write_text(json.dumps(state["trust"]))
    (world.workdir / "perms.json").write_text(json.dumps(next(iter(state["inline"].values()))))
    args = ["--trust", "trust.json", "--permissions", "perms.json", "--account", ACCOUNT, "--region", REGION]
    code, report, err = world.run("validate", "-n", AGENT, "--disable-memory", *args, "--json")
    assert code == 0, err
    assert report is not None and [m["id"] for m in report["agent"]["models"]] == [HAIKU]


def _yaml(folder: Path, entrypoint: str) -> None:
    (folder / ".bedrock_agentcore.yaml").write_text(
        f"default_agent: {AGENT}\nagents:\n  {AGENT}:\n    name: {AGENT}\n    entrypoint: {entrypoint}\n"
    )


@pytest.mark.parametrize(
    ("written", "relative"),
    [
        ("{cwd}/src/my_agent.py", "src/my_agent.py"),
        ("{cwd}/src/my_agent.py:app", "src/my_agent.py"),  # the toolkit's `path:variable` form
        ("{cwd}/src/../src/my_agent.py", "src/my_agent.py"),
        ("src/my_agent.py", "src/my_agent.py"),  # written by hand, relative: as it was
    ],
)
def test_redteam_05_the_yaml_entrypoint_is_read_relative_to_the_working_directory(
    tmp_path: Path, written: str, relative: str
) -> None:
    _yaml(tmp_path, written.format(cwd=tmp_path.resolve()))
    config = read_agent_config(tmp_path)
    assert config is not None and config.entrypoint == relative and config.entrypoint_outside is None


def test_redteam_05_a_working_directory_reached_by_a_symlink_still_matches(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    os.symlink(real, tmp_path / "link")
    _yaml(real, f"{real.resolve()}/src/my_agent.py")  # the toolkit writes the resolved path
    config = read_agent_config(tmp_path / "link")
    assert config is not None and config.entrypoint == "src/my_agent.py"


@pytest.mark.parametrize("written", ["/elsewhere/project/src/my_agent.py", "../sibling/my_agent.py"])
def test_redteam_05_an_entrypoint_outside_is_unresolved_and_no_model_is_assumed(tmp_path: Path, written: str) -> None:
    _agent_under_src(tmp_path)
    _yaml(tmp_path, written)
    config = read_agent_config(tmp_path)
    assert config is not None and config.entrypoint is None and config.entrypoint_outside == written
    profile, findings = agent_profile(Settings(agent_name=AGENT, workdir=str(tmp_path)), config, scan_agent)
    assert [f.code for f in findings] == ["ENTRYPOINT_NOT_SCANNED"]  # a warning; no model is assumed
    assert findings[0].level == "warning" and written in findings[0].message
    assert profile.unresolved == (
        f"{written} (.bedrock_agentcore.yaml agents.{AGENT}.entrypoint): outside the working directory, not scanned",
    )
    spec = agent_spec(Settings(agent_name=AGENT, region=REGION), account=ACCOUNT, profile=profile)
    assert effective_models(spec) == ()  # --fix would otherwise grant the default model the agent may never call


def test_redteam_05_a_model_flag_still_counts_for_an_unscanned_agent(tmp_path: Path) -> None:
    _yaml(tmp_path, "/elsewhere/my_agent.py")
    config = read_agent_config(tmp_path)
    settings = Settings(agent_name=AGENT, workdir=str(tmp_path), models=(HAIKU,))
    profile, findings = agent_profile(settings, config, scan_agent)
    spec = agent_spec(settings.with_(region=REGION), account=ACCOUNT, profile=profile)
    assert [m.id for m in effective_models(spec)] == [HAIKU]
    assert [f.code for f in findings] == ["ENTRYPOINT_NOT_SCANNED"]  # its AWS calls are still unknown


def test_redteam_05_an_absolute_entrypoint_flag_inside_is_scanned(tmp_path: Path) -> None:
    _agent_under_src(tmp_path)
    settings = Settings(agent_name=AGENT, workdir=str(tmp_path), entrypoint=str(tmp_path / "src" / "my_agent.py"))
    profile, findings = agent_profile(settings, None, scan_agent)
    assert [(m.id, m.source) for m in profile.models] == [(HAIKU, "src/settings.py:1")] and findings == []

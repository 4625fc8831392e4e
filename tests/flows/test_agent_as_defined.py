"""Issue 20, class 1: the agent's shape comes from where it is defined (.bedrock_agentcore.yaml, flags, team
defaults), decided once (define/shape.py), and every command judges that shape: a `direct_code_deploy` agent with
`NO_MEMORY` is asked for no ECR pull and no memory event; a fact nobody gave is reported, not imagined.

The YAML blocks are shaped as the toolkit 0.3.14 writes them: `agentcore configure -dt direct_code_deploy -dm` (CLI)
and the notebook API `Runtime().configure(...)`, whose memory default is NO_MEMORY (RUNTIME-NEEDS.md, memory row).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from agentcore_ext.cli.app import app
from agentcore_ext.define.spec import agent_spec
from agentcore_ext.judge.requirements import permissions_document, trust_document
from agentcore_ext.settings import Settings
from agentcore_ext.state import AgentProfile, ModelUse

ACCOUNT, REGION, AGENT = "123456789012", "us-west-2", "notebook_agent"
MODEL = "us.anthropic.claude-3-7-sonnet-20250219-v1:0"
AGENT_CODE = f"""from bedrock_agentcore.runtime import BedrockAgentCoreApp
from strands import Agent
from strands.models import BedrockModel

app = BedrockAgentCoreApp()
agent = Agent(model=BedrockModel(model_id="{MODEL}"))


@app.entrypoint
def invoke(payload):
    return {{"result": str(agent(payload.get("prompt", "")))}}
"""


def _block(deployment_type: str, memory_mode: str, **extra: Any) -> dict[str, Any]:
    return {
        "name": AGENT,
        "entrypoint": f"{AGENT}.py",
        "deployment_type": deployment_type,
        "runtime_type": "PYTHON_3_11" if deployment_type == "direct_code_deploy" else None,
        "platform": "linux/arm64",
        "aws": {
            "execution_role": f"arn:aws:iam::{ACCOUNT}:role/AgentRole",
            "execution_role_auto_create": False,
            "account": ACCOUNT,
            "region": REGION,
            "ecr_repository": None,
            "ecr_auto_create": deployment_type == "container",
            "network_configuration": {"network_mode": "PUBLIC"},
            "protocol_configuration": {"server_protocol": "HTTP"},
        },
        "memory": {"mode": memory_mode, "event_expiry_days": 30},
        **extra,
    }


def _project(tmp_path: Path, block: dict[str, Any]) -> Path:
    (tmp_path / f"{AGENT}.py").write_text(AGENT_CODE)
    config = {"default_agent": AGENT, "agents": {AGENT: block}}
    (tmp_path / ".bedrock_agentcore.yaml").write_text(yaml.safe_dump(config))
    return tmp_path


def _documents(tmp_path: Path, *, deployment_type: str, memory: bool) -> tuple[str, str]:
    """The documents agentcore-ext itself would write for the agent of that shape (no ECR, no memory when so)."""
    spec = agent_spec(
        Settings(agent_name=AGENT, region=REGION, deployment_type=deployment_type, memory=memory or None),
        account=ACCOUNT,
        profile=AgentProfile(models=(ModelUse(MODEL, f"{AGENT}.py:6"),)),
    )
    trust, perms = tmp_path / "trust.json", tmp_path / "perms.json"
    trust.write_text(json.dumps(trust_document(spec)))
    perms.write_text(json.dumps(permissions_document(spec)))
    return str(trust), str(perms)


def _validate(project: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, dict[str, Any]]:
    monkeypatch.chdir(project)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # validate makes no AWS call
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):  # the agent's region is the YAML's
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(app, ["validate", "--account", ACCOUNT, "--json", *args])
    return result.exit_code, json.loads(result.stdout)


def _needed(report: dict[str, Any]) -> set[str]:
    return {a for r in report["role"]["requirements"] for a in r["actions"]}


@pytest.mark.parametrize("deployment_type", ["direct_code_deploy", "container"])
def test_validate_in_a_no_memory_yaml_folder_asks_for_no_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, deployment_type: str
) -> None:
    (tmp_path / "p").mkdir()
    project = _project(tmp_path / "p", _block(deployment_type, "NO_MEMORY"))
    trust, perms = _documents(tmp_path, deployment_type=deployment_type, memory=False)
    code, report = _validate(project, monkeypatch, "--trust", trust, "--permissions", perms)
    assert code == 0, [(f["code"], f["message"]) for f in report["findings"] if f["severity"] != "info"]
    needed = _needed(report)
    assert not any(a.startswith("bedrock-agentcore:") and "Event" in a for a in needed)  # no memory events
    assert ("ecr:BatchGetImage" in needed) is (deployment_type == "container")
    facts = {f["fact"]: f["source"] for f in report["agent"]["facts"]}
    assert facts["deployment_type"] == f".bedrock_agentcore.yaml agents.{AGENT}.deployment_type"
    assert facts["memory_mode"] == f".bedrock_agentcore.yaml agents.{AGENT}.memory.mode"


def test_validate_direct_code_deploy_yaml_agent_role_without_ecr_is_compliant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the class the issue counted: a working role called broken because the YAML's shape was ignored
    (tmp_path / "p").mkdir()
    project = _project(tmp_path / "p", _block("direct_code_deploy", "NO_MEMORY"))
    trust, perms = _documents(tmp_path, deployment_type="direct_code_deploy", memory=False)
    assert "ecr:" not in Path(perms).read_text()
    code, report = _validate(project, monkeypatch, "--trust", trust, "--permissions", perms)
    assert code == 0 and report["role"]["permissions_ok"] is True, report["findings"]
    assert "DEPLOYMENT_TYPE_UNKNOWN" not in {f["code"] for f in report["findings"]}


def test_a_flag_outranks_the_yaml_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "p").mkdir()
    project = _project(tmp_path / "p", _block("direct_code_deploy", "NO_MEMORY"))
    trust, perms = _documents(tmp_path, deployment_type="direct_code_deploy", memory=False)
    code, report = _validate(project, monkeypatch, "--trust", trust, "--permissions", perms, "-dt", "container")
    assert code == 3  # a container agent needs the ECR pull these documents lack
    facts = {f["fact"]: f["source"] for f in report["agent"]["facts"]}
    assert facts["deployment_type"] == "--deployment-type"


def test_validate_without_any_source_reports_the_deployment_type_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / f"{AGENT}.py").write_text(AGENT_CODE)
    trust, _ = _documents(tmp_path, deployment_type="container", memory=False)
    code, report = _validate(tmp_path, monkeypatch, "-e", f"{AGENT}.py", "--region", REGION, "--trust", trust)
    assert code == 0, [(f["code"], f["message"]) for f in report["findings"] if f["severity"] != "info"]
    codes = {f["code"] for f in report["findings"]}
    assert "DEPLOYMENT_TYPE_UNKNOWN" in codes
    # no memory was imagined: nothing says the agent has one and its code calls none
    assert not any(f["name"] == "memory" for f in report["agent"]["features"])


def test_policy_in_a_yaml_folder_prints_the_yamls_shape(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "p").mkdir()
    project = _project(tmp_path / "p", _block("direct_code_deploy", "NO_MEMORY"))
    monkeypatch.chdir(project)
    args = ["policy", "permissions", "-n", AGENT, "--account", ACCOUNT, "--region", REGION]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "ecr:BatchGetImage" not in text and "CreateEvent" not in text


def test_a_memory_id_from_a_source_ranked_above_the_yaml_scopes_the_memory(tmp_path: Path) -> None:
    # the deployed runtime (GetAgentRuntime) or a template names the memory: the role is judged on that memory
    from agentcore_ext.define.facts import MEMORY_ID, Fact, Rank
    from agentcore_ext.flows.profile import profiled_spec
    from agentcore_ext.report import Report

    (tmp_path / "p").mkdir()
    project = _project(tmp_path / "p", _block("container", "STM_ONLY"))
    deployed = Fact(MEMORY_ID, "notebook_agent_mem-AbCdEf1234", "GetAgentRuntime r-1", Rank.DEPLOYED)
    settings = Settings(agent_name=AGENT, region=REGION, workdir=str(project), facts=(deployed,))
    spec = profiled_spec(settings, Report("doctor"), account=ACCOUNT)
    assert spec.profile.memory_id == "notebook_agent_mem-AbCdEf1234"
    needs = {r for req in spec_requirements(spec) for r in req}
    assert f"arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:memory/notebook_agent_mem-AbCdEf1234" in needs


def spec_requirements(spec: Any) -> list[list[str]]:
    from agentcore_ext.judge.needs import requirement_blocks

    return [list(r["resources"]) for r in requirement_blocks(spec)]

"""Issue 20, the deployed runtime: `doctor` (and the deploy guard, which runs it) reads the agent's runtime with
GetAgentRuntime (the one .bedrock_agentcore.yaml records after a deploy, else the runtime of the agent's name) and
judges with what it says: its image's repository, protocol, network mode, role and environment variables, each a fact
of rank DEPLOYED (below a template, the YAML, team defaults and flags). A refused or unsupported read is a warning
naming the permission, and the role is still judged.

moto holds the runtime (CreateAgentRuntime) and the roles; the agent's code reads its model and memory from
os.environ, so only the runtime's environment says which model and memory the role must allow.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from botocore.awsrequest import AWSResponse, HTTPHeaders
from moto.bedrockagentcorecontrol.exceptions import BedrockAgentCoreControlClientError
from moto.bedrockagentcorecontrol.models import BedrockAgentCoreControlBackend
from typer.testing import CliRunner

from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.aws.runtime import RuntimeRead, runtime_id_of, runtime_reader
from agentcore_ext.cli.app import app
from agentcore_ext.define.deployed import HIDDEN, deployed_runtime, role_differs, with_deployed
from agentcore_ext.define.facts import Fact, Rank
from agentcore_ext.define.spec import agent_spec
from agentcore_ext.flows import session as session_flow
from agentcore_ext.judge.requirements import permissions_document, trust_document
from agentcore_ext.settings import Settings
from agentcore_ext.state import AgentProfile, AgentSpec, Feature, FeatureUse, ModelUse

ACCOUNT, REGION, AGENT = "123456789012", "us-east-1", "travel"
MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0"
MEMORY = "travel_memory-Qw3rTy7890"
REPOSITORY = "custom-agents/travel"
IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{REPOSITORY}:v3"
ROLE = "TravelAgentRole"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{ROLE}"
SECRET = "sk-live-do-not-print-0123456789"
ENVIRONMENT = {"MODEL_ID": MODEL, "MEMORY_ID": MEMORY, "WEATHER_API_KEY": SECRET}
AGENT_CODE = """import os

from bedrock_agentcore.memory.integrations.strands.config import AgentCoreMemoryConfig
from bedrock_agentcore.runtime import BedrockAgentCoreApp
from strands import Agent
from strands.models import BedrockModel

app = BedrockAgentCoreApp()
MODEL_ID = os.environ["MODEL_ID"]


@app.entrypoint
def invoke(payload, context):
    memory = AgentCoreMemoryConfig(memory_id=os.environ["MEMORY_ID"], session_id=context.session_id, actor_id="u")
    agent = Agent(model=BedrockModel(model_id=MODEL_ID))
    return {"result": str(agent(payload["prompt"])), "memory": memory.memory_id}
"""
MODEL_ARN = f"arn:aws:bedrock:{REGION}::foundation-model/{MODEL}"
REPOSITORY_ARN = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{REPOSITORY}"
MEMORY_ARN = f"arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:memory/{MEMORY}"


class AccessDeniedException(BedrockAgentCoreControlClientError):
    code = "AccessDeniedException"


def _runtime(
    session: boto3.Session, role_arn: str = ROLE_ARN, endpoint: str | None = None, **changes: Any
) -> dict[str, Any]:
    """CreateAgentRuntime as a deploy makes it: a container image in the team's own repository, serving MCP."""
    params: dict[str, Any] = {
        "agentRuntimeName": AGENT,
        "agentRuntimeArtifact": {"containerConfiguration": {"containerUri": IMAGE}},
        "roleArn": role_arn,
        "networkConfiguration": {"networkMode": "PUBLIC"},
        "protocolConfiguration": {"serverProtocol": "MCP"},
        "environmentVariables": ENVIRONMENT,
        **changes,
    }
    client = session.client("bedrock-agentcore-control", region_name=REGION, endpoint_url=endpoint)
    out: dict[str, Any] = client.create_agent_runtime(**params)
    return out


def _block(runtime: dict[str, Any] | None) -> dict[str, Any]:
    """The agent's block as the toolkit 0.3.14 writes it after `agentcore deploy` (bedrock_agentcore: the runtime);
    no repository of its own (the image was built elsewhere), no protocol recorded."""
    return {
        "name": AGENT,
        "entrypoint": f"{AGENT}.py",
        "deployment_type": "container",
        "platform": "linux/arm64",
        "container_runtime": "none",
        "aws": {
            "execution_role": ROLE_ARN,
            "execution_role_auto_create": False,
            "account": ACCOUNT,
            "region": REGION,
            "ecr_repository": None,
            "ecr_auto_create": False,
            "network_configuration": {"network_mode": "PUBLIC"},
            "observability": {"enabled": True},
        },
        "bedrock_agentcore": {
            "agent_id": runtime["agentRuntimeId"] if runtime else None,
            "agent_arn": runtime["agentRuntimeArn"] if runtime else None,
            "agent_session_id": None,
        },
        "memory": {"mode": "NO_MEMORY"},
    }


def _project(folder: Path, runtime: dict[str, Any] | None) -> Path:
    (folder / f"{AGENT}.py").write_text(AGENT_CODE)
    config = {"default_agent": AGENT, "agents": {AGENT: _block(runtime)}}
    (folder / ".bedrock_agentcore.yaml").write_text(yaml.safe_dump(config))
    return folder


def _role(session: boto3.Session, spec: AgentSpec, endpoint: str | None = None) -> None:
    iam = session.client("iam", endpoint_url=endpoint)
    iam.create_role(RoleName=ROLE, AssumeRolePolicyDocument=json.dumps(trust_document(spec)))
    iam.put_role_policy(RoleName=ROLE, PolicyName="agent", PolicyDocument=json.dumps(permissions_document(spec)))


def _compliant_role(session: boto3.Session) -> None:
    """The role the deployed agent needs (the documents agentcore-ext writes for it): its repository, model, memory."""
    spec = agent_spec(
        Settings(agent_name=AGENT, region=REGION, deployment_type="container", protocol="MCP", ecr_repository=IMAGE),
        account=ACCOUNT,
        profile=AgentProfile(
            models=(ModelUse(MODEL, "runtime"),), features=(FeatureUse(Feature.MEMORY, "runtime", MEMORY),)
        ),
    )
    _role(session, spec)


def _default_role(session: boto3.Session, endpoint: str | None = None) -> None:
    """A role made for the agent before it was deployed: the toolkit's default repository, no model or memory."""
    _role(
        session,
        agent_spec(Settings(agent_name=AGENT, region=REGION, deployment_type="container"), account=ACCOUNT),
        endpoint,
    )


def _doctor(folder: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, dict[str, Any], str]:
    monkeypatch.chdir(folder)
    result = CliRunner().invoke(app, ["doctor", "--json", *args])
    assert "Traceback" not in result.output, result.output
    return result.exit_code, json.loads(result.stdout), result.stderr


def _facts(report: dict[str, Any]) -> dict[str, dict[str, str]]:
    return {f["fact"]: f for f in report["agent"]["facts"]}


def _required(report: dict[str, Any]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for r in report["role"]["requirements"]:
        if r["level"] == "required":
            for action in r["actions"]:
                out.setdefault(action, set()).update(r["resources"])
    return out


def _codes(report: dict[str, Any]) -> set[str]:
    return {f["code"] for f in report["findings"]}


# --- doctor reads the runtime the YAML records ----------------------------------------------------------------


def test_doctor_judges_the_role_with_the_deployed_runtime(
    moto_iam: boto3.Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    runtime = _runtime(moto_iam)
    _compliant_role(moto_iam)
    code, report, stderr = _doctor(_project(tmp_path, runtime), monkeypatch)

    assert code == 0, [(f["code"], f["message"]) for f in report["findings"] if f["severity"] == "error"]
    source = f"GetAgentRuntime {runtime['agentRuntimeId']}"
    facts = _facts(report)
    assert facts["env.MODEL_ID"] == {"fact": "env.MODEL_ID", "value": MODEL, "source": source}
    assert facts["env.MEMORY_ID"] == {"fact": "env.MEMORY_ID", "value": MEMORY, "source": source}
    assert facts["ecr_repository"] == {"fact": "ecr_repository", "value": IMAGE, "source": source}
    assert facts["protocol"] == {"fact": "protocol", "value": "MCP", "source": source}
    assert facts["execution_role"]["value"] == ROLE_ARN and facts["execution_role"]["source"] == source
    # what the YAML says outranks the runtime: its deployment type and network mode stay the YAML's
    assert facts["deployment_type"]["source"] == f".bedrock_agentcore.yaml agents.{AGENT}.deployment_type"
    assert facts["network_mode"]["source"].startswith(".bedrock_agentcore.yaml")
    # the role is judged for the runtime's repository, and the model and memory its environment names
    required = _required(report)
    assert required["ecr:BatchGetImage"] == {REPOSITORY_ARN}
    assert required["bedrock:InvokeModel"] == {MODEL_ARN}
    assert MEMORY_ARN in required["bedrock-agentcore:CreateEvent"]
    assert [m["id"] for m in report["agent"]["models"]] == [MODEL]
    assert source in report["agent"]["models"][0]["source"]
    assert report["agent"]["unresolved"] == []
    assert not _codes(report) & {"DEPLOYED_RUNTIME_UNREAD", "DEPLOYED_ROLE_DIFFERS", "AGENT_SCAN_UNRESOLVED"}
    # a secret-looking variable is a fact, its value never printed
    assert facts["env.WEATHER_API_KEY"]["value"] == HIDDEN
    assert SECRET not in json.dumps(report) and SECRET not in stderr


def test_without_the_runtime_the_same_role_misses_what_only_the_runtime_says(
    moto_iam: boto3.Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The control: a role made for the toolkit's default repository fails on the runtime's own repository."""
    runtime = _runtime(moto_iam)
    _default_role(moto_iam)
    code, report, _ = _doctor(_project(tmp_path, runtime), monkeypatch)
    assert code == 3
    missing = next(f["message"] for f in report["findings"] if f["code"] == "PERMISSIONS_MISSING")
    assert f"ecr:BatchGetImage on {REPOSITORY_ARN}" in missing and MODEL_ARN in missing


def test_env_flags_outrank_the_runtime(
    moto_iam: boto3.Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    runtime = _runtime(moto_iam)
    _compliant_role(moto_iam)
    other = "amazon.nova-pro-v1:0"
    _, report, _ = _doctor(_project(tmp_path, runtime), monkeypatch, "--env", f"MODEL_ID={other}")
    assert [m["id"] for m in report["agent"]["models"]] == [other]
    assert "from --env" in report["agent"]["models"][0]["source"]
    assert "env.MODEL_ID" not in _facts(report)  # the runtime's value changed no need
    assert _facts(report)["env.MEMORY_ID"]["source"].startswith("GetAgentRuntime ")


def test_the_runtime_is_read_beside_get_caller_identity(
    moto_iam: boto3.Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No round trip of its own (issue 14): with the runtime's id in the YAML's ARN (AgentCore's own shape,
    runtime/ID), GetAgentRuntime goes out while GetCallerIdentity is still unanswered."""
    runtime = _runtime(moto_iam)
    arn = f"arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:runtime/{runtime['agentRuntimeId']}"
    sent = threading.Event()
    together: list[bool] = []

    class Watching(Gateway):
        def _count(self, **kwargs: Any) -> None:
            super()._count(**kwargs)
            event = str(kwargs.get("event_name", ""))
            if event.endswith(".GetAgentRuntime"):
                sent.set()
            elif event.endswith(".GetCallerIdentity"):
                together.append(sent.wait(timeout=10))

    monkeypatch.setattr(session_flow, "Gateway", Watching)
    _, report, _ = _doctor(_project(tmp_path, {**runtime, "agentRuntimeArn": arn}), monkeypatch)
    assert together == [True]
    assert _facts(report)["env.MODEL_ID"]["source"] == f"GetAgentRuntime {runtime['agentRuntimeId']}"


def test_a_yaml_without_the_runtime_finds_it_by_the_agents_name(
    moto_iam: boto3.Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _runtime(moto_iam, agentRuntimeName="someone_elses_agent", environmentVariables={"MODEL_ID": "amazon.titan"})
    runtime = _runtime(moto_iam)
    _compliant_role(moto_iam)
    code, report, _ = _doctor(_project(tmp_path, None), monkeypatch)
    assert code == 0, report["findings"]
    assert _facts(report)["env.MODEL_ID"]["source"] == f"GetAgentRuntime {runtime['agentRuntimeId']}"
    assert [m["id"] for m in report["agent"]["models"]] == [MODEL]


def test_no_runtime_deployed_is_no_finding(
    moto_iam: boto3.Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _compliant_role(moto_iam)
    _, report, _ = _doctor(_project(tmp_path, None), monkeypatch)
    assert not any(f["source"].startswith("GetAgentRuntime") for f in report["agent"]["facts"])
    assert "DEPLOYED_RUNTIME_UNREAD" not in _codes(report)
    assert any("MODEL_ID" in u for u in report["agent"]["unresolved"])  # nobody said: unknown, not guessed


def test_a_runtime_running_with_another_role_is_a_warning_naming_both(
    moto_iam: boto3.Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    old = f"arn:aws:iam::{ACCOUNT}:role/service-role/OldTravelRole"
    runtime = _runtime(moto_iam, role_arn=old)
    _compliant_role(moto_iam)
    code, report, _ = _doctor(_project(tmp_path, runtime), monkeypatch)
    assert code == 0
    warning = next(f for f in report["findings"] if f["code"] == "DEPLOYED_ROLE_DIFFERS")
    assert warning["severity"] == "warning"
    assert old in warning["message"] and ROLE_ARN in warning["message"]
    assert f"--execution-role {old}" in warning["hint"]


# --- a runtime that cannot be read ------------------------------------------------------------------------------


def _refuse(*_: Any, **__: Any) -> Any:
    raise AccessDeniedException(
        f"User: arn:aws:iam::{ACCOUNT}:user/dev is not authorized to perform: bedrock-agentcore:GetAgentRuntime"
    )


def _not_implemented(*_: Any, **__: Any) -> Any:
    raise NotImplementedError("GetAgentRuntime")


@pytest.mark.parametrize("failure", [_refuse, _not_implemented], ids=["refused", "not-implemented"])
def test_an_unreadable_runtime_is_a_warning_and_the_role_is_still_judged(
    moto_iam: boto3.Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, failure: Any
) -> None:
    runtime = _runtime(moto_iam)
    _compliant_role(moto_iam)
    monkeypatch.setattr(BedrockAgentCoreControlBackend, "get_agent_runtime", failure)
    code, report, _ = _doctor(_project(tmp_path, runtime), monkeypatch)
    assert code in (0, 3)  # judged: compliant or not for what the other sources say, never stopped by the read
    warning = next(f for f in report["findings"] if f["code"] == "DEPLOYED_RUNTIME_UNREAD")
    assert warning["severity"] == "warning"
    assert "bedrock-agentcore:GetAgentRuntime" in warning["message"]
    assert "allow bedrock-agentcore:GetAgentRuntime" in warning["hint"]
    assert not any(f["source"].startswith("GetAgentRuntime") for f in report["agent"]["facts"])
    # judged all the same, with what the other sources say: not the runtime's repository, which only it names
    assert report["role"]["trust_ok"] is True and isinstance(report["role"]["permissions_ok"], bool)
    assert REPOSITORY_ARN not in _required(report).get("ecr:BatchGetImage", set())
    assert any("MODEL_ID" in u for u in report["agent"]["unresolved"])


# --- the read itself (aws/runtime.py) ---------------------------------------------------------------------------


def test_the_reader_asks_for_the_id_in_an_agentcore_arn_and_pages_the_listing_by_name(
    moto_iam: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = _runtime(moto_iam)
    gateway = Gateway(session=moto_iam, sleep=lambda s: None)
    arn = f"arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:runtime/{runtime['agentRuntimeId']}"
    assert runtime_id_of(arn) == runtime["agentRuntimeId"]
    assert runtime_id_of(runtime["agentRuntimeArn"]) is None  # moto's own ARN shape (agent/<uuid>:1)
    direct = runtime_reader(gateway, name="not-asked", runtime_arn=arn)()
    assert direct.error is None and direct.answer is not None and direct.found_by == "the YAML's agent_arn"
    assert direct.answer["environmentVariables"] == ENVIRONMENT and "ResponseMetadata" not in direct.answer
    assert gateway.calls == 1  # GetAgentRuntime alone

    # moto answers in one page: a first page with none of the runtimes and a nextToken, then moto's answer
    client = gateway._client("bedrock-agentcore-control")
    monkeypatch.setattr(Gateway, "_client", lambda self, service: client)
    tokens: list[str | None] = []

    def first_page_empty(**_: Any) -> Any:
        if tokens[-1] == "page-2":
            return None  # sent to moto
        return AWSResponse("http://page-1", 200, HTTPHeaders(), None), {"agentRuntimes": [], "nextToken": "page-2"}

    operation = "bedrock-agentcore-control.ListAgentRuntimes"
    client.meta.events.register(
        f"before-parameter-build.{operation}", lambda params, **_: tokens.append(params.get("nextToken"))
    )
    client.meta.events.register(f"before-call.{operation}", first_page_empty)
    by_name = runtime_reader(gateway, name=AGENT, runtime_arn=None)()
    assert by_name.runtime_id == runtime["agentRuntimeId"] and tokens == [None, "page-2"]
    assert by_name.found_by == f"ListAgentRuntimes: the runtime named {AGENT}"
    nothing = runtime_reader(gateway, name="never_deployed", runtime_arn=None)()
    assert nothing == RuntimeRead()


# --- the pure reading -------------------------------------------------------------------------------------------


def test_a_code_runtime_with_a_public_image_or_unknown_values_gives_only_what_it_says() -> None:
    code = deployed_runtime(
        "r-1",
        {
            "agentRuntimeArtifact": {"codeConfiguration": {"code": {"s3": {"bucket": "b", "prefix": "p"}}}},
            "protocolConfiguration": {"serverProtocol": "SMTP"},
            "environmentVariables": {"BEDROCK_AGENTCORE_MEMORY_ID": MEMORY, "bad name": "x", "CTRL": "a\x1bb"},
        },
    )
    assert {(f.name, f.value) for f in code.facts} == {
        ("deployment_type", "direct_code_deploy"),
        ("env.BEDROCK_AGENTCORE_MEMORY_ID", MEMORY),
        ("memory_id", MEMORY),
    }
    assert all(f.rank is Rank.DEPLOYED and f.source == "GetAgentRuntime r-1" for f in code.facts)
    public = deployed_runtime("r-2", {"agentRuntimeArtifact": {"containerConfiguration": {"containerUri": "nginx"}}})
    assert {(f.name, f.value) for f in public.facts} == {("deployment_type", "container")}
    # a wildcard never becomes a resource the role is judged or written for
    wild = deployed_runtime("r-3", {"environmentVariables": {"BEDROCK_AGENTCORE_MEMORY_ID": "*"}, "roleArn": "*"})
    assert {(f.name, f.value) for f in wild.facts} == {("env.BEDROCK_AGENTCORE_MEMORY_ID", "*")}
    assert wild.role_arn is None


def test_with_deployed_leaves_out_what_env_flags_give_and_the_role_comparison_ignores_paths() -> None:
    runtime = deployed_runtime("r-1", {"environmentVariables": {"A": "runtime", "B": "runtime"}, "roleArn": ROLE_ARN})
    given = Settings(env=(Fact("env.A", "flag", "--env", Rank.FLAG),))
    settings = with_deployed(given, runtime)
    assert settings.env == given.env  # --env as given; the runtime's variables join the ranked facts
    assert {f.name for f in settings.facts} == {"env.B", "execution_role"}
    assert role_differs(runtime, f"arn:aws:iam::{ACCOUNT}:role/agents/{ROLE.lower()}") is None
    assert role_differs(runtime, f"arn:aws:iam::{ACCOUNT}:role/Other") is not None


# --- doctor --sandbox, end to end ------------------------------------------------------------------------------


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "agentcore_ext", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
    )


def test_doctor_in_the_sandbox_reads_the_deployed_runtime(tmp_path: Path) -> None:
    """A runtime deployed in the sandbox (CreateAgentRuntime, its environment included) is read by
    `doctor --sandbox`, which judges the role with it: the model only the runtime's environment names is required."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BEDROCK_AGENTCORE_"))}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    project = tmp_path / "travel"
    project.mkdir()
    try:
        started = _run(["sandbox", "start", "--json"], project, env)
        assert started.returncode == 0, started.stderr
        endpoint = json.loads(started.stdout)["endpoint_url"]
        # moto maps an unknown key to its default account's root: the sandbox's account, as the seeding uses it
        seed = boto3.Session(aws_access_key_id="seed", aws_secret_access_key="seed", region_name=REGION)
        runtime = _runtime(seed, endpoint=endpoint)
        _default_role(seed, endpoint)
        _project(project, runtime)

        doctor = _run(["doctor", "--sandbox", "--json"], project, env)
        assert "Traceback" not in doctor.stderr
        report = json.loads(doctor.stdout)
        source = f"GetAgentRuntime {runtime['agentRuntimeId']}"
        facts = _facts(report)
        assert facts["env.MODEL_ID"] == {"fact": "env.MODEL_ID", "value": MODEL, "source": source}
        assert facts["ecr_repository"]["source"] == source and facts["env.WEATHER_API_KEY"]["value"] == HIDDEN
        assert SECRET not in doctor.stdout + doctor.stderr
        assert doctor.returncode == 3  # the role was made before the runtime said which model and repository
        missing = next(f["message"] for f in report["findings"] if f["code"] == "PERMISSIONS_MISSING")
        assert MODEL_ARN in missing and REPOSITORY_ARN in missing
    finally:
        stopped = _run(["sandbox", "stop"], project, env)
        shutil.rmtree(tmp_path / "cache", ignore_errors=True)
    assert stopped.returncode == 0, stopped.stderr

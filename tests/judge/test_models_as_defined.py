"""Issue 20, classes 3 and 4: an agent is judged for the models its code defines, Bedrock or not, and for what its
protocol and memory calls really need (RUNTIME-NEEDS.md, corrected rows). Each agent is written the way people
write them, its folder scanned (never imported), and literal role documents judged against it.

- An MCP tool server (FastMCP) calls no model: no Bedrock permission at all (RUNTIME-NEEDS.md, row "an MCP tool
  server or any agent that calls no model"; INTERFACE.md 2026-12, "No model is assumed for an agent that calls none").
- An A2A server does not call InvokeAgentRuntime on itself (row "serving A2A").
- MemoryClient.get_memory_strategies calls GetMemory (bedrock_agentcore/memory/client.py, SDK 1.25): required.
- Non-Bedrock models (OpenAI Agents SDK, Google ADK, Strands OpenAIModel, the Anthropic API) are named with their
  provider in `agent.models` and need no Bedrock permission.
- Strands `Agent()` calls the default of the strands-agents version the agent pins (judge/strands_default.py);
  unpinned, the model is unknown and judged as some model.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from moto_process import child_env

from agentcore_ext.findings import codes
from agentcore_ext.flows.profile import profiled_spec
from agentcore_ext.iam.policy import parse_policy
from agentcore_ext.judge.needs import requirement_blocks
from agentcore_ext.judge.permissions import judge_permissions
from agentcore_ext.report import Report
from agentcore_ext.settings import Settings
from agentcore_ext.state import AgentSpec

ACCOUNT, REGION, NAME = "123456789012", "us-east-1", "desk"
INVOKE = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]


def src(text: str) -> str:
    return dedent(text).lstrip("\n")


def allow(actions: list[str] | str, resources: list[str] | str, **condition: Any) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Allow", "Action": actions, "Resource": resources}
    return st | ({"Condition": condition} if condition else {})


def observability(region: str = REGION) -> list[dict[str, Any]]:
    """What every runtime needs whatever it serves: its logs, traces and metrics, and the workload-identity token
    the toolkit's template recommends (a direct_code_deploy agent: no image to pull)."""
    runtimes = f"arn:aws:logs:{region}:{ACCOUNT}:log-group:/aws/bedrock-agentcore/runtimes/*"
    directory = f"arn:aws:bedrock-agentcore:{region}:{ACCOUNT}:workload-identity-directory/default"
    xray = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
    return [
        allow(["logs:CreateLogGroup", "logs:DescribeLogStreams"], runtimes),
        allow("logs:DescribeLogGroups", f"arn:aws:logs:{region}:{ACCOUNT}:log-group:*"),
        allow(["logs:CreateLogStream", "logs:PutLogEvents"], f"{runtimes}:log-stream:*"),
        allow(xray, "*"),
        allow("cloudwatch:PutMetricData", "*", StringEquals={"cloudwatch:namespace": "bedrock-agentcore"}),
        allow(
            "bedrock-agentcore:GetWorkloadAccessTokenForUserId",
            [directory, f"{directory}/workload-identity/{NAME}-*"],
        ),
    ]


OBSERVABILITY = observability()
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "bedrock-agentcore.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": ACCOUNT},
                "ArnLike": {"aws:SourceArn": f"arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:*"},
            },
        }
    ],
}


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


def profiled(folder: Path, entry: str, *, region: str = REGION, protocol: str = "HTTP") -> tuple[AgentSpec, Report]:
    settings = Settings(
        agent_name=NAME,
        region=region,
        workdir=str(folder),
        entrypoint=entry,
        deployment_type="direct_code_deploy",
        memory=False,
        protocol=protocol,
    )
    report = Report("validate")
    return profiled_spec(settings, report, account=ACCOUNT), report


def judged(spec: AgentSpec, *statements: dict[str, Any]) -> Any:
    return judge_permissions([parse_policy(doc(*statements))], spec)


def actions(spec: AgentSpec, level: str = "required") -> set[str]:
    return {a for block in requirement_blocks(spec) if block["level"] == level for a in block["actions"]}


# --- an MCP tool server calls no model ---------------------------------------------------------------------

MCP_SERVER = src('''
    """Unit conversions for the travel desk, served over MCP (agentcore configure --protocol MCP)."""
    from mcp.server.fastmcp import FastMCP

    mcp = FastMCP(host="0.0.0.0", stateless_http=True)

    RATES = {("EUR", "USD"): 1.08, ("USD", "EUR"): 0.93}


    @mcp.tool()
    def convert(amount: float, source: str, target: str) -> float:
        """Convert an amount between two currencies at today's desk rate."""
        return round(amount * RATES[(source.upper(), target.upper())], 2)


    @mcp.tool()
    def km_to_miles(km: float) -> float:
        return round(km * 0.621371, 1)


    if __name__ == "__main__":
        mcp.run(transport="streamable-http")
''')


def test_runtime_needs_an_mcp_server_with_no_model_needs_no_bedrock_permission(tmp_path: Path) -> None:
    spec, report = profiled(write(tmp_path, {"server.py": MCP_SERVER}), "server.py", protocol="MCP")
    assert not any(a.startswith("bedrock:") for block in requirement_blocks(spec) for a in block["actions"])
    verdict = judged(spec, *OBSERVABILITY)  # a role without any Bedrock statement
    assert verdict.ok and codes(verdict.findings) == set(), verdict.findings
    assert report.agent is not None and report.agent.to_dict()["models"] == []
    assert "MODEL_ASSUMED" not in codes(report.findings)


def run_validate(folder: Path, permissions: dict[str, Any], *args: str) -> tuple[int, dict[str, Any], str]:
    """`agentcore-ext validate` in a subprocess, the way users run it, offline (a closed port for any AWS call)."""
    (folder / "trust.json").write_text(json.dumps(TRUST))
    (folder / "permissions.json").write_text(json.dumps(permissions))
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "agentcore_ext", "validate", "--name", NAME, "--region", REGION),
            *("--account", ACCOUNT, "--deployment-type", "direct_code_deploy", "--disable-memory"),
            *("--trust", "trust.json", "--permissions", "permissions.json", "--json", *args),
        ],
        cwd=folder,
        env=child_env("http://127.0.0.1:9"),
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    return proc.returncode, json.loads(proc.stdout), proc.stderr


def test_runtime_needs_validate_passes_an_mcp_servers_role_without_bedrock(tmp_path: Path) -> None:
    folder = write(tmp_path / "desk", {"server.py": MCP_SERVER})
    code, report, err = run_validate(folder, doc(*OBSERVABILITY), "--entrypoint", "server.py", "--protocol", "MCP")
    assert code == 0, err
    assert report["ok"] and report["findings"] == [] and report["agent"]["models"] == []
    assert not any(r["feature"] == "model" for r in report["role"]["requirements"])


# --- an A2A server does not invoke its own runtime ---------------------------------------------------------

A2A_SERVER = src('''
    import os

    import uvicorn
    from fastapi import FastAPI
    from strands import Agent, tool
    from strands.models import BedrockModel
    from strands.multiagent.a2a import A2AServer


    @tool
    def free_slots(day: str) -> list[str]:
        """The calendar's free slots on a day (YYYY-MM-DD)."""
        return ["09:00", "14:30"]


    calendar = Agent(
        name="Calendar Agent",
        description="Finds free meeting slots.",
        model=BedrockModel(model_id="us.amazon.nova-pro-v1:0", temperature=0.1),
        tools=[free_slots],
    )
    server = A2AServer(
        agent=calendar,
        http_url=os.environ.get("AGENTCORE_RUNTIME_URL", "http://127.0.0.1:9000/"),
        serve_at_root=True,
    )
    app = FastAPI()


    @app.get("/ping")
    def ping() -> dict[str, str]:
        return {"status": "healthy"}


    app.mount("/", server.to_fastapi_app())

    if __name__ == "__main__":
        uvicorn.run(app, host="0.0.0.0", port=9000)
''')
NOVA_PRO = [
    allow(
        INVOKE,
        [
            f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/us.amazon.nova-pro-v1:0",
            "arn:aws:bedrock:*::foundation-model/amazon.nova-pro-v1:0",
        ],
    )
]


def test_runtime_needs_serving_a2a_needs_no_invoke_agent_runtime(tmp_path: Path) -> None:
    spec, _ = profiled(write(tmp_path, {"agent.py": A2A_SERVER}), "agent.py", protocol="A2A")
    assert spec.protocol == "A2A"
    assert not {a for a in actions(spec) | actions(spec, "recommended") if "InvokeAgentRuntime" in a}
    verdict = judged(spec, *OBSERVABILITY, *NOVA_PRO)  # no InvokeAgentRuntime anywhere
    assert verdict.ok and codes(verdict.findings) == set(), verdict.findings
    assert not judged(spec, *OBSERVABILITY).ok  # its model is still needed


def test_runtime_needs_validate_passes_an_a2a_servers_role_without_invoke_agent_runtime(tmp_path: Path) -> None:
    folder = write(tmp_path / "calendar", {"agent.py": A2A_SERVER})
    code, report, err = run_validate(folder, doc(*OBSERVABILITY, *NOVA_PRO), "--entrypoint", "agent.py", "-p", "A2A")
    assert code == 0, err
    # the geographic profile's destinations come from the table offline: an info finding says so, nothing else
    assert report["ok"] and [f["code"] for f in report["findings"]] == ["PROFILE_REGIONS_FROM_TABLE"]
    assert [(m["id"], m["provider"]) for m in report["agent"]["models"]] == [("us.amazon.nova-pro-v1:0", "bedrock")]
    assert not any("InvokeAgentRuntime" in a for r in report["role"]["requirements"] for a in r["actions"])


# --- MemoryClient reads its memory's strategies at start: GetMemory is required ----------------------------

MEMORY_ID = "support_mem-Ab12Cd34Ef"
MEMORY_AGENT = src("""
    import os

    from bedrock_agentcore.memory import MemoryClient
    from bedrock_agentcore.runtime import BedrockAgentCoreApp
    from strands import Agent
    from strands.models import BedrockModel

    MEMORY_ID = os.environ.get("BEDROCK_AGENTCORE_MEMORY_ID", "support_mem-Ab12Cd34Ef")
    app = BedrockAgentCoreApp()
    memory = MemoryClient(region_name="us-east-1")
    strategies = memory.get_memory_strategies(MEMORY_ID)
    PREFERENCES = next(s["namespaces"][0] for s in strategies if s["type"] == "USER_PREFERENCE")
    agent = Agent(model=BedrockModel(model_id="us.amazon.nova-pro-v1:0"))


    @app.entrypoint
    def invoke(payload, context):
        user = payload.get("user", "anonymous")
        known = memory.retrieve_memories(
            memory_id=MEMORY_ID, namespace=PREFERENCES.format(actorId=user), query=payload["prompt"]
        )
        answer = agent(f"{payload['prompt']}\\n\\nWhat we know: {known}")
        memory.create_event(
            memory_id=MEMORY_ID,
            actor_id=user,
            session_id=context.session_id,
            messages=[(payload["prompt"], "USER"), (str(answer), "ASSISTANT")],
        )
        return {"result": str(answer)}
""")
MEMORY_ARN = f"arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:memory/{MEMORY_ID}"
EVENTS = [f"bedrock-agentcore:{a}" for a in ("CreateEvent", "ListEvents", "GetEvent", "RetrieveMemoryRecords")]


def test_runtime_needs_memory_get_memory_strategies_requires_get_memory(tmp_path: Path) -> None:
    spec, _ = profiled(write(tmp_path, {"agent.py": MEMORY_AGENT}), "agent.py")
    assert "bedrock-agentcore:GetMemory" in actions(spec)
    memory = next(b for b in requirement_blocks(spec) if b["feature"] == "memory" and b["level"] == "required")
    assert memory["resources"] == [MEMORY_ARN] and "agent.py:11" in memory["reason"]
    events_only = judged(spec, *OBSERVABILITY, *NOVA_PRO, allow(EVENTS, MEMORY_ARN))
    assert not events_only.ok and events_only.missing_actions == ("bedrock-agentcore:GetMemory",)
    with_read = judged(spec, *OBSERVABILITY, *NOVA_PRO, allow([*EVENTS, "bedrock-agentcore:GetMemory"], MEMORY_ARN))
    assert with_read.ok, with_read.findings


def test_runtime_needs_memory_a_session_manager_alone_keeps_get_memory_recommended(tmp_path: Path) -> None:
    agent = src(f'''
        from bedrock_agentcore.memory.integrations.strands.config import AgentCoreMemoryConfig
        from bedrock_agentcore.memory.integrations.strands.session_manager import AgentCoreMemorySessionManager
        from strands import Agent
        from strands.models import BedrockModel

        config = AgentCoreMemoryConfig(memory_id="{MEMORY_ID}", session_id="s-1", actor_id="u-1")
        agent = Agent(
            model=BedrockModel(model_id="us.amazon.nova-pro-v1:0"),
            session_manager=AgentCoreMemorySessionManager(config, "us-east-1"),
        )
    ''')
    spec, _ = profiled(write(tmp_path, {"agent.py": agent}), "agent.py")
    assert "bedrock-agentcore:GetMemory" in actions(spec, "recommended") - actions(spec)
    verdict = judged(spec, *OBSERVABILITY, *NOVA_PRO, allow(EVENTS, MEMORY_ARN))
    assert verdict.ok and codes(verdict.findings) == {"RECOMMENDED_PERMISSIONS_MISSING"}


# --- models of other providers: named with their provider, no Bedrock permission ---------------------------

OPENAI_AGENTS = src('''
    from agents import Agent, Runner, function_tool
    from bedrock_agentcore.runtime import BedrockAgentCoreApp

    app = BedrockAgentCoreApp()


    @function_tool
    def order_status(order_id: str) -> str:
        """The shipping status of an order."""
        return f"{order_id}: shipped"


    support = Agent(
        name="Support",
        instructions="Answer questions about orders politely.",
        model="gpt-4o",
        tools=[order_status],
    )


    @app.entrypoint
    async def invoke(payload):
        result = await Runner.run(support, payload.get("prompt", ""))
        return {"result": result.final_output}
''')


def test_an_openai_agents_sdk_agent_names_its_model_and_needs_no_bedrock(tmp_path: Path) -> None:
    spec, report = profiled(write(tmp_path, {"agent.py": OPENAI_AGENTS}), "agent.py")
    assert report.agent is not None
    assert report.agent.to_dict()["models"] == [
        {"id": "gpt-4o", "kind": "other_provider", "source": "agent.py:16", "provider": "openai"}
    ]
    assert not any(a.startswith("bedrock:") for a in actions(spec) | actions(spec, "recommended"))
    assert judged(spec, *OBSERVABILITY).ok


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            """
            from google.adk.agents import Agent

            root_agent = Agent(name="planner", model="gemini-2.0-flash", instruction="Plan the trip.")
            """,
            [("gemini-2.0-flash", "gemini", "agent.py:3")],
        ),
        (
            """
            import os
            from strands import Agent
            from strands.models.openai import OpenAIModel

            model = OpenAIModel(client_args={"api_key": os.environ["OPENAI_API_KEY"]}, model_id="gpt-4o-mini")
            agent = Agent(model=model, system_prompt="Be brief.")
            """,
            [("gpt-4o-mini", "openai", "agent.py:5")],
        ),
        (
            """
            import anthropic

            client = anthropic.Anthropic()

            def summarise(text: str) -> str:
                reply = client.messages.create(
                    model="claude-3-5-haiku-latest", max_tokens=400, messages=[{"role": "user", "content": text}]
                )
                return reply.content[0].text
            """,
            [("claude-3-5-haiku-latest", "anthropic", "agent.py:7")],
        ),
        (  # the Anthropic SDK's Bedrock client takes Bedrock model ids: a Bedrock model (Anthropic's Bedrock docs)
            """
            from anthropic import AnthropicBedrock

            client = AnthropicBedrock(aws_region="us-east-1")
            HAIKU = "us.anthropic.claude-3-5-haiku-20241022-v1:0"
            reply = client.messages.create(model=HAIKU, max_tokens=200, messages=[])
            """,
            [("us.anthropic.claude-3-5-haiku-20241022-v1:0", "bedrock", "agent.py:4")],
        ),
    ],
    ids=["google-adk-gemini", "strands-openai-model", "anthropic-api", "anthropic-bedrock-client"],
)
def test_agent_models_name_every_model_with_its_provider(
    tmp_path: Path, code: str, expected: list[tuple[str, str, str]]
) -> None:
    spec, report = profiled(write(tmp_path, {"agent.py": src(code)}), "agent.py")
    assert report.agent is not None
    assert [(m["id"], m["provider"], m["source"]) for m in report.agent.to_dict()["models"]] == expected
    bedrock = any(provider == "bedrock" for _, provider, _ in expected)
    assert bedrock == ("bedrock:InvokeModel" in actions(spec))


def test_a_model_given_as_a_functions_default_argument_is_found(tmp_path: Path) -> None:
    code = src("""
        from agents import Agent as OpenAIAgent
        from strands import Agent
        from strands_tools import calculator


        def build_math_agent(model_id: str = "us.amazon.nova-lite-v1:0") -> Agent:
            return Agent(model=model_id, tools=[calculator], system_prompt="Show your working.")


        def build_triage(model: str = "gpt-4.1-mini") -> OpenAIAgent:
            return OpenAIAgent(name="Triage", instructions="Route the question.", model=model)
    """)
    spec, report = profiled(write(tmp_path, {"agent.py": code}), "agent.py")
    assert report.agent is not None
    assert [(m["id"], m["provider"], m["source"]) for m in report.agent.to_dict()["models"]] == [
        ("us.amazon.nova-lite-v1:0", "bedrock", "agent.py:7 (default of parameter model_id)"),
        ("gpt-4.1-mini", "openai", "agent.py:11 (default of parameter model)"),
    ]
    model = next(b for b in requirement_blocks(spec) if b["feature"] == "model")
    assert f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/us.amazon.nova-lite-v1:0" in model["resources"]


# --- Strands Agent() with no model: the default of the pinned strands-agents --------------------------------

STRANDS_DEFAULT_AGENT = src("""
    from bedrock_agentcore.runtime import BedrockAgentCoreApp
    from strands import Agent
    from strands_tools import current_time

    app = BedrockAgentCoreApp()
    agent = Agent(tools=[current_time], system_prompt="You are the front desk of a small hotel.")


    @app.entrypoint
    def invoke(payload):
        return {"result": str(agent(payload.get("prompt", "Hello")))}
""")
SONNET_4 = "anthropic.claude-sonnet-4-20250514-v1:0"


@pytest.mark.parametrize(
    ("region", "profile"),
    [
        ("us-east-1", f"us.{SONNET_4}"),
        ("eu-central-1", f"eu.{SONNET_4}"),
        ("ap-southeast-2", f"apac.{SONNET_4}"),
    ],
)
def test_strands_agent_with_no_model_calls_the_region_prefixed_default_of_1_10(
    tmp_path: Path, region: str, profile: str
) -> None:
    # strands-agents 1.8 to 1.37: `_get_default_model_with_warning` prefixes the model by the region's group
    files = {"agent.py": STRANDS_DEFAULT_AGENT, "requirements.txt": "bedrock-agentcore\nstrands-agents==1.10.0\n"}
    spec, report = profiled(write(tmp_path, files), "agent.py", region=region)
    assert report.agent is not None
    [model] = report.agent.to_dict()["models"]
    assert (model["id"], model["kind"]) == (profile, "geo_profile")
    assert (
        model["source"] == f"agent.py:6 (the default model of strands-agents==1.10.0 (requirements.txt:2) in {region})"
    )
    profile_arn = f"arn:aws:bedrock:{region}:{ACCOUNT}:inference-profile/{profile}"
    role = [allow(INVOKE, [profile_arn, f"arn:aws:bedrock:*::foundation-model/{SONNET_4}"])]
    assert judged(spec, *observability(region), *role).ok
    other_group = f"arn:aws:bedrock:{region}:{ACCOUNT}:inference-profile/global.anthropic.claude-sonnet-4-6"
    assert not judged(spec, *observability(region), allow(INVOKE, other_group)).ok


def test_strands_agent_with_no_model_pinned_in_pyproject_from_1_38_calls_the_global_default(tmp_path: Path) -> None:
    pyproject = '[project]\nname = "front-desk"\ndependencies = ["strands-agents==1.38.0", "bedrock-agentcore"]\n'
    files = {"app/agent.py": STRANDS_DEFAULT_AGENT, "pyproject.toml": pyproject}
    write(tmp_path / "app", {})
    spec, report = profiled(write(tmp_path, files), "app/agent.py", region="eu-west-1")
    assert report.agent is not None
    assert [(m["id"], m["kind"]) for m in report.agent.to_dict()["models"]] == [
        ("global.anthropic.claude-sonnet-4-6", "global_profile")
    ]
    model = next(b for b in requirement_blocks(spec) if b["feature"] == "model")
    # a global profile's calls reach the region-less foundation model too (RUNTIME-NEEDS.md, global profile)
    assert "arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-6" in model["resources"]


def test_strands_agent_with_no_model_and_no_pin_is_some_model(tmp_path: Path) -> None:
    files = {"agent.py": STRANDS_DEFAULT_AGENT, "requirements.txt": "bedrock-agentcore\nstrands-agents\n"}
    spec, report = profiled(write(tmp_path, files), "agent.py")
    assert report.agent is not None
    block = report.agent.to_dict()
    assert block["models"] == []  # no model is named; which one runs is unresolved, with the flag that names it
    assert (
        "agent.py:6: the default model of strands-agents: strands-agents is not pinned (requirements.txt:2), and "
        "its default model changed between versions (pass --model ID)"
    ) in block["unresolved"]
    assert "AGENT_SCAN_UNRESOLVED" in codes(report.findings)
    some = next(b for b in requirement_blocks(spec) if b["feature"] == "model")
    assert some["actions"] == INVOKE and "agent.py:6" in some["reason"]
    # some model allowed: compliant, with a warning that which one the agent calls is unknown
    sonnet = [allow(INVOKE, [f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/us.{SONNET_4}"])]
    verdict = judged(spec, *OBSERVABILITY, *sonnet)
    assert verdict.ok and "RESOURCE_UNKNOWN" in codes(verdict.findings)
    any_model = judged(spec, *OBSERVABILITY, allow(INVOKE, "arn:aws:bedrock:*::foundation-model/*"))
    assert any_model.ok and "RESOURCE_UNKNOWN" in codes(any_model.findings)
    every_model = judged(spec, *OBSERVABILITY, allow(INVOKE, "*"))  # whichever it is, it is allowed: no warning
    assert every_model.ok and "RESOURCE_UNKNOWN" not in codes(every_model.findings)
    # no model allowed at all: the agent's first call would fail
    refused = judged(spec, *OBSERVABILITY)
    assert not refused.ok and "bedrock:InvokeModel" in refused.missing_actions

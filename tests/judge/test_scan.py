"""judge/scan.py: what a static scan finds in real-shaped agent code, and in the toolkit's own templates."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from textwrap import dedent

import pytest
from agentcore_templates import folder_reader, render_project, render_strands_project

from agentcore_ext.judge.scan import CANNOT_READ, MAX_FILES, scan_agent
from agentcore_ext.judge.scan_aws import iam_action
from agentcore_ext.judge.scan_values import looks_bedrock
from agentcore_ext.state import AgentScan, AwsCall, Feature, ModelUse

SONNET_45 = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"


def src(text: str) -> str:
    """Sources are written from their first line, so line numbers in the expectations are the file's own."""
    return dedent(text).lstrip("\n")


def scan(files: dict[str, str], entry: str = "agent.py") -> AgentScan:
    return scan_agent(entry, files.get)


@dataclass(frozen=True)
class Case:
    name: str
    files: dict[str, str]
    models: set[tuple[str, str]] = field(default_factory=set)  # Bedrock (id, source), exactly; id "" is unknown
    others: set[tuple[str, str, str]] = field(default_factory=set)  # other providers' (id, source, provider)
    features: set[tuple[Feature, str]] = field(default_factory=set)  # (feature, detail), exactly
    providers: tuple[str, ...] = ()
    unresolved: tuple[str, ...] = ()
    aws_calls: tuple[tuple[str, str], ...] = ()
    entry: str = "agent.py"
    unreached: frozenset[str] = frozenset()  # files of the folder no import leads to


CASES = [
    Case(
        "strands BedrockModel and AgentCoreCodeInterpreter",
        {
            "agent.py": src("""
                from strands import Agent
                from strands.models import BedrockModel
                from strands_tools.code_interpreter import AgentCoreCodeInterpreter
                from bedrock_agentcore.runtime import BedrockAgentCoreApp

                app = BedrockAgentCoreApp()
                model = BedrockModel(model_id="us.anthropic.claude-sonnet-4-20250514-v1:0", temperature=0.3)
                ci = AgentCoreCodeInterpreter(region="us-east-1", identifier="my_interp-Abc123")
                agent = Agent(model=model, tools=[ci.code_interpreter])

                @app.entrypoint
                def invoke(payload):
                    return {"result": str(agent(payload.get("prompt")))}
                """)
        },
        models={("us.anthropic.claude-sonnet-4-20250514-v1:0", "agent.py:7")},
        features={(Feature.CODE_INTERPRETER, ""), (Feature.CODE_INTERPRETER, "my_interp-Abc123")},
    ),
    Case(
        "strands default Agent() names no model: it calls the default of the pinned strands-agents",
        {
            "agent.py": src("""
                from strands import Agent
                agent = Agent(system_prompt="You are helpful.")
                print(agent("hi"))
                """)
        },
        models={("", "agent.py:2")},  # resolved by flows/profile.py from the pinned version (strands_default.py)
    ),
    Case(
        "strands Agent(model=<bedrock id string>), positional BedrockModel, and a non-Bedrock string ignored",
        {
            "agent.py": src("""
                from strands import Agent
                from strands.models import BedrockModel
                a = Agent(model="eu.amazon.nova-pro-v1:0")
                b = Agent(model=BedrockModel("arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/a1"))
                c = Agent(model="my-local-alias")
                """)
        },
        models={
            ("eu.amazon.nova-pro-v1:0", "agent.py:3"),
            ("arn:aws:bedrock:eu-west-1:123456789012:application-inference-profile/a1", "agent.py:4"),
        },
    ),
    Case(
        "langgraph ChatBedrockConverse and init_chat_model",
        {
            "agent.py": src("""
                from langchain_aws import ChatBedrockConverse
                from langchain.chat_models import init_chat_model
                from langgraph.prebuilt import create_react_agent

                llm = ChatBedrockConverse(model="anthropic.claude-3-5-haiku-20241022-v1:0", region_name="us-west-2")
                other = init_chat_model("apac.amazon.nova-micro-v1:0", model_provider="bedrock_converse")
                third = init_chat_model("bedrock:meta.llama3-70b-instruct-v1:0")
                gpt = init_chat_model("openai:gpt-4o")
                graph = create_react_agent(llm, tools=[])
                """)
        },
        models={
            ("anthropic.claude-3-5-haiku-20241022-v1:0", "agent.py:5"),
            ("apac.amazon.nova-micro-v1:0", "agent.py:6"),
            ("meta.llama3-70b-instruct-v1:0", "agent.py:7"),
        },
        others={("gpt-4o", "agent.py:8", "openai")},
        providers=("openai",),
    ),
    Case(
        "litellm bedrock strings (strands LiteLLMModel, litellm.completion, CrewAI LLM)",
        {
            "agent.py": src("""
                import litellm
                from crewai import LLM
                from strands.models.litellm import LiteLLMModel

                m1 = LiteLLMModel(model_id="bedrock/us.anthropic.claude-3-7-sonnet-20250219-v1:0")
                m2 = litellm.completion(model="bedrock/converse/us.amazon.nova-lite-v1:0", messages=[])
                m3 = LLM(model="bedrock/global.anthropic.claude-sonnet-4-5-20250929-v1:0")
                m4 = LiteLLMModel(model_id="gpt-4o-mini")
                """)
        },
        models={
            ("us.anthropic.claude-3-7-sonnet-20250219-v1:0", "agent.py:5"),
            ("us.amazon.nova-lite-v1:0", "agent.py:6"),
            (SONNET_45, "agent.py:7"),
        },
        others={("gpt-4o-mini", "agent.py:8", "litellm")},
        providers=("litellm",),
    ),
    Case(
        "openai provider with its key from AgentCore Identity",
        {
            "agent.py": src("""
                from bedrock_agentcore.identity.auth import requires_api_key
                from strands import Agent
                from strands.models.openai import OpenAIModel

                @requires_api_key(provider_name="openai")
                def key(api_key: str) -> str:
                    return api_key

                agent = Agent(model=OpenAIModel(client_args={"api_key": key()}, model_id="gpt-4o"))
                """)
        },
        features={(Feature.IDENTITY_API_KEY, "openai")},
        others={("gpt-4o", "agent.py:9", "openai")},
        providers=("openai",),
    ),
    Case(
        "providers by constructor and by import; AnthropicBedrock and a local agents/ package are not providers",
        {
            "agent.py": src("""
                import anthropic
                from anthropic import AnthropicBedrock
                from agents import helper
                from langchain_google_genai import ChatGoogleGenerativeAI
                from strands.models.ollama import OllamaModel

                claude = anthropic.Anthropic()
                bedrock_claude = AnthropicBedrock(aws_region="us-east-1")
                gemini = ChatGoogleGenerativeAI(model="gemini-2.5-flash")
                local = OllamaModel(host="http://localhost:11434", model_id="llama3")
                """),
            "agents/__init__.py": "",
            "agents/helper.py": "X = 1\n",
        },
        others={("gemini-2.5-flash", "agent.py:9", "gemini"), ("llama3", "agent.py:10", "ollama")},
        providers=("anthropic", "gemini", "ollama"),
    ),
    Case(
        "MemoryClient and AgentCoreMemorySessionManager",
        {
            "agent.py": src("""
                from bedrock_agentcore.memory import MemoryClient
                from bedrock_agentcore.memory.integrations.strands.config import AgentCoreMemoryConfig
                from bedrock_agentcore.memory.integrations.strands.session_manager import AgentCoreMemorySessionManager

                client = MemoryClient(region_name="us-east-1")
                config = AgentCoreMemoryConfig(memory_id="mem_demo-AbCdEf1234", session_id="s", actor_id="a")
                manager = AgentCoreMemorySessionManager(config, "us-east-1")
                """)
        },
        features={(Feature.MEMORY, ""), (Feature.MEMORY, "mem_demo-AbCdEf1234")},
    ),
    Case(
        "browser: strands_tools AgentCoreBrowser and the SDK's browser_session",
        {
            "agent.py": src("""
                from strands_tools.browser import AgentCoreBrowser
                from bedrock_agentcore.tools.browser_client import browser_session

                tool = AgentCoreBrowser(region="us-west-2")
                with browser_session("us-west-2", identifier="my_browser-xyz") as client:
                    ws_url, headers = client.generate_ws_headers()
                """)
        },
        # the import names no browser; AgentCoreBrowser without identifier= is the AWS-managed one
        features={(Feature.BROWSER, ""), (Feature.BROWSER, "aws.browser.v1"), (Feature.BROWSER, "my_browser-xyz")},
    ),
    Case(
        "OAuth2 token from AgentCore Identity",
        {
            "agent.py": src("""
                from bedrock_agentcore.identity.auth import requires_access_token

                @requires_access_token(provider_name="google-provider", scopes=["openid"], auth_flow="USER_FEDERATION")
                async def need_token(*, access_token: str) -> str:
                    return access_token
                """)
        },
        features={(Feature.IDENTITY_OAUTH, "google-provider")},
    ),
    Case(
        "gateway MCP clients signed with SigV4",
        {
            "agent.py": src("""
                from mcp.client.streamable_http import streamablehttp_client
                from mcp_proxy_for_aws.client import aws_iam_streamablehttp_client
                from strands.tools.mcp import MCPClient
                from streamable_http_sigv4 import SigV4HTTPXAuth

                GATEWAY_URL = "https://my-gateway-a1b2c3d4e5.gateway.bedrock-agentcore.us-east-1.amazonaws.com/mcp"
                iam = MCPClient(lambda: aws_iam_streamablehttp_client(GATEWAY_URL, aws_service="bedrock-agentcore"))
                auth = SigV4HTTPXAuth(credentials, "bedrock-agentcore", "us-east-1")
                other = MCPClient(lambda: streamablehttp_client(url, auth=SigV4HTTPXAuth(credentials, "x", "y")))
                """)
        },
        features={(Feature.GATEWAY, "my-gateway-a1b2c3d4e5"), (Feature.GATEWAY, "")},
        unresolved=("agent.py:9: gateway url from name 'url', not a constant the scan can follow",),
    ),
    Case(
        "invoke_agent_runtime: a literal target and a computed one",
        {
            "agent.py": src("""
                import boto3

                TARGET = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/helper-Ab12Cd34Ef"
                agentcore = boto3.client("bedrock-agentcore", region_name="us-east-1")

                def ask(prompt: str, target: str) -> None:
                    agentcore.invoke_agent_runtime(agentRuntimeArn=TARGET, payload=prompt)
                    agentcore.invoke_agent_runtime(agentRuntimeArn=target, payload=prompt)
                """)
        },
        features={
            (Feature.INVOKE_RUNTIME, "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/helper-Ab12Cd34Ef"),
            (Feature.INVOKE_RUNTIME, ""),
        },
        unresolved=("agent.py:8: invoke_agent_runtime target is parameter 'target' of ask()",),
        aws_calls=(("bedrock-agentcore", "invoke_agent_runtime"), ("bedrock-agentcore", "invoke_agent_runtime")),
    ),
    Case(
        "guardrails: BedrockModel, converse guardrailConfig, apply_guardrail, ChatBedrock guardrails",
        {
            "agent.py": src("""
                import boto3
                from langchain_aws import ChatBedrock
                from strands.models import BedrockModel

                brt = boto3.client("bedrock-runtime")
                m = BedrockModel(model_id="us.amazon.nova-pro-v1:0", guardrail_id="gr1abc", guardrail_version="1")
                brt.converse(
                    modelId="amazon.nova-lite-v1:0",
                    messages=[],
                    guardrailConfig={"guardrailIdentifier": "gr2def", "guardrailVersion": "DRAFT"},
                )
                brt.apply_guardrail(guardrailIdentifier="gr3ghi", guardrailVersion="1", source="INPUT", content=[])
                lc = ChatBedrock(model_id="anthropic.claude-v2", guardrails={"guardrailIdentifier": "gr4jkl"})
                """)
        },
        models={
            ("us.amazon.nova-pro-v1:0", "agent.py:6"),
            ("amazon.nova-lite-v1:0", "agent.py:8"),
            ("anthropic.claude-v2", "agent.py:13"),
        },
        features={
            (Feature.GUARDRAIL, "gr1abc"),
            (Feature.GUARDRAIL, "gr2def"),
            (Feature.GUARDRAIL, "gr3ghi"),
            (Feature.GUARDRAIL, "gr4jkl"),
        },
        aws_calls=(("bedrock-runtime", "converse"), ("bedrock-runtime", "apply_guardrail")),
    ),
    Case(
        "model id from the environment, none given: a default is what runs; a read without one names its flag",
        {
            "agent.py": src("""
                import os
                from strands.models import BedrockModel

                MODEL_ID = os.getenv("MODEL_ID", "us.anthropic.claude-3-5-haiku-20241022-v1:0")
                REGION = os.environ["AWS_REGION"]

                def load(model_id: str = "eu.amazon.nova-lite-v1:0") -> BedrockModel:
                    return BedrockModel(model_id=model_id)

                m1 = BedrockModel(model_id=MODEL_ID)
                m2 = BedrockModel(model_id=os.environ["MODEL_ARN"])
                m3 = BedrockModel(model_id=os.environ.get("OTHER") or "not-a-bedrock-id")
                """)
        },
        models={
            (
                "us.anthropic.claude-3-5-haiku-20241022-v1:0",
                "agent.py:4 (default of env MODEL_ID, which no --env gives)",
            ),
            ("eu.amazon.nova-lite-v1:0", "agent.py:8 (default of parameter model_id)"),
            ("not-a-bedrock-id", "agent.py:12 (default of env OTHER, which no --env gives)"),
            ("", "agent.py:11"),  # MODEL_ARN: unknown, judged as some model
        },
        unresolved=(
            "agent.py:8: model id is parameter 'model_id' of load()",
            "agent.py:11: model id from env MODEL_ARN (pass --env MODEL_ARN=...)",
        ),
    ),
    Case(
        "constants imported from local modules: renamed, as attributes, via a package's __init__, by *",
        {
            "agent.py": src("""
                from config import MODEL_ID as MID
                import settings
                from models import FAST
                from strands.models import BedrockModel
                from defaults import *

                a = BedrockModel(model_id=MID)
                b = BedrockModel(model_id=settings.SMART)
                c = BedrockModel(model_id=FAST)
                d = BedrockModel(model_id=STARRED)
                """),
            "defaults.py": 'from os import path\nSTARRED = "cohere.command-r-plus-v1:0"\n',
            "config.py": 'MODEL_ID = f"us.amazon.nova-pro-v1:0"\n',
            "settings.py": 'PREFIX = "eu"\nSMART = f"{PREFIX}.anthropic.claude-3-7-sonnet-20250219-v1:0"\n',
            "models/__init__.py": "from .ids import FAST\n",
            "models/ids.py": 'FAST = "amazon.nova-micro-v1:0"\n',
        },
        models={
            ("us.amazon.nova-pro-v1:0", "config.py:1"),
            ("eu.anthropic.claude-3-7-sonnet-20250219-v1:0", "settings.py:2"),
            ("amazon.nova-micro-v1:0", "models/ids.py:1"),
            ("cohere.command-r-plus-v1:0", "defaults.py:2"),
        },
    ),
    Case(
        "relative imports inside a package, resolved from the importing file's folder",
        {
            "app/main.py": src("""
                from .tools.browse import make_browser
                from . import model
                from ..outside import nothing
                """),
            "app/tools/__init__.py": "",
            "app/tools/browse.py": src("""
                from bedrock_agentcore.tools.browser_client import BrowserClient

                def make_browser():
                    return BrowserClient("us-east-1")
                """),
            "app/model.py": src("""
                from strands.models import BedrockModel
                from ._ids import DEFAULT
                MODEL = BedrockModel(model_id=DEFAULT)
                """),
            "app/_ids.py": 'DEFAULT = "us.meta.llama3-2-90b-instruct-v1:0"\n',
        },
        entry="app/main.py",
        models={("us.meta.llama3-2-90b-instruct-v1:0", "app/_ids.py:1")},
        features={(Feature.BROWSER, "")},
    ),
    Case(
        "a local file that does not parse is reported, the rest is still scanned",
        {
            "agent.py": src("""
                import helpers
                from strands.models import BedrockModel
                m = BedrockModel("amazon.titan-text-express-v1")
                """),
            "helpers.py": "def broken(:\n    pass\n",
        },
        models={("amazon.titan-text-express-v1", "agent.py:3")},
        unresolved=("helpers.py: cannot parse (SyntaxError line 1)",),
    ),
    Case(
        "boto3 clients and resources kept on names and attributes",
        {
            "agent.py": src("""
                import boto3

                ddb = boto3.resource("dynamodb")
                table = ddb.Table("orders")

                class Store:
                    def __init__(self) -> None:
                        self.s3 = boto3.Session(region_name="us-east-1").client("s3")

                    def load(self, key: str) -> bytes:
                        pages = self.s3.get_paginator("list_objects_v2")
                        return self.s3.get_object(Bucket="b", Key=key)["Body"].read()

                def save(item: dict) -> None:
                    table.put_item(Item=item)
                    boto3.resource("dynamodb").Table("audit").update_item(Key={})
                    boto3.client("sesv2").send_email(Content={})
                    not_a_client.get_object()
                """)
        },
        aws_calls=(
            ("s3", "list_objects_v2"),
            ("s3", "get_object"),
            ("dynamodb", "put_item"),
            ("dynamodb", "update_item"),
            ("sesv2", "send_email"),
        ),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_scan_finds(case: Case) -> None:
    found = scan(case.files, case.entry)
    assert {(m.id, m.source) for m in found.models if m.provider == "bedrock"} == case.models
    assert {(m.id, m.source, m.provider) for m in found.models if m.provider != "bedrock"} == case.others
    assert {(f.feature, f.detail) for f in found.features} == case.features
    assert found.providers == case.providers
    assert found.unresolved == case.unresolved
    assert set(found.files) == set(case.files) - case.unreached
    assert tuple((c.service, c.operation) for c in found.aws_calls) == case.aws_calls


def test_every_fact_says_where_it_was_seen() -> None:
    found = scan(CASES[0].files)
    assert found.files == ("agent.py",)
    assert found.models == (ModelUse("us.anthropic.claude-sonnet-4-20250514-v1:0", "agent.py:7"),)
    assert [(f.source, f.detail) for f in found.features] == [("agent.py:3", ""), ("agent.py:8", "my_interp-Abc123")]
    calls = scan(CASES[-1].files).aws_calls
    assert calls[0] == AwsCall("s3", "list_objects_v2", "agent.py:11")


def test_each_file_is_read_once_and_only_through_read() -> None:
    files = {
        "agent.py": "import a\nimport b\nfrom a import X\n",
        "a.py": "import b\nX = 1\n",
        "b.py": "import a\n",
    }
    asked: list[str] = []

    def read(path: str) -> str | None:
        asked.append(path)
        return files.get(path)

    found = scan_agent("agent.py", read)
    assert found.files == ("agent.py", "a.py", "b.py")
    assert len(asked) == len(set(asked))


def test_an_unreadable_entrypoint_is_unresolved_not_an_error() -> None:
    assert scan_agent("missing.py", {}.get) == AgentScan(unresolved=(f"missing.py: {CANNOT_READ}",))


def test_the_scan_stops_at_the_file_cap() -> None:
    files = {f"m{i}.py": f"import m{i + 1}\n" for i in range(MAX_FILES + 5)}
    found = scan(files, "m0.py")
    assert len(found.files) == MAX_FILES
    assert found.unresolved == (f"scan stopped at {MAX_FILES} files: 1 more local imports not read",)


@pytest.mark.parametrize(
    ("text", "bedrock"),
    [
        ("anthropic.claude-3-haiku-20240307-v1:0", True),
        ("us-gov.anthropic.claude-3-5-sonnet-20240620-v1:0", True),
        ("jp.anthropic.claude-sonnet-4-5-20250929-v1:0", True),
        ("global.anthropic.claude-sonnet-4-6", True),
        ("arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0", True),
        ("arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:inference-profile/us-gov.anthropic.claude", True),
        ("arn:aws:bedrock:us-east-1:123456789012:guardrail/abc", False),
        ("gpt-4o", False),
        ("claude-sonnet-4-5", False),
        ("anthropic.", False),
    ],
)
def test_looks_bedrock(text: str, bedrock: bool) -> None:
    assert looks_bedrock(text) is bedrock


@pytest.mark.parametrize(
    ("service", "operation", "action"),
    [
        ("s3", "get_object", "s3:GetObject"),
        ("s3", "list_objects_v2", "s3:ListBucket"),
        ("dynamodb", "put_item", "dynamodb:PutItem"),
        ("bedrock-runtime", "converse", "bedrock:InvokeModel"),
        ("bedrock-runtime", "converse_stream", "bedrock:InvokeModelWithResponseStream"),
        ("bedrock-runtime", "invoke_model", "bedrock:InvokeModel"),
        ("bedrock-runtime", "apply_guardrail", "bedrock:ApplyGuardrail"),
        ("bedrock-agent-runtime", "retrieve", "bedrock:Retrieve"),
        ("bedrock-agentcore", "invoke_agent_runtime", "bedrock-agentcore:InvokeAgentRuntime"),
        ("sesv2", "send_email", "ses:SendEmail"),
        ("lambda", "invoke", "lambda:InvokeFunction"),
        ("secretsmanager", "get_secret_value", "secretsmanager:GetSecretValue"),
    ],
)
def test_iam_action(service: str, operation: str, action: str) -> None:
    assert iam_action(service, operation) == action


def test_the_boto3_calls_map_to_iam_actions() -> None:
    calls = scan(CASES[-1].files).aws_calls
    assert [iam_action(c.service, c.operation) for c in calls] == [
        "s3:ListBucket",
        "s3:GetObject",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "ses:SendEmail",
    ]


# --- the starter toolkit's own `agentcore create` output ---------------------------------------------------


def test_the_toolkit_strands_bedrock_project(tmp_path: Path) -> None:
    """RUNTIME-NEEDS.md: the default model is the global Sonnet 4.5 profile and Strands templates always add
    AgentCoreCodeInterpreter (create/features/strands/templates/{runtime_only/common/main.py.j2,
    model_provider/bedrock/model/load.py.j2} in the installed toolkit)."""
    entry = render_strands_project(tmp_path)
    found = scan_agent(entry.name, folder_reader(entry.parent))
    assert found.files == ("main.py", "mcp_client/client.py", "model/load.py")
    assert found.models == (ModelUse(SONNET_45, "model/load.py:5"),)
    assert {f.feature for f in found.features} == {Feature.CODE_INTERPRETER}
    assert found.providers == ()
    assert found.unresolved == ()


def test_the_toolkit_strands_project_with_memory(tmp_path: Path) -> None:
    entry = render_project(tmp_path, memory=True)
    found = scan_agent(entry.name, folder_reader(entry.parent))
    assert {f.feature for f in found.features} == {Feature.CODE_INTERPRETER, Feature.MEMORY}
    # the memory id reaches the agent through the environment (.bedrock_agentcore.yaml's memory.memory_id)
    assert found.unresolved == (
        "main.py:13: memory id from env BEDROCK_AGENTCORE_MEMORY_ID (pass --env BEDROCK_AGENTCORE_MEMORY_ID=...)",
    )


@pytest.mark.parametrize(
    ("sdk", "provider", "expected_provider", "model"),
    [
        # the toolkit's create/features/strands/templates/model_provider/openai/model/load.py.j2 (MODEL_ID)
        ("Strands", "OpenAI", "openai", "gpt-5.1"),
        # .../langchain_langgraph/templates/model_provider/anthropic/model/load.py.j2 (ChatAnthropic model=)
        ("LangChain_LangGraph", "Anthropic", "anthropic", "claude-sonnet-4-5-20250929"),
        # .../googleadk/templates/runtime_only/common/main.py.j2 (MODEL_ID, Agent(model=...))
        ("GoogleADK", "Gemini", "gemini", "gemini-2.5-flash"),
    ],
)
def test_the_toolkit_api_key_providers(
    tmp_path: Path, sdk: str, provider: str, expected_provider: str, model: str
) -> None:
    """Non-Bedrock providers in the toolkit get their key through @requires_api_key (model/load.py.j2); the model
    each calls is named with its provider, and no Bedrock model is."""
    entry = render_project(tmp_path, sdk=sdk, model_provider=provider)
    found = scan_agent(entry.name, folder_reader(entry.parent))
    assert [(m.id, m.provider) for m in found.models] == [(model, expected_provider)]
    assert found.providers == (expected_provider,)
    assert Feature.IDENTITY_API_KEY in {f.feature for f in found.features}


def test_the_toolkit_langgraph_bedrock_project(tmp_path: Path) -> None:
    entry = render_project(tmp_path, sdk="LangChain_LangGraph")
    found = scan_agent(entry.name, folder_reader(entry.parent))
    assert found.models == (ModelUse(SONNET_45, "model/load.py:5"),)


def test_the_toolkit_crewai_bedrock_template_does_not_parse(tmp_path: Path) -> None:
    """0.3.14's crewai model_provider/bedrock/model/load.py.j2 indents ` MODEL_ID = ...`: an IndentationError."""
    entry = render_project(tmp_path, sdk="CrewAI")
    found = scan_agent(entry.name, folder_reader(entry.parent))
    assert "model/load.py: cannot parse (SyntaxError line 5)" in found.unresolved

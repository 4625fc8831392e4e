"""The code scan with the agent's environment (issue 20, `--env`/`--env-file`): reads of os.environ resolve to the
values given, a default runs when none is given (and says so), and a read with neither names the flag that sets it.
"""

from __future__ import annotations

from textwrap import dedent

from env_agent import BROWSER, ENV, INTERPRETER, MEMORY, MODEL, STRANDS_AGENT, UNRESOLVED_WITHOUT_ENV

from agentcore_ext.judge.scan import scan_agent
from agentcore_ext.state import AgentScan, Feature, ModelUse


def src(text: str) -> str:
    return dedent(text).lstrip("\n")


def scan(code: str, env: dict[str, str] | None = None, given_by: str = "--env") -> AgentScan:
    return scan_agent("agent.py", {"agent.py": code}.get, env, dict.fromkeys(env or {}, given_by))


def details(found: AgentScan, feature: Feature) -> set[str]:
    return {f.detail for f in found.features if f.feature is feature and f.detail}


def test_a_strands_agent_with_its_environment_given_uses_those_exact_resources() -> None:
    found = scan(STRANDS_AGENT, ENV)
    assert found.models == (ModelUse(MODEL, "agent.py:13 (env MODEL_ID from --env)"),)
    assert details(found, Feature.MEMORY) == {MEMORY}
    assert details(found, Feature.CODE_INTERPRETER) == {INTERPRETER}
    assert details(found, Feature.BROWSER) == {BROWSER}
    assert found.unresolved == ()
    sources = {f.source for f in found.features if f.detail}
    assert "agent.py:18 (env CODE_INTERPRETER_ID from --env)" in sources
    assert "agent.py:24 (env MEMORY_ID from --env)" in sources  # where the id is used, and where it came from


def test_without_its_environment_each_variable_is_unresolved_with_the_flag_that_sets_it() -> None:
    found = scan(STRANDS_AGENT)
    assert set(found.unresolved) == UNRESOLVED_WITHOUT_ENV
    assert found.models == (ModelUse("", "agent.py:13"),)  # a Bedrock model whose id is unknown: none guessed
    assert details(found, Feature.MEMORY) == set()
    # the tools are not guessed to be the AWS-managed ones: which one is unknown
    assert details(found, Feature.CODE_INTERPRETER) == {"*"}
    assert details(found, Feature.BROWSER) == {"*"}


def test_values_from_an_env_file_name_the_file_and_line() -> None:
    found = scan(STRANDS_AGENT, {"MODEL_ID": MODEL}, given_by="--env-file deploy/.env:3")
    assert found.models == (ModelUse(MODEL, "agent.py:13 (env MODEL_ID from --env-file deploy/.env:3)"),)


AGENT_WITH_DEFAULTS = src("""
    import os
    from strands import Agent
    from strands.models import BedrockModel

    MODEL_ID = os.getenv("MODEL_ID", "us.amazon.nova-pro-v1:0")
    FALLBACK = os.environ.get("FALLBACK_MODEL_ID") or "amazon.nova-lite-v1:0"

    agent = Agent(model=BedrockModel(model_id=MODEL_ID))
    backup = Agent(model=BedrockModel(model_id=FALLBACK))
    """)


def test_a_default_runs_when_the_variable_is_not_given_and_the_source_says_so() -> None:
    found = scan(AGENT_WITH_DEFAULTS)
    assert set(found.models) == {
        ModelUse("us.amazon.nova-pro-v1:0", "agent.py:5 (default of env MODEL_ID, which no --env gives)"),
        ModelUse("amazon.nova-lite-v1:0", "agent.py:6 (default of env FALLBACK_MODEL_ID, which no --env gives)"),
    }
    assert found.unresolved == ()


def test_a_given_value_replaces_the_default() -> None:
    found = scan(AGENT_WITH_DEFAULTS, {"MODEL_ID": "eu.anthropic.claude-3-7-sonnet-20250219-v1:0"})
    assert {m.id for m in found.models} == {"eu.anthropic.claude-3-7-sonnet-20250219-v1:0", "amazon.nova-lite-v1:0"}


def test_an_empty_value_falls_through_an_or_to_its_fallback() -> None:
    found = scan(AGENT_WITH_DEFAULTS, {"FALLBACK_MODEL_ID": ""})
    assert ModelUse("amazon.nova-lite-v1:0", "agent.py:6") in found.models


LANGGRAPH_AGENT = src("""
    from os import environ, getenv

    import boto3
    from langchain.chat_models import init_chat_model
    from langchain_aws import ChatBedrockConverse
    from langgraph.prebuilt import create_react_agent

    MODEL_VAR = "PLANNER_MODEL_ID"
    planner = init_chat_model(environ[MODEL_VAR], model_provider="bedrock_converse")
    writer = ChatBedrockConverse(
        model=getenv("WRITER_MODEL_ID"),
        guardrail_config={"guardrailIdentifier": getenv("GUARDRAIL_ID"), "guardrailVersion": "1"},
    )
    runtime = boto3.client("bedrock-agentcore")


    def ask_reviewer(question: str) -> str:
        reply = runtime.invoke_agent_runtime(agentRuntimeArn=environ["REVIEWER_RUNTIME_ARN"], payload=question)
        return reply["response"].read().decode()


    graph = create_react_agent(planner, tools=[ask_reviewer])
    """)
PEER = "arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/reviewer-Ab12Cd34Ef"


def test_environ_and_getenv_imported_from_os_resolve_too() -> None:
    env = {
        "PLANNER_MODEL_ID": "us.anthropic.claude-sonnet-4-20250514-v1:0",
        "WRITER_MODEL_ID": "amazon.nova-pro-v1:0",
        "GUARDRAIL_ID": "gr7travel01",
        "REVIEWER_RUNTIME_ARN": PEER,
    }
    found = scan(LANGGRAPH_AGENT, env)
    assert {m.id for m in found.models} == {"us.anthropic.claude-sonnet-4-20250514-v1:0", "amazon.nova-pro-v1:0"}
    assert details(found, Feature.GUARDRAIL) == {"gr7travel01"}
    assert details(found, Feature.INVOKE_RUNTIME) == {PEER}
    assert found.unresolved == ()


def test_environ_and_getenv_unresolved_name_their_variables() -> None:
    found = scan(LANGGRAPH_AGENT)
    assert set(found.unresolved) == {
        "agent.py:9: model id from env PLANNER_MODEL_ID (pass --env PLANNER_MODEL_ID=...)",
        "agent.py:11: model id from env WRITER_MODEL_ID (pass --env WRITER_MODEL_ID=...)",
        "agent.py:12: guardrail id from env GUARDRAIL_ID (pass --env GUARDRAIL_ID=...)",
        "agent.py:18: invoke_agent_runtime target from env REVIEWER_RUNTIME_ARN (pass --env REVIEWER_RUNTIME_ARN=...)",
    }


SDK_TOOLS = src("""
    import os

    from bedrock_agentcore.tools.browser_client import browser_session
    from bedrock_agentcore.tools.code_interpreter_client import CodeInterpreter

    REGION = os.environ.get("AWS_REGION", "us-west-2")


    class Analyst:
        def __init__(self) -> None:
            self.sandbox = CodeInterpreter(REGION)
            self.sandbox.start(identifier=os.environ["ANALYST_SANDBOX_ID"])

        def scratch(self) -> None:
            throwaway = CodeInterpreter(REGION)
            throwaway.start()

        def page(self, url: str) -> None:
            with browser_session(REGION, identifier=os.getenv("ANALYST_BROWSER_ID", "")) as client:
                client.generate_ws_headers()
    """)


def test_the_sdk_clients_identifier_is_at_start_and_absent_or_empty_means_the_aws_managed_tool() -> None:
    found = scan(SDK_TOOLS, {"ANALYST_SANDBOX_ID": INTERPRETER})
    assert details(found, Feature.CODE_INTERPRETER) == {INTERPRETER, "aws.codeinterpreter.v1"}
    # getenv's default "" runs when no --env gives the variable: browser_session then starts the managed browser
    assert details(found, Feature.BROWSER) == {"aws.browser.v1"}
    assert found.unresolved == ()


def test_an_unresolved_sdk_identifier_is_unknown_not_the_managed_tool() -> None:
    found = scan(SDK_TOOLS)
    assert details(found, Feature.CODE_INTERPRETER) == {"*", "aws.codeinterpreter.v1"}
    assert found.unresolved == (
        "agent.py:12: code interpreter identifier from env ANALYST_SANDBOX_ID (pass --env ANALYST_SANDBOX_ID=...)",
    )

"""Agents whose resource ids come from environment variables, written the way people deploy them with a stack or
`agentcore deploy --env`: shared by the scan, needs and CLI tests of `--env` / `--env-file`."""

from __future__ import annotations

from textwrap import dedent

ACCOUNT = "123456789012"
REGION = "us-east-1"
MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0"
MEMORY = "travel_memory-Qw3rTy7890"
INTERPRETER = "travel_sandbox-Zx9Yw8Vu7T"
BROWSER = "travel_browser-Lm4Nb5Vc6X"
ENV = {"MODEL_ID": MODEL, "MEMORY_ID": MEMORY, "CODE_INTERPRETER_ID": INTERPRETER, "BROWSER_ID": BROWSER}

# A Strands agent on AgentCore Runtime: model, memory and its own Code Interpreter and Browser, each named by the
# deployment. Line numbers matter to the tests: MODEL_ID is read on line 13, MEMORY_ID on 14, the tools on 18-19.
STRANDS_AGENT = dedent('''\
    """Travel research: plans trips with a sandbox for numbers and a browser for prices."""
    import os

    from bedrock_agentcore.memory.integrations.strands.config import AgentCoreMemoryConfig
    from bedrock_agentcore.memory.integrations.strands.session_manager import AgentCoreMemorySessionManager
    from bedrock_agentcore.runtime import BedrockAgentCoreApp
    from strands import Agent
    from strands.models import BedrockModel
    from strands_tools.browser import AgentCoreBrowser
    from strands_tools.code_interpreter import AgentCoreCodeInterpreter

    REGION = os.environ.get("AWS_REGION", "us-east-1")
    MODEL_ID = os.environ["MODEL_ID"]
    MEMORY_ID = os.getenv("MEMORY_ID")

    app = BedrockAgentCoreApp()

    interpreter = AgentCoreCodeInterpreter(region=REGION, identifier=os.environ["CODE_INTERPRETER_ID"])
    browser = AgentCoreBrowser(region=REGION, identifier=os.environ.get("BROWSER_ID"))


    @app.entrypoint
    def invoke(payload, context):
        memory = AgentCoreMemoryConfig(
            memory_id=MEMORY_ID,
            session_id=context.session_id,
            actor_id=payload.get("user_id", "anonymous"),
        )
        agent = Agent(
            model=BedrockModel(model_id=MODEL_ID, temperature=0.2),
            session_manager=AgentCoreMemorySessionManager(memory, REGION),
            tools=[interpreter.code_interpreter, browser.browser],
            system_prompt="You plan trips. Use the browser for live prices and code for budgets.",
        )
        return {"result": str(agent(payload["prompt"]))}


    if __name__ == "__main__":
        app.run()
''')

# What the scan reports unresolved for STRANDS_AGENT when no environment is given: each variable, with its flag.
UNRESOLVED_WITHOUT_ENV = {
    "agent.py:13: model id from env MODEL_ID (pass --env MODEL_ID=...)",
    "agent.py:14: memory id from env MEMORY_ID (pass --env MEMORY_ID=...)",
    "agent.py:18: code interpreter identifier from env CODE_INTERPRETER_ID (pass --env CODE_INTERPRETER_ID=...)",
    "agent.py:19: browser identifier from env BROWSER_ID (pass --env BROWSER_ID=...)",
}

"""`python import_agent_driver.py ARGS`: `agentcore-ext ARGS` with only the toolkit's Bedrock Agents reads faked.

The toolkit's `import-agent` reads a Bedrock Agent (moto does not serve bedrock-agent) and translates it with a
model; everything after that is real: the project it writes, then its shell running `agentcore configure ...
&& agentcore configure set-default ... && agentcore deploy`, against whatever AWS the environment points at.
The translation writes the hello agent, so the deploy it starts is the one a real import would start.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

HELLO = Path(__file__).resolve().parents[1] / "examples" / "hello_agent"
AGENT_ID, ALIAS_ID = "AGENT00001", "ALIAS00001"


class _Translation:
    """Stands in for BedrockStrandsTranslation/BedrockLangchainTranslation: writes the hello agent instead."""

    def __init__(self, agent_config: Any, debug: bool, output_dir: str, enabled_primitives: Any) -> None:
        self.output_dir = Path(output_dir)

    def translate_bedrock_to_strands(self, output_path: str) -> dict[str, str]:
        Path(output_path).write_text((HELLO / "hello_agent.py").read_text())
        (self.output_dir / "requirements.txt").write_text((HELLO / "requirements.txt").read_text())
        return {}

    translate_bedrock_to_langchain = translate_bedrock_to_strands


def install_fakes() -> None:
    from bedrock_agentcore_starter_toolkit.cli.create.import_agent import commands

    def agents(client: Any) -> list[dict[str, str]]:
        return [{"id": AGENT_ID, "name": "imported", "description": "a Bedrock Agent"}]

    def aliases(client: Any, agent_id: str) -> list[dict[str, str]]:
        return [{"id": ALIAS_ID, "name": "live", "description": "its alias"}]

    def clients(credentials: Any, region: str) -> tuple[None, None]:
        return None, None

    def info(*args: Any) -> dict[str, Any]:
        return {}

    commands.get_agents = agents
    commands.get_agent_aliases = aliases
    commands.get_clients = clients
    commands.auth_and_get_info = info
    commands.BedrockStrandsTranslation = _Translation
    commands.BedrockLangchainTranslation = _Translation


if __name__ == "__main__":
    install_fakes()
    from agentcore_ext.cli.app import main

    main(sys.argv[1:])

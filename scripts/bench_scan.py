"""How long judge/scan.py takes on a 2,000-line agent (not a test: nothing here asserts). Goal: well under 50 ms.

The agent is synthesised by repeating a realistic block (Strands + BedrockModel from a constant and an env var,
code interpreter, memory, identity, a gateway MCP client, boto3 S3/DynamoDB/bedrock-runtime calls), split over an
entry file and two local modules so import following is timed too. The figure is the median of 21 runs of
`scan_agent`, parsing included.
"""

from __future__ import annotations

import ast
import statistics
import sys
import timeit
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agentcore_ext.judge.scan import scan_agent

LINES = 2000
RUNS = 21

CONFIG = """import os

MODEL_ID = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"
FALLBACK = os.getenv("FALLBACK_MODEL_ID", "us.amazon.nova-pro-v1:0")
GATEWAY_URL = "https://my-gateway-a1b2c3d4e5.gateway.bedrock-agentcore.us-east-1.amazonaws.com/mcp"
"""

BLOCK = '''

@requires_api_key(provider_name="openai-{n}")
def key_{n}(api_key: str) -> str:
    return api_key


class Store{n}:
    """Keeps orders in DynamoDB and documents in S3."""

    def __init__(self, region: str = "us-east-1") -> None:
        self.s3 = boto3.client("s3", region_name=region)
        self.table = boto3.resource("dynamodb", region_name=region).Table("orders-{n}")
        self.runtime = boto3.client("bedrock-runtime", region_name=region)

    def save(self, order_id: str, body: dict) -> None:
        self.table.put_item(Item={{"id": order_id, **body}})
        self.s3.put_object(Bucket="docs-{n}", Key=order_id, Body=json.dumps(body).encode())

    def load(self, order_id: str) -> dict:
        item = self.table.get_item(Key={{"id": order_id}}).get("Item") or {{}}
        obj = self.s3.get_object(Bucket="docs-{n}", Key=order_id)
        return {{**item, "doc": json.loads(obj["Body"].read())}}

    def summarise(self, text: str) -> str:
        response = self.runtime.converse(
            modelId=FALLBACK,
            messages=[{{"role": "user", "content": [{{"text": text}}]}}],
            guardrailConfig={{"guardrailIdentifier": "gr-{n}", "guardrailVersion": "1"}},
        )
        return response["output"]["message"]["content"][0]["text"]


@tool
def lookup_{n}(order_id: str) -> str:
    """Return an order as text."""
    store = Store{n}()
    data = store.load(order_id)
    if not data:
        return "no such order"
    lines = [f"{{key}}: {{value}}" for key, value in sorted(data.items())]
    return "\\n".join(lines)


def build_agent_{n}(session_id: str, actor_id: str) -> Agent:
    memory = AgentCoreMemorySessionManager(
        AgentCoreMemoryConfig(
            memory_id=os.getenv("BEDROCK_AGENTCORE_MEMORY_ID"), session_id=session_id, actor_id=actor_id
        ),
        os.getenv("AWS_REGION"),
    )
    interpreter = AgentCoreCodeInterpreter(region=os.getenv("AWS_REGION"), session_name=session_id)
    gateway = MCPClient(lambda: aws_iam_streamablehttp_client(GATEWAY_URL, aws_service="bedrock-agentcore"))
    return Agent(
        model=BedrockModel(model_id=MODEL_ID, temperature=0.2),
        session_manager=memory,
        tools=[interpreter.code_interpreter, lookup_{n}, gateway],
        system_prompt="You answer questions about orders.",
    )
'''

HEADER = """import json
import os

import boto3
from bedrock_agentcore.identity.auth import requires_api_key
from bedrock_agentcore.memory.integrations.strands.config import AgentCoreMemoryConfig
from bedrock_agentcore.memory.integrations.strands.session_manager import AgentCoreMemorySessionManager
from mcp_proxy_for_aws.client import aws_iam_streamablehttp_client
from strands import Agent, tool
from strands.models import BedrockModel
from strands.tools.mcp import MCPClient
from strands_tools.code_interpreter import AgentCoreCodeInterpreter

from config import FALLBACK, GATEWAY_URL, MODEL_ID
"""


def agent_files(lines: int = LINES) -> dict[str, str]:
    """An entry file importing two local modules, at least `lines` lines in all."""
    per_block = BLOCK.count("\n")
    blocks = max(1, -(-(lines - HEADER.count("\n") * 2 - CONFIG.count("\n")) // per_block))  # rounded up
    half = blocks // 2
    tools = HEADER + "".join(BLOCK.format(n=n) for n in range(half))
    main = HEADER + "import tools\n" + "".join(BLOCK.format(n=n) for n in range(half, blocks))
    return {"agent.py": main, "tools.py": tools, "config.py": CONFIG}


def median_ms(run: Callable[[], object]) -> tuple[float, float]:
    """(median, min) in ms of RUNS single runs."""
    runs = [seconds * 1000 for seconds in timeit.Timer(run).repeat(repeat=RUNS, number=1)]
    return statistics.median(runs), min(runs)


def main() -> None:
    files = agent_files()
    total = sum(text.count("\n") for text in files.values())
    result = scan_agent("agent.py", files.get)
    # scan_agent keeps nothing between calls (each builds its own read cache), so runs are independent.
    scan, scan_min = median_ms(lambda: scan_agent("agent.py", files.get))
    # ast.parse alone, as a yardstick: on a busy machine both figures grow together.
    parse, parse_min = median_ms(lambda: [ast.parse(text) for text in files.values()])
    print(f"scan_agent, {total} lines in {len(files)} files: median {scan:.1f} ms of {RUNS} runs (min {scan_min:.1f})")
    print(f"ast.parse alone of the same files:  median {parse:.1f} ms (min {parse_min:.1f}); goal: well under 50 ms")
    print(
        f"found {len(result.models)} models, {len(result.features)} feature uses, "
        f"{len(result.aws_calls)} AWS calls, {len(result.unresolved)} unresolved"
    )


if __name__ == "__main__":
    main()

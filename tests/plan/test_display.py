"""The plan as a person reads it before a write (issue 15 item 1): a short overview, the full documents on ask."""

from __future__ import annotations

from agentcore_ext.plan.display import describe, overview
from agentcore_ext.plan.model import PlanInputs
from agentcore_ext.plan.planner import make_plan
from agentcore_ext.state import AgentSpec

ACCOUNT = "123456789012"
# what `make demo` configures: examples/hello_agent, container, memory disabled
DEMO = AgentSpec("hello_agent", ACCOUNT, "us-east-1", memory=False)
NAME = "BedrockAgentCoreRuntime-us-east-1-hello_agent"


def _create_plan() -> object:
    _, plan = make_plan(None, DEMO, PlanInputs(NAME, f"arn:aws:iam::{ACCOUNT}:role/{NAME}", tags={"managed-by": "x"}))
    return plan


def test_the_demos_create_plan_fits_in_25_lines_and_says_the_trust_scope_in_words() -> None:
    text = overview(_create_plan())  # type: ignore[arg-type]
    lines = text.splitlines()
    assert len(lines) <= 25, text
    assert any("trust: bedrock-agentcore.amazonaws.com if aws:SourceAccount=123456789012" in line for line in lines)
    assert any(line.strip().startswith("ECRImageAccess: 2 action(s)") for line in lines)
    # hello_agent calls no model: no Bedrock statement (INTERFACE.md 2026-12, no model is assumed)
    assert not any(line.strip().startswith(("BedrockModel", "Marketplace")) for line in lines)
    assert "{" not in text  # no JSON: the documents are --show-documents' job


def test_show_documents_has_every_document_as_a_diff() -> None:
    text = describe(_create_plan())  # type: ignore[arg-type]
    assert '+  "Statement": [' in text and "inline policy agentcore-ext-execution (planned)" in text
    assert len(text.splitlines()) > 100

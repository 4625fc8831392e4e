"""Red-team issue 21, item 9 (the code's part): a model id from code is held to --model's grammar, so a wildcard in
the agent's code (`model_id="anthropic.*"`) never reaches the role the tool judges or writes; it is reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentcore_ext.flows.profile import agent_profile
from agentcore_ext.judge.scan import scan_agent
from agentcore_ext.settings import Settings


@pytest.mark.parametrize("model_id", ["anthropic.*", "*", "us.anthropic.claude-?"])
def test_redteam_09_a_wildcard_model_id_in_code_is_unresolved_not_required(tmp_path: Path, model_id: str) -> None:
    (tmp_path / "agent.py").write_text(
        "from strands import Agent\nfrom strands.models import BedrockModel\n"
        f"agent = Agent(model=BedrockModel(model_id={model_id!r}))\n"
    )
    settings = Settings(agent_name="wild", region="us-east-1", entrypoint="agent.py", workdir=str(tmp_path))
    profile, _ = agent_profile(settings, None, scan_agent)
    assert not any("*" in m.id or "?" in m.id for m in profile.models)
    assert any(model_id in u and "not a model id" in u for u in profile.unresolved)

"""The code scan resolves os.environ reads with every source's environment, ranked (define/facts.py): a stack's
template gives the agent's variables, --env-file/--env win over it (issue 20: "as agentcore deploy --env or a stack
would set them")."""

from __future__ import annotations

from pathlib import Path

from env_agent import MODEL, STRANDS_AGENT

from agentcore_ext.define.facts import Rank, env_fact
from agentcore_ext.flows.profile import agent_profile
from agentcore_ext.judge.scan import scan_agent
from agentcore_ext.settings import Settings
from agentcore_ext.state import ModelUse

FROM_STACK = env_fact(
    "MODEL_ID", "amazon.nova-lite-v1:0", "template TravelAgent EnvironmentVariables.MODEL_ID", Rank.TEMPLATE
)


def profile_models(tmp_path: Path, settings: Settings) -> tuple[ModelUse, ...]:
    (tmp_path / "agent.py").write_text(STRANDS_AGENT)
    profile, _ = agent_profile(settings, None, scan_agent)
    return profile.models


def test_a_templates_variable_resolves_the_code(tmp_path: Path) -> None:
    settings = Settings(agent_name="travel", entrypoint="agent.py", workdir=str(tmp_path), facts=(FROM_STACK,))
    assert profile_models(tmp_path, settings) == (
        ModelUse(
            "amazon.nova-lite-v1:0",
            "agent.py:13 (env MODEL_ID from template TravelAgent EnvironmentVariables.MODEL_ID)",
        ),
    )


def test_env_wins_over_the_template(tmp_path: Path) -> None:
    flag = env_fact("MODEL_ID", MODEL, "--env", Rank.FLAG)
    settings = Settings(
        agent_name="travel", entrypoint="agent.py", workdir=str(tmp_path), facts=(FROM_STACK,), env=(flag,)
    )
    assert profile_models(tmp_path, settings) == (ModelUse(MODEL, "agent.py:13 (env MODEL_ID from --env)"),)

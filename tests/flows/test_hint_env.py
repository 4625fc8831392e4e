"""A hint's command keeps the agent's environment (--env, --env-file): following it judges the same agent, with the
same model, memory and tool ids (issue 20 --env; issue 22 item 1: a hint keeps the agent's shape)."""

from __future__ import annotations

import shlex
from pathlib import Path

from agentcore_ext.define.spec import agent_spec
from agentcore_ext.flows.role import fix_command
from agentcore_ext.settings import build_settings, load_team_defaults


def test_the_fix_command_carries_env_and_env_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("MEMORY_ID=mem_demo-AbCdEf1234\n")
    settings = build_settings(
        defaults=load_team_defaults(tmp_path),
        name="demo",
        region="us-east-1",
        env=["MODEL_ID=us.amazon.nova-pro-v1:0"],
        env_file=".env",
        workdir=str(tmp_path),
    )
    argv = shlex.split(fix_command(settings, agent_spec(settings, account="123456789012")))
    assert argv[argv.index("--env-file") + 1] == ".env"
    assert argv[argv.index("--env") + 1] == "MODEL_ID=us.amazon.nova-pro-v1:0"

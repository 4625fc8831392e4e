"""Issue 15 item 3: `role ensure` takes the agent's block of .bedrock_agentcore.yaml as doctor does, flags first."""

from __future__ import annotations

from pathlib import Path

import yaml

from agentcore_ext.flows.ensure_config import with_agent_config
from agentcore_ext.flows.profile import agent_shape, config_for
from agentcore_ext.settings import Settings

ROLE = "arn:aws:iam::123456789012:role/TeamRole"


def _project(tmp_path: Path, **aws: object) -> Settings:
    block = {
        "name": "hello",
        "entrypoint": "hello.py",
        "deployment_type": "direct_code_deploy",
        "aws": {
            "region": "eu-west-1",
            "execution_role": ROLE,
            "execution_role_auto_create": False,
            "protocol_configuration": {"server_protocol": "mcp"},
            **aws,
        },
        "memory": {"mode": "NO_MEMORY"},
    }
    text = yaml.safe_dump({"default_agent": "hello", "agents": {"hello": block}})
    (tmp_path / ".bedrock_agentcore.yaml").write_text(text)
    return Settings(workdir=str(tmp_path), region="us-east-1")


def _shape(s: Settings) -> tuple[str | None, str, bool]:
    shape = agent_shape(s, config_for(s))  # the one place the agent's shape is decided (define/shape.py)
    return shape.deployment_type, shape.protocol, shape.memory


def test_the_yaml_fills_in_what_no_flag_says(tmp_path: Path) -> None:
    s = with_agent_config(_project(tmp_path), explicit=())
    assert (s.agent_name, s.region) == (
        "hello",
        "eu-west-1",  # the toolkit deploys to the YAML's region, whatever AWS_REGION says
    )
    assert _shape(s) == ("direct_code_deploy", "MCP", False)
    assert s.execution_role == ROLE


def test_flags_win_over_the_yaml(tmp_path: Path) -> None:
    base = _project(tmp_path).with_(
        agent_name="hello",
        role_name="Mine",
        protocol="HTTP",
        deployment_type="container",
        shape_flags=frozenset({"protocol", "deployment_type"}),
    )
    s = with_agent_config(base, explicit={"name", "region", "role_name", "protocol", "deployment_type"})
    assert s.region == "us-east-1"
    assert _shape(s) == ("container", "HTTP", False)  # memory: the YAML's NO_MEMORY, no flag said otherwise
    assert s.execution_role is None and s.role_name == "Mine"


def test_an_auto_created_role_is_not_taken_as_the_target(tmp_path: Path) -> None:
    s = with_agent_config(_project(tmp_path, execution_role_auto_create=True), explicit=())
    assert s.execution_role is None


def test_another_agent_or_no_file_leaves_the_settings_alone(tmp_path: Path) -> None:
    other = _project(tmp_path).with_(agent_name="other")
    assert with_agent_config(other, explicit={"name"}) == other  # another agent's block is not this agent's
    bare = Settings(workdir=str(tmp_path / "nowhere"))
    assert with_agent_config(bare, explicit=()) == bare

"""Red-team issue 21, items 13, 22 and 9 (the YAML's part): every key the tool reads in .bedrock_agentcore.yaml is
type-checked and held to the flags' grammar; a wrong one is exit 2 naming the key, never an internal error, a
MemoryError, or a value stringified into an ARN."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from agentcore_ext.errors import UsageError
from agentcore_ext.toolkit.config import read_agent_config

GOOD = """default_agent: hello
agents:
  hello:
    name: hello
    entrypoint: hello.py
    deployment_type: container
    aws:
      region: us-east-1
      account: '123456789012'
      protocol_configuration:
        server_protocol: HTTP
    memory:
      mode: STM_ONLY
      memory_id: hello_mem-AbCdEf1234
"""


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / ".bedrock_agentcore.yaml").write_text(text)
    return tmp_path


def test_the_toolkits_block_still_reads(tmp_path: Path) -> None:
    config = read_agent_config(_write(tmp_path, GOOD))
    assert config is not None and (config.name, config.region, config.memory_id) == (
        "hello",
        "us-east-1",
        "hello_mem-AbCdEf1234",
    )


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("default_agent: hello", "default_agent: [hello]", "default_agent"),
        ("    name: hello", "    name: [a, b]", "agents.hello.name"),
        ("      region: us-east-1", "      region: {a: 1}", "agents.hello.aws.region"),
        ("      mode: STM_ONLY", "      mode: [STM_ONLY]", "agents.hello.memory.mode"),
    ],
)
def test_redteam_22_a_wrong_type_is_exit_2_naming_the_key(tmp_path: Path, old: str, new: str, key: str) -> None:
    with pytest.raises(UsageError) as caught:
        read_agent_config(_write(tmp_path, GOOD.replace(old, new)))
    assert key in caught.value.message and caught.value.exit_code == 2


def test_redteam_22_a_default_agent_with_no_block_says_so(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as caught:
        read_agent_config(_write(tmp_path, GOOD.replace("default_agent: hello", "default_agent: ghost")))
    assert "default_agent 'ghost' has no block under agents (hello)" in caught.value.message


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("      memory_id: hello_mem-AbCdEf1234", "      memory_id: '*'", "memory.memory_id"),
        ("    name: hello", "    name: '*'", "name"),
        ("      region: us-east-1", "      region: us-west-2$(touch x)", "aws.region"),
        ("    deployment_type: container", "    deployment_type: '*'", "deployment_type"),
    ],
)
def test_redteam_09_yaml_values_follow_the_flags_grammar(tmp_path: Path, old: str, new: str, key: str) -> None:
    # a wildcard memory id or agent name would widen the written role to every memory or runtime of the account
    with pytest.raises(UsageError) as caught:
        read_agent_config(_write(tmp_path, GOOD.replace(old, new)))
    assert key in caught.value.message or "agent name" in caught.value.message


BOMB = """a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
default_agent: hello
agents:
  hello:
    name: hello
    entrypoint: hello.py
    aws:
      region: *h
"""


def test_redteam_13_alias_bomb_at_a_read_key_is_exit_2_in_bounded_memory(tmp_path: Path) -> None:
    # a ~1 KiB YAML whose region expands to 9**8 strings: str() of it ended in MemoryError
    _write(tmp_path, BOMB)
    code = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30));"
        "from pathlib import Path; from agentcore_ext.toolkit.config import read_agent_config;"
        "from agentcore_ext.errors import UsageError\n"
        "try:\n    read_agent_config(Path(sys.argv[1]))\nexcept UsageError as e:\n    print(e.message); sys.exit(2)"
    )
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "agents.hello.aws.region must be a single value" in done.stdout


def test_redteam_09_team_default_model_follows_the_model_flags_grammar(tmp_path: Path) -> None:
    from agentcore_ext.settings import load_team_defaults

    (tmp_path / "pyproject.toml").write_text('[tool.agentcore-ext]\nmodel = "*"\n')
    with pytest.raises(UsageError) as caught:
        load_team_defaults(tmp_path)
    assert "model" in caught.value.message and "not a model id" in caught.value.message

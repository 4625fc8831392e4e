"""Reading back the `.bedrock_agentcore.yaml` the starter toolkit writes: the configured agent and its role.

yaml is imported only when a file is read: the CLI's start-up must stay cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agentcore_ext.errors import UsageError

CONFIG_FILE = ".bedrock_agentcore.yaml"


@dataclass(frozen=True)
class AgentConfig:
    """The parts of one agent's block in `.bedrock_agentcore.yaml` that decide what its role must allow."""

    name: str
    entrypoint: str | None
    execution_role: str | None
    execution_role_auto_create: bool
    region: str | None
    account: str | None
    deployment_type: str | None
    protocol: str | None
    memory_mode: str | None
    ecr_repository: str | None

    @property
    def memory_enabled(self) -> bool:
        return self.memory_mode not in (None, "NO_MEMORY")


def _load_yaml(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    import yaml  # lazy: only commands that read the toolkit's file pay for it

    max_bytes = 1024 * 1024  # the toolkit writes a few KiB; a huge file would take minutes to parse
    try:
        with path.open("rb") as handle:
            raw = handle.read(max_bytes + 1)
        if len(raw) > max_bytes:
            raise UsageError(
                f"{path}: larger than {max_bytes // 1024} KiB, too large for a toolkit configuration",
                "re-run `agentcore configure` to rewrite it, or remove the file",
            )
        data = yaml.safe_load(raw.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError, OSError) as exc:
        raise UsageError(
            f"{path}: cannot be read as YAML: {exc}", "re-run configure, or fix or remove the file"
        ) from exc
    if data is None:
        return None
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a mapping at the top level", "re-run configure to rewrite it")
    return data


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def read_agent_config(cwd: Path, agent_name: str | None = None) -> AgentConfig | None:
    """The named agent's block, or the default agent's (the toolkit's own rule); None when there is none."""
    data = _load_yaml(Path(cwd) / CONFIG_FILE)
    if data is None:
        return None
    agents = data.get("agents")
    if not isinstance(agents, dict) or not agents:
        return None
    target = agent_name or data.get("default_agent")
    if not target and len(agents) == 1:
        target = next(iter(agents))
    block = agents.get(target) if target else None
    if not isinstance(block, dict):
        return None
    raw_aws = block.get("aws")
    aws: dict[str, Any] = raw_aws if isinstance(raw_aws, dict) else {}
    protocol = aws.get("protocol_configuration")
    memory = block.get("memory")
    return AgentConfig(
        name=str(block.get("name") or target),
        entrypoint=_str(block.get("entrypoint")),
        execution_role=_str(aws.get("execution_role")),
        execution_role_auto_create=bool(aws.get("execution_role_auto_create", False)),
        region=_str(aws.get("region")),
        # The toolkit quotes the account; an unquoted one would load as an int and lose leading zeros.
        account=_account(aws.get("account")),
        deployment_type=_str(block.get("deployment_type")),
        protocol=_str(protocol.get("server_protocol")) if isinstance(protocol, dict) else None,
        memory_mode=_str(memory.get("mode")) if isinstance(memory, dict) else None,
        ecr_repository=_str(aws.get("ecr_repository")),
    )


def _account(value: Any) -> str | None:
    if value is None:
        return None
    return f"{value:012d}" if isinstance(value, int) else str(value)


def read_configured_role(cwd: Path, agent_name: str | None = None) -> tuple[str | None, str | None]:
    """(agent name, execution role ARN) for the given or the default agent; (None, None) when not configured."""
    config = read_agent_config(cwd, agent_name)
    if config is None:
        return None, None
    return config.name, config.execution_role

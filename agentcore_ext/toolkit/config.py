"""Reading back the `.bedrock_agentcore.yaml` the starter toolkit writes: the configured agent and its role.

yaml is imported only when a file is read: the CLI's start-up must stay cheap.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from agentcore_ext.define.facts import (
    DEPLOYMENT_TYPE,
    ECR_REPOSITORY,
    MEMORY_ID,
    MEMORY_MODE,
    NETWORK_MODE,
    PROTOCOL,
    RUNTIME_ARN,
    Fact,
    Rank,
)
from agentcore_ext.errors import UsageError

CONFIG_FILE = ".bedrock_agentcore.yaml"


@dataclass(frozen=True)
class AgentConfig:
    """The parts of one agent's block in `.bedrock_agentcore.yaml` that decide what its role must allow."""

    name: str
    # The entry file relative to the working directory (POSIX, no `:name` suffix): what the code scan reads. None
    # when the YAML names none, or names one outside the working directory (then `entrypoint_outside` holds it).
    entrypoint: str | None
    execution_role: str | None
    execution_role_auto_create: bool
    region: str | None
    account: str | None
    deployment_type: str | None
    protocol: str | None
    memory_mode: str | None
    ecr_repository: str | None
    memory_id: str | None = None
    runtime_arn: str | None = None  # bedrock_agentcore.agent_arn: the runtime, once deployed
    credential_providers: tuple[tuple[str, str], ...] = ()  # identity.credential_providers: (name, type)
    api_key_provider: str | None = None  # api_key_credential_provider_name (non-Bedrock providers)
    aws_jwt: bool = False
    authorizer: bool = False  # a JWT inbound authorizer is configured
    network_mode: str | None = None
    codebuild_role: str | None = None  # codebuild.execution_role: the CodeBuild role deploy uses (-cber)
    generated_by_create: bool = False  # is_generated_by_agentcore_create
    path: str = CONFIG_FILE  # the file it was read from, for the sources the report names
    entrypoint_outside: str | None = None  # the YAML's entrypoint as written, when outside the working directory

    def where(self, key: str) -> str:
        """A fact's source: `.bedrock_agentcore.yaml agents.NAME.KEY`."""
        return f"{self.path} agents.{self.name}.{key}"

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
        # libyaml's parser when PyYAML was built with it (the wheels are): the pure-Python one took ~18 ms per
        # read of the toolkit's file, and a configure reads it six times (before, between and after the toolkit).
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load(raw.decode("utf-8"), Loader=loader)  # a safe loader, chosen above
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


def read_agent_config(cwd: Path, agent_name: str | None = None, path: Path | None = None) -> AgentConfig | None:
    """The named agent's block, or the default agent's (the toolkit's own rule); None when there is none.

    `path`: the file (--config); default `.bedrock_agentcore.yaml` in cwd.
    """
    file = path if path is not None else Path(cwd) / CONFIG_FILE
    data = _load_yaml(file)
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
    memory_block: dict[str, Any] = memory if isinstance(memory, dict) else {}
    deployed = block.get("bedrock_agentcore")
    deployed_block: dict[str, Any] = deployed if isinstance(deployed, dict) else {}
    network = aws.get("network_configuration")
    identity = block.get("identity")
    providers = identity.get("credential_providers") if isinstance(identity, dict) else None
    jwt = block.get("aws_jwt")
    codebuild = block.get("codebuild")
    written = _str(block.get("entrypoint"))
    entrypoint = relative_entrypoint(written, cwd) if written else None
    return AgentConfig(
        name=str(block.get("name") or target),
        entrypoint=entrypoint,
        entrypoint_outside=written if written and entrypoint is None else None,
        execution_role=_str(aws.get("execution_role")),
        execution_role_auto_create=bool(aws.get("execution_role_auto_create", False)),
        region=_str(aws.get("region")),
        # The toolkit quotes the account; an unquoted one would load as an int and lose leading zeros.
        account=_account(aws.get("account")),
        deployment_type=_str(block.get("deployment_type")),
        protocol=_str(protocol.get("server_protocol")) if isinstance(protocol, dict) else None,
        memory_mode=_str(memory.get("mode")) if isinstance(memory, dict) else None,
        ecr_repository=_str(aws.get("ecr_repository")),
        memory_id=_memory_id(memory_block),
        runtime_arn=_str(deployed_block.get("agent_arn")),
        credential_providers=tuple(
            (str(p.get("name", "")), str(p.get("type", ""))) for p in providers or () if isinstance(p, dict)
        ),
        api_key_provider=_str(block.get("api_key_credential_provider_name")),
        aws_jwt=bool(jwt.get("enabled")) if isinstance(jwt, dict) else False,
        authorizer=bool(block.get("authorizer_configuration")),
        network_mode=_str(network.get("network_mode")) if isinstance(network, dict) else None,
        codebuild_role=_str(codebuild.get("execution_role")) if isinstance(codebuild, dict) else None,
        generated_by_create=bool(block.get("is_generated_by_agentcore_create")),
        path=str(file.name if path is None else path),
    )


def relative_entrypoint(value: str, cwd: Path) -> str | None:
    """The entry file `value` names, as a POSIX path relative to `cwd`; None when it lies outside `cwd`.

    The toolkit records the resolved absolute path (`Path.resolve().as_posix()`, `:name` appended when it knows the
    app's variable). The code scan takes only paths inside the agent's folder: handed the absolute one it could not
    follow the agent's local imports, and the agent was judged for a model it never calls (issue 21, item 5).
    """
    head, colon, tail = value.rpartition(":")
    file = PurePosixPath(posixpath.normpath(head if colon and tail.isidentifier() else value))
    if not file.is_absolute():
        return None if file.parts[:1] == ("..",) else file.as_posix()
    # resolved first: the toolkit wrote a resolved path, and the working directory may be reached by a symlink
    for base in dict.fromkeys((cwd.resolve().as_posix(), cwd.absolute().as_posix())):
        if file.is_relative_to(base):
            return file.relative_to(base).as_posix()
    return None


def _memory_id(memory: dict[str, Any]) -> str | None:
    """memory.memory_id, else the id at the end of memory.memory_arn (the toolkit accepts either)."""
    if memory.get("memory_id"):
        return str(memory["memory_id"])
    arn = memory.get("memory_arn")
    return str(arn).rsplit("/", 1)[-1] if arn and "/" in str(arn) else None


def _account(value: Any) -> str | None:
    if value is None:
        return None
    return f"{value:012d}" if isinstance(value, int) else str(value)


def read_configured_role(
    cwd: Path, agent_name: str | None = None, path: Path | None = None
) -> tuple[str | None, str | None]:
    """(agent name, execution role ARN) for the given or the default agent; (None, None) when not configured."""
    config = read_agent_config(cwd, agent_name, path)
    if config is None:
        return None, None
    return config.name, config.execution_role


def config_facts(config: AgentConfig) -> list[Fact]:
    """What the agent's block in .bedrock_agentcore.yaml says, key by key (its `where` names the key)."""
    keys = (
        (DEPLOYMENT_TYPE, config.deployment_type, "deployment_type"),
        (MEMORY_MODE, config.memory_mode, "memory.mode"),
        (MEMORY_ID, config.memory_id, "memory.memory_id"),
        (PROTOCOL, config.protocol.upper() if config.protocol else None, "aws.protocol_configuration.server_protocol"),
        (ECR_REPOSITORY, config.ecr_repository, "aws.ecr_repository"),
        (NETWORK_MODE, config.network_mode, "aws.network_configuration.network_mode"),
        (RUNTIME_ARN, config.runtime_arn, "bedrock_agentcore.agent_arn"),
    )
    return [Fact(name, value, config.where(key), Rank.YAML) for name, value, key in keys if value]

"""Reading back the `.bedrock_agentcore.yaml` the starter toolkit writes: the configured agent and its role.

yaml is imported only when a file is read: the CLI's start-up must stay cheap.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from agentcore_ext import arns
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


_SCALARS = (str, int, float, bool)
# Values the judge puts into ARNs, hints and IAM documents: the flags' grammar, whatever the source (issue 21,
# item 9: a YAML `memory_id: '*'` or an agent named `*` widened the role to every memory or runtime).
_GRAMMAR = {
    "aws.region": arns.REGION_RE,
    "memory.memory_id": arns.MEMORY_ID_RE,
    "deployment_type": re.compile(r"(container|direct_code_deploy)\Z"),
    "memory.mode": re.compile(r"(NO_MEMORY|STM_ONLY|STM_AND_LTM)\Z"),
    "aws.protocol_configuration.server_protocol": re.compile(r"(?i)(HTTP|MCP|A2A|AGUI)\Z"),
    "aws.network_configuration.network_mode": re.compile(r"(PUBLIC|VPC)\Z"),
}


class _Block:
    """One agent's block, read key by key: a key the tool reads holds a scalar (a list or a mapping there, or an
    alias bomb expanding into one, is exit 2 naming the key, never stringified: issue 21, items 13 and 22)."""

    def __init__(self, data: dict[str, Any], name: str, file: Path) -> None:
        self.data, self.name, self.file = data, name, file

    def mapping(self, dotted: str) -> dict[str, Any]:
        value = self._get(dotted)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self._wrong(dotted, "a mapping")
        return value

    def text(self, dotted: str) -> str | None:
        value = self._get(dotted)
        if value is None:
            return None
        if not isinstance(value, _SCALARS):
            raise self._wrong(dotted, "a single value")
        text = str(value)
        grammar = _GRAMMAR.get(dotted)
        if grammar is not None and not grammar.fullmatch(text):
            raise UsageError(
                f"{self.file}: agents.{self.name}.{dotted} is not a valid value: {text!r}",
                "rerun `agentcore-ext configure` to rewrite it, or fix the value",
            )
        return text

    def _get(self, dotted: str) -> Any:
        node: Any = self.data
        for part in dotted.split("."):
            if not isinstance(node, dict):
                return None
            node = node.get(part)
        return node

    def _wrong(self, dotted: str, expected: str) -> UsageError:
        return UsageError(
            f"{self.file}: agents.{self.name}.{dotted} must be {expected}",
            "rerun `agentcore-ext configure` to rewrite the file, or fix that key",
        )


def _target(data: dict[str, Any], agents: dict[str, Any], agent_name: str | None, file: Path) -> str | None:
    """The agent whose block is read: the named one, else `default_agent`, else the only one."""
    default = data.get("default_agent")
    if default is not None and not isinstance(default, str):
        raise UsageError(f"{file}: default_agent must be an agent's name", "rerun configure, or fix default_agent")
    if agent_name:
        return agent_name
    if default and default not in agents:
        raise UsageError(
            f"{file}: default_agent {default!r} has no block under agents ({', '.join(map(str, agents))})",
            "pass --name AGENT, or fix default_agent",
        )
    return default or (next(iter(agents)) if len(agents) == 1 else None)


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
    target = _target(data, agents, agent_name, file)
    raw = agents.get(target) if target else None
    if not isinstance(raw, dict):
        return None
    b = _Block(raw, str(target), file)
    name = b.text("name") or str(target)
    arns.validate_agent_name(name, f"{file} agents.{target}.name")
    written = b.text("entrypoint")
    entrypoint = relative_entrypoint(written, cwd) if written else None
    account = _account(b.data.get("aws", {}).get("account") if isinstance(b.data.get("aws"), dict) else None)
    if account is not None:
        arns.validate_account(account)
    return AgentConfig(
        name=name,
        entrypoint=entrypoint,
        entrypoint_outside=written if written and entrypoint is None else None,
        execution_role=b.text("aws.execution_role"),
        execution_role_auto_create=bool(b.text("aws.execution_role_auto_create") in ("True", "true")),
        region=b.text("aws.region"),
        # The toolkit quotes the account; an unquoted one would load as an int and lose leading zeros.
        account=account,
        deployment_type=b.text("deployment_type"),
        protocol=b.text("aws.protocol_configuration.server_protocol"),
        memory_mode=b.text("memory.mode"),
        ecr_repository=b.text("aws.ecr_repository"),
        memory_id=_memory_id(b),
        runtime_arn=b.text("bedrock_agentcore.agent_arn"),
        credential_providers=_providers(b),
        api_key_provider=b.text("api_key_credential_provider_name"),
        aws_jwt=b.text("aws_jwt.enabled") in ("True", "true"),
        authorizer=bool(raw.get("authorizer_configuration")),
        network_mode=b.text("aws.network_configuration.network_mode"),
        codebuild_role=b.text("codebuild.execution_role"),
        generated_by_create=b.text("is_generated_by_agentcore_create") in ("True", "true"),
        path=str(file.name if path is None else path),
    )


def _providers(b: _Block) -> tuple[tuple[str, str], ...]:
    listed = b.mapping("identity").get("credential_providers") or []
    if not isinstance(listed, list):
        raise b._wrong("identity.credential_providers", "a list")
    out = []
    for p in listed:
        if isinstance(p, dict) and all(isinstance(p.get(k, ""), _SCALARS) for k in ("name", "type")):
            out.append((str(p.get("name", "")), str(p.get("type", ""))))
    return tuple(out)


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


def _memory_id(b: _Block) -> str | None:
    """memory.memory_id, else the id at the end of memory.memory_arn (the toolkit accepts either)."""
    if b.text("memory.memory_id"):
        return b.text("memory.memory_id")
    arn = b.text("memory.memory_arn")
    if not arn or "/" not in arn:
        return None
    memory_id = arn.rsplit("/", 1)[-1]
    if not _GRAMMAR["memory.memory_id"].fullmatch(memory_id):
        raise UsageError(f"{b.file}: agents.{b.name}.memory.memory_arn does not end in a memory id", "fix it")
    return memory_id


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

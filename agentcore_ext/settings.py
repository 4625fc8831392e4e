"""Settings: flags merged over team defaults ([tool.agentcore-ext] in the working directory's pyproject.toml).

Pure apart from reading that one file. Flags always win over team defaults. `agent_spec` is the one place an
AgentSpec (what the judge checks the role for) is built from settings.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from agentcore_ext import arns
from agentcore_ext.define.env import given_env
from agentcore_ext.define.facts import DEPLOYMENT_TYPE, ECR_REPOSITORY, MEMORY_MODE, PROTOCOL, Fact, Rank
from agentcore_ext.errors import UsageError
from agentcore_ext.state import MANAGED_BY_TAG, Feature
from agentcore_ext.tags import check_tag

DEPLOYMENT_TYPES = ("container", "direct_code_deploy")
PROTOCOLS = ("HTTP", "MCP", "A2A", "AGUI")
DEFAULT_ROLE_TEMPLATE = "BedrockAgentCoreRuntime-{region}-{agent}"

# key in pyproject -> expected python type
_TEAM_KEYS: dict[str, type] = {
    "role-path": str,
    "permissions-boundary": str,
    "tags": dict,
    "role-name-template": str,
    "deployment-type": str,
    "protocol": str,
    "region": str,
    "model": str,
    "additional-policies": list,
}


@dataclass(frozen=True)
class TeamDefaults:
    role_path: str | None = None
    permissions_boundary: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    role_name_template: str = DEFAULT_ROLE_TEMPLATE
    deployment_type: str | None = None
    protocol: str | None = None
    region: str | None = None
    model: str | None = None
    additional_policies: list[str] = field(default_factory=list)
    source: str = ""


def load_team_defaults(directory: Path) -> TeamDefaults:
    """Read [tool.agentcore-ext] from directory/pyproject.toml; a malformed table is a usage error naming the key."""
    path = directory / "pyproject.toml"
    if not path.is_file():
        return TeamDefaults()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}", "fix the file or run from another directory") from exc
    tool = data.get("tool", {})
    table = tool.get("agentcore-ext") if isinstance(tool, dict) else None
    if table is None:
        return TeamDefaults()
    where = f"{path} [tool.agentcore-ext]"
    if not isinstance(table, dict):
        raise UsageError(f"{where} must be a table", "write it as [tool.agentcore-ext] with key = value lines")
    values: dict[str, Any] = {}
    for key, value in table.items():
        expected = _TEAM_KEYS.get(key)
        if expected is None:
            raise UsageError(f"{where}: unknown key {key!r}", f"known keys: {', '.join(sorted(_TEAM_KEYS))}")
        if not isinstance(value, expected):
            raise UsageError(
                f"{where}: {key} must be a {'table' if expected is dict else 'string'}, got {type(value).__name__}",
                'e.g. role-path = "/agents/" or tags = { team = "ml" }',
            )
        values[key.replace("-", "_")] = value
    tags = values.get("tags", {})
    for tag_key, tag_value in tags.items():
        if not isinstance(tag_value, str):
            raise UsageError(f"{where}: tags.{tag_key} must be a string", 'e.g. tags = { team = "ml" }')
        check_tag(tag_key, tag_value, f"{where}: tags.{tag_key}")
    extra = values.get("additional_policies", [])
    if not all(isinstance(item, str) and item for item in extra):
        raise UsageError(
            f"{where}: additional-policies must be a list of policy files or ARNs",
            'e.g. additional-policies = ["policies/dynamodb.json", "arn:aws:iam::123456789012:policy/AgentData"]',
        )
    defaults = TeamDefaults(**values, source=str(path))
    _check_choices(defaults.deployment_type, DEPLOYMENT_TYPES, f"{where}: deployment-type")
    _check_choices(defaults.protocol and defaults.protocol.upper(), PROTOCOLS, f"{where}: protocol")
    if defaults.role_path:
        check_role_path(defaults.role_path, f"{where}: role-path")
    if defaults.permissions_boundary:
        check_boundary(defaults.permissions_boundary, f"{where}: permissions-boundary")
    if defaults.model:  # the team's model is scoped into every role like --model: the same grammar (item 9)
        _named(arns.validate_model, defaults.model, f"{where}: model")
    if defaults.region:
        _named(arns.validate_region, defaults.region, f"{where}: region")
    _check_template(defaults.role_name_template, f"{where}: role-name-template {defaults.role_name_template!r}")
    sample = arns.default_role_name("us-east-1", "agent", defaults.role_name_template)
    _named(arns.validate_role_name, sample, f"{where}: role-name-template {defaults.role_name_template!r} gives")
    return defaults


_TEMPLATE_FIELDS = frozenset({"region", "agent"})


def _check_template(template: str, what: str) -> None:
    """Only the bare placeholders {region} and {agent}, and {agent} required (one role per agent).

    str.format would evaluate `{agent.__class__}` or `{agent[0]}`: attribute access, indexing, conversions and
    format specs are refused, not just unknown names.
    """
    hint = "use the placeholders {region} and {agent} only, e.g. BedrockAgentCoreRuntime-{region}-{agent}"
    try:
        fields = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise UsageError(f"{what} is not valid: {exc}", hint) from exc
    for name, spec, conversion in fields:
        if name not in _TEMPLATE_FIELDS or spec or conversion:
            raise UsageError(f"{what}: placeholder {{{name}}} is not allowed", hint)
    if "agent" not in {name for name, _, _ in fields}:
        raise UsageError(f"{what} has no {{agent}}: every agent would share one role", hint)


def _named(check: Callable[[str], str], value: str, what: str) -> str:
    """Run an arns rule, prefixing its message with where the value came from (a flag or a pyproject key)."""
    try:
        return check(value)
    except UsageError as exc:
        raise UsageError(f"{what}: {exc.message}", exc.hint) from None


def check_role_path(path: str, what: str = "--role-path") -> str:
    """A path a role may be created under: IAM's syntax, and not one of the paths AWS reserves for itself."""
    _named(arns.validate_role_path, path, what)
    if arns.is_reserved_path(path):
        raise UsageError(
            f"{what} {path} is reserved for roles AWS manages (Identity Center, service-linked roles)",
            "choose another path, e.g. --role-path /agents/",
        )
    return path


def check_boundary(boundary: str, what: str = "--permissions-boundary") -> str:
    """A permissions boundary is a managed policy ARN (a customer one, or an AWS managed one: account `aws`)."""
    try:
        parsed: arns.Arn | None = arns.parse_arn(boundary)
    except UsageError:
        parsed = None
    if (
        parsed is None
        or parsed.service != "iam"
        or not parsed.resource.startswith("policy/")
        or not (parsed.account == "aws" or arns.ACCOUNT_RE.match(parsed.account))
    ):
        raise UsageError(
            f"{what} {boundary} is not an IAM managed policy ARN",
            "a boundary is a managed policy, e.g. arn:aws:iam::123456789012:policy/AgentBoundary",
        )
    return boundary


FEATURES = tuple(str(f) for f in Feature if f is not Feature.MEMORY)  # memory has its own flag


def check_feature(name: str) -> str:
    if name not in FEATURES:
        listed = ", ".join(FEATURES)
        raise UsageError(f"--feature {name!r} is not a feature agentcore-ext knows", f"choose from: {listed}")
    return name


def _given(name: str, value: str, flag: str, flags: frozenset[str]) -> Fact:
    if name in flags:
        return Fact(name, value, flag, Rank.FLAG)
    return Fact(name, value, f"{flag.removeprefix('--')} in [tool.agentcore-ext]", Rank.TEAM)


def _check_choices(value: str | None, choices: tuple[str, ...], what: str) -> None:
    if value is not None and value not in choices:
        listed = ", ".join(choices)
        raise UsageError(f"{what} must be one of {listed}, got {value!r}", f"choose one of: {listed}")


def parse_tags(pairs: list[str]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"--tag {pair!r} is not KEY=VALUE", "e.g. --tag team=ml")
        tags[key] = check_tag(key, value, f"--tag {pair!r}")
    return tags


@dataclass(frozen=True)
class Settings:
    """Everything one run needs to know, after flags, team defaults and environment are merged."""

    agent_name: str = ""
    entrypoint: str | None = None
    execution_role: str | None = None
    role_name: str | None = None
    role_path: str = "/"
    permissions_boundary: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    # The agent's shape as flags or team defaults state it; None: they say nothing (define/shape.py merges the
    # other sources, and what nobody gave stays unknown instead of a default).
    deployment_type: str | None = None
    memory: bool | None = None  # False: --disable-memory
    protocol: str | None = None
    shape_flags: frozenset[str] = frozenset()  # which of deployment_type/protocol a flag gave (else team defaults)
    shape_defaults: tuple[Fact, ...] = ()  # what the command's own tool applies when nothing says (configure)
    facts: tuple[Fact, ...] = ()  # what other sources said of the agent (a template, the deployed runtime, --env)
    region: str | None = None
    profile: str | None = None
    account: str | None = None
    model: str | None = None  # the team default model ([tool.agentcore-ext] model)
    models: tuple[str, ...] = ()  # --model, repeatable
    features: tuple[str, ...] = ()  # --feature, repeatable: what the code scan cannot see
    additional_policies: tuple[str, ...] = ()  # --additional-policy FILE|ARN and the team's additional-policies
    config_file: str | None = None  # --config: the toolkit's .bedrock_agentcore.yaml
    env: tuple[Fact, ...] = ()  # --env-file's then --env's "env.KEY" facts, as given (define/env.py env_facts)
    env_file: str | None = None  # --env-file as given (define/env.py env_args gives the flags again)
    ecr_repository: str | None = None  # `--ecr`/the yaml: a name, an image URI or `auto` (validated by arns)
    role_name_template: str = DEFAULT_ROLE_TEMPLATE
    fix: bool = False
    no_create: bool = False
    dry_run: bool = False
    show_documents: bool = False  # the plan's full before/after documents, not its overview
    yes: bool = False
    json: bool = False
    sandbox: bool = False
    force: bool = False
    toolkit_args: tuple[str, ...] = ()
    workdir: str = "."

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    def shape_facts(self) -> list[Fact]:
        """What flags and team defaults say of the agent's shape, each with its source (define/shape.py)."""
        out = []
        if self.deployment_type:
            out.append(_given(DEPLOYMENT_TYPE, self.deployment_type, "--deployment-type", self.shape_flags))
        if self.memory is False:
            out.append(Fact(MEMORY_MODE, "NO_MEMORY", "--disable-memory", Rank.FLAG))
        if self.protocol:
            out.append(_given(PROTOCOL, self.protocol, "--protocol", self.shape_flags))
        if self.ecr_repository:
            out.append(Fact(ECR_REPOSITORY, self.ecr_repository, "--ecr", Rank.FLAG))
        return out

    def role_tags(self) -> dict[str, str]:
        """Tags the tool puts on roles it creates: managed-by first, then team defaults and --tag."""
        return {MANAGED_BY_TAG[0]: MANAGED_BY_TAG[1], **self.tags}


def build_settings(
    *,
    defaults: TeamDefaults,
    entrypoint: str | None = None,
    name: str | None = None,
    execution_role: str | None = None,
    role_name: str | None = None,
    role_path: str | None = None,
    permissions_boundary: str | None = None,
    tags: list[str] | None = None,
    deployment_type: str | None = None,
    disable_memory: bool = False,
    protocol: str | None = None,
    region: str | None = None,
    profile: str | None = None,
    account: str | None = None,
    model: list[str] | None = None,
    feature: list[str] | None = None,
    additional_policy: list[str] | None = None,
    config: str | None = None,
    env: list[str] | None = None,
    env_file: str | None = None,
    **flags: Any,
) -> Settings:
    """Merge flags over team defaults and validate every value that can be checked without AWS."""
    agent = name or (arns.agent_name_from_entrypoint(entrypoint, flags.get("workdir")) if entrypoint else "")
    if agent:
        arns.validate_agent_name(agent, "" if name else f"the default from --entrypoint {entrypoint}")
    dtype = deployment_type or defaults.deployment_type
    _check_choices(dtype, DEPLOYMENT_TYPES, "--deployment-type")
    proto = (protocol or defaults.protocol or "").upper() or None
    _check_choices(proto, PROTOCOLS, "--protocol")
    path = role_path or defaults.role_path or "/"
    check_role_path(path, "--role-path" if role_path else "role-path in [tool.agentcore-ext]")
    if role_name:
        arns.validate_role_name(role_name)
    boundary = permissions_boundary or defaults.permissions_boundary
    if boundary:
        check_boundary(boundary, "--permissions-boundary" if permissions_boundary else "permissions-boundary")
    reg = region or defaults.region
    if reg:
        arns.validate_region(reg)
    if execution_role:  # syntax, kind and partition now; the account once the credentials are known
        arns.parse_role_ref(execution_role, partition=reg and arns.partition_for_region(reg), region=reg)
    if account:
        arns.validate_account(account)
    merged_tags = {**defaults.tags, **parse_tags(tags or [])}
    if len(merged_tags) + 1 > 50:
        raise UsageError(f"{len(merged_tags) + 1} tags requested", "IAM roles hold at most 50 tags")
    return Settings(
        agent_name=agent,
        entrypoint=entrypoint,
        execution_role=execution_role,
        role_name=role_name,
        role_path=path,
        permissions_boundary=boundary,
        tags=merged_tags,
        deployment_type=dtype,
        shape_flags=frozenset(n for n, v in (("deployment_type", deployment_type), ("protocol", protocol)) if v),
        memory=False if disable_memory else None,
        protocol=proto,
        region=reg,
        profile=profile,
        account=account,
        model=defaults.model,
        models=tuple(arns.validate_model(m) for m in model or ()),
        features=tuple(check_feature(f) for f in feature or ()),
        additional_policies=tuple(dict.fromkeys([*defaults.additional_policies, *(additional_policy or ())])),
        config_file=config,
        env=given_env(env or (), env_file, flags.get("workdir")),
        env_file=env_file,
        role_name_template=defaults.role_name_template,
        **flags,
    )

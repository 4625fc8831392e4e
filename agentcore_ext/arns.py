"""ARNs, partitions, IAM name and path rules, default names. Pure: no AWS calls."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agentcore_ext.errors import UsageError

# Whole-string rules with ASCII classes: validators use fullmatch, and every pattern ends in \Z (not "$", which
# also matches before a trailing newline) so that callers elsewhere using .match() cannot accept "name\n" either.
# No \d or \w: they accept other scripts' digits and letters.
ACCOUNT_RE = re.compile(r"[0-9]{12}\Z")
# IAM: role names are 1-64 characters of [\w+=,.@-]; \w here is ASCII only, as IAM means it.
ROLE_NAME_RE = re.compile(r"[A-Za-z0-9_+=,.@-]{1,64}\Z")
# IAM: a path is "/" or "/seg/.../" with printable ASCII other than "/" inside segments, at most 512 characters.
ROLE_PATH_RE = re.compile(r"/(?:[\x21-\x2e\x30-\x7e]+/)*\Z")
# The toolkit's own rule for agent names (utils/runtime/config.py in 0.3.14).
AGENT_NAME_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9_]{0,47}\Z")
REGION_RE = re.compile(r"[a-z]{2}(?:-[a-z]+)+-[0-9]{1,2}\Z")
# CreateMemory's id pattern (a name, a dash, 10 characters): any source of a memory id is held to it.
MEMORY_ID_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9_-]{0,99}-[a-zA-Z0-9]{10}\Z")

RESERVED_PATH_PREFIXES = ("/aws-reserved/", "/aws-service-role/", "/service-role/aws-service-role/")
MAX_ROLE_NAME = 64
MAX_ROLE_PATH = 512


def partition_for_region(region: str) -> str:
    """The ARN partition of a region (cn-* is aws-cn, us-gov-* is aws-us-gov, iso ones by prefix)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("eusc-"):
        return "aws-eusc"
    return "aws"


@dataclass(frozen=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str

    def __str__(self) -> str:
        return f"arn:{self.partition}:{self.service}:{self.region}:{self.account}:{self.resource}"

    @property
    def resource_type(self) -> str:
        return re.split(r"[/:]", self.resource, maxsplit=1)[0]


def parse_arn(text: str) -> Arn:
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[1] or not parts[2]:
        raise UsageError(
            f"not an ARN: {text!r}",
            "an ARN looks like arn:aws:iam::123456789012:role/MyRole",
        )
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def validate_region(region: str) -> str:
    if not REGION_RE.fullmatch(region):
        raise UsageError(
            f"not a region name: {region!r}",
            "give a region such as us-east-1 with --region, AWS_REGION or your profile",
        )
    return region


def validate_account(account: str) -> str:
    if not ACCOUNT_RE.fullmatch(account):
        raise UsageError(f"not an AWS account id: {account!r}", "an account id is 12 digits, e.g. 123456789012")
    return account


def validate_role_name(name: str) -> str:
    if not ROLE_NAME_RE.fullmatch(name):
        why = (
            f"it has {len(name)} characters (IAM allows 1-64)"
            if not 1 <= len(name) <= MAX_ROLE_NAME
            else "IAM allows only letters, digits and + = , . @ _ -"
        )
        raise UsageError(f"invalid IAM role name {name!r}: {why}", "choose another --role-name")
    return name


def validate_role_path(path: str) -> str:
    if len(path) > MAX_ROLE_PATH or not ROLE_PATH_RE.fullmatch(path):
        raise UsageError(
            f"invalid IAM path {path!r}",
            "a path starts and ends with '/', e.g. /agents/ (at most 512 printable ASCII characters)",
        )
    return path


def validate_agent_name(name: str, source: str = "") -> str:
    """The toolkit's rule; `source` says where a derived name came from (e.g. "from --entrypoint x.py")."""
    if not AGENT_NAME_RE.fullmatch(name):
        if not name[:1].isascii() or not name[:1].isalpha():
            why = "it must start with a letter"
        elif len(name) > 48:
            why = f"it has {len(name)} characters (at most 48)"
        else:
            why = "only letters, digits and '_' are allowed"
        raise UsageError(
            f"invalid agent name {name!r}{f' ({source})' if source else ''}: {why}",
            "AgentCore agent names start with a letter and hold at most 48 letters, digits or '_'; "
            "pass --name, e.g. --name my_agent",
        )
    return name


# The extensions the toolkit strips when it infers an agent name (operations/runtime/configure.py, 0.3.14).
_ENTRYPOINT_EXTENSIONS = (".py", ".ts", ".tsx", ".js", ".jsx")


def agent_name_from_entrypoint(entrypoint: str, workdir: str | Path | None = None) -> str:
    """The toolkit's default name (`infer_agent_name`): the entrypoint's path relative to the working directory,
    without its extension, with ' ', '-' and path separators made '_' (agents/my-agent.py -> agents_my_agent).
    """
    base = Path(workdir or ".").resolve()
    try:
        rel = str((base / entrypoint).resolve().relative_to(base))
    except ValueError:  # outside the working directory: refused later; name it by the file alone meanwhile
        rel = Path(entrypoint).name
    except (RuntimeError, OSError) as exc:  # a symlink loop (RuntimeError before Python 3.13), unreadable parts
        raise UsageError(
            f"--entrypoint {entrypoint} cannot be resolved: {exc.__class__.__name__}: {exc}",
            "point --entrypoint at the agent's Python file itself (check for a symbolic link that points to itself)",
        ) from exc
    for ext in _ENTRYPOINT_EXTENSIONS:
        if rel.endswith(ext):
            rel = rel[: -len(ext)]
            break
    return rel.replace(" ", "_").replace("-", "_").replace(os.sep, "_")


def is_reserved_path(path: str) -> bool:
    """Identity Center (/aws-reserved/) and service-linked (/aws-service-role/) roles are AWS-managed."""
    return any(path.startswith(prefix) for prefix in RESERVED_PATH_PREFIXES)


def role_arn(partition: str, account: str, name: str, path: str = "/") -> str:
    return f"arn:{partition}:iam::{account}:role{path}{name}"


def split_role_resource(resource: str) -> tuple[str, str]:
    """'role/a/b/Name' -> ('/a/b/', 'Name')."""
    body = resource[len("role") :]
    path, _, name = body.rpartition("/")
    return path + "/", name


def default_role_name(region: str, agent: str, template: str = "BedrockAgentCoreRuntime-{region}-{agent}") -> str:
    """Default role name; contains BedrockAgentCore so the AWS managed policy's PassRole pattern matches.

    Names over 64 characters keep their start and end a stable hash of the full name, so two long agent
    names never collapse onto one role.
    """
    name = template.format(region=region, agent=agent)
    if len(name) <= MAX_ROLE_NAME:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: MAX_ROLE_NAME - len(digest) - 1]}-{digest}"


@dataclass(frozen=True)
class RoleRef:
    """A role the user named: by ARN (path and account known) or by bare name (path resolved via IAM)."""

    name: str
    path: str | None
    account: str | None
    partition: str | None

    def arn(self, partition: str, account: str) -> str:
        return role_arn(self.partition or partition, self.account or account, self.name, self.path or "/")


def parse_role_ref(
    value: str, *, account: str | None = None, partition: str | None = None, region: str | None = None
) -> RoleRef:
    """Parse --execution-role: a role ARN or a bare role name. Refuses user ARNs and other accounts."""
    flag = "--execution-role"
    if value.startswith("arn:"):
        try:
            arn = parse_arn(value)
        except UsageError as exc:
            raise UsageError(f"{flag}: {exc.message}", exc.hint) from None
        if arn.service == "sts" and arn.resource.startswith("assumed-role/"):
            role = arn.resource.split("/")[1] or "NAME"
            raise UsageError(
                f"{flag} {value} is an STS session (assumed-role), not a role: it is who you are signed in as",
                f"the execution role is a role the AgentCore service assumes, not your own identity; omit {flag} "
                f"and agentcore-ext finds or creates one (a role's ARN looks like "
                f"arn:{arn.partition}:iam::{arn.account or 'ACCOUNT'}:role/{role})",
            )
        if arn.service != "iam" or not arn.resource.startswith("role/"):
            kind = f"IAM {arn.resource_type}" if arn.service == "iam" else f"{arn.service} resource"
            raise UsageError(
                f"{flag} {value} is an {kind}, not a role",
                f"{flag} wants the execution role the AgentCore service assumes, not your own identity; "
                "omit it and agentcore-ext finds or creates one",
            )
        if not ACCOUNT_RE.fullmatch(arn.account):
            raise UsageError(
                f"{flag} {value}: not an AWS account id: {arn.account!r}",
                "an account id is 12 digits, e.g. arn:aws:iam::123456789012:role/MyRole",
            )
        if account and arn.account != account:
            raise UsageError(
                f"role {value} is in account {arn.account}, but your credentials are for account {account}",
                "AgentCore Runtime needs an execution role in the account the agent runs in; "
                "use a role of that account or switch --profile",
            )
        if partition and arn.partition != partition:
            raise UsageError(
                f"role {value} is in partition {arn.partition}, but "
                f"{f'region {region}' if region else 'the region'} is in partition {partition}",
                f"use a role ARN of partition {partition} (arn:{partition}:iam::...), or a region of {arn.partition}",
            )
        path, name = split_role_resource(arn.resource)
        _check_ref_part(validate_role_path, path, value)
        _check_ref_part(validate_role_name, name, value)
        return RoleRef(name=name, path=path, account=arn.account, partition=arn.partition)
    if "/" in value or ":" in value:
        raise UsageError(
            f"{flag} {value!r}: invalid role name (a name holds no '/' or ':'), and not an ARN (arn:...)",
            "give a role name without a path, or the full role ARN (arn:aws:iam::ACCOUNT:role/path/Name)",
        )
    _check_ref_part(validate_role_name, value, value)
    return RoleRef(name=value, path=None, account=account, partition=partition)


def _check_ref_part(check: Callable[[str], str], part: str, value: str) -> None:
    """Name/path rules for --execution-role, with a hint about that flag (not --role-name/--role-path)."""
    try:
        check(part)
    except UsageError as exc:
        raise UsageError(
            f"--execution-role {value}: {exc.message}",
            "give an existing role's exact name or its full ARN (arn:aws:iam::ACCOUNT:role/path/Name)",
        ) from None


TOOLKIT_ROLE_PREFIX = "AmazonBedrockAgentCoreSDKRuntime-"


def toolkit_role_name(region: str, agent: str) -> str:
    """The role `agentcore deploy` creates when configured without -er (operations/runtime/create_role.py)."""
    return f"{TOOLKIT_ROLE_PREFIX}{region}-{hashlib.sha256(agent.encode()).hexdigest()[:10]}"


def is_toolkit_role_name(name: str) -> bool:
    return name.startswith(TOOLKIT_ROLE_PREFIX)


# ECR's repository-name grammar (CreateRepository API reference): lowercase segments of [a-z0-9] joined by
# ".", "_" or "-", optionally namespaced with "/"; 2 to 256 characters.
ECR_NAME_RE = re.compile(r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*")
ECR_URI_RE = re.compile(r"([0-9]{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/(.+)")


@dataclass(frozen=True)
class EcrRef:
    """The repository an image is pulled from; account and region None: the agent's own."""

    name: str | None  # None: the toolkit's default repository (`auto`)
    account: str | None = None
    region: str | None = None


def parse_ecr_repository(value: str, what: str = "--ecr") -> EcrRef:
    """A repository name, `auto` (any case: the toolkit creates bedrock-agentcore-<agent>), or an image URI
    `ACCOUNT.dkr.ecr.REGION.amazonaws.com/name[:tag|@digest]` whose account and region are kept."""
    text = value.strip()
    if text.lower() == "auto":
        return EcrRef(None)
    account = region = None
    uri = ECR_URI_RE.fullmatch(text)
    if uri:
        account, region, text = uri.group(1), uri.group(2), uri.group(3)
    elif ".dkr.ecr." in text:
        raise UsageError(
            f"{what} {value!r} is not an ECR image URI", "e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com/my-repo"
        )
    name = text.split("@", 1)[0].rsplit(":", 1)[0] if ":" in text.rsplit("/", 1)[-1] or "@" in text else text
    if not (2 <= len(name) <= 256) or not ECR_NAME_RE.fullmatch(name):
        raise UsageError(
            f"{what} {value!r} is not an ECR repository name (lowercase letters, digits, . _ - and /; no wildcards)",
            "give the repository's name or image URI, or `auto` for the toolkit's default repository",
        )
    return EcrRef(name, account, region)


def validate_model(model: str) -> str:
    """A model id, an inference profile id, or a Bedrock ARN: no spaces, no wildcards (the role is scoped to it)."""
    if not model or any(c.isspace() for c in model) or "*" in model or "?" in model or len(model) > 2048:
        raise UsageError(
            f"--model {model!r} is not a model id, inference profile id or ARN",
            "e.g. --model global.anthropic.claude-sonnet-4-5-20250929-v1:0 or --model us.amazon.nova-pro-v1:0",
        )
    if model.startswith("arn:") and ":bedrock:" not in model:
        raise UsageError(f"--model {model} is not a Bedrock ARN", "give a foundation-model or inference-profile ARN")
    return model

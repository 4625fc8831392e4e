"""Plain frozen data that the gather stage writes and the judge stage reads. Pure: no AWS, no I/O.

The flow is flags -> Settings -> gather (aws/) -> these records -> judge (judge/) -> plan (plan/). Keeping the
records here, apart from the code that fills them, is what lets judge/ and plan/ import no AWS code at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from agentcore_ext import arns
from agentcore_ext.iam.policy import PolicyDocument, PolicyError, parse_policy
from agentcore_ext.report import CallerBlock

MANAGED_BY_TAG = ("managed-by", "agentcore-ext")
# A stand-in runtime id: real ids are "<agent>-<10 random characters>", unknown before the first deploy.
PROBE_RUNTIME_SUFFIX = "Pr0beRun1d"


# --- the agent ---------------------------------------------------------------------------------------------


class Feature(StrEnum):
    """What an agent uses besides a model, each with its own execution-role needs (RUNTIME-NEEDS.md)."""

    CODE_INTERPRETER = "code-interpreter"
    BROWSER = "browser"
    IDENTITY_API_KEY = "identity-api-key"
    IDENTITY_OAUTH = "identity-oauth"
    GATEWAY = "gateway"
    GUARDRAIL = "guardrail"
    INVOKE_RUNTIME = "invoke-runtime"
    MEMORY = "memory"


class ModelKind(StrEnum):
    FOUNDATION_MODEL = "foundation_model"  # on demand in the agent's region
    GEO_PROFILE = "geo_profile"  # us., eu., apac., jp., au., us-gov., ... cross-region inference profile
    GLOBAL_PROFILE = "global_profile"  # global. inference profile
    APPLICATION_PROFILE = "application_profile"  # an application inference profile ARN


@dataclass(frozen=True)
class ModelUse:
    """A model the agent calls: an id, an inference profile id or an ARN, and where that was learnt."""

    id: str  # "" for a Bedrock model call whose id the scan cannot decide: judged as some model (judge/needs.py)
    source: str  # "my_agent.py:12", "--model", ".bedrock_agentcore.yaml ..."
    provider: str = "bedrock"  # who serves it: "bedrock", or another provider ("openai", "gemini", ...)
    # The package whose default model the call uses, as it names none (Strands `Agent()`): judge/strands_default.py
    # turns it into that default once the pinned version and the agent's region are known.
    package_default: str = ""


@dataclass(frozen=True)
class FeatureUse:
    feature: Feature
    source: str
    detail: str = ""  # a provider name, a target runtime ARN, a guardrail or gateway id, when known


@dataclass(frozen=True)
class AwsCall:
    """A boto3 client call in the agent's code: `boto3.client("s3").get_object(...)` -> ("s3", "get_object")."""

    service: str  # the client's service name as boto3 spells it
    operation: str  # the method called, snake_case as in the code
    source: str
    # The resource it names, where judge/scan_aws.py reads it (IDENTIFIERS): (parameter, the literal it surely is),
    # and (parameter, the environment variable it is read from) for one the code reads from the environment.
    args: tuple[tuple[str, str], ...] = ()
    env: tuple[tuple[str, str], ...] = ()
    via: str = ""  # the framework tool that makes the call, e.g. "strands_tools.retrieve"


@dataclass(frozen=True)
class AgentScan:
    """What a static scan of the agent's Python source found (nothing is imported or run)."""

    files: tuple[str, ...] = ()  # the files read, relative to the agent's folder
    models: tuple[ModelUse, ...] = ()
    features: tuple[FeatureUse, ...] = ()
    providers: tuple[str, ...] = ()  # non-Bedrock model providers seen ("openai", "anthropic", "gemini", ...)
    aws_calls: tuple[AwsCall, ...] = ()
    # what the scan saw but could not decide, e.g. "my_agent.py:9: model id read from os.environ"
    unresolved: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExtraPolicy:
    """An `additional-policies` entry: the agent's own grants, a JSON document or a managed policy's ARN.

    A file's statements are written as given (judge/additional_policy.py); a managed policy must be attached.
    Its document is read through the gateway when AWS is at hand (aws/gather_role.py), so the judge can see what
    it grants; offline (validate, policy) it stays None, and `error` says why a read failed."""

    source: str  # the file or ARN as given
    document: PolicyDocument | None = None  # a file's; an ARN's default version once read, else None
    raw: Mapping[str, Any] | None = None  # the JSON as written or served
    arn: str = ""  # set for a managed policy
    error: str = ""  # why an ARN's document could not be read (a refused GetPolicy, say)

    @property
    def aws_managed(self) -> bool:
        """An AWS managed policy (`arn:P:iam::aws:policy/...`): attachable in every account."""
        return self.arn.split(":")[4:5] == ["aws"]


@dataclass(frozen=True)
class AgentProfile:
    """What this agent is and uses, each fact with its source: flags and team defaults, its block in
    .bedrock_agentcore.yaml, and a static scan of its code. Built in flows/profile.py; judged in judge/."""

    models: tuple[ModelUse, ...] = ()
    features: tuple[FeatureUse, ...] = ()
    providers: tuple[str, ...] = ()
    aws_calls: tuple[AwsCall, ...] = ()
    unresolved: tuple[str, ...] = ()
    memory_id: str | None = None  # a real memory id (from the yaml), else the toolkit's naming pattern applies
    runtime_arn: str | None = None  # once deployed (yaml bedrock_agentcore.agent_arn)
    extra_policies: tuple[ExtraPolicy, ...] = ()
    # Destination regions per geographic inference profile id, from bedrock:GetInferenceProfile when it answered;
    # profiles not listed here use the table shipped in judge/profile_regions.py.
    destinations: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # The foundation-model ARNs each application inference profile (by ARN) routes to, as GetInferenceProfile
    # listed them; a profile not listed here routes to models agentcore-ext does not know (judge/models.py).
    routed_models: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def uses(self, feature: Feature) -> bool:
        return any(f.feature is feature for f in self.features)

    def feature_uses(self, feature: Feature) -> tuple[FeatureUse, ...]:
        return tuple(f for f in self.features if f.feature is feature)


@dataclass(frozen=True)
class AgentSpec:
    """The agent being judged: its name, where it runs, and how it is deployed. Built only by settings.agent_spec."""

    agent: str
    account: str
    region: str
    partition: str = "aws"
    deployment_type: str = "container"
    memory: bool = True
    protocol: str = "HTTP"
    ecr_repository: str | None = None  # a repository name; None: the toolkit's default for the agent
    model: str | None = None
    profile: AgentProfile = field(default_factory=AgentProfile)
    ecr_account: str | None = None  # an image URI's account and region, when they are not the agent's own
    ecr_region: str | None = None

    @property
    def repository(self) -> str:
        return self.ecr_repository or default_ecr_repository(self.agent)

    @property
    def runtime_id(self) -> str:
        """The runtime's id once deployed (from its ARN), else a stand-in of the toolkit's shape."""
        known = self.profile.runtime_arn
        resource = known.split(":", 5)[5] if known and known.count(":") >= 5 else ""
        # Only AgentCore's own shape `runtime/<name>-<id>` names the runtime; an ARN of another shape (the
        # sandbox emulator records `agent/<uuid>:1`) would scope the trust to a runtime that never calls.
        if resource.startswith("runtime/") and "/" not in resource[8:] and ":" not in resource and resource[8:]:
            return resource[8:]
        return f"{self.agent}-{PROBE_RUNTIME_SUFFIX}"

    def arn(self, service: str, resource: str, *, region: str | None = None, account: str | None = None) -> str:
        reg = self.region if region is None else region
        acct = self.account if account is None else account
        return f"arn:{self.partition}:{service}:{reg}:{acct}:{resource}"

    @property
    def runtime_arn(self) -> str:
        return self.arn("bedrock-agentcore", f"runtime/{self.runtime_id}")

    @property
    def log_group(self) -> str:
        return f"/aws/bedrock-agentcore/runtimes/{self.runtime_id}-DEFAULT"


def default_ecr_repository(agent: str) -> str:
    """The toolkit's default repository name: lowercase, runs of - and _ collapsed."""
    return "bedrock-agentcore-" + re.sub(r"[-_]{2,}", "-", agent.lower())


# --- the caller --------------------------------------------------------------------------------------------


class CallerKind(StrEnum):
    USER = "user"
    ROLE = "role"
    SSO_ROLE = "sso_role"
    FEDERATED_USER = "federated_user"
    ROOT = "root"
    UNKNOWN = "unknown"

    @property
    def is_role(self) -> bool:
        return self in (CallerKind.ROLE, CallerKind.SSO_ROLE)

    @property
    def readable(self) -> bool:
        """Kinds whose identity policies IAM lets us list and read."""
        return self in (CallerKind.USER, CallerKind.ROLE, CallerKind.SSO_ROLE)


@dataclass(frozen=True)
class Caller:
    arn: str  # as GetCallerIdentity returned it (a session ARN for roles)
    principal_arn: str  # the IAM ARN policies attach to (role ARN with its path for sessions)
    kind: CallerKind
    account: str
    partition: str
    name: str
    path: str
    permissions_boundary_arn: str | None = None
    details_read: bool = False  # GetUser/GetRole answered: path and boundary are known, not assumed
    session: str = ""  # the role session name (for SSO: the person)

    def block(self) -> CallerBlock:
        """INTERFACE.md's `caller` block."""
        return CallerBlock(self.arn, self.principal_arn, str(self.kind), self.account, self.partition)


@dataclass
class CallerPolicies:
    """The caller's own identity policies as far as they could be read, for local evaluation."""

    policies: list[PolicyDocument] = field(default_factory=list)
    boundary: PolicyDocument | None = None
    unreadable: list[str] = field(default_factory=list)  # "iam:Action (what)" for each refused or broken read
    listed: bool = False  # at least one policy listing answered: something about the caller is known

    @property
    def complete(self) -> bool:
        return not self.unreadable

    def refused_actions(self) -> list[str]:
        return sorted({item.split(" ", 1)[0] for item in self.unreadable})


# --- the execution role ------------------------------------------------------------------------------------


class TargetSource(StrEnum):
    EXECUTION_ROLE = "execution-role"  # --execution-role: use exactly this role
    ROLE_NAME = "role-name"  # --role-name: find or create this one
    DEFAULT = "default"  # the default name for the agent


@dataclass(frozen=True)
class RoleTarget:
    name: str
    path: str | None  # None: a bare --execution-role name, whose path only IAM knows
    account: str
    partition: str
    source: TargetSource
    create_path: str = "/"  # --role-path, used only when the role is created

    @property
    def must_exist(self) -> bool:
        """--execution-role means "use this role": the tool never creates a role the user says already exists."""
        return self.source is TargetSource.EXECUTION_ROLE

    def arn(self, path: str | None = None) -> str:
        return arns.role_arn(self.partition, self.account, self.name, path or self.path or self.create_path)


@dataclass(frozen=True)
class ObservedPolicy:
    """One policy document as IAM served it: `raw` kept verbatim so repairs preserve it byte for byte."""

    name: str  # inline policy name, or the managed policy's name
    raw: Mapping[str, Any]
    document: PolicyDocument | None  # None when IAM holds something the parser rejects (emulators allow it)
    arn: str = ""  # managed policies only
    error: str = ""


@dataclass(frozen=True)
class ObservedRole:
    name: str
    arn: str
    path: str
    trust: ObservedPolicy
    inline: tuple[ObservedPolicy, ...] = ()
    attached: tuple[ObservedPolicy, ...] = ()
    boundary_arn: str | None = None
    boundary: ObservedPolicy | None = None
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def reserved(self) -> bool:
        return arns.is_reserved_path(self.path)

    @property
    def managed_by_tool(self) -> bool:
        return self.tags.get(MANAGED_BY_TAG[0]) == MANAGED_BY_TAG[1]

    def inline_policy(self, name: str) -> ObservedPolicy | None:
        return next((p for p in self.inline if p.name == name), None)


def observe_policy(raw: Mapping[str, Any], name: str, arn: str = "") -> ObservedPolicy:
    try:
        return ObservedPolicy(name, raw, parse_policy(dict(raw), name=arn or name), arn)
    except PolicyError as exc:
        return ObservedPolicy(name, raw, None, arn, str(exc))


@dataclass(frozen=True)
class SimulationResult:
    """One (action, resource) answer of the IAM policy simulator."""

    action: str
    resource: str
    decision: str  # "allowed" | "explicitDeny" | "implicitDeny", as the simulator spells it
    matched_policies: tuple[str, ...] = ()  # SourcePolicyId of each matched statement
    missing_context: tuple[str, ...] = ()
    allowed_by_boundary: bool | None = None  # None: no boundary detail in the answer
    allowed_by_organizations: bool | None = None

"""The agent as it is deployed (issue 20): GetAgentRuntime's answer as facts of rank DEPLOYED, above the code scan and
below an IaC template, the YAML's block, team defaults and flags (define/facts.py), each with the source
"GetAgentRuntime <runtime id>".

It gives the deployment type (a container image or code), the image's ECR repository, the protocol, the network
mode, the runtime's ARN, the role the runtime runs with, and its environment variables (env.KEY), which the code scan
resolves `os.environ` reads with, below a template's and --env/--env-file. Values of variables whose name looks
secret stay facts (the scan may need them) but are never shown (`shown_facts`).

Pure: aws/runtime.py reads the answer, flows/doctor.py joins these facts to the run's settings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from agentcore_ext import arns
from agentcore_ext.define.env import check_env_key, check_env_value
from agentcore_ext.define.facts import (
    DEPLOYMENT_TYPE,
    ECR_REPOSITORY,
    ENV_PREFIX,
    EXECUTION_ROLE,
    MEMORY_ID,
    NETWORK_MODE,
    PROTOCOL,
    RUNTIME_ARN,
    Fact,
    Rank,
    env_fact,
)
from agentcore_ext.errors import UsageError
from agentcore_ext.findings import Code, Finding
from agentcore_ext.settings import Settings

SOURCE = "GetAgentRuntime"
PROTOCOLS = ("HTTP", "MCP", "A2A", "AGUI")  # protocolConfiguration.serverProtocol's enum
# `agentcore deploy` sets it to the agent's memory (toolkit 0.3.14 operations/runtime/launch.py)
TOOLKIT_MEMORY_ENV = "BEDROCK_AGENTCORE_MEMORY_ID"
# Words that mark a variable's value as a secret: its fact is kept, its value never printed.
SECRET_WORDS = ("KEY", "SECRET", "TOKEN", "PASSWORD", "PASSWD", "CREDENTIAL", "PRIVATE")
HIDDEN = "(hidden: the variable's name looks secret)"
GRANT = "bedrock-agentcore:GetAgentRuntime"
GRANT_LIST = "bedrock-agentcore:ListAgentRuntimes"
NOT_FOUND_CODES = frozenset({"ResourceNotFoundException", "ResourceNotFound"})
_WILD = re.compile(r"[*?\s\x00-\x1f\x7f]")
_ANY = re.compile(r".+")
_GRAMMAR = {
    MEMORY_ID: arns.MEMORY_ID_RE,
    NETWORK_MODE: re.compile(r"PUBLIC|VPC"),
    EXECUTION_ROLE: re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+"),
    RUNTIME_ARN: re.compile(r"arn:aws[a-z-]*:bedrock-agentcore:[a-z0-9-]+:\d{12}:[\w/:.-]+"),
}


@dataclass(frozen=True)
class DeployedRuntime:
    runtime_id: str
    facts: tuple[Fact, ...]
    role_arn: str | None  # the role the runtime runs with (roleArn)


def deployed_runtime(runtime_id: str, answer: Mapping[str, Any]) -> DeployedRuntime:
    """GetAgentRuntime's answer as facts. A value the API shape does not hold (a public image, an unknown
    protocol, a variable that is no environment variable name) gives no fact: none is guessed."""
    source = f"{SOURCE} {runtime_id}"
    facts: list[Fact] = []

    def add(name: str, value: Any) -> None:
        # A value the judge puts into ARNs and documents: one word, no wildcard (issue 21 item 9's rule for the YAML)
        if isinstance(value, str) and value and not _WILD.search(value) and _GRAMMAR.get(name, _ANY).fullmatch(value):
            facts.append(Fact(name, value, source, Rank.DEPLOYED))

    artifact = _mapping(answer.get("agentRuntimeArtifact"))
    if "codeConfiguration" in artifact:
        add(DEPLOYMENT_TYPE, "direct_code_deploy")
    elif "containerConfiguration" in artifact:
        add(DEPLOYMENT_TYPE, "container")
        uri = _mapping(artifact["containerConfiguration"]).get("containerUri")
        if _private_ecr_image(uri):
            add(ECR_REPOSITORY, uri)
    protocol = _mapping(answer.get("protocolConfiguration")).get("serverProtocol")
    if protocol in PROTOCOLS:
        add(PROTOCOL, protocol)
    add(NETWORK_MODE, _mapping(answer.get("networkConfiguration")).get("networkMode"))
    add(RUNTIME_ARN, answer.get("agentRuntimeArn"))
    add(EXECUTION_ROLE, answer.get("roleArn"))
    for key, value in sorted(_mapping(answer.get("environmentVariables")).items()):
        if _variable(key, value):
            facts.append(env_fact(key, value, source, Rank.DEPLOYED))
            if key == TOOLKIT_MEMORY_ENV:
                add(MEMORY_ID, value)
    roles = [f.value for f in facts if f.name == EXECUTION_ROLE]
    return DeployedRuntime(runtime_id, tuple(facts), roles[0] if roles else None)


def with_deployed(settings: Settings, deployed: DeployedRuntime) -> Settings:
    """The settings with the runtime's facts in `facts`, where the shape merge and the code scan's environment take
    them by rank (flows/profile.py). A variable a source of higher rank gives (--env, --env-file) is left out: the
    runtime's value changes no need, and `agent.facts` would name it."""
    outranked = {f.name for f in (*settings.facts, *settings.env) if f.rank > Rank.DEPLOYED}
    kept = tuple(f for f in deployed.facts if not (f.name.startswith(ENV_PREFIX) and f.name in outranked))
    return settings.with_(facts=(*settings.facts, *kept))


def looks_secret(key: str) -> bool:
    upper = key.upper()
    return any(word in upper for word in SECRET_WORDS)


def shown_facts(facts: Iterable[Mapping[str, str]]) -> tuple[dict[str, str], ...]:
    """The report's `agent.facts` with the values of secret-looking environment variables hidden."""
    out = []
    for fact in facts:
        name = str(fact.get("fact", ""))
        secret = name.startswith(ENV_PREFIX) and looks_secret(name.removeprefix(ENV_PREFIX))
        out.append({**fact, "value": HIDDEN} if secret else dict(fact))
    return tuple(out)


def unread_finding(runtime_id: str | None, found_by: str, error_code: str, message: str) -> Finding:
    """DEPLOYED_RUNTIME_UNREAD: the run judges without the deployed runtime, and says what would let it read it."""
    which = f"the deployed runtime {runtime_id} ({found_by})" if runtime_id else "the agent's deployed runtime"
    judged = "the role is judged without it (its environment variables, image and protocol)"
    if error_code in NOT_FOUND_CODES:
        return Finding(
            Code.DEPLOYED_RUNTIME_UNREAD,
            f"{which} was not found in this account and region: {judged}",
            "check that .bedrock_agentcore.yaml's bedrock_agentcore.agent_arn and aws.region name a runtime of this "
            "account (`agentcore status`)",
        )
    return Finding(
        Code.DEPLOYED_RUNTIME_UNREAD,
        f"{which} could not be read: {message}; {judged}",
        f"allow {GRANT} (and {GRANT_LIST}, to find the runtime by name) to your identity, or pass "
        "--env KEY=VALUE for the variables the agent runs with",
    )


def role_differs(deployed: DeployedRuntime, judged_arn: str) -> Finding | None:
    """DEPLOYED_ROLE_DIFFERS when the runtime runs with another role than the one judged (a role's name is unique
    in its account, whatever its path)."""
    if deployed.role_arn is None or _role_key(deployed.role_arn) == _role_key(judged_arn):
        return None
    return Finding(
        Code.DEPLOYED_ROLE_DIFFERS,
        f"the deployed runtime {deployed.runtime_id} runs with role {deployed.role_arn} (GetAgentRuntime), not "
        f"with the judged role {judged_arn}: until the agent is deployed again, the runtime's permissions are "
        f"{deployed.role_arn}'s",
        f"to judge the role the runtime runs with now, pass --execution-role {deployed.role_arn}",
    )


def _role_key(arn: str) -> tuple[str, str]:
    parts = arn.split(":", 5)
    account = parts[4] if len(parts) == 6 else ""
    return account, arn.rsplit("/", 1)[-1].lower()  # IAM role names are unique regardless of case


def _private_ecr_image(uri: Any) -> bool:
    if not isinstance(uri, str) or not arns.ECR_URI_RE.fullmatch(uri.strip()):
        return False
    try:
        arns.parse_ecr_repository(uri, "GetAgentRuntime containerUri")
    except UsageError:
        return False
    return True


def _variable(key: Any, value: Any) -> bool:
    if not isinstance(key, str) or not isinstance(value, str):
        return False
    try:
        check_env_value(check_env_key(key, SOURCE), value, SOURCE)
    except UsageError:
        return False  # a name no `os.environ[...]` read spells, or a value with a control character: not shown
    return True


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}

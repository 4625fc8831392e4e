"""The agent as a CloudFormation template defines it (issue 20): its runtime's facts and its role's documents.

Agents deployed with CloudFormation or CDK have no .bedrock_agentcore.yaml: their ECR repository, memory and custom
tools are resources of the stack, and reach the code through environment variables. From the template's
`AWS::BedrockAgentCore::Runtime` (properties as in the resource schema cfn-lint ships: AgentRuntimeName,
AgentRuntimeArtifact.ContainerConfiguration.ContainerUri or .CodeConfiguration, EnvironmentVariables,
ProtocolConfiguration, NetworkConfiguration.NetworkMode, RoleArn) come facts of rank TEMPLATE; from the role it
names, the documents to judge (template_role.py). What the template does not give is said in `unresolved`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agentcore_ext import arns
from agentcore_ext.define import facts as f
from agentcore_ext.define.facts import Fact, Rank
from agentcore_ext.define.template_read import read_template
from agentcore_ext.define.template_resolve import Resolver
from agentcore_ext.define.template_role import TemplateRole, find_role
from agentcore_ext.define.template_values import Place, Unknown, mapping
from agentcore_ext.errors import UsageError

RUNTIME = "AWS::BedrockAgentCore::Runtime"
MEMORY = "AWS::BedrockAgentCore::Memory"
PROTOCOLS = ("HTTP", "MCP", "A2A", "AGUI")  # the resource schema's ProtocolConfiguration enum
RUNTIME_NAME = "runtime_name"  # the runtime's AgentRuntimeName: the agent's name in its ARNs and log group


@dataclass(frozen=True)
class TemplateAgent:
    """One runtime of a template: what it says about the agent, and its execution role's documents."""

    path: str
    logical_id: str
    name: str | None  # AgentRuntimeName, resolved; None when the template does not give it
    facts: tuple[Fact, ...]
    role: TemplateRole
    unresolved: tuple[str, ...]  # what the template does not say, each with why


def template_agent(
    path: str, *, runtime: str | None, account: str, region: str, partition: str | None = None
) -> TemplateAgent:
    """The runtime `runtime` (logical id, AgentRuntimeName or CDK construct id; None: the only one) of the
    template file at `path`, deployed in that account and region."""
    place = Place(account, region, partition or arns.partition_for_region(region))
    return agent_of(read_template(path), path, place, runtime)


def template_facts(
    path: str, *, runtime: str | None, account: str, region: str, partition: str | None = None
) -> list[Fact]:
    """The facts (rank TEMPLATE) the template gives about the agent of that runtime."""
    return list(template_agent(path, runtime=runtime, account=account, region=region, partition=partition).facts)


def agent_of(template: Mapping[str, Any], path: str, place: Place, runtime: str | None) -> TemplateAgent:
    resolver = Resolver(template, place)
    try:
        logical = _pick(resolver, path, runtime)
        return _agent(resolver, template, path, logical)
    except RecursionError:  # aliases or references nested past Python's limit
        raise UsageError(f"--template {path}: nested too deeply to resolve", "simplify the template") from None


def _runtimes(resolver: Resolver) -> list[tuple[str, str | None, str | None]]:
    """(logical id, AgentRuntimeName, CDK construct id) of every runtime of the template."""
    out = []
    for logical, resource in resolver.resources.items():
        if mapping(resource).get("Type") != RUNTIME:
            continue
        name = resolver.string(mapping(mapping(resource).get("Properties")).get("AgentRuntimeName"))
        cdk_path = str(mapping(mapping(resource).get("Metadata")).get("aws:cdk:path", ""))  # Stack/Construct/Resource
        construct = cdk_path.split("/")[-2] if cdk_path.count("/") >= 2 else None
        out.append((str(logical), name if isinstance(name, str) else None, construct))
    return out


def _pick(resolver: Resolver, path: str, runtime: str | None) -> str:
    found = _runtimes(resolver)
    listed = ", ".join(f"{lg} (AgentRuntimeName {nm or 'unknown'})" for lg, nm, _ in found)
    if not found:
        raise UsageError(
            f"--template {path} defines no {RUNTIME}",
            "pass the template of the stack that defines the agent's runtime (cdk synth: cdk.out/*.template.json)",
        )
    if runtime is None:
        if len(found) > 1:
            raise UsageError(f"--template {path} defines {len(found)} runtimes: {listed}", "pick one with -n NAME")
        return found[0][0]
    matches = [lg for lg, nm, cdk in found if runtime in (lg, nm, cdk)]
    if len(matches) != 1:
        why = "no runtime" if not matches else "several runtimes"
        raise UsageError(
            f"--template {path}: {why} named {runtime!r}; it defines {listed}", "pass -n with one logical id above"
        )
    return matches[0]


def _agent(resolver: Resolver, template: Mapping[str, Any], path: str, logical: str) -> TemplateAgent:
    props = mapping(mapping(resolver.resources[logical]).get("Properties"))
    out = _Facts(resolver, logical)
    name = out.add(RUNTIME_NAME, props.get("AgentRuntimeName"), "AgentRuntimeName")
    if name is None:
        out.unresolved[-1] += f"; the runtime's ARN and log group are checked with its logical id {logical}"
    _artifact(out, mapping(props.get("AgentRuntimeArtifact")))
    protocol = props.get("ProtocolConfiguration")
    if isinstance(protocol, Mapping) and "ServerProtocol" in protocol:  # the API's shape; the schema's is a string
        protocol = protocol.get("ServerProtocol")
    if protocol is not None and out.add(f.PROTOCOL, protocol, "ProtocolConfiguration") not in (None, *PROTOCOLS):
        raise UsageError(
            f"--template {path}: {logical}.ProtocolConfiguration is not one of {', '.join(PROTOCOLS)}",
            "fix the template: AgentCore accepts only those",
        )
    network = mapping(props.get("NetworkConfiguration"))
    if "NetworkMode" in network:
        out.add(f.NETWORK_MODE, network["NetworkMode"], "NetworkConfiguration.NetworkMode")
    role = find_role(resolver, props.get("RoleArn"), f"{logical}.RoleArn")
    if role.arn is not None:
        out.said(f.EXECUTION_ROLE, role.arn, "RoleArn")
    environment = props.get("EnvironmentVariables")
    variables = mapping(resolver.resolve(environment)) if environment is not None else {}
    raw = mapping(environment)
    for key, value in variables.items():  # each resolved again from its own node, for what it leaned on
        out.add(f.ENV_PREFIX + str(key), raw.get(key, value), f"EnvironmentVariables.{key}")
    _memory(out, raw)
    if "Transform" in template:
        out.unresolved.append(f"the template declares Transform {template['Transform']}: what it adds is not seen")
    if "Condition" in mapping(resolver.resources[logical]):
        out.unresolved.append(f"{logical} is created only under condition {resolver.resources[logical]['Condition']}")
    return TemplateAgent(
        path=path,
        logical_id=logical,
        name=name,
        facts=tuple(out.facts),
        role=role,
        unresolved=tuple(dict.fromkeys([*out.unresolved, *role.unresolved])),
    )


class _Facts:
    """Facts of one runtime as they are found, each with its source (and what its value leaned on)."""

    def __init__(self, resolver: Resolver, logical: str) -> None:
        self.resolver, self.logical = resolver, logical
        self.facts: list[Fact] = []
        self.unresolved: list[str] = []

    def source(self, where: str, leaned_on: list[str] | None = None) -> str:
        said = f"template {self.logical}.{where}"
        return f"{said} ({'; '.join(dict.fromkeys(leaned_on))})" if leaned_on else said

    def said(self, name: str, value: str, where: str) -> None:
        self.facts.append(Fact(name, value, self.source(where), Rank.TEMPLATE))

    def add(self, name: str, node: Any, where: str) -> str | None:
        self.resolver.trace.clear()
        value = self.resolver.string(node)
        if isinstance(value, Unknown):
            self.unresolved.append(f"{name}: {self.logical}.{where}: {value.why}")
            return None
        self.facts.append(Fact(name, value, self.source(where, self.resolver.trace), Rank.TEMPLATE))
        return value


def _artifact(out: _Facts, artifact: Mapping[str, Any]) -> None:
    where = "AgentRuntimeArtifact"
    if "CodeConfiguration" in artifact:
        out.said(f.DEPLOYMENT_TYPE, "direct_code_deploy", f"{where}.CodeConfiguration")
        return
    if "ContainerConfiguration" not in artifact:
        out.unresolved.append(f"{f.DEPLOYMENT_TYPE}: {out.logical}.{where} has neither a container nor code")
        return
    out.said(f.DEPLOYMENT_TYPE, "container", f"{where}.ContainerConfiguration")
    uri_node = mapping(artifact["ContainerConfiguration"]).get("ContainerUri")
    uri = out.add(f.ECR_REPOSITORY, uri_node, f"{where}.ContainerConfiguration.ContainerUri")
    if uri is None:
        out.unresolved.append(
            f"{f.ECR_REPOSITORY}: which repository the role pulls the image from is unknown; give ContainerUri a "
            "value the template resolves (a literal, a parameter Default, the stack's repository)"
        )
    elif not arns.ECR_URI_RE.fullmatch(uri):
        out.facts.pop()  # a public or non-ECR image: no private repository the role pulls from
        out.unresolved.append(
            f"{f.ECR_REPOSITORY}: the image {uri} is not in a private ECR repository; agentcore-ext judges ECR pulls "
            "from private repositories only"
        )


def _memory(out: _Facts, environment: Mapping[str, Any]) -> None:
    """The stack's memory that reaches the agent through its environment (RUNTIME-NEEDS.md: IaC-deployed agents
    have the memory their stack declares); none reaching it, and no variable named for one, is NO_MEMORY."""
    resources = out.resolver.resources
    used = {
        (key, logical)
        for key, node in environment.items()
        for logical in _mentions(node)
        if mapping(resources.get(logical)).get("Type") == MEMORY
    }
    memories = sorted({logical for _, logical in used})
    if not memories:
        if not any("MEMORY" in str(key).upper() for key in environment):
            out.said(f.MEMORY_MODE, "NO_MEMORY", f"EnvironmentVariables: no {MEMORY} of the stack")
        return
    strategies = any(mapping(mapping(resources[m]).get("Properties")).get("MemoryStrategies") for m in memories)
    key = min(str(k) for k, _ in used)
    out.said(f.MEMORY_MODE, "STM_AND_LTM" if strategies else "STM_ONLY", f"EnvironmentVariables.{key}")
    if len(memories) == 1:  # the memory's id, made at deploy: its Name and the generated end (template_values.py)
        out.add(f.MEMORY_ID, {"Fn::GetAtt": [memories[0], "MemoryId"]}, f"EnvironmentVariables.{key}")


def _mentions(node: Any) -> set[str]:
    """Logical ids a value refers to: Ref, Fn::GetAtt, and ${X} / ${X.Attr} in Fn::Sub."""
    found: set[str] = set()
    if isinstance(node, Mapping):
        for key, arg in node.items():
            if key == "Ref" and isinstance(arg, str):
                found.add(arg)
            elif key == "Fn::GetAtt":
                first = arg.split(".", 1)[0] if isinstance(arg, str) else arg[0] if isinstance(arg, list) else None
                found |= {first} if isinstance(first, str) else set()
            elif key == "Fn::Sub":
                text = arg[0] if isinstance(arg, list) and arg else arg
                if isinstance(text, str):
                    found |= {part.split("}", 1)[0].split(".", 1)[0] for part in text.split("${")[1:]}
            found |= _mentions(arg)
    elif isinstance(node, list):
        for item in node:
            found |= _mentions(item)
    return found

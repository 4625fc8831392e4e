"""What Ref and Fn::GetAtt return for the stack's own resources, as ARN patterns. Pure.

Return values: the "Return values" section of each resource type's page in the CloudFormation template reference
(docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/); for the AgentCore types, Ref returns the
primaryIdentifier of the resource schema cfn-lint ships (cfnlint/data/schemas/resources). Generated names:
CloudFormation User Guide, "Name type" (`stack123123123123-s3bucket-abcdefghijk1`: stack, logical id, random).
AgentCore ids are `<name>-<suffix>` (RUNTIME-NEEDS.md, custom Browser/Code Interpreter ARNs; memory ids).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from agentcore_ext.define.template_values import Place, Unknown


class Namer(Protocol):
    """The resolver, as the table below uses it."""

    place: Place

    def string(self, node: Any) -> str | Unknown: ...

    def attribute(self, logical: str, attr: str) -> Any: ...

    def name(self, logical: str, props: Mapping[str, Any], prop: str, *, lower: bool = False) -> str | Unknown: ...

    def generated_id(self, logical: str, props: Mapping[str, Any], prop: str) -> str | Unknown: ...


Make = Callable[[Namer, str, Mapping[str, Any]], Any]


def _arn_of(service: str, prefix: str, *, local: bool = True) -> Make:
    """GetAtt ...Arn of a resource whose ARN ends with `prefix` + its name (the Ref value); `local` False: an ARN
    with neither region nor account (S3 buckets)."""

    def make(r: Namer, logical: str, props: Mapping[str, Any]) -> Any:
        name = r.attribute(logical, "Ref")
        if isinstance(name, Unknown):
            return name
        return r.place.arn(service, prefix + name, region=local, account=local)

    return make


def _agentcore(kind: str, name_prop: str) -> tuple[Make, Make]:
    """An AgentCore resource's id (`<name>-<suffix>`) and ARN `arn:P:bedrock-agentcore:R:C:<kind>/<id>`."""

    def ident(r: Namer, logical: str, props: Mapping[str, Any]) -> Any:
        return r.generated_id(logical, props, name_prop)

    def arn(r: Namer, logical: str, props: Mapping[str, Any]) -> Any:
        made = ident(r, logical, props)
        return made if isinstance(made, Unknown) else r.place.arn("bedrock-agentcore", f"{kind}/{made}")

    return ident, arn


def _role_arn(r: Namer, logical: str, props: Mapping[str, Any]) -> Any:
    name, path = r.attribute(logical, "Ref"), r.string(props.get("Path", "/"))
    unknown = next((v for v in (name, path) if isinstance(v, Unknown)), None)
    return unknown or r.place.arn("iam", f"role{path}{name}", region=False)


def _policy_arn(r: Namer, logical: str, props: Mapping[str, Any]) -> Any:
    name, path = r.name(logical, props, "ManagedPolicyName"), r.string(props.get("Path", "/"))
    unknown = next((v for v in (name, path) if isinstance(v, Unknown)), None)
    return unknown or r.place.arn("iam", f"policy{path}{name}", region=False)


def _repository_uri(r: Namer, logical: str, props: Mapping[str, Any]) -> Any:
    name = r.attribute(logical, "Ref")
    p = r.place
    return name if isinstance(name, Unknown) else f"{p.account}.dkr.ecr.{p.region}.{p.url_suffix}/{name}"


def _named(prop: str, *, lower: bool = False) -> Make:
    return lambda r, logical, props: r.name(logical, props, prop, lower=lower)


_MEMORY_ID, _MEMORY_ARN = _agentcore("memory", "Name")
_BROWSER_ID, _BROWSER_ARN = _agentcore("browser-custom", "Name")
_INTERPRETER_ID, _INTERPRETER_ARN = _agentcore("code-interpreter-custom", "Name")
_GATEWAY_ID, _GATEWAY_ARN = _agentcore("gateway", "Name")
_RUNTIME_ID, _RUNTIME_ARN = _agentcore("runtime", "AgentRuntimeName")
ATTRIBUTES: dict[str, dict[str, Make]] = {
    "AWS::IAM::Role": {"Ref": _named("RoleName"), "Arn": _role_arn},
    "AWS::IAM::ManagedPolicy": {"Ref": _policy_arn, "PolicyArn": _policy_arn},
    "AWS::ECR::Repository": {
        "Ref": _named("RepositoryName", lower=True),
        "Arn": _arn_of("ecr", "repository/"),
        "RepositoryUri": _repository_uri,
    },
    "AWS::BedrockAgentCore::Memory": {"Ref": _MEMORY_ARN, "MemoryArn": _MEMORY_ARN, "MemoryId": _MEMORY_ID},
    "AWS::BedrockAgentCore::BrowserCustom": {"Ref": _BROWSER_ID, "BrowserId": _BROWSER_ID, "BrowserArn": _BROWSER_ARN},
    "AWS::BedrockAgentCore::CodeInterpreterCustom": {
        "Ref": _INTERPRETER_ID,
        "CodeInterpreterId": _INTERPRETER_ID,
        "CodeInterpreterArn": _INTERPRETER_ARN,
    },
    "AWS::BedrockAgentCore::Gateway": {
        "Ref": _GATEWAY_ID,
        "GatewayIdentifier": _GATEWAY_ID,
        "GatewayArn": _GATEWAY_ARN,
    },
    "AWS::BedrockAgentCore::Runtime": {
        "Ref": _RUNTIME_ID,
        "AgentRuntimeId": _RUNTIME_ID,
        "AgentRuntimeArn": _RUNTIME_ARN,
    },
    "AWS::S3::Bucket": {"Ref": _named("BucketName", lower=True), "Arn": _arn_of("s3", "", local=False)},
    "AWS::DynamoDB::Table": {"Ref": _named("TableName"), "Arn": _arn_of("dynamodb", "table/")},
    "AWS::Lambda::Function": {"Ref": _named("FunctionName"), "Arn": _arn_of("lambda", "function:")},
}

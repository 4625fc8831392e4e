"""The agent's own AWS calls as requirements (issue 20, items 2-4). Pure.

Every boto3 operation the scan found (judge/scan_aws.py), and every call of a framework tool the agent hands to
its agent (judge/scan_aws_tools.py), is a required action (scan_aws.iam_action, botocore's operation names) on
its resource: the one the code names where the scan reads it (a literal, or an environment variable whose value
was given), else "some resource of that kind" (Probe.unknown, judge/some_resource.py), and "*" where the action
takes no resource. RUNTIME-NEEDS.md, row "the agent's own AWS calls": a denied call is often swallowed by the code.

Resource types per action: the Service Authorization Reference (read from its mirror iann0036/iam-dataset
aws/iam_definition.json): bedrock Retrieve, ListDataSources, GetDataSource, *KnowledgeBaseDocuments,
GetKnowledgeBase, StartIngestionJob on knowledge-base*; GetGuardrail on guardrail*; ListGuardrails on an optional
guardrail (so "*" when no guardrailIdentifier is passed); ListKnowledgeBases, RetrieveAndGenerate,
ListFoundationModels, ListInferenceProfiles on none; the Cost Explorer reads below on none or an optional
billingview (the code passes none). ARN forms: botocore's patterns (bedrock-agent KnowledgeBaseArn, bedrock
GuardrailArn, lambda FunctionArn); a secret's ARN is its name, "-" and six random characters (Secrets Manager's
SecretId documentation), and an id ending in "-" and six characters is taken as complete; a parameter's is
`parameter/<name without its leading slash>` (aws-cdk-lib aws-ssm arnForParameterName); S3's `arn:P:s3:::bucket`
and `.../key` (Amazon S3 user guide, "ARN format"), ListBucket on the bucket and object actions on the object as
the toolkit's CodeBuild policy has them (judge/codebuild_role.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from agentcore_ext.judge.rule import Probe, Rule
from agentcore_ext.judge.scan_aws import iam_action
from agentcore_ext.state import AgentSpec, AwsCall, Feature

FEATURE = "aws-calls"
# Judged by other rules with the resource they know: the model calls (judge/models.py), ApplyGuardrail
# (features.py, Feature.GUARDRAIL) and InvokeAgentRuntime (Feature.INVOKE_RUNTIME), which the scan records as
# features from the same calls, and GetMemory (judge/needs.py _memory, on the agent's memory).
ELSEWHERE = {
    ("bedrock-agentcore-control", "get_memory"),
    ("bedrock-runtime", "invoke_model"),
    ("bedrock-runtime", "invoke_model_with_response_stream"),
    ("bedrock-runtime", "converse"),
    ("bedrock-runtime", "converse_stream"),
    ("bedrock-runtime", "apply_guardrail"),
    ("bedrock-agentcore", "invoke_agent_runtime"),
}
_CE = (
    "get_cost_and_usage",
    "get_cost_and_usage_with_resources",
    "get_cost_forecast",
    "get_usage_forecast",
    "get_dimension_values",
    "get_tags",
    "get_cost_categories",
    "get_reservation_coverage",
    "get_reservation_utilization",
    "get_reservation_purchase_recommendation",
    "get_rightsizing_recommendation",
    "get_savings_plans_coverage",
    "get_savings_plans_utilization",
    "get_savings_plans_utilization_details",
    "get_savings_plans_purchase_recommendation",
)
STAR = {
    ("bedrock", "list_guardrails"),
    ("bedrock", "list_foundation_models"),
    ("bedrock", "list_inference_profiles"),
    ("bedrock-agent", "list_knowledge_bases"),
    ("bedrock-agent-runtime", "retrieve_and_generate"),
    *(("ce", op) for op in _CE),
}
STAR_ACTIONS = frozenset(iam_action(s, o) for s, o in STAR)  # the only Resource these take is "*"


@dataclass(frozen=True)
class Kind:
    """A resource type: its ARN for an identifier the code names, and the pattern for any of them."""

    name: str  # as the service authorization reference calls it
    param: str  # the boto3 parameter that names it
    service: str  # the ARN's service
    prefix: str  # the ARN's resource part before the id
    regionless: bool = False  # S3: no region, no account

    def any(self, spec: AgentSpec) -> str:
        return self.arn(spec, "*")

    def arn(self, spec: AgentSpec, ident: str) -> str:
        if self.regionless:
            return f"arn:{spec.partition}:{self.service}:::{self.prefix}{ident}"
        return spec.arn(self.service, f"{self.prefix}{ident}")


KB = Kind("knowledge-base", "knowledgeBaseId", "bedrock", "knowledge-base/")
GUARDRAIL = Kind("guardrail", "guardrailIdentifier", "bedrock", "guardrail/")
SECRET = Kind("secret", "SecretId", "secretsmanager", "secret:")
PARAMETER = Kind("parameter", "Name", "ssm", "parameter/")
FUNCTION = Kind("function", "FunctionName", "lambda", "function:")
BUCKET = Kind("bucket", "Bucket", "s3", "", regionless=True)
OBJECT = Kind("object", "Key", "s3", "", regionless=True)
_KB_OPS = (
    "get_knowledge_base",
    "start_ingestion_job",
    "list_data_sources",
    "get_data_source",
    "ingest_knowledge_base_documents",
    "delete_knowledge_base_documents",
    "list_knowledge_base_documents",
    "get_knowledge_base_documents",
)
_OBJECT_OPS = ("get_object", "head_object", "put_object", "delete_object")
_TRANSFER_OPS = ("download_file", "download_fileobj", "upload_file", "upload_fileobj")
KINDS: dict[tuple[str, str], Kind] = {
    ("bedrock-agent-runtime", "retrieve"): KB,
    **{("bedrock-agent", op): KB for op in _KB_OPS},
    ("bedrock", "get_guardrail"): GUARDRAIL,
    **{("secretsmanager", op): SECRET for op in ("get_secret_value", "describe_secret", "put_secret_value")},
    **{
        ("ssm", op): PARAMETER for op in ("get_parameter", "get_parameter_history", "put_parameter", "delete_parameter")
    },
    ("lambda", "invoke"): FUNCTION,
    **{("s3", op): BUCKET for op in ("list_objects", "list_objects_v2", "head_bucket")},
    **{("s3", op): OBJECT for op in (*_OBJECT_OPS, *_TRANSFER_OPS)},
}
_SECRET_SUFFIX = re.compile(r"-[A-Za-z0-9]{6}$")
_PLAIN = re.compile(r"^[A-Za-z0-9_.\-/+=@]+$")  # an id as written: no wildcard, no space


@dataclass(frozen=True)
class Target:
    resource: str  # written, and judged (a pattern when `unknown`)
    unknown: bool
    note: str = ""  # what would name it, when it is not exact


def _named(kind: Kind, spec: AgentSpec, ident: str) -> Target | None:
    """The ARN for an identifier as the code passes it; None when it is not of a form this module reads."""
    if ident.startswith("arn:"):
        if kind is SECRET and not _SECRET_SUFFIX.search(ident):
            return Target(ident + "-??????", True, "a partial secret ARN: its random suffix is unknown")
        return Target(ident, False)
    if not _PLAIN.match(ident):
        return None
    if kind is SECRET:
        return Target(kind.arn(spec, ident + "-??????"), True, "the secret's random ARN suffix is unknown")
    if kind is PARAMETER:
        return Target(kind.arn(spec, ident.lstrip("/")), False) if ":" not in ident else None
    if kind is FUNCTION and "/" in ident:
        return None
    return Target(kind.arn(spec, ident), False)


def _how(param: str, env: dict[str, str]) -> str:
    var = env.get(param)
    if var:
        return f"its {param} is read from the environment variable {var}: --env {var}=VALUE names it"
    return f"the code computes its {param}"


def _target(call: AwsCall, kind: Kind, spec: AgentSpec) -> Target:
    args, env = dict(call.args), dict(call.env)
    if kind is OBJECT:
        bucket, key = args.get("Bucket"), args.get("Key")
        if bucket and _PLAIN.match(bucket):
            if key and _PLAIN.match(key):
                return Target(kind.arn(spec, f"{bucket}/{key}"), False)
            return Target(kind.arn(spec, f"{bucket}/*"), True, _how("Key", env))
        return Target(kind.arn(spec, "*/*"), True, _how("Bucket", env))
    ident = args.get(kind.param, "")
    named = _named(kind, spec, ident) if ident else None
    return named or Target(kind.any(spec), True, _how(kind.param, env))


def _why(call: AwsCall) -> str:
    return f"{call.source} ({call.via})" if call.via else call.source


def _lookup_note(call: AwsCall) -> str:
    if call.service == "bedrock" and call.operation in ("list_guardrails", "get_guardrail"):
        return "a guardrail lookup: code that catches its refusal runs with the guardrail off"
    return ""


def _rule(call: AwsCall, spec: AgentSpec) -> Rule:
    """The call's requirement (its sid is set once the rules are merged)."""
    action = iam_action(call.service, call.operation)
    kind = KINDS.get((call.service, call.operation))
    if (call.service, call.operation) == ("bedrock", "list_guardrails") and dict(call.args).get(GUARDRAIL.param):
        kind = GUARDRAIL  # the versions of one guardrail: that guardrail is the resource
    if kind is None and (call.service, call.operation) in STAR:
        return Rule("", FEATURE, (action,), ("*",), (Probe("*"),), _why(call), note=_lookup_note(call))
    if kind is None:
        # A resource type this module does not map: some resource of the service is all that can be checked.
        prefix = action.split(":", 1)[0]
        pattern = f"arn:{spec.partition}:{prefix}:*:*:*"
        note = f"which {prefix} resource it uses is not known to agentcore-ext"
        return Rule("", FEATURE, (action,), (pattern,), (Probe(pattern, unknown=True),), _why(call), note=note)
    target = _target(call, kind, spec)
    note = "; ".join(n for n in (target.note if target.unknown else "", _lookup_note(call)) if n)
    probe = Probe(target.resource, unknown=target.unknown)
    return Rule("", FEATURE, (action,), (target.resource,), (probe,), _why(call), note=note)


def _guardrail_apply(spec: AgentSpec, calls: list[AwsCall]) -> list[Rule]:
    """Code that looks its guardrail up applies it (RUNTIME-NEEDS.md, "guardrail on model calls"); where the scan
    saw no application of its own (Feature.GUARDRAIL, judged by features.py), ApplyGuardrail is required on the
    guardrail the lookup names, else on some guardrail."""
    lookups = [c for c in calls if c.service == "bedrock" and c.operation in ("list_guardrails", "get_guardrail")]
    if not lookups or spec.profile.uses(Feature.GUARDRAIL):
        return []
    named = [_target(c, GUARDRAIL, spec) for c in lookups if c.operation == "get_guardrail"]
    target = next((t for t in named if not t.unknown), Target(GUARDRAIL.any(spec), True))
    note = "the guardrail the agent looks up is applied to its model calls"
    why = ", ".join(dict.fromkeys(c.source for c in lookups))
    probe = Probe(target.resource, unknown=target.unknown)
    actions = ("bedrock:ApplyGuardrail",)
    return [Rule("AgentGuardrailApply", FEATURE, actions, (target.resource,), (probe,), why, note=note)]


def aws_call_rules(spec: AgentSpec) -> list[Rule]:
    """One rule per action and resource, with every line that makes the request as its reason."""
    calls = [c for c in spec.profile.aws_calls if (c.service, c.operation) not in ELSEWHERE]
    merged: dict[tuple[tuple[str, ...], tuple[str, ...]], Rule] = {}
    for call in calls:
        rule = _rule(call, spec)
        key = (rule.actions, rule.resources)
        held = merged.get(key)
        if held is None:
            merged[key] = rule
        elif rule.reason not in held.reason.split(", "):
            merged[key] = replace(held, reason=f"{held.reason}, {rule.reason}")
    rules = [replace(r, sid=f"AgentAwsCall{n}") for n, r in enumerate(merged.values(), start=1)]
    return [*rules, *_guardrail_apply(spec, calls)]

"""What this agent needs from its execution role, rule by rule, from its profile. Pure.

Each rule cites its source. RUNTIME-NEEDS.md (../shared/reference) collects them; the toolkit's own template is
`bedrock_agentcore_starter_toolkit/utils/runtime/templates/execution_role_policy.json.j2` (0.3.14).
"""

from __future__ import annotations

from typing import Any

from agentcore_ext.judge import models
from agentcore_ext.judge.features import feature_rules
from agentcore_ext.judge.rule import Probe, RequirementLevel, Rule
from agentcore_ext.report import AgentBlock
from agentcore_ext.state import AgentSpec, Feature, ModelUse

PROBE_LOG_STREAM = "2025/01/01/[runtime-logs]00000000-0000-0000-0000-000000000000"
MEMORY_REQUIRED = ("CreateEvent", "ListEvents", "GetEvent", "RetrieveMemoryRecords")
MEMORY_RECOMMENDED = (
    "GetMemory",
    "GetMemoryRecord",
    "ListActors",
    "ListMemoryRecords",
    "ListSessions",
    "DeleteEvent",
    "DeleteMemoryRecord",
)
REQUIRED, RECOMMENDED = RequirementLevel.REQUIRED, RequirementLevel.RECOMMENDED


def effective_models(spec: AgentSpec) -> tuple[ModelUse, ...]:
    """The models the agent calls; with none known and no other provider seen, the toolkit's default model."""
    if spec.profile.models:
        return spec.profile.models
    if spec.model:
        return (ModelUse(spec.model, "model in [tool.agentcore-ext]"),)
    if spec.profile.providers:
        return ()  # another provider (OpenAI via an API key, ...): Bedrock is not needed
    if spec.profile.models_unknown:
        return ()  # code not scanned (ENTRYPOINT_NOT_SCANNED): a guessed model would be granted by --fix
    return (ModelUse(models.DEFAULT_MODEL, "default"),)


def _ecr(spec: AgentSpec) -> list[Rule]:
    # CreateAgentRuntime checks that the role can pull the image (RUNTIME-NEEDS.md, container image pull).
    if spec.deployment_type != "container":
        return []
    repo = spec.arn("ecr", f"repository/{spec.repository}", region=spec.ecr_region, account=spec.ecr_account)
    why = "container deployment"
    pull = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
    return [
        Rule("ECRImageAccess", "container", pull, (repo,), (Probe(repo),), why),
        Rule("ECRTokenAccess", "container", ("ecr:GetAuthorizationToken",), ("*",), (Probe("*"),), why),
    ]


def _observability(spec: AgentSpec) -> list[Rule]:
    runtimes = f"/aws/bedrock-agentcore/runtimes/{spec.agent}-*"
    group = spec.arn("logs", f"log-group:{spec.log_group}")
    why = "always (the runtime's logs and traces)"
    obs = "observability"
    return [
        Rule(
            "LogsAgentLogGroup",
            obs,
            ("logs:CreateLogGroup", "logs:DescribeLogStreams"),
            (spec.arn("logs", f"log-group:{runtimes}"),),
            (Probe(group),),
            why,
        ),
        Rule(
            "LogsDescribeGroups",
            obs,
            ("logs:DescribeLogGroups",),
            (spec.arn("logs", "log-group:*"),),
            (Probe(spec.arn("logs", "log-group:*")),),
            why,
        ),
        Rule(
            "LogsAgentLogStreams",
            obs,
            ("logs:CreateLogStream", "logs:PutLogEvents"),
            (spec.arn("logs", f"log-group:{runtimes}:log-stream:*"),),
            (Probe(f"{group}:log-stream:{PROBE_LOG_STREAM}"),),
            why,
        ),
        Rule("XRayTraces", obs, ("xray:PutTraceSegments", "xray:PutTelemetryRecords"), ("*",), (Probe("*"),), why),
        # Sampling and metrics only degrade telemetry when missing: the npm CLI's default role omits them.
        Rule(
            "XRaySampling",
            obs,
            ("xray:GetSamplingRules", "xray:GetSamplingTargets"),
            ("*",),
            (Probe("*"),),
            why,
            level=RECOMMENDED,
            telemetry=True,
        ),
        Rule(
            "CloudWatchMetrics",
            obs,
            ("cloudwatch:PutMetricData",),
            ("*",),
            (Probe("*", {"cloudwatch:namespace": "bedrock-agentcore"}),),
            why,
            condition={"StringEquals": {"cloudwatch:namespace": "bedrock-agentcore"}},
            level=RECOMMENDED,
            telemetry=True,
        ),
    ]


def _models(spec: AgentSpec) -> list[Rule]:
    out: list[Rule] = []
    resolved = [models.resolve_model(use, spec) for use in effective_models(spec)]
    invoke = models.INVOKE_ACTIONS
    for n, model in enumerate(resolved, start=1):
        sid = "BedrockModelInvocation" + (str(n) if n > 1 else "")
        probes = tuple(Probe(r.resource, models.route_context(r)) for r in models.routes(model, spec))
        why = f"{model.use.id} ({model.kind}) from {model.use.source}"
        if model.routed_unknown:
            # An application profile whose models are unknown (RUNTIME-NEEDS.md: the profile plus the models it
            # routes to): the profile's statement, and the models only through it, judged on a stand-in model.
            resource, condition = models.profile_scoped_models(model, spec)
            out.append(Rule(sid, "model", invoke, models.written_resources(model, spec), probes[:1], why))
            out.append(Rule(sid + "ViaProfile", "model", invoke, (resource,), probes[1:], why, condition=condition))
            continue
        out.append(Rule(sid, "model", invoke, models.written_resources(model, spec), probes, why))
    if any(m.third_party for m in resolved):
        # The toolkit's template statement MarketplaceSubscribeOnFirstCall: a third-party model's first call in
        # an account subscribes through AWS Marketplace, on the caller's behalf of Bedrock.
        ctx = {"aws:CalledViaLast": "bedrock.amazonaws.com"}
        out.append(
            Rule(
                "MarketplaceSubscribeOnFirstCall",
                "model",
                ("aws-marketplace:Subscribe", "aws-marketplace:ViewSubscriptions"),
                ("*",),
                (Probe("*", ctx),),
                "third-party model (first call in an account)",
                condition={"StringEquals": dict(ctx)},
                level=RECOMMENDED,
            )
        )
    return out


def _memory(spec: AgentSpec) -> list[Rule]:
    """AgentCore Memory (SDK `bedrock_agentcore.memory`): the session manager calls CreateEvent, ListEvents,
    GetEvent and RetrieveMemoryRecords in normal use; the rest only on some code paths."""
    used = spec.profile.feature_uses(Feature.MEMORY)
    if not (spec.memory or used):
        return []
    known = spec.profile.memory_id or next((u.detail for u in used if u.detail), "")
    resource = spec.arn("bedrock-agentcore", f"memory/{known}" if known else f"memory/{spec.agent}_mem-*")
    probe = Probe(spec.arn("bedrock-agentcore", f"memory/{known or spec.agent + '_mem-Pr0beRun1d'}"))
    why = "memory id from .bedrock_agentcore.yaml" if spec.profile.memory_id else "memory enabled"
    if used and not spec.memory:
        why = f"memory used at {used[0].source}"
    required = tuple(f"bedrock-agentcore:{n}" for n in MEMORY_REQUIRED)
    other = tuple(f"bedrock-agentcore:{n}" for n in MEMORY_RECOMMENDED)
    return [
        Rule("AgentCoreMemory", "memory", required, (resource,), (probe,), why),
        Rule("AgentCoreMemoryOther", "memory", other, (resource,), (probe,), why, level=RECOMMENDED),
    ]


def _protocol(spec: AgentSpec) -> list[Rule]:
    if spec.protocol != "A2A":
        return []
    # Serving A2A: the toolkit's template statement BedrockAgentCoreRuntime.
    own = spec.arn("bedrock-agentcore", f"runtime/{spec.agent}-*")
    return [
        Rule(
            "AgentCoreA2AInvoke",
            "a2a",
            ("bedrock-agentcore:InvokeAgentRuntime",),
            (own,),
            (Probe(spec.runtime_arn),),
            "protocol A2A",
        ),
        Rule(
            "AgentCoreA2AInvokeForUser",
            "a2a",
            ("bedrock-agentcore:InvokeAgentRuntimeForUser",),
            (own,),
            (Probe(spec.runtime_arn),),
            "protocol A2A",
            level=RECOMMENDED,
        ),
    ]


def _workload_identity(spec: AgentSpec) -> list[Rule]:
    # Since 2025-10 a service-linked role fetches workload access tokens; the toolkit's template keeps only
    # ...ForUserId (statement BedrockAgentCoreIdentity): recommended, not required.
    directory = spec.arn("bedrock-agentcore", "workload-identity-directory/default")
    return [
        Rule(
            "AgentCoreWorkloadIdentity",
            "workload-identity",
            ("bedrock-agentcore:GetWorkloadAccessTokenForUserId",),
            (directory, f"{directory}/workload-identity/{spec.agent}-*"),
            (Probe(f"{directory}/workload-identity/{spec.runtime_id}"),),
            "recommended by the toolkit's template",
            level=RECOMMENDED,
        )
    ]


def agent_rules(spec: AgentSpec) -> list[Rule]:
    return [
        *_ecr(spec),
        *_observability(spec),
        *_models(spec),
        *_memory(spec),
        *_protocol(spec),
        *feature_rules(spec),
        *_workload_identity(spec),
    ]


def agent_block(spec: AgentSpec) -> AgentBlock:
    """The report's `agent` block: the models (with their kind) and features the requirements came from."""
    resolved = [models.resolve_model(use, spec) for use in effective_models(spec)]
    features = [
        {"name": str(f.feature), "source": f.source, **({"detail": f.detail} if f.detail else {})}
        for f in spec.profile.features
    ]
    if spec.memory and not spec.profile.uses(Feature.MEMORY):
        features.append({"name": str(Feature.MEMORY), "source": "memory configured (agent.facts memory_mode)"})
    return AgentBlock(
        name=spec.agent,
        models=tuple({"id": m.use.id, "kind": str(m.kind), "source": m.use.source} for m in resolved),
        features=tuple(features),
        unresolved=spec.profile.unresolved,
    )


def requirement_blocks(spec: AgentSpec) -> tuple[dict[str, Any], ...]:
    """The report's `role.requirements`: each rule's feature, level, actions, resources and reason."""
    return tuple(rule.to_dict() for rule in agent_rules(spec))

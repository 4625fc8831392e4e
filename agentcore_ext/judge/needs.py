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
MEMORY_READ = ("bedrock-agentcore-control", "get_memory")  # GetMemory (judge/scan_calls.py MEMORY_READS)


def effective_models(spec: AgentSpec) -> tuple[ModelUse, ...]:
    """The Bedrock models the agent calls (an id "" is one whose id is unknown): the flags' or the code's, else
    the team's default model. None for an agent that calls none (INTERFACE.md 2026-12, "No model is assumed for
    an agent that calls none"; RUNTIME-NEEDS.md, row "an MCP tool server or any agent that calls no model"), or
    only other providers' models (OpenAI, Gemini, ...: no Bedrock permission)."""
    bedrock = tuple(m for m in spec.profile.models if m.provider == models.BEDROCK)
    if bedrock:
        return bedrock
    if spec.model:
        return (ModelUse(spec.model, "model in [tool.agentcore-ext]"),)
    return ()


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


def _some_model(spec: AgentSpec, unknown: list[ModelUse]) -> Rule:
    """A model call whose id nobody gave (INTERFACE.md 2026-12, "a requirement on an unknown resource"): allowed
    when the role allows InvokeModel on some foundation model or inference profile in this region (judged by
    judge/some_resource.py, a warning when only that is known); what --fix would write is every one of them."""
    pattern = f"arn:{spec.partition}:bedrock:{spec.region}:*:*"
    written = (
        f"arn:{spec.partition}:bedrock:*::foundation-model/*",
        spec.arn("bedrock", "inference-profile/*"),
    )
    why = "a model whose id is unknown, at " + ", ".join(dict.fromkeys(m.source for m in unknown))
    note = "which model is unknown: pass --model ID, or --env for the variable the code reads it from"
    probe = Probe(pattern, unknown=True)
    return Rule("BedrockSomeModel", "model", models.INVOKE_ACTIONS, written, (probe,), why, note=note)


def _models(spec: AgentSpec) -> list[Rule]:
    out: list[Rule] = []
    unknown = [use for use in effective_models(spec) if not use.id]
    resolved = [models.resolve_model(use, spec) for use in effective_models(spec) if use.id]
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
    if unknown:
        out.append(_some_model(spec, unknown))
    if unknown or any(m.third_party for m in resolved):
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
    GetEvent and RetrieveMemoryRecords in normal use; the rest only on some code paths. GetMemory is required
    where the code reads the memory (MemoryClient.get_memory_strategies at start, a boto3 get_memory: the scan
    records them as bedrock-agentcore-control get_memory calls; RUNTIME-NEEDS.md, memory row)."""
    used = spec.profile.feature_uses(Feature.MEMORY)
    reads = [c for c in spec.profile.aws_calls if (c.service, c.operation) == MEMORY_READ]
    if not (spec.memory or used or reads):
        return []
    named = next((ident for c in reads for param, ident in c.args if param == "memoryId"), "")
    known = spec.profile.memory_id or next((u.detail for u in used if u.detail), "") or named
    if known:
        resource = spec.arn("bedrock-agentcore", f"memory/{known}")
        probe = Probe(resource)
    elif spec.memory:  # configured memory with no id yet: launch.py creates it as `<agent>_mem` (toolkit 0.3.14)
        resource = spec.arn("bedrock-agentcore", f"memory/{spec.agent}_mem-*")
        probe = Probe(resource, unknown=True)
    else:  # the code uses a memory nobody names (issue 20: some memory of the account, never a guessed name)
        resource = spec.arn("bedrock-agentcore", "memory/*")
        probe = Probe(resource, unknown=True)
    why = "memory id from .bedrock_agentcore.yaml" if spec.profile.memory_id else "memory enabled"
    if (used or reads) and not spec.memory:
        why = f"memory used at {(used or reads)[0].source}"
    read = ("GetMemory",) if reads else ()
    if reads:
        why += "; GetMemory at " + ", ".join(dict.fromkeys(c.source for c in reads))
    required = tuple(f"bedrock-agentcore:{n}" for n in (*MEMORY_REQUIRED, *read))
    other = tuple(f"bedrock-agentcore:{n}" for n in MEMORY_RECOMMENDED if n not in read)
    return [
        Rule("AgentCoreMemory", "memory", required, (resource,), (probe,), why),
        Rule("AgentCoreMemoryOther", "memory", other, (resource,), (probe,), why, level=RECOMMENDED),
    ]


# Serving A2A needs nothing of the execution role (RUNTIME-NEEDS.md, row "serving A2A": the runtime proxies
# InvokeAgentRuntime payloads to the server, which calls only its model and tools; AWS's A2A samples deploy servers
# whose roles have no InvokeAgentRuntime). The toolkit's template grants it on its own runtime anyway; calling
# another runtime is Feature.INVOKE_RUNTIME (judge/features.py).


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
        *feature_rules(spec),
        *_workload_identity(spec),
    ]


def agent_block(spec: AgentSpec) -> AgentBlock:
    """The report's `agent` block: every model named (Bedrock ones with their kind, others with their provider:
    INTERFACE.md 2026-12) and the features the requirements came from. A model whose id is unknown is not a
    named one: `unresolved` says where it is called and which flag names it."""
    resolved = [models.resolve_model(use, spec) for use in effective_models(spec) if use.id]
    bedrock = [
        {"id": m.use.id, "kind": str(m.kind), "source": m.use.source, "provider": models.BEDROCK} for m in resolved
    ]
    others = [
        {"id": m.id, "kind": models.OTHER_PROVIDER, "source": m.source, "provider": m.provider}
        for m in spec.profile.models
        if m.provider != models.BEDROCK
    ]
    features = [
        {"name": str(f.feature), "source": f.source, **({"detail": f.detail} if f.detail else {})}
        for f in spec.profile.features
    ]
    if spec.memory and not spec.profile.uses(Feature.MEMORY):
        features.append({"name": str(Feature.MEMORY), "source": "memory configured (agent.facts memory_mode)"})
    return AgentBlock(
        name=spec.agent,
        models=(*bedrock, *others),
        features=tuple(features),
        unresolved=spec.profile.unresolved,
    )


def requirement_blocks(spec: AgentSpec) -> tuple[dict[str, Any], ...]:
    """The report's `role.requirements`: each rule's feature, level, actions, resources and reason."""
    return tuple(rule.to_dict() for rule in agent_rules(spec))

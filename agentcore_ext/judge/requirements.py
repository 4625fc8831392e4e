"""What a compliant execution role must allow, and the documents the tool writes. Pure.

One table (`_rules`) drives both sides, so what the tool writes and what it checks cannot drift:
each rule is a statement the tool writes (least privilege, scoped to agent/account/region/partition)
and, for each of its actions, a concrete probe request that a compliant role must allow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from agentcore_ext.iam.evaluate import Request
from agentcore_ext.state import PROBE_RUNTIME_SUFFIX, AgentSpec

SERVICE_PRINCIPAL = "bedrock-agentcore.amazonaws.com"
PROBE_LOG_STREAM = "2025/01/01/[runtime-logs]00000000-0000-0000-0000-000000000000"
DEFAULT_MODEL = "anthropic.claude-sonnet-4-20250514-v1:0"
FOREIGN_ACCOUNT = "999999999999"  # used to prove a document does not let another account in
TOOL_POLICY_NAME = "agentcore-ext-execution"
TOOL_REPAIR_POLICY_NAME = "agentcore-ext-repair"


class RequirementLevel(StrEnum):
    REQUIRED = "required"  # the agent fails without it: an error when missing
    RECOMMENDED = "recommended"  # some code paths need it: info when missing


@dataclass(frozen=True)
class Requirement:
    """One request a compliant role must allow (level "required") or should allow ("recommended")."""

    action: str
    resource: str
    context: Mapping[str, str] = field(default_factory=dict)
    level: RequirementLevel = RequirementLevel.REQUIRED
    sid: str = ""

    def request(self) -> Request:
        return Request(action=self.action, resource=self.resource, context=self.context)


@dataclass(frozen=True)
class _Rule:
    sid: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]  # what the tool writes
    probe: str  # the concrete resource a compliant role must allow
    condition: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    probe_context: Mapping[str, str] = field(default_factory=dict)
    level: RequirementLevel = RequirementLevel.REQUIRED


def _rules(spec: AgentSpec) -> list[_Rule]:
    runtimes = f"/aws/bedrock-agentcore/runtimes/{spec.agent}-*"
    rules: list[_Rule] = []
    if spec.deployment_type == "container":
        repo = spec.arn("ecr", f"repository/{spec.repository}")
        rules += [
            _Rule("ECRImageAccess", ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"), (repo,), repo),
            _Rule("ECRTokenAccess", ("ecr:GetAuthorizationToken",), ("*",), "*"),
        ]
    rules += [
        _Rule(
            "LogsAgentLogGroup",
            ("logs:CreateLogGroup", "logs:DescribeLogStreams"),
            (spec.arn("logs", f"log-group:{runtimes}"),),
            spec.arn("logs", f"log-group:{spec.log_group}"),
        ),
        _Rule(
            "LogsDescribeGroups",
            ("logs:DescribeLogGroups",),
            (spec.arn("logs", "log-group:*"),),
            spec.arn("logs", "log-group:*"),
        ),
        _Rule(
            "LogsAgentLogStreams",
            ("logs:CreateLogStream", "logs:PutLogEvents"),
            (spec.arn("logs", f"log-group:{runtimes}:log-stream:*"),),
            spec.arn("logs", f"log-group:{spec.log_group}:log-stream:{PROBE_LOG_STREAM}"),
        ),
        _Rule(
            "XRayTraces",
            ("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"),
            ("*",),
            "*",
        ),
        _Rule(
            "CloudWatchMetrics",
            ("cloudwatch:PutMetricData",),
            ("*",),
            "*",
            condition={"StringEquals": {"cloudwatch:namespace": "bedrock-agentcore"}},
            probe_context={"cloudwatch:namespace": "bedrock-agentcore"},
        ),
        _Rule(
            "BedrockModelInvocation",
            ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"),
            # Any region: cross-region inference profiles route calls to foundation models in other regions.
            (
                f"arn:{spec.partition}:bedrock:*::foundation-model/*",
                spec.arn("bedrock", "inference-profile/*"),
                spec.arn("bedrock", "application-inference-profile/*"),
            ),
            f"arn:{spec.partition}:bedrock:{spec.region}::foundation-model/{spec.model or DEFAULT_MODEL}",
        ),
    ]
    if spec.memory:
        rules.append(
            _Rule(
                "AgentCoreMemory",
                (
                    "bedrock-agentcore:CreateEvent",
                    "bedrock-agentcore:GetEvent",
                    "bedrock-agentcore:GetMemory",
                    "bedrock-agentcore:GetMemoryRecord",
                    "bedrock-agentcore:ListActors",
                    "bedrock-agentcore:ListEvents",
                    "bedrock-agentcore:ListMemoryRecords",
                    "bedrock-agentcore:ListSessions",
                    "bedrock-agentcore:DeleteEvent",
                    "bedrock-agentcore:DeleteMemoryRecord",
                    "bedrock-agentcore:RetrieveMemoryRecords",
                ),
                (spec.arn("bedrock-agentcore", f"memory/{spec.agent}_mem-*"),),
                spec.arn("bedrock-agentcore", f"memory/{spec.agent}_mem-{PROBE_RUNTIME_SUFFIX}"),
            )
        )
    if spec.protocol == "A2A":
        rules.append(
            _Rule(
                "AgentCoreA2AInvoke",
                ("bedrock-agentcore:InvokeAgentRuntime",),
                (spec.arn("bedrock-agentcore", f"runtime/{spec.agent}-*"),),
                spec.runtime_arn,
            )
        )
    directory = spec.arn("bedrock-agentcore", "workload-identity-directory/default")
    rules.append(
        _Rule(
            "AgentCoreWorkloadIdentity",
            (
                "bedrock-agentcore:GetWorkloadAccessToken",
                "bedrock-agentcore:GetWorkloadAccessTokenForJWT",
                "bedrock-agentcore:GetWorkloadAccessTokenForUserId",
            ),
            (directory, f"{directory}/workload-identity/{spec.agent}-*"),
            f"{directory}/workload-identity/{spec.runtime_id}",
            # Since Oct 2025 a service-linked role fetches these tokens: recommended, not required.
            level=RequirementLevel.RECOMMENDED,
        )
    )
    return rules


def requirements(spec: AgentSpec) -> tuple[Requirement, ...]:
    """Every request of INTERFACE.md "What compliant means", as concrete (action, resource, context)."""
    return tuple(
        Requirement(action, rule.probe, rule.probe_context, rule.level, rule.sid)
        for rule in _rules(spec)
        for action in rule.actions
    )


def _statement(rule: _Rule, actions: tuple[str, ...]) -> dict[str, Any]:
    st: dict[str, Any] = {
        "Sid": rule.sid,
        "Effect": "Allow",
        "Action": list(actions),
        "Resource": list(rule.resources) if len(rule.resources) > 1 else rule.resources[0],
    }
    if rule.condition:
        st["Condition"] = {op: dict(block) for op, block in rule.condition.items()}
    return st


def permissions_document(spec: AgentSpec, only_actions: set[str] | None = None) -> dict[str, Any]:
    """The least-privilege permissions policy; with only_actions, just the statements (and actions) for those."""
    statements = []
    for rule in _rules(spec):
        actions = rule.actions if only_actions is None else tuple(a for a in rule.actions if a in only_actions)
        if actions:
            statements.append(_statement(rule, actions))
    return {"Version": "2012-10-17", "Statement": statements}


# --- trust -----------------------------------------------------------------------------------------------


def trust_statement(spec: AgentSpec) -> dict[str, Any]:
    """The service statement: AgentCore may assume the role, only for this agent's runtimes in this account."""
    return {
        "Sid": "BedrockAgentCoreRuntimeAssumeRole",
        "Effect": "Allow",
        "Principal": {"Service": SERVICE_PRINCIPAL},
        "Action": "sts:AssumeRole",
        "Condition": {
            "StringEquals": {"aws:SourceAccount": spec.account},
            "ArnLike": {"aws:SourceArn": spec.arn("bedrock-agentcore", f"runtime/{spec.agent}-*")},
        },
    }


def trust_document(spec: AgentSpec) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [trust_statement(spec)]}


def trust_request(spec: AgentSpec, *, account: str | None = None) -> Request:
    """AgentCore assuming the role for a runtime of this agent (or, with account=, of another account)."""
    acct = account or spec.account
    return Request(
        action="sts:AssumeRole",
        resource="*",
        principal={"Service": SERVICE_PRINCIPAL},
        context={
            "aws:SourceAccount": acct,
            "aws:SourceArn": spec.arn("bedrock-agentcore", f"runtime/{spec.runtime_id}", account=acct),
        },
    )

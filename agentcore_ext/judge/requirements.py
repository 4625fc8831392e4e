"""What a compliant execution role must allow for this agent, and the documents the tool writes. Pure.

One table of rules (judge/needs.py builds it from the agent's profile; judge/rule.py has the types) drives both
sides, so what the tool writes and what it checks cannot drift: each rule is a statement the tool writes (least
privilege, scoped to what is known) and, for each of its actions, the concrete requests (probes) a compliant role
must allow, each with the request context a real call carries (`aws:RequestedRegion` always).
"""

from __future__ import annotations

from typing import Any

from agentcore_ext.iam.evaluate import Request
from agentcore_ext.judge.needs import agent_rules
from agentcore_ext.judge.rule import Requirement, Rule
from agentcore_ext.state import AgentSpec

SERVICE_PRINCIPAL = "bedrock-agentcore.amazonaws.com"
TOOL_POLICY_NAME = "agentcore-ext-execution"
TOOL_REPAIR_POLICY_NAME = "agentcore-ext-repair"


def requirements(spec: AgentSpec) -> tuple[Requirement, ...]:
    """Every request a compliant role must allow for this agent, each with its real request context."""
    return tuple(
        Requirement(
            action,
            probe.resource,
            {"aws:RequestedRegion": spec.region, **probe.context},
            rule.level,
            rule.sid,
            rule.feature,
            rule.telemetry,
            ", ".join(rule.resources),
            probe.unknown,
            rule.note,
        )
        for rule in agent_rules(spec)
        for action in rule.actions
        for probe in rule.probes
    )


def _statement(rule: Rule, actions: tuple[str, ...]) -> dict[str, Any]:
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
    """The least-privilege permissions policy; with only_actions, just the statements (and actions) for those.

    An additional policy's statement is written whole, as given: with only_actions, when it is an Allow judged by
    requests and one of its actions is missing (one required as written is added by the planner when missing)."""
    statements = []
    for rule in agent_rules(spec):
        actions = rule.actions if only_actions is None else tuple(a for a in rule.actions if a in only_actions)
        if rule.statement is not None:
            if only_actions is None or (actions and rule.probes):
                statements.append(dict(rule.statement))
        elif actions:
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

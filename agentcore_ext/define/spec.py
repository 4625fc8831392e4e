"""The one AgentSpec constructor: the run's settings and the agent's merged shape (define/shape.py), in an account."""

from __future__ import annotations

from agentcore_ext import arns
from agentcore_ext.define.shape import Shape, merge_shape
from agentcore_ext.errors import no_region
from agentcore_ext.settings import Settings
from agentcore_ext.state import AgentProfile, AgentSpec

# Judged when no source gives the deployment type: a container agent (what `agentcore configure` makes whenever uv
# or zip is missing, and every IaC sample's runtime); the report says so (DEPLOYMENT_TYPE_UNKNOWN).
UNKNOWN_DEPLOYMENT_JUDGED_AS = "container"


def agent_spec(
    settings: Settings,
    *,
    account: str,
    partition: str | None = None,
    profile: AgentProfile | None = None,
    shape: Shape | None = None,
) -> AgentSpec:
    """The agent the checks judge a role for: its shape (the flags' alone when none is given) in that account."""
    if not settings.region:
        raise no_region()
    shape = shape or merge_shape(settings.shape_facts())
    repository = shape.ecr_repository
    ecr = arns.parse_ecr_repository(repository) if repository else arns.EcrRef(None)
    return AgentSpec(
        agent=settings.agent_name,
        account=account,
        region=settings.region,
        partition=partition or arns.partition_for_region(settings.region),
        deployment_type=shape.deployment_type or UNKNOWN_DEPLOYMENT_JUDGED_AS,
        memory=shape.memory,
        protocol=shape.protocol,
        ecr_repository=ecr.name,
        model=settings.model,
        profile=profile or AgentProfile(),
        ecr_account=ecr.account,
        ecr_region=ecr.region,
    )

"""role ensure reads .bedrock_agentcore.yaml as doctor does (issue 15 item 3): the agent's block fills in what no
flag says, so `role ensure` judges the agent `doctor` (flows/doctor.py settings_from_toolkit_config) and the
toolkit's deploy (which reads only the YAML) see, instead of the flags' defaults.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any

from agentcore_ext.findings import Code, Finding
from agentcore_ext.flows.profile import config_for
from agentcore_ext.settings import Settings
from agentcore_ext.toolkit.config import read_agent_config

# Our CLI parameter names (cli/role.py) -> what in the YAML they override.
_ROLE_FLAGS = ("execution_role", "role_name")


def with_agent_config(settings: Settings, explicit: Collection[str]) -> Settings:
    """Region and the configured execution role from the agent's block, for each one no flag in `explicit` (the
    parameter names the user gave) sets. The agent's shape (deployment type, memory, protocol, ECR repository) and
    features come from the same block in flows/profile.py. No block (no file, another agent): unchanged."""
    config = config_for(settings)
    if config is None or (settings.agent_name and config.name != settings.agent_name):
        return settings
    changes: dict[str, Any] = {}
    if not settings.agent_name:
        changes["agent_name"] = config.name
    if config.region and "region" not in explicit:
        changes["region"] = config.region  # the toolkit deploys to the YAML's region, whatever AWS_REGION says
    changes["shape_defaults"] = ()  # the agent is configured: its block says what it is (flows/profile.py)
    if config.execution_role and not config.execution_role_auto_create and not set(_ROLE_FLAGS) & set(explicit):
        changes["execution_role"] = config.execution_role  # the role the user chose stays the target, as configure
    return settings.with_(**changes) if changes else settings


def region_mismatch(settings: Settings) -> Finding | None:
    """REGION_MISMATCH when --region or the environment's region differs from the agent's region in the YAML
    (the toolkit deploys to the YAML's region, whatever AWS_REGION says)."""
    path = Path(settings.config_file) if settings.config_file else None
    config = read_agent_config(Path(settings.workdir), settings.agent_name or None, path)
    if config is None or not config.region or not settings.region or config.region == settings.region:
        return None
    return Finding(
        Code.REGION_MISMATCH,
        f"agent {config.name} is configured for region {config.region} ({config.where('aws.region')}), but this "
        f"run's region (--region or AWS_REGION/AWS_DEFAULT_REGION) is {settings.region}",
        f"drop --region and unset AWS_REGION, or pass --region {config.region}; to move the agent, rerun "
        f"agentcore-ext configure --region {settings.region}",
    )

"""configure's target when `.bedrock_agentcore.yaml` already names an execution role and no flag names another.

A role the user chose must exist: agentcore-ext never creates one in its place. But the toolkit records the role's
ARN before agentcore-ext creates the role (configure runs the toolkit first, then asks about IAM), so a run killed
in between (kill -9, a crash, a lost machine) leaves a YAML naming the tool's own default role, which IAM never got.
That role is found or created by its name, so the rerun converges (issue 21, item 8).
"""

from __future__ import annotations

from agentcore_ext import arns
from agentcore_ext.findings import Code, Finding
from agentcore_ext.report import Report
from agentcore_ext.settings import Settings
from agentcore_ext.state import AgentSpec
from agentcore_ext.toolkit.config import CONFIG_FILE


def target(settings: Settings, role_arn: str, yaml_region: str | None) -> tuple[Settings, bool]:
    """The settings aimed at the YAML's role; True when by name (find or create), else as --execution-role."""
    if default_named(settings, role_arn, yaml_region):
        return settings.with_(role_name=arns.parse_role_ref(role_arn).name), True
    return settings.with_(execution_role=role_arn), False


def default_named(settings: Settings, role_arn: str, yaml_region: str | None) -> bool:
    """Does the role carry agentcore-ext's default name for this agent, at the path it would be created with?"""
    region = settings.region or yaml_region
    if not region:
        return False
    ref = arns.parse_role_ref(role_arn)
    default = arns.default_role_name(region, settings.agent_name, settings.role_name_template)
    return ref.name == default and ref.path in (None, settings.role_path)


def kept(agent: str, role_arn: str, *, by_name: bool) -> Finding:
    return Finding(
        Code.CONFIGURED_ROLE_KEPT,
        f"checking the role already configured for {agent}: {role_arn}"
        + (" (agentcore-ext's default name: created if it does not exist)" if by_name else ""),
        "pass --execution-role or --role-name to use another role",
    )


def same_account(role_arn: str, spec: AgentSpec) -> None:
    """Found by name, it is still the YAML's account's role: credentials for another account are exit 2, as they
    are for --execution-role (switching accounts silently would configure a role the YAML never named)."""
    arns.parse_role_ref(role_arn, account=spec.account, partition=spec.partition, region=spec.region)


def create_by_name(settings: Settings, role_arn: str) -> Settings:
    """The settings of a rerun that creates the YAML's role under its name and path (--role-name, --role-path)."""
    ref = arns.parse_role_ref(role_arn)
    return settings.with_(execution_role=None, role_name=ref.name, role_path=ref.path or settings.role_path)


def missing(report: Report, role_arn: str, agent: str, rerun: str) -> None:
    """ROLE_NOT_FOUND for the YAML's role, in words that fit: no --execution-role was given, so "omit it" would
    not help (the YAML names the role again); `rerun` (create_by_name's command) does."""
    report.findings = [
        Finding(
            Code.ROLE_NOT_FOUND,
            f"execution role {role_arn} does not exist: {CONFIG_FILE} names it for {agent}, and a role the user "
            "chose is never created in its place",
            f"create it in IAM, or let agentcore-ext create it: {rerun} (or pass --execution-role with an existing "
            "role)",
        )
        if f.code is Code.ROLE_NOT_FOUND and role_arn in f.message
        else f
        for f in report.findings
    ]

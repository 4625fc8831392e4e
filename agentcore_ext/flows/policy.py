"""`policy trust|permissions|caller`: the documents the tool would use, for administrators. Reads AWS only to
learn the region or account when they are not given (one GetCallerIdentity at most).
"""

from __future__ import annotations

from typing import Any

from agentcore_ext import arns
from agentcore_ext.define.shape import CONFIGURE_DEFAULTS
from agentcore_ext.define.spec import UNKNOWN_DEPLOYMENT_JUDGED_AS
from agentcore_ext.errors import ChecksFailed, UsageError
from agentcore_ext.findings import Code
from agentcore_ext.flows.ensure_config import with_agent_config
from agentcore_ext.flows.profile import config_for, profiled_spec
from agentcore_ext.judge.additional_declared import declared_findings
from agentcore_ext.judge.caller_policy import CallerScope, caller_document, role_name_pattern
from agentcore_ext.judge.codebuild_role import codebuild_permissions_document, codebuild_trust_document
from agentcore_ext.judge.deploy_needs import deploy_mode
from agentcore_ext.judge.requirements import permissions_document, trust_document
from agentcore_ext.report import Report
from agentcore_ext.settings import Settings
from agentcore_ext.state import AgentSpec

KINDS = ("trust", "permissions", "caller", "codebuild-trust", "codebuild-permissions")


def _region_from_aws(profile: str | None) -> str:
    from agentcore_ext.aws.gateway import Gateway  # lazy: only when no region was given

    return Gateway(profile=profile).region


def _account_from_aws(profile: str | None, region: str) -> str:
    from agentcore_ext.aws.gateway import Gateway  # lazy: only when --account is missing

    return str(Gateway(profile=profile, region=region).caller_identity()["Account"])


def refuse_too_broad(spec: AgentSpec) -> None:
    """An administrator-level --additional-policy is never written or attached by the tool (ADDITIONAL_POLICY_TOO_BROAD
    in doctor, role ensure, configure): it is not printed for an administrator to deploy either (exit 3)."""
    for finding in declared_findings(spec):
        if finding.code is Code.ADDITIONAL_POLICY_TOO_BROAD:
            raise ChecksFailed(finding.message, finding.hint)


def caller_scope(settings: Settings) -> CallerScope:
    """The roles a developer may create and write: the tool's names (or --role-name), under --role-path."""
    assert settings.region is not None and settings.account is not None
    return CallerScope(
        settings.account,
        arns.partition_for_region(settings.region),
        settings.permissions_boundary,
        role_path=settings.role_path,
        role_name_pattern=role_name_pattern(settings.role_name_template, settings.role_name),
        deploy_mode=deploy_mode(settings.deployment_type or UNKNOWN_DEPLOYMENT_JUDGED_AS),
    )


def completed(settings: Settings, *, agent: bool) -> Settings:
    """The settings every printed document is made for: in a configured folder the agent and its region are the
    YAML's (issue 22, item 5), the region and account asked of AWS only when not given, and, for an agent not yet
    configured, agentcore configure's own defaults where nothing else says (define/shape.py)."""
    if agent:
        settings = with_agent_config(settings, explicit=("region",) if settings.region else ())
        if not settings.agent_name:
            raise UsageError("no agent given", "pass --name AGENT or --entrypoint FILE")
    region = settings.region or _region_from_aws(settings.profile)
    account = settings.account or _account_from_aws(settings.profile, region)
    defaults = CONFIGURE_DEFAULTS if config_for(settings) is None else ()
    return settings.with_(region=region, account=account, shape_defaults=defaults)


def policy_document(kind: str, settings: Settings) -> tuple[dict[str, Any], Settings]:
    """The document of that kind for these settings, and the settings completed with region and account."""
    settings = completed(settings, agent=kind != "caller")
    if kind == "caller":
        return caller_document(caller_scope(settings)), settings
    assert settings.account is not None
    spec = profiled_spec(settings, Report("policy"), account=settings.account)
    if kind == "permissions":
        refuse_too_broad(spec)
    documents = {
        "trust": trust_document,
        "permissions": permissions_document,
        "codebuild-trust": codebuild_trust_document,
        "codebuild-permissions": codebuild_permissions_document,
    }
    return documents[kind](spec), settings


# Which roles a template holds for each kind (issue 15 item 7): `policy trust|permissions --format F` print the
# execution role's stack, `policy codebuild-trust|codebuild-permissions --format F` the CodeBuild role's.
STACK_ROLES = {
    "trust": ("execution",),
    "permissions": ("execution",),
    "codebuild-trust": ("codebuild",),
    "codebuild-permissions": ("codebuild",),
}


def role_documents(
    roles: tuple[str, ...], settings: Settings
) -> tuple[dict[str, tuple[dict[str, Any], dict[str, Any]]], Settings]:
    """(trust, permissions) of each role ("execution", "codebuild") for these settings, from one agent profile."""
    settings = completed(settings, agent=True)
    assert settings.account is not None
    spec = profiled_spec(settings, Report("policy"), account=settings.account)
    if "execution" in roles:
        refuse_too_broad(spec)
    pairs = {
        "execution": (trust_document(spec), permissions_document(spec)),
        "codebuild": (codebuild_trust_document(spec), codebuild_permissions_document(spec)),
    }
    return {key: pairs[key] for key in roles}, settings

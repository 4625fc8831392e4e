"""`validate`: judge policy files offline, for CI. No AWS call at all."""

from __future__ import annotations

from typing import Annotated

import typer

from agentcore_ext.cli import options as o
from agentcore_ext.cli.run import resolve_region, run
from agentcore_ext.errors import UsageError
from agentcore_ext.report import Report

TrustFiles = Annotated[list[str] | None, typer.Option("--trust", help="Trust policy JSON file (repeatable).")]
PermissionFiles = Annotated[
    list[str] | None, typer.Option("--permissions", help="Permissions policy JSON file (repeatable).")
]
BoundaryFile = Annotated[str | None, typer.Option("--boundary", help="Permissions boundary policy JSON file.")]


def validate(
    trust: TrustFiles = None,
    permissions: PermissionFiles = None,
    boundary: BoundaryFile = None,
    name: o.Name = None,
    entrypoint: o.Entrypoint = None,
    account: o.AccountRequired = None,
    region: o.Region = None,
    deployment_type: o.DeploymentType = None,
    disable_memory: o.DisableMemory = False,
    protocol: o.Protocol = None,
    model: o.Model = None,
    feature: o.Feature = None,
    additional_policy: o.AdditionalPolicy = None,
    config: o.Config = None,
    env: o.Env = None,
    env_file: o.EnvFile = None,
    template: o.Template = None,
    json_out: o.Json = False,
) -> None:
    """Judge policy files, or a CloudFormation template's role, for an agent/account/region, offline (exit 0
    compliant, 3 not, 2 bad file)."""

    def body(report: Report) -> int:
        from pathlib import Path

        from agentcore_ext.flows.validate import NOTHING_HINT, given_facts
        from agentcore_ext.flows.validate import validate as validate_flow
        from agentcore_ext.settings import build_settings, load_team_defaults

        if not trust and not permissions and not template:
            raise UsageError("nothing to validate", NOTHING_HINT)
        if not account:
            raise UsageError("validate needs --account", "pass the 12-digit account the role lives in")
        defaults = load_team_defaults(Path.cwd())
        s = build_settings(
            defaults=defaults,
            entrypoint=entrypoint,
            name=None if template else name,  # with a template, -n picks its runtime (a logical id may be long)
            account=account,
            region=resolve_region(region),  # else [tool.agentcore-ext] region; none at all is a usage error
            deployment_type=deployment_type,
            disable_memory=disable_memory,
            protocol=protocol,
            model=model,
            feature=feature,
            additional_policy=additional_policy,
            config=config,
            env=env,
            env_file=env_file,
            workdir=str(Path.cwd()),
        )
        given = given_facts(defaults, deployment_type=deployment_type, protocol=protocol, disable_memory=disable_memory)
        return validate_flow(
            s, report, trust or [], permissions or [], boundary, template=template, runtime=name, given=given
        )

    run("validate", json_out, body)

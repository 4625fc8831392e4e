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
    json_out: o.Json = False,
) -> None:
    """Judge policy files for an agent/account/region, offline (exit 0 compliant, 3 not, 2 bad file)."""

    def body(report: Report) -> int:
        from pathlib import Path

        from agentcore_ext.flows.validate import validate as validate_flow
        from agentcore_ext.settings import build_settings, load_team_defaults

        if not trust and not permissions:
            raise UsageError("nothing to validate", "pass --trust FILE and/or --permissions FILE")
        if not account:
            raise UsageError("validate needs --account", "pass the 12-digit account the role lives in")
        s = build_settings(
            defaults=load_team_defaults(Path.cwd()),
            entrypoint=entrypoint,
            name=name,
            account=account,
            region=resolve_region(region),  # else [tool.agentcore-ext] region; none at all is a usage error
            deployment_type=deployment_type,
            disable_memory=disable_memory,
            protocol=protocol,
            model=model,
            feature=feature,
            additional_policy=additional_policy,
            config=config,
            workdir=str(Path.cwd()),
        )
        return validate_flow(s, report, trust or [], permissions or [], boundary)

    run("validate", json_out, body)

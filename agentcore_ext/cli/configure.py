"""`configure`: the drop-in for `agentcore configure`: checks, the role, then the toolkit with that role."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from agentcore_ext.cli import options as o
from agentcore_ext.cli import render
from agentcore_ext.cli.context import confirmer, progress, settings_from_flags
from agentcore_ext.cli.run import run
from agentcore_ext.report import Report

ToolkitArgs = Annotated[list[str] | None, typer.Argument(help="Arguments after -- go to agentcore configure.")]


def configure(
    entrypoint: o.Entrypoint = None,
    name: o.Name = None,
    execution_role: o.ExecutionRole = None,
    role_name: o.RoleName = None,
    role_path: o.RolePath = None,
    permissions_boundary: o.Boundary = None,
    tag: o.Tags = None,
    deployment_type: o.DeploymentType = None,
    disable_memory: o.DisableMemory = False,
    protocol: o.Protocol = None,
    region: o.Region = None,
    profile: o.Profile = None,
    fix: o.Fix = False,
    no_create: o.NoCreate = False,
    dry_run: o.DryRun = False,
    yes: o.Yes = False,
    model: o.Model = None,
    feature: o.Feature = None,
    additional_policy: o.AdditionalPolicy = None,
    config: o.Config = None,
    env: o.Env = None,
    env_file: o.EnvFile = None,
    show_documents: o.ShowDocuments = False,
    json_out: o.Json = False,
    sandbox: o.Sandbox = False,
    force: o.Force = False,
    toolkit_args: ToolkitArgs = None,
) -> None:
    """Check the caller and PassRole, find/create/repair the role, then run `agentcore configure` with it."""
    flags = {**locals(), "toolkit_args": tuple(toolkit_args or ())}  # the flags above, for _settings

    def body(report: Report) -> int:
        from pathlib import Path

        from agentcore_ext.flows.configure import configure as configure_flow
        from agentcore_ext.flows.sandboxed import maybe_sandbox
        from agentcore_ext.toolkit.options import resolve_entrypoint

        s = settings_from_flags(**{**flags, "entrypoint": resolve_entrypoint(flags["entrypoint"], Path.cwd())})
        try:
            with maybe_sandbox(s, report, render.err) as s:
                return configure_flow(s, report, confirmer(s), progress, interactive=sys.stdin.isatty())
        finally:
            end_of_support_notice()

    run("configure", json_out, body)


def end_of_support_notice() -> None:
    """The toolkit's end-of-support notice, once per configure, on stderr (the toolkit's own copy is silenced)."""
    import os
    import re

    from agentcore_ext.toolkit.run import SUPPRESS_RECOMMENDATION_ENV

    if os.environ.get(SUPPRESS_RECOMMENDATION_ENV, "").lower() in ("1", "true", "yes"):
        return
    try:
        from bedrock_agentcore_starter_toolkit.cli.recommendation import recommendation_text

        text = re.sub(r"\[/?[a-z ]+\]", "", recommendation_text()).strip("\n")
    except Exception:  # an older or newer toolkit without the module: say it in our words
        text = (
            "The Starter Toolkit CLI is no longer supported. Please use the AgentCore CLI (@aws/agentcore).\n"
            f"Set {SUPPRESS_RECOMMENDATION_ENV}=1 to silence this notice."
        )
    render.err(text)

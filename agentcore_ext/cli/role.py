"""`role ensure`: find, check, create or repair the execution role only; its ARN alone on stdout."""

from __future__ import annotations

from typing import Annotated

import typer

from agentcore_ext.cli import options as o
from agentcore_ext.cli import render
from agentcore_ext.cli.context import confirmer, progress, settings_from_flags
from agentcore_ext.cli.run import run
from agentcore_ext.errors import UsageError
from agentcore_ext.report import Report

CodeBuild = Annotated[
    bool,
    typer.Option(
        "--codebuild",
        help="The CodeBuild role the toolkit's container build runs as (BedrockAgentCoreCodeBuild-REGION-AGENT), "
        "not the execution role.",
    ),
]
CodeBuildRole = Annotated[
    str | None,
    typer.Option(
        "--code-build-execution-role",
        "-cber",
        help="With --codebuild: use exactly this CodeBuild role (ARN or name); it must exist and is judged, "
        "repaired only with --fix, never replaced.",
    ),
]

role_app = typer.Typer(
    help="Find, check, create or repair the execution role (or, with --codebuild, the CodeBuild role) only.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@role_app.command("ensure")
def role_ensure(
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
    codebuild: CodeBuild = False,
    code_build_execution_role: CodeBuildRole = None,
) -> None:
    """Find, check, create or repair the role; prints only its ARN on stdout (without --json)."""
    flags = dict(locals())  # the flags above, for _settings; taken before body joins the locals
    del flags["codebuild"], flags["code_build_execution_role"]
    explicit = frozenset(k for k, v in flags.items() if v not in (None, False, [], ()))  # what the YAML may not set

    def body(report: Report) -> int:
        from agentcore_ext.flows.codebuild_ensure import codebuild_role_ensure_flow
        from agentcore_ext.flows.ensure import role_ensure as ensure_flow
        from agentcore_ext.flows.sandboxed import maybe_sandbox

        if code_build_execution_role and not codebuild:
            raise UsageError("--code-build-execution-role needs --codebuild", "add --codebuild")
        s = settings_from_flags(**flags)
        with maybe_sandbox(s, report, render.err) as s:
            if codebuild:
                code, arn = codebuild_role_ensure_flow(
                    s, report, confirmer(s), progress, given=code_build_execution_role, explicit=explicit
                )
            else:
                code, arn = ensure_flow(s, report, confirmer(s), progress, explicit)
        if arn and not json_out and not dry_run:
            render.out(arn)
        return code

    run("role", json_out, body)

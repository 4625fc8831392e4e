"""`doctor`, `role ensure` and `configure`: the commands that read (and, unless --dry-run, change) AWS."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from agentcore_ext import render
from agentcore_ext.commands import options as o
from agentcore_ext.commands.common import run
from agentcore_ext.errors import UsageError
from agentcore_ext.report import Report

if TYPE_CHECKING:
    from agentcore_ext.plan import Plan
    from agentcore_ext.settings import Settings

role_app = typer.Typer(help="Find, check, create or repair the execution role only.", no_args_is_help=True)


_RENAMED = {"tag": "tags", "json_out": "json"}  # parameter names that differ from build_settings' keywords


def _settings(**flags: Any) -> Settings:
    """Settings from a command's flags, keyed by its parameter names (`locals()` on entry), over the team defaults.

    Typer needs every flag in each command's signature; this keeps their bodies from spelling them out again.
    """
    from agentcore_ext.commands.common import resolve_region
    from agentcore_ext.settings import build_settings, load_team_defaults

    flags = {_RENAMED.get(key, key): value for key, value in flags.items()}
    flags["region"] = resolve_region(flags.get("region"))
    return build_settings(defaults=load_team_defaults(Path.cwd()), workdir=str(Path.cwd()), **flags)


@contextlib.contextmanager
def _maybe_sandbox(settings: Settings, report: Report) -> Iterator[Settings]:
    if not settings.sandbox:
        yield settings
        return
    from agentcore_ext.sandbox import start_sandbox

    region = settings.region or "us-east-1"
    render.err("starting the embedded sandbox (a local moto server)...")
    with start_sandbox(region) as sandbox, sandbox.activate():
        report.notes.append(sandbox.banner)
        yield settings.with_(region=region, profile=None)


def _confirm(settings: Settings) -> Callable[[Plan], bool]:
    def confirm(plan: Plan) -> bool:
        render.err(plan.describe())  # the plan is always shown before a write, --yes or not
        if settings.yes:
            return True
        if not sys.stdin.isatty():
            raise UsageError(
                "the changes above need confirmation, but there is no terminal to ask",
                "rerun with --yes to apply them, or with --dry-run to only see them",
            )
        return typer.confirm("Apply these changes to IAM?", default=False, err=True)

    return confirm


def _progress(message: str) -> None:
    render.err(f"... {message}")


def doctor(
    entrypoint: o.Entrypoint = None,
    name: o.Name = None,
    execution_role: o.ExecutionRole = None,
    role_name: o.RoleName = None,
    deployment_type: o.DeploymentType = None,
    disable_memory: o.DisableMemory = False,
    protocol: o.Protocol = None,
    region: o.Region = None,
    profile: o.Profile = None,
    json_out: o.Json = False,
    sandbox: o.Sandbox = False,
) -> None:
    """Read-only: judge the caller, its iam:PassRole and the execution role (default: the configured one)."""
    flags = dict(locals())  # the flags above, for _settings; taken before body joins the locals

    def body(report: Report) -> int:
        from agentcore_ext import service

        s = _settings(**flags)
        with _maybe_sandbox(s, report) as s:
            return service.doctor(s, report)

    run("doctor", json_out, body)


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
    json_out: o.Json = False,
    sandbox: o.Sandbox = False,
) -> None:
    """Find, check, create or repair the role; prints only its ARN on stdout (without --json)."""
    flags = dict(locals())  # the flags above, for _settings; taken before body joins the locals

    def body(report: Report) -> int:
        from agentcore_ext import service

        s = _settings(**flags)
        with _maybe_sandbox(s, report) as s:
            code, arn = service.role_ensure(s, report, _confirm(s), _progress)
        if arn and not json_out and not dry_run:
            render.out(arn)
        return code

    run("role", json_out, body)


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
    json_out: o.Json = False,
    sandbox: o.Sandbox = False,
    force: o.Force = False,
    toolkit_args: ToolkitArgs = None,
) -> None:
    """Check the caller and PassRole, find/create/repair the role, then run `agentcore configure` with it."""
    flags = {**locals(), "toolkit_args": tuple(toolkit_args or ())}  # the flags above, for _settings

    def body(report: Report) -> int:
        from agentcore_ext import configure_flow

        s = _settings(**flags)
        with _maybe_sandbox(s, report) as s:
            return configure_flow.configure(s, report, _confirm(s), _progress, interactive=sys.stdin.isatty())

    run("configure", json_out, body)

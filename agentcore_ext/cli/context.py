"""What every AWS command of the CLI does the same way: flags -> Settings, the confirmation prompt, progress."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from agentcore_ext.cli import render
from agentcore_ext.errors import Interrupted, UsageError

if TYPE_CHECKING:
    from agentcore_ext.plan.model import Plan
    from agentcore_ext.settings import Settings

_RENAMED = {"tag": "tags", "json_out": "json"}  # parameter names that differ from build_settings' keywords


def settings_from_flags(**flags: Any) -> Settings:
    """Settings from a command's flags, keyed by its parameter names (`locals()` on entry), over the team defaults.

    Typer needs every flag in each command's signature; this keeps their bodies from spelling them out again.
    """
    from agentcore_ext import progress as progress_line
    from agentcore_ext.cli.run import resolve_region
    from agentcore_ext.settings import build_settings, load_team_defaults

    progress_line.set_sink(progress)  # waits the gateway notices (a slow AWS answer) on the flows' progress line
    flags = {_RENAMED.get(key, key): value for key, value in flags.items()}
    flags["region"] = resolve_region(flags.get("region"))
    return build_settings(defaults=load_team_defaults(Path.cwd()), workdir=str(Path.cwd()), **flags)


def confirmer(settings: Settings) -> Callable[[Plan], bool]:
    def confirm(plan: Plan) -> bool:
        from agentcore_ext.plan.display import describe, overview

        # the plan is always shown before a write, --yes or not: in a few lines, or in full
        render.plan(describe(plan) if settings.show_documents else overview(plan), as_json=settings.json)
        if settings.yes:
            return True
        if not sys.stdin.isatty():
            raise UsageError(
                "the changes above need confirmation, but there is no terminal to ask",
                "rerun with --yes to apply them, or with --dry-run to only see them",
            )
        try:
            return typer.confirm("Apply these changes to IAM?", default=False, err=True)
        except (typer.Abort, KeyboardInterrupt, EOFError):  # click turns Ctrl-C/Ctrl-D into Abort
            render.err("")
            raise Interrupted(
                "interrupted at the confirmation prompt: nothing was changed", "rerun the same command"
            ) from None

    return confirm


def progress(message: str) -> None:
    render.err(f"... {message}")

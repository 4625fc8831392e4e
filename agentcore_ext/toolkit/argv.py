"""The toolkit's `configure` argv: built from what agentcore-ext judged, and the user's `--` arguments read with the
toolkit's own parser, so nothing after `--` can swap the role, agent or region that was checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agentcore_ext.errors import ToolkitError, UsageError
from agentcore_ext.toolkit.run import INSTALL_COMMAND, load_app

# The toolkit's configure parameters whose values agentcore-ext decides and judges the role for: letting
# `-- --execution-role X` through would configure a role nobody checked. Keyed by the toolkit's parameter name.
_CONTROLLED_PARAMS: dict[str, str] = {
    "entrypoint": "--entrypoint",
    "agent_name": "--name",
    "execution_role": "--execution-role",
    "region": "--region",
    "deployment_type": "--deployment-type",
    "protocol": "--protocol",
    "disable_memory": "--disable-memory",
}


def build_configure_argv(
    entrypoint: str | None,
    agent_name: str | None,
    execution_role_arn: str | None,
    region: str | None,
    deployment_type: str | None,
    disable_memory: bool,
    protocol: str | None,
    non_interactive: bool,
    extra_args: Sequence[str] = (),
) -> list[str]:
    """The toolkit argv (without the program name) for `agentcore configure` with the settings we judged."""
    configure_overrides(extra_args)  # refuses arguments that would override what the role was judged for
    argv = ["configure"]
    for flag, value in (
        ("--entrypoint", entrypoint),
        ("--name", agent_name),
        ("--execution-role", execution_role_arn),
        ("--region", region),
        ("--deployment-type", deployment_type),
        ("--protocol", protocol),
    ):
        if value:
            argv += [flag, value]
    if disable_memory:
        argv.append("--disable-memory")
    if non_interactive:
        argv.append("--non-interactive")
    argv += list(extra_args)
    return argv


def configure_overrides(extra_args: Sequence[str]) -> dict[str, Any]:
    """The toolkit configure parameters that `extra_args` set, as the toolkit's own parser reads them.

    Parsing with the toolkit's command (not by comparing strings) also catches `-er=ARN`, `-rus-west-2` and
    the other spellings click accepts. Raises UsageError for a controlled parameter or an unknown option.
    """
    if not extra_args:
        return {}
    import typer.main

    group = typer.main.get_command(load_app())
    command = getattr(group, "commands", {}).get("configure")
    if command is None:
        raise ToolkitError("the starter toolkit has no configure command", f"reinstall it: {INSTALL_COMMAND}")
    try:
        ctx = command.make_context("configure", list(extra_args), resilient_parsing=True)
    except Exception as exc:  # click's own usage errors: an option the toolkit does not know, a missing value
        raise UsageError(
            f"agentcore configure does not accept {' '.join(extra_args)!r}: {exc}",
            "see `agentcore configure --help` for the toolkit's options",
        ) from exc
    given = {
        name: value
        for name, value in ctx.params.items()
        if getattr(ctx.get_parameter_source(name), "name", "") == "COMMANDLINE"
    }
    for name, ours in _CONTROLLED_PARAMS.items():
        if name in given:
            raise UsageError(
                f"{' '.join(extra_args)!r} after '--' would set the toolkit's {ours}, which agentcore-ext decides "
                "and checks the role for",
                f"use agentcore-ext's own {ours} option instead",
            )
    return given

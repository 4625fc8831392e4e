"""The toolkit's `configure` argv: built from what agentcore-ext judged, and the user's `--` arguments read with the
toolkit's own parser, so nothing after `--` can swap the role, agent or region that was checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agentcore_ext.errors import UsageError
from agentcore_ext.toolkit.options import CONTROLLED, configure_command, parse_strict
from agentcore_ext.toolkit.options import given as given_params

# The toolkit's configure parameters whose values agentcore-ext decides and judges the role for: letting
# `-- --execution-role X` through would configure a role nobody checked. Keyed by the toolkit's parameter name.
_CONTROLLED_PARAMS: dict[str, str] = {name: "--" + ours.replace("_", "-") for name, ours in CONTROLLED.items()}


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
    codebuild_role_arn: str | None = None,  # agentcore-ext: the checked CodeBuild role (issue 13)
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
    if codebuild_role_arn:  # agentcore-ext: the checked CodeBuild role (issue 13)
        argv += ["--code-build-execution-role", codebuild_role_arn]
    if disable_memory:
        argv.append("--disable-memory")
    if non_interactive:
        argv.append("--non-interactive")
    argv += list(extra_args)
    return argv


def configure_overrides(extra_args: Sequence[str]) -> dict[str, Any]:
    """The toolkit configure parameters that `extra_args` set, as the toolkit's own parser reads them.

    Parsing with the toolkit's command (not by comparing strings) also catches `-er=ARN`, `-rus-west-2` and
    the other spellings click accepts. Strict: raises UsageError for a controlled parameter, an unknown option,
    a value the toolkit's parser rejects (`--idle-timeout 5`), a stray argument or a subcommand.
    """
    if not extra_args:
        return {}
    ctx = parse_strict(configure_command(), extra_args, f"agentcore configure does not accept {' '.join(extra_args)!r}")
    given = given_params(ctx)
    for name, ours in _CONTROLLED_PARAMS.items():
        if name in given:
            raise UsageError(
                f"{' '.join(extra_args)!r} after '--' would set the toolkit's {ours}, which agentcore-ext decides "
                "and checks the role for",
                f"use agentcore-ext's own {ours} option instead",
            )
    return given

"""`agentcore-ext configure ARGS`: the toolkit's whole `configure` vocabulary at top level, parsed strictly.

The toolkit's options are read from its own click command, with its spellings (`-ni`, `-rf`, `-ecr`, `-do`, ...);
agentcore-ext's own options are added where they do not collide (on a collision the toolkit's meaning wins).
The result is the argv our Typer `configure` understands: our options in their long spelling, then `--` and the
toolkit-only options (re-spelled long, `--opt=value`), then whatever the user wrote after `--` (checked later by
toolkit/argv.py with the same parser). `configure list`, `configure set-default NAME`, ... go to the toolkit.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

_OWN_ONLY = {"toolkit_args"}  # our Typer configure's `--` argument


def is_toolkit_subcommand(args: Sequence[str]) -> bool:
    """`configure list`, `configure set-default NAME`, ...: the toolkit's configure subcommands."""
    if len(args) < 2 or args[1].startswith("-"):
        return False
    from agentcore_ext.toolkit.options import configure_subcommands

    return args[1] in configure_subcommands()


def normalize(args: Sequence[str], ours: Any, help_names: Sequence[str]) -> list[str]:
    """args after `configure` -> the argv of our Typer configure command `ours` (a click command), or just
    `configure --help` when click would hand a token to the help option (spelled help_names, the app's)."""
    from agentcore_ext.toolkit.options import CONTROLLED, configure_command, given, option_params, parse_strict, render

    args = list(args)
    before, after = (args[: args.index("--")], args[args.index("--") + 1 :]) if "--" in args else (args, [])
    toolkit_params = option_params(configure_command())
    taken = {opt for p in toolkit_params for opt in (*p.opts, *p.secondary_opts)}
    our_by_name = {p.name: p for p in option_params(ours)}
    merged: list[Any] = list(toolkit_params)
    for name, param in our_by_name.items():
        if name in CONTROLLED.values() or name in _OWN_ONLY:
            continue  # the toolkit's own option sets it (its spellings, its types); mapped back below
        free = [opt for opt in param.opts if opt not in taken]
        if not free:
            continue  # every spelling is the toolkit's: its meaning wins
        if len(free) != len(param.opts):
            param = copy.copy(param)
            param.opts = free
        merged.append(param)
    command = copy.copy(ours)  # the same (vendored) click classes as the options
    command.params = merged
    if _help_requested(command, args, help_names):
        return ["configure", "--help"]
    command.add_help_option = False
    ctx = parse_strict(command, before, "agentcore-ext configure")
    values = given(ctx)
    own: list[str] = ["configure"]
    toolkit: list[str] = []
    for param in merged:
        if param.name not in values:
            continue
        value = values[param.name]
        if param.name in CONTROLLED and param in toolkit_params:
            own += render(our_by_name[CONTROLLED[param.name]], value)
        elif param in toolkit_params:
            toolkit += render(param, value)
        else:
            own += render(param, value)
    if toolkit or after:
        own += ["--", *toolkit, *after]
    return own


def _help_requested(command: Any, args: list[str], help_names: Sequence[str]) -> bool:
    """Whether click, parsing args with every option configure takes, hands a token to the help option: not
    `-n -h` (an agent named `-h`: the toolkit's error), not `-- --help` (the toolkit's argument)."""
    from agentcore_ext.cli.passthrough import parse

    return parse(command, "configure", args, help_option_names=list(help_names)).help

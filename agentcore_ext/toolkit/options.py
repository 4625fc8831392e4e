"""The installed toolkit's `configure` vocabulary, read from its click command (never a copied list), and the
checks its `configure_impl` makes on those values, made here before any AWS call.

Nothing here is imported at CLI start-up: loading the toolkit's command imports the toolkit.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from agentcore_ext.errors import ToolkitError, UsageError
from agentcore_ext.toolkit.run import INSTALL_COMMAND, load_app

# toolkit configure parameter -> the agentcore-ext configure parameter that decides it (what the role is judged for)
CONTROLLED: dict[str, str] = {
    "entrypoint": "entrypoint",
    "agent_name": "name",
    "execution_role": "execution_role",
    "region": "region",
    "deployment_type": "deployment_type",
    "protocol": "protocol",
    "disable_memory": "disable_memory",
}
_RUNTIMES = ("PYTHON_3_10", "PYTHON_3_11", "PYTHON_3_12", "PYTHON_3_13")
HELP_HINT = "see `agentcore configure --help` for the toolkit's options, `agentcore-ext configure --help` for ours"


def configure_command() -> Any:
    """The toolkit's `configure` click command (a group: its subcommands are `list`, `set-default`, ...)."""
    import typer.main

    group = typer.main.get_command(load_app())
    command = getattr(group, "commands", {}).get("configure")
    if command is None:
        raise ToolkitError("the starter toolkit has no configure command", f"reinstall it: {INSTALL_COMMAND}")
    return command


def configure_subcommands() -> set[str]:
    return set(getattr(configure_command(), "commands", {}))


def option_params(command: Any) -> list[Any]:
    """The command's options (not its arguments, not --help). Typer vendors its own click: compare by kind."""
    return [p for p in command.params if getattr(p, "param_type_name", "") == "option" and p.name != "help"]


def render(param: Any, value: Any) -> list[str]:
    """argv that sets `param` to `value` again, in its long spelling (`--opt=value`, safe for values like `-x`)."""
    flag = next((opt for opt in param.opts if opt.startswith("--")), param.opts[0])
    if param.is_flag:
        return [flag] if value else []
    values = value if param.multiple else [value]
    return [f"{flag}={v}" for v in values if v is not None]


def given(ctx: Any) -> dict[str, Any]:
    """The parameters the command line set (not defaults)."""
    return {
        name: value
        for name, value in ctx.params.items()
        if getattr(ctx.get_parameter_source(name), "name", "") == "COMMANDLINE"
    }


def parse_strict(command: Any, args: Sequence[str], what: str) -> Any:
    """click's context for args, strictly: an unknown option, a bad value or a stray argument is a UsageError."""
    try:
        ctx = command.make_context("configure", list(args))
    except Exception as exc:  # click's (or Typer's vendored click's) usage errors and Exit (--help)
        if not hasattr(exc, "format_message"):
            if type(exc).__name__ == "Exit":
                raise UsageError(f"{what}: --help is not an option here", HELP_HINT) from exc
            raise
        raise UsageError(f"{what}: {exc.format_message()}", HELP_HINT) from exc
    rest = [*(getattr(ctx, "_protected_args", None) or []), *ctx.args]
    if rest:
        sub = set(getattr(command, "commands", {}))
        kind = "a subcommand" if rest[0] in sub else "an unexpected argument"
        raise UsageError(
            f"{what}: {rest[0]!r} is {kind}; configure takes only options",
            f"run `agentcore-ext configure {rest[0]} ...` on its own for a toolkit subcommand"
            if rest[0] in sub
            else HELP_HINT,
        )
    return ctx


def check_values(values: Mapping[str, Any], deployment_type: str | None) -> None:
    """What the toolkit's configure_impl would reject, said now (exit 2), before any AWS call or write."""

    def bad(message: str, hint: str = HELP_HINT) -> None:
        raise UsageError(message, hint)

    subnets, groups = values.get("subnets"), values.get("security_groups")
    if values.get("vpc"):
        if not subnets or not groups:
            bad(
                "--vpc needs both --subnets and --security-groups",
                "e.g. --vpc --subnets subnet-abc12345,subnet-def67890 --security-groups sg-xyz78901",
            )
        for subnet in (s.strip() for s in str(subnets).split(",") if s.strip()):
            if not subnet.startswith("subnet-") or len(subnet) < 15:
                bad(f"invalid subnet id {subnet!r}", "subnet ids look like subnet-0123abcd")
        for group in (g.strip() for g in str(groups).split(",") if g.strip()):
            if not group.startswith("sg-") or len(group) < 11:
                bad(f"invalid security group id {group!r}", "security group ids look like sg-0123abcd")
    elif subnets or groups:
        bad("--subnets and --security-groups need --vpc", "add --vpc")
    idle, life = values.get("idle_timeout"), values.get("max_lifetime")
    if idle is not None and life is not None and idle > life:
        bad(f"--idle-timeout ({idle}s) must be <= --max-lifetime ({life}s)")
    runtime, ecr, s3 = values.get("runtime"), values.get("ecr_repository"), values.get("s3_bucket")
    if runtime and runtime not in _RUNTIMES:
        bad(f"--runtime must be one of {', '.join(_RUNTIMES)}, not {runtime!r}")
    if runtime and deployment_type and deployment_type != "direct_code_deploy":
        bad("--runtime needs --deployment-type direct_code_deploy")
    if ecr and (runtime or s3):
        bad("--ecr is for container deployments; it cannot be combined with --runtime or --s3")
    if ecr and deployment_type == "direct_code_deploy":
        bad("--ecr is for container deployments, not direct_code_deploy")
    if s3 and deployment_type == "container":
        bad("--s3 is for direct_code_deploy, not container deployments", "add --deployment-type direct_code_deploy")
    if deployment_type == "direct_code_deploy" or runtime or s3:
        # the toolkit's own prerequisite check (_configure_impl._check_direct_code_deploy_available)
        if not shutil.which("uv"):
            bad(
                "direct_code_deploy needs `uv` on PATH, and it is not there",
                "install uv (https://docs.astral.sh/uv/) or use --deployment-type container",
            )
        if not shutil.which("zip"):
            bad("direct_code_deploy needs the `zip` utility on PATH", "install zip or use --deployment-type container")


def resolve_entrypoint(entrypoint: str | None, workdir: Path) -> str | None:
    """The entrypoint as the toolkit finds it: `-e` omitted means the working directory; a directory means its one
    entrypoint file among the toolkit's candidates (`agent.py`, `app.py`, `main.py`, `__main__.py`); zero or several
    candidates is the toolkit's error, said now. A file (or a path that does not exist) is returned as given."""
    folder = workdir / (entrypoint or ".")
    if not folder.is_dir():
        return entrypoint
    try:
        from bedrock_agentcore_starter_toolkit.utils.runtime.entrypoint import PYTHON_ENTRYPOINT_CANDIDATES
    except Exception:  # a toolkit without it: its 0.3.14 list
        PYTHON_ENTRYPOINT_CANDIDATES = ["agent.py", "app.py", "main.py", "__main__.py"]
    found = [folder / name for name in PYTHON_ENTRYPOINT_CANDIDATES if (folder / name).exists()]
    shown = f"directory {entrypoint}" if entrypoint else "the working directory (no --entrypoint given)"
    if len(found) != 1:
        raise UsageError(
            f"no single entrypoint in {shown}: found {', '.join(p.name for p in found) or 'none'} of "
            f"{', '.join(PYTHON_ENTRYPOINT_CANDIDATES)}",
            "pass the agent's file with --entrypoint FILE",
        )
    try:
        return str(found[0].resolve().relative_to(workdir.resolve()))
    except ValueError:
        return str(found[0])

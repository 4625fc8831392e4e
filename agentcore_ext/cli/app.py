"""The Typer app. Flags -> Settings -> one flow -> render. Imports nothing heavy at module level:
`--help` must stay fast, so boto3, the toolkit and even our own checks load inside the commands.
"""

from __future__ import annotations

import sys

import typer
import typer.main

from agentcore_ext import __version__
from agentcore_ext.cli import configure, doctor, policy, role, sandbox, validate

app = typer.Typer(
    name="agentcore-ext",
    help="A checked `agentcore configure` for Amazon Bedrock AgentCore Runtime: resolves who you are, checks "
    "iam:PassRole, finds or creates a compliant execution role, then runs the starter toolkit. Any other "
    "`agentcore` subcommand (deploy, invoke, status, ...) is passed through to the toolkit unchanged; deploy "
    "and launch run the doctor checks first (--skip-checks bypasses them).",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _short(doc: str | None) -> str:
    """A command's whole first paragraph: click would cut it at ~45 characters in the command list."""
    return " ".join((doc or "").strip().split("\n\n")[0].split())


app.command("configure", short_help=_short(configure.configure.__doc__))(configure.configure)
app.command("doctor", short_help=_short(doctor.doctor.__doc__))(doctor.doctor)
app.add_typer(role.role_app, name="role", short_help=_short(role.role_app.info.help))
app.add_typer(policy.app, name="policy", short_help=_short(policy.app.info.help))
app.command("validate", short_help=_short(validate.validate.__doc__))(validate.validate)
app.add_typer(sandbox.app, name="sandbox", short_help=_short(sandbox.app.info.help))

OWN_COMMANDS = {"configure", "doctor", "role", "policy", "validate", "sandbox"}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"agentcore-ext {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version."),
) -> None:
    """agentcore-ext"""


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "help":  # `agentcore-ext help [COMMAND...]` is `agentcore-ext [COMMAND...] --help`
        args = [*args[1:], "--help"]
    if args and not args[0].startswith("-") and args[0] not in OWN_COMMANDS:
        from agentcore_ext.cli.passthrough import passthrough

        sys.exit(passthrough(args))
    if args and args[0] == "configure":
        args = _configure_args(args)
    app(args=args, prog_name="agentcore-ext")


def _configure_args(args: list[str]) -> list[str]:
    """The toolkit's configure subcommands pass through; everything else is parsed strictly (exit 2 on errors)."""
    from agentcore_ext.cli import configure_args
    from agentcore_ext.errors import AgentCoreExtError

    try:
        if configure_args.is_toolkit_subcommand(args):
            from agentcore_ext.cli.passthrough import passthrough

            sys.exit(passthrough(args))
        command = typer.main.get_command(app).commands["configure"]  # type: ignore[attr-defined]
        return configure_args.normalize(args[1:], command)
    except AgentCoreExtError as exc:
        from agentcore_ext.cli.run import run

        error = exc

        def fail(_: object) -> int:
            raise error

        try:
            run("configure", "--json" in args, fail)
        except typer.Exit as done:
            from agentcore_ext.cli.configure import end_of_support_notice

            end_of_support_notice()  # once per configure, as the toolkit shows it before its own usage errors
            sys.exit(done.exit_code)
        raise

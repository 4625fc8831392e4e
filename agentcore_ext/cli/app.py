"""The Typer app. Flags -> Settings -> one flow -> render. Imports nothing heavy at module level:
`--help` must stay fast, so boto3, the toolkit and even our own checks load inside the commands.
"""

from __future__ import annotations

import sys

import typer
import typer.main

from agentcore_ext import __version__
from agentcore_ext.cli import configure, doctor, policy, role, sandbox, validate

# Ours, on every command of ours; the toolkit's commands keep the toolkit's own (`--help` only: `deploy -h` is its
# usage error, as with `agentcore`).
HELP_OPTION_NAMES = ["-h", "--help"]

app = typer.Typer(
    name="agentcore-ext",
    help="A checked `agentcore configure` for Amazon Bedrock AgentCore Runtime: resolves who you are, checks "
    "iam:PassRole, finds or creates a compliant execution role, then runs the starter toolkit. Any other "
    "`agentcore` subcommand (deploy, invoke, status, ...) is passed through to the toolkit unchanged; deploy, "
    "launch and the deploy an import-agent starts run the doctor checks first (--skip-checks bypasses them).",
    no_args_is_help=True,
    context_settings={"help_option_names": HELP_OPTION_NAMES},
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
    from agentcore_ext.cli import streams

    with streams.guarded():  # a closed or full stdout/stderr changes neither what --json prints nor the exit code
        _main(argv)


def _main(argv: list[str] | None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "help":  # `agentcore-ext help [COMMAND...]` is `agentcore-ext [COMMAND...] --help`
        args = [*args[1:], "--help"]
    if args and not args[0].startswith("-") and args[0] not in OWN_COMMANDS:
        from agentcore_ext.cli.passthrough import passthrough

        sys.exit(passthrough(args, OWN_COMMANDS))
    if args and args[0] == "configure":
        args = _configure_args(args)
    sys.exit(_run_app(args))


def _run_app(args: list[str]) -> int:
    """The Typer app, not standalone: a usage error with --json anywhere also gets its JSON report on stdout.

    Standalone mode would print click's message and exit 2 before agentcore-ext could add the report; here the
    message is the same (click's, naming agentcore-ext) and the exit codes are those standalone mode gives.
    """
    from typer._click import exceptions as click_errors  # the click Typer bundles; cheap, Typer loaded it

    try:
        result = app(args=args, prog_name="agentcore-ext", standalone_mode=False)
    except click_errors.UsageError as exc:
        command = args[0] if args and args[0] in OWN_COMMANDS else "agentcore-ext"
        where = f"agentcore-ext {command}" if command != "agentcore-ext" else command
        exc.show()
        if exc.ctx is None:  # an option's missing value: click names no command, so say which and where help is
            print(f"Try '{where} -h' for help.", file=sys.stderr)
        if "--json" not in args:
            return exc.exit_code
        from agentcore_ext.cli.run import fail
        from agentcore_ext.errors import UsageError

        problem = UsageError(f"{where}: {exc.format_message()}", f"`{where} --help` shows its options")
        return fail(command, True, problem, shown=True)
    except click_errors.ClickException as exc:
        exc.show()
        return exc.exit_code
    except typer.Abort:
        print("Aborted!", file=sys.stderr)
        return 1
    return result if isinstance(result, int) else 0


def _configure_args(args: list[str]) -> list[str]:
    """The toolkit's configure subcommands pass through; everything else is parsed strictly (exit 2 on errors)."""
    from agentcore_ext.cli import configure_args
    from agentcore_ext.errors import AgentCoreExtError

    try:
        if configure_args.is_toolkit_subcommand(args):
            from agentcore_ext.cli.passthrough import passthrough

            sys.exit(passthrough(args))
        command = typer.main.get_command(app).commands["configure"]  # type: ignore[attr-defined]
        return configure_args.normalize(args[1:], command, HELP_OPTION_NAMES)
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

"""Every other `agentcore` subcommand goes to the toolkit unchanged; `deploy`/`launch` are guarded first."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from agentcore_ext.cli import render
from agentcore_ext.errors import EXIT_CHECKS_FAILED, AgentCoreExtError, UsageError
from agentcore_ext.report import Report

GUARDED = ("deploy", "launch")
SKIP_FLAG = "--skip-checks"
SANDBOX_FLAG = "--sandbox"
JSON_FLAG = "--json"
OUR_FLAGS = (SKIP_FLAG, SANDBOX_FLAG)
HELP_FLAGS = {"--help", "-h"}
# What agentcore-ext adds to the toolkit's `deploy --help` / `launch --help` (click prints no word of it).
OWN_OPTIONS_HELP = f"""
agentcore-ext options (taken out before the toolkit runs):
  {SKIP_FLAG}  Deploy without agentcore-ext's checks (caller, iam:PassRole, the execution role, the
                 permissions this deploy mode needs). By default a failed check stops the deploy, exit 3.
  {SANDBOX_FLAG}      Deploy into the running sandbox (start it with `agentcore-ext sandbox start`).
"""


def toolkit_commands() -> dict[str, Any]:
    """The toolkit's own top-level commands, read from its Typer app (never a copied list: it changes by version)."""
    import typer.main

    from agentcore_ext.toolkit.run import load_app, require_toolkit

    require_toolkit()  # "not installed" (exit 5), not load_app's "cannot be loaded"
    return dict(getattr(typer.main.get_command(load_app()), "commands", {}))


def _agent(args: list[str]) -> str | None:
    """The agent `deploy`/`launch` will deploy, read with the toolkit's own parser (`-aNAME`, `--agent=NAME`)."""
    command = toolkit_commands().get(args[0])
    if command is None:
        return None
    try:  # resilient: a usage error is the toolkit's to report, with its own message
        ctx = command.make_context(args[0], list(args[1:]), resilient_parsing=True)
    except Exception:  # click's usage errors (the toolkit reports them itself when it runs)
        return None
    agent = ctx.params.get("agent")
    return str(agent) if agent else None


def usage_problem(args: list[str], own: Iterable[str]) -> UsageError | None:
    """A pass-through command line the toolkit would refuse: an unknown command (with a close match, if any) or a
    bad option of a known one, found with the toolkit's own parser so that agentcore-ext can answer in its style
    and name itself, not `agentcore`. None when the toolkit should run."""
    from typer._click.exceptions import UsageError as ClickUsageError  # the click Typer bundles and uses

    commands = toolkit_commands()
    word = args[0]
    if word not in commands:
        close = difflib.get_close_matches(word, sorted({*commands, *own}), n=1)
        guess = f"did you mean `agentcore-ext {close[0]}`? " if close else ""
        return UsageError(f"no such command: {word!r}", f"{guess}`agentcore-ext --help` lists the commands")
    rest = [a for a in args[1:] if a not in OUR_FLAGS]
    if HELP_FLAGS & set(rest):
        return None  # help is eager: parsing would print it here
    try:
        commands[word].make_context(word, rest)
    except ClickUsageError as exc:
        return UsageError(
            f"agentcore-ext {word}: {exc.format_message()}", f"`agentcore-ext {word} --help` shows its options"
        )
    return None


def guard(args: list[str]) -> int:
    """Run the doctor checks on the configured agent's role; 0 when the deploy may go ahead."""
    from agentcore_ext.cli.run import resolve_region, run_report
    from agentcore_ext.flows.doctor import doctor
    from agentcore_ext.settings import Settings

    report = Report("doctor")
    settings = Settings(agent_name=_agent(args) or "", region=resolve_region(None), workdir=str(Path.cwd()))
    local_build = "--local-build" in args or "-lb" in args
    code = run_report(report, lambda r: doctor(settings, r, local_build=local_build))
    if code == 0:
        code = deploy_stop(report)
    if code != 0:
        render.human(report)
        if code == EXIT_CHECKS_FAILED:
            render.err(
                f"deploy stopped before the image build: the checks above would fail at CreateAgentRuntime. "
                f"Fix them (agentcore-ext configure --fix ...) or rerun with {SKIP_FLAG} to deploy anyway."
            )
        return code
    render.err(f"agentcore-ext: caller, PassRole and execution role checked ({report.aws_calls} AWS calls)")
    return 0


def deploy_stop(report: Report) -> int:
    """EXIT_CHECKS_FAILED (with a DEPLOY_STOPPED finding) when the preflight denies a step deploy needs."""
    from agentcore_ext.findings import Code, Finding

    if report.deploy is None or not report.deploy.denied:
        return 0
    names = ", ".join(f"{s.name} ({', '.join(s.missing)})" for s in report.deploy.denied)
    report.add(
        [
            Finding(
                Code.DEPLOY_STOPPED,
                f"a {report.deploy.mode} deploy would fail: your identity may not do {names}",
                "grant what `agentcore-ext policy caller --deployment-type ...` prints, or rerun with "
                f"{SKIP_FLAG} to deploy anyway",
            )
        ]
    )
    return EXIT_CHECKS_FAILED


def passthrough(args: list[str], own: Iterable[str] = ()) -> int:
    """Run a toolkit command for `agentcore-ext ARGS`; own: agentcore-ext's commands (for "did you mean")."""
    try:
        problem = usage_problem(args, own)
    except AgentCoreExtError as exc:  # the toolkit is missing or broken: say so, as its run would
        render.error(exc)
        return exc.exit_code
    if problem is not None:
        from agentcore_ext.cli.run import fail

        return fail(args[0], JSON_FLAG in args, problem)
    if SANDBOX_FLAG in args:
        return _sandboxed([a for a in args if a != SANDBOX_FLAG])
    return _passthrough(args)


def _sandboxed(args: list[str]) -> int:
    """A toolkit command against the running sandbox (never an ephemeral one: its state would vanish at exit)."""
    try:
        from agentcore_ext.aws import redact
        from agentcore_ext.flows.sandbox import require_running

        sandbox = require_running()
        redact.install(sandbox.secret_access_key)
    except AgentCoreExtError as exc:
        render.error(exc)
        return exc.exit_code
    from agentcore_ext.flows.sandbox import emulator_stop, toolkit_endpoints, unsupported_calls

    render.err(sandbox.banner)
    before = unsupported_calls(sandbox)
    with sandbox.activate(), toolkit_endpoints(sandbox):
        code = _passthrough(args)
    stop = emulator_stop(args[:1], code, unsupported_calls(sandbox)[len(before) :])
    if stop is not None:
        render.error(stop)
        return stop.exit_code
    return code


def _passthrough(args: list[str]) -> int:
    from agentcore_ext.toolkit.run import passthrough as run_passthrough

    try:
        if args and args[0] in GUARDED:
            if SKIP_FLAG in args:
                args = [a for a in args if a != SKIP_FLAG]
            elif not HELP_FLAGS & set(args):
                code = guard(args)
                if code != 0:
                    return code
        code = run_passthrough(args, Path.cwd())
        if args and args[0] in GUARDED and HELP_FLAGS & set(args) and code == 0:
            render.out(OWN_OPTIONS_HELP.rstrip())
        return code
    except AgentCoreExtError as exc:
        render.error(exc)
        return exc.exit_code

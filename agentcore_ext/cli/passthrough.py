"""Every other `agentcore` subcommand goes to the toolkit unchanged; the ones that deploy are guarded first.

What a command line means (is it a help request? which command does it reach? with which values?) is read with the
toolkit's own click commands, token by token as click will read them when the toolkit runs: `deploy -t -h` is a
deploy with the image tag `-h`, `deploy -- --help` is an argument the toolkit refuses, only a help option click
actually takes shows help. Which commands deploy is read from the toolkit's app too (the functions behind them).
"""

from __future__ import annotations

import difflib
import inspect
import os
import shlex
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentcore_ext.cli import render
from agentcore_ext.errors import EXIT_CHECKS_FAILED, AgentCoreExtError, UsageError
from agentcore_ext.report import Report

SKIP_FLAG = "--skip-checks"
SANDBOX_FLAG = "--sandbox"
JSON_FLAG = "--json"
OUR_FLAGS = (SKIP_FLAG, SANDBOX_FLAG)
GUARD_FIRST = "guard first"  # the command deploys: the guard judges before the toolkit runs
GUARD_SHELL = "guard its shell"  # the command runs `agentcore deploy` in a shell: that deploy is guarded
# The toolkit functions that deploy (every one in its cli package: a test reads them from its source), and how
# each is guarded. Matched against the callbacks of its Typer app, so every name it registers one under is guarded:
# `deploy` and `launch`; `import-agent` and `create import`, which write a project and then, with --deploy-runtime
# or when its prompt is answered yes, run `agentcore configure ... && agentcore deploy` through os.system.
DEPLOYING: Mapping[str, str] = {
    "bedrock_agentcore_starter_toolkit.cli.runtime.commands.deploy": GUARD_FIRST,
    "bedrock_agentcore_starter_toolkit.cli.create.import_agent.commands.import_agent": GUARD_SHELL,
}
# Set for the shell a GUARD_SHELL command starts: the file where a deploy stopped by the guard leaves its exit code.
STOPPED_ENV = "AGENTCORE_EXT_DEPLOY_STOPPED_FILE"
# What agentcore-ext adds to the help of a command that deploys (click prints no word of it).
OWN_OPTIONS_HELP = f"""
agentcore-ext options (taken out before the toolkit runs):
  {SKIP_FLAG}  Deploy without agentcore-ext's checks (caller, iam:PassRole, the execution role, the
                 permissions this deploy mode needs). By default a failed check stops the deploy, exit 3.
  {SANDBOX_FLAG}      Deploy into the running sandbox (start it with `agentcore-ext sandbox start`).
"""


@dataclass(frozen=True)
class Call:
    """A pass-through command line as the toolkit's parser reads it."""

    help: bool = False  # click shows a help text (its help option took a token as an option); nothing else runs
    deploys: str | None = None  # GUARD_FIRST, GUARD_SHELL or None, for the command it reaches
    params: Mapping[str, Any] = field(default_factory=dict)  # that command's values (`agent`, `local_build`, ...)


def toolkit_commands() -> dict[str, Any]:
    """The toolkit's own top-level commands, read from its Typer app (never a copied list: it changes by version)."""
    return dict(getattr(_toolkit_root(), "commands", {}))


def _toolkit_root() -> Any:
    import typer.main

    from agentcore_ext.toolkit.run import load_app, require_toolkit

    require_toolkit()  # "not installed" (exit 5), not load_app's "cannot be loaded"
    return typer.main.get_command(load_app())


def read(args: Sequence[str]) -> Call:
    """`agentcore ARGS` as the toolkit's parser reads it (agentcore-ext's own flags already taken out)."""
    return parse(_toolkit_root(), "agentcore", args)


def parse(command: Any, name: str, args: Sequence[str], parent: Any = None, **settings: Any) -> Call:
    """What click makes of args for command (a click command; settings: context settings such as
    help_option_names), level by level down the subcommands they name, without running anything.

    Help is what click's parser hands to the help option: not a token another option takes as its value
    (`-t -h`, `--image-tag=--help`), not one after `--`, not one in a command line click refuses (no help is
    shown then, only the usage error).
    """
    from typer._click.exceptions import UsageError as ClickUsageError  # the click Typer bundles and uses

    ctx = command.context_class(command, info_name=name, parent=parent, **{**command.context_settings, **settings})
    try:
        opts, rest, _ = command.make_parser(ctx).parse_args(list(args))
    except ClickUsageError:
        return Call(deploys=_deploys(command))
    option = command.get_help_option(ctx)
    if option is not None and opts.get(option.name):
        return Call(help=True, deploys=_deploys(command))
    sub = getattr(command, "commands", {}).get(rest[0]) if rest else None
    if sub is not None:
        return parse(sub, rest[0], rest[1:], ctx)
    deploys = _deploys(command)  # only a deploy's values are read (agent, mode): others may have callbacks
    return Call(deploys=deploys, params=_values(command, name, args, parent) if deploys else {})


def _values(command: Any, name: str, args: Sequence[str], parent: Any) -> dict[str, Any]:
    """The command's parameter values, typed (`-aNAME`, `--agent=NAME`, flags); defaults where args are bad."""
    try:  # resilient: a usage error is the toolkit's to report, with its own message, when it runs
        return dict(command.make_context(name, list(args), parent=parent, resilient_parsing=True).params)
    except Exception:  # click's usage errors (the toolkit reports them itself when it runs)
        return {}


def _deploys(command: Any) -> str | None:
    """How the command is guarded, from the toolkit function behind it (Typer and the toolkit's decorators wrap it)."""
    callback = getattr(command, "callback", None)
    if callback is None:
        return None
    target = inspect.unwrap(callback)
    return DEPLOYING.get(f"{getattr(target, '__module__', '')}.{getattr(target, '__qualname__', '')}")


def deploying_commands() -> dict[tuple[str, ...], str | None]:
    """Every toolkit command by its words (`("create", "import")`) and how it is guarded (None: it deploys nothing)."""
    found: dict[tuple[str, ...], str | None] = {}

    def walk(command: Any, words: tuple[str, ...]) -> None:
        for word, sub in getattr(command, "commands", {}).items():
            found[(*words, word)] = _deploys(sub)
            walk(sub, (*words, word))

    walk(_toolkit_root(), ())
    return found


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
    if read([word, *rest]).help:
        return None  # help is eager: parsing would print it here
    try:
        commands[word].make_context(word, rest)
    except ClickUsageError as exc:
        return UsageError(
            f"agentcore-ext {word}: {exc.format_message()}", f"`agentcore-ext {word} --help` shows its options"
        )
    return None


def guard(call: Call) -> int:
    """Run the doctor checks on the role of the agent the deploy names; 0 when the deploy may go ahead."""
    from agentcore_ext.cli.run import resolve_region, run_report
    from agentcore_ext.flows.doctor import doctor
    from agentcore_ext.settings import Settings

    report = Report("doctor")
    agent = str(call.params.get("agent") or "")
    settings = Settings(agent_name=agent, region=resolve_region(None), workdir=str(Path.cwd()))
    local_build = bool(call.params.get("local_build"))
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
        _leave_stopped(code)
        return code
    render.err(f"agentcore-ext: caller, PassRole and execution role checked ({report.aws_calls} AWS calls)")
    return 0


def _leave_stopped(code: int) -> None:
    """In the shell of an import (GUARD_SHELL), tell the agentcore-ext that started it that its deploy stopped:
    the toolkit ignores the shell's exit code, so this process's is lost."""
    path = os.environ.get(STOPPED_ENV)
    if path:
        Path(path).write_text(str(code))


def skipped() -> None:
    """The one line that says the deploy goes ahead unchecked, and why."""
    render.err(
        f"agentcore-ext: checks skipped at your request ({SKIP_FLAG}): the caller, iam:PassRole and the execution "
        "role were not checked before this deploy"
    )


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
        call = read([a for a in args if a != SKIP_FLAG])
        if call.deploys is None:
            return run_passthrough(args, Path.cwd())  # --skip-checks too: the toolkit refuses it, in its words
        skip, args = SKIP_FLAG in args, [a for a in args if a != SKIP_FLAG]
        if call.help:
            code = run_passthrough(args, Path.cwd())
            if code == 0:
                render.out(OWN_OPTIONS_HELP.rstrip())
            return code
        if call.deploys == GUARD_SHELL:
            return _shell_guarded(args, skip)
        if skip:
            skipped()
        elif code := guard(call):
            return code
        return run_passthrough(args, Path.cwd())
    except AgentCoreExtError as exc:
        render.error(exc)
        return exc.exit_code


def _shell_guarded(args: list[str], skip: bool) -> int:
    """Run a command whose deploy runs in a shell, with an `agentcore` first on that shell's PATH that sends
    `deploy`/`launch` through agentcore-ext's guard; exit 3 when the guard stopped that deploy."""
    from agentcore_ext.process_env import patched_environ
    from agentcore_ext.toolkit.run import passthrough as run_passthrough

    with tempfile.TemporaryDirectory(prefix="agentcore-ext-") as folder:
        stopped = Path(folder) / "stopped"
        _write_shim(Path(folder) / "agentcore", skip)
        path = os.pathsep.join([folder, os.environ.get("PATH", "")])
        with patched_environ({"PATH": path, STOPPED_ENV: str(stopped)}):
            code = run_passthrough(args, Path.cwd())
        if not stopped.exists():
            return code
        code = int(stopped.read_text() or EXIT_CHECKS_FAILED)
    render.err("agentcore-ext: the toolkit wrote the project, but the deploy it started for it did not run (above)")
    return code


def _write_shim(path: Path, skip: bool) -> None:
    """`agentcore` for that shell: the guarded commands through agentcore-ext, the rest straight to this toolkit
    (never to another `agentcore` on PATH, such as npm's @aws/agentcore, nor to none at all)."""
    from agentcore_ext.toolkit.run import TOOLKIT_CLI_MODULE

    python = shlex.quote(sys.executable)
    guarded = "|".join(
        shlex.quote(word) for (word, *sub), how in deploying_commands().items() if how == GUARD_FIRST and not sub
    )
    extra = f" {SKIP_FLAG}" if skip else ""
    # -P: the shell runs in the generated project, whose modules must not shadow agentcore-ext's or the toolkit's
    path.write_text(
        "#!/bin/sh\n"
        f'case "$1" in\n  {guarded}) exec {python} -P -m agentcore_ext "$@"{extra} ;;\n'
        f'  *) exec {python} -P -m {TOOLKIT_CLI_MODULE} "$@" ;;\nesac\n'
    )
    path.chmod(0o700)

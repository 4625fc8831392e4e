"""Every other `agentcore` subcommand goes to the toolkit unchanged; `deploy`/`launch` are guarded first."""

from __future__ import annotations

from pathlib import Path

from agentcore_ext.cli import render
from agentcore_ext.errors import EXIT_CHECKS_FAILED, AgentCoreExtError
from agentcore_ext.report import Report

GUARDED = ("deploy", "launch")
SKIP_FLAG = "--skip-checks"
SANDBOX_FLAG = "--sandbox"


def _agent(args: list[str]) -> str | None:
    """The agent `deploy`/`launch` will deploy, read with the toolkit's own parser (`-aNAME`, `--agent=NAME`)."""
    import typer.main

    from agentcore_ext.toolkit.run import load_app

    command = getattr(typer.main.get_command(load_app()), "commands", {}).get(args[0])
    if command is None:
        return None
    try:  # resilient: a usage error is the toolkit's to report, with its own message
        ctx = command.make_context(args[0], list(args[1:]), resilient_parsing=True)
    except Exception:  # click's usage errors (the toolkit reports them itself when it runs)
        return None
    agent = ctx.params.get("agent")
    return str(agent) if agent else None


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


def passthrough(args: list[str]) -> int:
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
    render.err(sandbox.banner)
    with sandbox.activate():
        return _passthrough(args)


def _passthrough(args: list[str]) -> int:
    from agentcore_ext.toolkit.run import passthrough as run_passthrough

    try:
        if args and args[0] in GUARDED:
            if SKIP_FLAG in args:
                args = [a for a in args if a != SKIP_FLAG]
            elif "--help" not in args and "-h" not in args:
                code = guard(args)
                if code != 0:
                    return code
        return run_passthrough(args, Path.cwd())
    except AgentCoreExtError as exc:
        render.error(exc)
        return exc.exit_code

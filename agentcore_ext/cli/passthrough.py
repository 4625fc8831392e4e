"""Every other `agentcore` subcommand goes to the toolkit unchanged; `deploy`/`launch` are guarded first."""

from __future__ import annotations

from pathlib import Path

from agentcore_ext.cli import render
from agentcore_ext.errors import EXIT_CHECKS_FAILED, AgentCoreExtError
from agentcore_ext.report import Report

GUARDED = ("deploy", "launch")
SKIP_FLAG = "--skip-checks"


def _option(args: list[str], *names: str) -> str | None:
    for i, arg in enumerate(args):
        for name in names:
            if arg == name and i + 1 < len(args):
                return args[i + 1]
            if arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def guard(args: list[str]) -> int:
    """Run the doctor checks on the configured agent's role; 0 when the deploy may go ahead."""
    from agentcore_ext.cli.run import run_report
    from agentcore_ext.flows.doctor import doctor
    from agentcore_ext.settings import Settings

    report = Report("doctor")
    settings = Settings(agent_name=_option(args, "--agent", "-a") or "", region=None, workdir=str(Path.cwd()))
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

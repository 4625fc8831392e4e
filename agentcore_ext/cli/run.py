"""Running a command: time it, turn domain errors into findings and exit codes, render the report once."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import NoReturn

import typer

from agentcore_ext.cli import render, signals
from agentcore_ext.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, AgentCoreExtError, no_region
from agentcore_ext.findings import Code, Finding
from agentcore_ext.report import Report


def run(command: str, as_json: bool, body: Callable[[Report], int]) -> NoReturn:
    """Run body(report) -> exit code; errors become a finding, a message on stderr and their exit code."""
    report = Report(command)
    code = run_report(report, body)
    if not render.emit(report, as_json) and code == 0:
        code = EXIT_INTERNAL  # a script asked for the report and got none: never "success" (issue 21, item 23)
    raise typer.Exit(code)


def run_report(report: Report, body: Callable[[Report], int]) -> int:
    """body(report) -> exit code, timed, with every error turned into a finding of the report; prints nothing."""
    start = time.perf_counter()
    try:
        with signals.interrupting():  # SIGTERM/SIGHUP take the Ctrl-C path below: the folder is put back
            code = body(report)
    except AgentCoreExtError as exc:
        code = exc.exit_code
        message, hint = _clean(exc.message), _clean(exc.hint)
        report.add([Finding(render.error_code(code), message, hint)])
        report.notes.extend(getattr(exc, "notes", []))
    except (KeyboardInterrupt, EOFError) as exc:
        code = EXIT_INTERRUPTED
        report.add([Finding(Code.INTERRUPTED, signals.describe(exc), "rerun the same command")])
    except Exception as exc:  # a bug of ours: say so plainly, keep the traceback for those who ask
        if os.environ.get("AGENTCORE_EXT_DEBUG"):
            raise
        code = EXIT_INTERNAL
        report.add(
            [
                Finding(
                    Code.INTERNAL_ERROR,
                    _clean(f"internal error: {type(exc).__name__}: {exc}"),
                    "this is a bug in agentcore-ext: rerun with AGENTCORE_EXT_DEBUG=1 for the traceback and report it",
                )
            ]
        )
    report.seconds = time.perf_counter() - start
    return code


def _clean(text: str) -> str:
    """Errors may quote what a user gave (an AWS_ENDPOINT_URL with a password, a key id): mask those."""
    from agentcore_ext.aws.redact import redact  # only `re`: cheap, and only on the error path

    return redact(text)


def resolve_region(flag: str | None, *, required: bool = False) -> str | None:
    """--region, else the environment; profiles are read later by boto3 when AWS is used at all."""
    region = flag or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if required and not region:
        raise no_region()
    return region


def fail(command: str, as_json: bool, exc: AgentCoreExtError, *, shown: bool = False) -> int:
    """An error before any command ran (a usage error): one line in our style (unless click has `shown` its own
    usage message); with --json also the report on stdout, so that a script always has a document to read."""
    if not shown:
        render.error(exc)
    if as_json:
        report = Report(command)
        report.add([Finding(render.error_code(exc.exit_code), _clean(exc.message), _clean(exc.hint))])
        render.out(json.dumps(report.to_dict(), indent=2))
    return exc.exit_code

"""Running a command: time it, turn domain errors into findings and exit codes, render the report once."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import typer

from agentcore_ext import render
from agentcore_ext.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, AgentCoreExtError, UsageError
from agentcore_ext.findings import Finding, Severity
from agentcore_ext.report import Report

_ERROR_CODES = {
    1: "INTERNAL_ERROR",
    2: "USAGE_ERROR",
    3: "CHECKS_FAILED",
    4: "AWS_ERROR",
    5: "TOOLKIT_UNAVAILABLE",
    EXIT_INTERRUPTED: "INTERRUPTED",
}


def run(command: str, as_json: bool, body: Callable[[Report], int]) -> NoReturn:
    """Run body(report) -> exit code; errors become a finding, a message on stderr and their exit code."""
    start = time.perf_counter()
    report = Report(command)
    try:
        code = body(report)
    except AgentCoreExtError as exc:
        code = exc.exit_code
        report.add([Finding(_ERROR_CODES.get(code, "INTERNAL_ERROR"), Severity.ERROR, exc.message, exc.hint)])
        report.notes.extend(getattr(exc, "notes", []))
    except KeyboardInterrupt:
        code = EXIT_INTERRUPTED
        report.add([Finding("INTERRUPTED", Severity.ERROR, "interrupted (Ctrl-C)", "rerun the same command")])
    except Exception as exc:  # a bug of ours: say so plainly, keep the traceback for those who ask
        if os.environ.get("AGENTCORE_EXT_DEBUG"):
            raise
        code = EXIT_INTERNAL
        report.add(
            [
                Finding(
                    "INTERNAL_ERROR",
                    Severity.ERROR,
                    f"internal error: {type(exc).__name__}: {exc}",
                    "this is a bug in agentcore-ext: rerun with AGENTCORE_EXT_DEBUG=1 for the traceback and report it",
                )
            ]
        )
    report.seconds = time.perf_counter() - start
    render.emit(report, as_json)
    raise typer.Exit(code)


def resolve_region(flag: str | None, *, required: bool = False) -> str | None:
    """--region, else the environment; profiles are read later by boto3 when AWS is used at all."""
    region = flag or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if required and not region:
        raise UsageError("no region given", "pass --region (e.g. --region us-east-1) or set AWS_REGION")
    return region


def read_text_file(path: str, what: str) -> str:
    p = Path(path)
    if p.is_dir():
        raise UsageError(f"{what} file {path} is a directory", "pass the policy document's JSON file")
    if not p.is_file():
        raise UsageError(f"{what} file not found: {path}", "check the path (relative to the current directory)")
    try:
        return p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {what} file {path}: {exc}", "give a UTF-8 JSON policy document") from exc

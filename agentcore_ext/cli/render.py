"""The only module that prints: human text to stderr, the JSON report to stdout."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from typing import Any, TextIO

from agentcore_ext.errors import (
    EXIT_AWS_CHANGE_FAILED,
    EXIT_CHECKS_FAILED,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_TOOLKIT_FAILED,
    EXIT_TOOLKIT_MISSING,
    EXIT_USAGE,
    AgentCoreExtError,
)
from agentcore_ext.findings import Code, Severity
from agentcore_ext.report import Report

_ERROR_CODES = {
    EXIT_INTERNAL: Code.INTERNAL_ERROR,
    EXIT_USAGE: Code.USAGE_ERROR,
    EXIT_CHECKS_FAILED: Code.CHECKS_FAILED,
    EXIT_AWS_CHANGE_FAILED: Code.AWS_ERROR,
    EXIT_TOOLKIT_MISSING: Code.TOOLKIT_UNAVAILABLE,
    EXIT_TOOLKIT_FAILED: Code.TOOLKIT_CONFIGURE_FAILED,
    EXIT_INTERRUPTED: Code.INTERRUPTED,
}


def error_code(exit_code: int) -> Code:
    """The finding code of an error that ends a run with exit_code."""
    return _ERROR_CODES.get(exit_code, Code.INTERNAL_ERROR)


_MARK = {Severity.ERROR: "✗ error", Severity.WARNING: "! warning", Severity.INFO: "i info"}


_SGR = {Severity.ERROR: "\x1b[31m", Severity.WARNING: "\x1b[33m", Severity.INFO: "\x1b[36m"}
_RESET = "\x1b[0m"


def colour_on(stream: TextIO | None = None, *, as_json: bool = False) -> bool:
    """Colour only for a person at a terminal: never with --json, never when NO_COLOR is set (no-color.org: any
    non-empty value), never on a dumb terminal or when the stream (stderr by default) is a pipe or a file."""
    if as_json or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream or sys.stderr, "isatty", None)
    return bool(isatty and isatty())


def _mark(level: Severity, colour: bool) -> str:
    return f"{_SGR[level]}{_MARK[level]}{_RESET}" if colour else _MARK[level]


def plan(text: str, *, as_json: bool = False) -> None:
    """A plan's text (plan/display.py) on stderr, its document diff coloured on a terminal."""
    if colour_on(as_json=as_json):
        from agentcore_ext.plan.display import coloured

        text = coloured(text)
    err(text)


def err(text: str = "") -> None:
    print(text, file=sys.stderr, flush=True)


def out(text: str) -> None:
    print(text, file=sys.stdout, flush=True)


def error(exc: AgentCoreExtError) -> None:
    """An error outside a report (policy output, pass-through): its message and hint, in one style."""
    err(f"{_MARK[Severity.ERROR]} [{error_code(exc.exit_code)}] {exc.message}")
    if exc.hint:
        err(f"    hint: {exc.hint}")


def _yes_no(value: bool | None) -> str:
    return {True: "yes", False: "no", None: "not checked"}[value]


def human(report: Report, stream: TextIO | None = None, *, as_json: bool = False) -> None:
    """The report in words, using the JSON report's keys so the two read alike; coloured on a terminal."""
    w = stream or sys.stderr
    colour = colour_on(w, as_json=as_json)
    if colour:
        from agentcore_ext.plan.display import coloured  # a --dry-run's plan is one of the notes
    else:

        def coloured(text: str) -> str:
            return text

    def line(text: str = "") -> None:
        print(text, file=w)

    for note in report.notes:
        line(coloured(note))
    if report.caller:
        c = report.caller
        line(f"caller: {c.principal_arn or c.arn} (kind: {c.kind}, account: {c.account})")
    if report.pass_role:
        p = report.pass_role
        line(f"pass_role: {p.decision} (method: {p.method}){' - ' + p.detail if p.detail else ''}")
    if report.role:
        r = report.role
        if r.arn or r.name:
            line(f"role: {r.arn or r.name} (exists: {_yes_no(r.exists)}, action_taken: {r.action_taken})")
        else:
            line("role documents (offline):")
        line(f"  trust_ok: {_yes_no(r.trust_ok)}  permissions_ok: {_yes_no(r.permissions_ok)}")
        if r.missing_actions:
            line(f"  missing_actions: {', '.join(sorted(r.missing_actions))}")
    if report.agent:
        a = report.agent
        models = ", ".join(f"{m['id']} ({m['kind']}, {m['source']})" for m in a.models) or "none (no Bedrock)"
        line(f"agent: {a.name}; models: {models}")
        if a.features:
            line("  features: " + ", ".join(f"{f['name']} ({f['source']})" for f in a.features))
    if report.role and report.role.requirements:
        line("  needs, by feature:")
        for feature, rules in _by_feature(report.role.requirements).items():
            actions = sorted({act for r in rules for act in r["actions"]})
            levels = "required" if any(r["level"] == "required" for r in rules) else "recommended"
            line(f"    {feature} ({levels}): {len(actions)} actions - {rules[0]['reason']}")
    if report.configure and report.configure.ran:
        line(f"configure: agentcore configure exited {report.configure.exit_code}")
    for f in report.findings:
        line(f"{_mark(f.level, colour)} [{f.code}] {f.message}")
        if f.hint:
            line(f"    hint: {f.hint}")
    line(f"{'ok' if report.ok else 'not ok'} ({report.aws_calls} AWS calls, {report.seconds:.2f}s)")


def _by_feature(requirements: tuple[Mapping[str, Any], ...]) -> dict[str, list[Mapping[str, Any]]]:
    out: dict[str, list[Mapping[str, Any]]] = {}
    for r in requirements:
        out.setdefault(str(r["feature"]), []).append(r)
    return out


def emit(report: Report, as_json: bool) -> None:
    """Human text always goes to stderr; with --json the report is also the one document on stdout."""
    human(report, as_json=as_json)
    if as_json:
        out(json.dumps(report.to_dict(), indent=2))

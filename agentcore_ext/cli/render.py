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


# Values in messages come from code literals, YAML, flags and AWS: a raw ESC can erase or recolour the line above,
# a newline can forge a line of its own, a bidi override can reorder what is read (red-team issue 21, item 10).
# Every C0/C1 control character, DEL and the bidi controls are shown escaped; a note keeps its own line breaks.
_CONTROLS = {
    c: f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"
    for c in (*range(0x20), *range(0x7F, 0xA0), 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
}
_CONTROLS_BUT_NEWLINE = {c: e for c, e in _CONTROLS.items() if c != 0x0A}


def printable(text: str, *, lines: bool = False) -> str:
    """text with control characters escaped; lines=True keeps newlines (a multi-line note of the tool's own)."""
    return text.translate(_CONTROLS_BUT_NEWLINE if lines else _CONTROLS)


def _mark(level: Severity, colour: bool) -> str:
    return f"{_SGR[level]}{_MARK[level]}{_RESET}" if colour else _MARK[level]


def plan(text: str, *, as_json: bool = False) -> None:
    """A plan's text (plan/display.py) on stderr, its document diff coloured on a terminal."""
    text = printable(text, lines=True)  # before the colour: the SGR codes are the tool's own
    if colour_on(as_json=as_json):
        from agentcore_ext.plan.display import coloured

        text = coloured(text)
    err(text, escaped=True)


def err(text: str = "", *, escaped: bool = False) -> None:
    """A line on stderr; `escaped`: the text was made printable before the tool's own colour codes were added."""
    print(text if escaped else printable(text, lines=True), file=sys.stderr, flush=True)


def out(text: str) -> bool:
    """A document on stdout; False when stdout would not take it (said on stderr: cli/streams.py)."""
    from agentcore_ext.cli.streams import deliver

    return deliver(text)


def error(exc: AgentCoreExtError) -> None:
    """An error outside a report (policy output, pass-through): its message and hint, in one style."""
    err(f"{_MARK[Severity.ERROR]} [{error_code(exc.exit_code)}] {printable(exc.message)}")
    if exc.hint:
        err(f"    hint: {printable(exc.hint)}")


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

    def line(text: str = "", mark: str = "") -> None:
        """mark: the tool's own (coloured) prefix; the rest holds values from code, YAML and AWS: escaped."""
        print(mark + printable(text, lines=True), file=w)

    for note in report.notes:
        print(coloured(printable(note, lines=True)), file=w)
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
        line(f" [{f.code}] {printable(f.message)}", _mark(f.level, colour))
        if f.hint:
            line(f"    hint: {printable(f.hint)}")
    line(f"{'ok' if report.ok else 'not ok'} ({report.aws_calls} AWS calls, {report.seconds:.2f}s)")


def _by_feature(requirements: tuple[Mapping[str, Any], ...]) -> dict[str, list[Mapping[str, Any]]]:
    out: dict[str, list[Mapping[str, Any]]] = {}
    for r in requirements:
        out.setdefault(str(r["feature"]), []).append(r)
    return out


def emit(report: Report, as_json: bool) -> bool:
    """Human text always goes to stderr; with --json the report is also the one document on stdout.
    False when that document could not be written."""
    human(report, as_json=as_json)
    return out(json.dumps(report.to_dict(), indent=2)) if as_json else True

"""The only module that prints: human text to stderr, the JSON report to stdout."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from agentcore_ext.findings import Severity
from agentcore_ext.report import Report

_MARK = {Severity.ERROR: "✗ error", Severity.WARNING: "! warning", Severity.INFO: "i info"}


def err(text: str = "") -> None:
    print(text, file=sys.stderr, flush=True)


def out(text: str) -> None:
    print(text, file=sys.stdout, flush=True)


def _yes_no(value: Any) -> str:
    return {True: "yes", False: "no", None: "not checked"}.get(value, str(value))


def human(report: Report, stream: TextIO | None = None) -> None:
    """The report in words, using the JSON report's keys so the two read alike."""
    w = stream or sys.stderr

    def line(text: str = "") -> None:
        print(text, file=w)

    for note in report.notes:
        line(note)
    if report.caller:
        c = report.caller
        line(f"caller: {c.get('principal_arn') or c.get('arn')} (kind: {c.get('kind')}, account: {c.get('account')})")
    if report.pass_role:
        p = report.pass_role
        line(f"pass_role: {p['decision']} (method: {p['method']}){' - ' + p['detail'] if p.get('detail') else ''}")
    if report.role:
        r = report.role
        if r.get("arn") or r.get("name"):
            line(
                f"role: {r.get('arn') or r.get('name')} (exists: {_yes_no(r.get('exists'))}, "
                f"action_taken: {r.get('action_taken')})"
            )
        else:
            line("role documents (offline):")
        line(f"  trust_ok: {_yes_no(r.get('trust_ok'))}  permissions_ok: {_yes_no(r.get('permissions_ok'))}")
        if r.get("missing_actions"):
            line(f"  missing_actions: {', '.join(r['missing_actions'])}")
    if report.configure and report.configure.get("ran"):
        line(f"configure: agentcore configure exited {report.configure.get('exit_code')}")
    for f in report.findings:
        line(f"{_MARK[f.severity]} [{f.code}] {f.message}")
        if f.hint:
            line(f"    hint: {f.hint}")
    line(f"{'ok' if report.ok else 'not ok'} ({report.aws_calls} AWS calls, {report.seconds:.2f}s)")


def emit(report: Report, as_json: bool) -> None:
    """Human text always goes to stderr; with --json the report is also the one document on stdout."""
    human(report)
    if as_json:
        out(json.dumps(report.to_dict(), indent=2))

"""The run's report: INTERFACE.md's JSON document, assembled from the parts each step produced. Pure."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agentcore_ext.findings import Finding, has_errors

SCHEMA_VERSION = 1


@dataclass
class Report:
    command: str
    caller: dict[str, Any] | None = None
    pass_role: dict[str, Any] | None = None
    role: dict[str, Any] | None = None
    findings: list[Finding] = field(default_factory=list)
    configure: dict[str, Any] | None = None
    aws_calls: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)  # human-only lines (plan text, sandbox banner)

    def add(self, findings: list[Finding] | tuple[Finding, ...]) -> None:
        seen = {(f.code, f.message) for f in self.findings}
        self.findings.extend(f for f in findings if (f.code, f.message) not in seen)

    @property
    def ok(self) -> bool:
        if has_errors(self.findings):
            return False
        return not (self.configure is not None and self.configure.get("exit_code") not in (0, None))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "ok": self.ok,
            "caller": self.caller,
            "pass_role": self.pass_role,
            "role": self.role,
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.command == "configure":
            out["configure"] = self.configure or {"ran": False, "exit_code": None, "argv": []}
        out["stats"] = {"aws_calls": self.aws_calls, "seconds": round(self.seconds, 3)}
        return out

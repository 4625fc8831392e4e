"""Findings: what a check concluded, with a stable code. Pure data; rendering lives in render.py."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True)
class Finding:
    code: str  # stable SCREAMING_SNAKE identifier; scripts match on it
    severity: Severity
    message: str
    hint: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity.value, "message": self.message, "hint": self.hint}


def has_errors(findings: list[Finding] | tuple[Finding, ...]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)


def codes(findings: list[Finding] | tuple[Finding, ...]) -> set[str]:
    return {f.code for f in findings}

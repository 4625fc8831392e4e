"""The run's report: INTERFACE.md's JSON document, assembled from typed blocks each stage produced. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from agentcore_ext.findings import Finding, has_errors

SCHEMA_VERSION = 1


class ActionTaken(StrEnum):
    NONE = "none"
    CREATED = "created"
    REPAIRED = "repaired"
    PLANNED = "planned"


@dataclass(frozen=True)
class RoleBlock:
    """`role`: what was judged (and done) about the execution role. None fields: not checked (validate)."""

    name: str | None
    arn: str | None
    exists: bool | None
    trust_ok: bool | None
    permissions_ok: bool | None
    missing_actions: tuple[str, ...] = ()
    action_taken: ActionTaken = ActionTaken.NONE
    requirements: tuple[Mapping[str, Any], ...] = ()  # what this agent needs: feature, level, actions, reason

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "arn": self.arn,
            "exists": self.exists,
            "trust_ok": self.trust_ok,
            "permissions_ok": self.permissions_ok,
            "missing_actions": sorted(self.missing_actions),
            "action_taken": str(self.action_taken),
            "requirements": [dict(r) for r in self.requirements],
        }


@dataclass(frozen=True)
class AgentBlock:
    """`agent`: what the agent profile says the agent is and uses, with sources."""

    name: str
    models: tuple[Mapping[str, str], ...] = ()  # id, kind, source, provider (every model named, Bedrock or not)
    features: tuple[Mapping[str, str], ...] = ()  # name, source (and detail when known)
    unresolved: tuple[str, ...] = ()
    facts: tuple[Mapping[str, str], ...] = ()  # fact, value, source: what decided the agent's shape

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "facts": [dict(f) for f in self.facts],
            "models": [dict(m) for m in self.models],
            "features": [dict(f) for f in self.features],
            "unresolved": list(self.unresolved),
        }


@dataclass(frozen=True)
class PassRoleBlock:
    decision: str  # allowed | denied | unknown
    method: str  # simulator | local | none
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"decision": self.decision, "method": self.method, "detail": self.detail}


@dataclass(frozen=True)
class CallerBlock:
    arn: str
    principal_arn: str
    kind: str
    account: str
    partition: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "arn": self.arn,
            "principal_arn": self.principal_arn,
            "kind": self.kind,
            "account": self.account,
            "partition": self.partition,
        }


@dataclass(frozen=True)
class ConfigureBlock:
    ran: bool = False
    exit_code: int | None = None
    argv: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"ran": self.ran, "exit_code": self.exit_code, "argv": list(self.argv)}


@dataclass(frozen=True)
class DeployStep:
    """One step of `agentcore deploy` and the caller's actions in it."""

    name: str
    allowed: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    undecided: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.name,
            "ok": not self.missing and not self.undecided,
            "allowed": list(self.allowed),
            "missing": list(self.missing),
            "undecided": list(self.undecided),
        }


@dataclass(frozen=True)
class DeployBlock:
    """`deploy`: the caller's deploy preflight for the deploy mode, step by step."""

    mode: str  # codebuild | local_build | direct_code_deploy
    steps: tuple[DeployStep, ...] = ()

    @property
    def denied(self) -> tuple[DeployStep, ...]:
        """The steps `agentcore deploy` would fail at."""
        return tuple(s for s in self.steps if s.missing)

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "ok": not self.denied, "steps": [s.to_dict() for s in self.steps]}


@dataclass
class Report:
    command: str
    caller: CallerBlock | None = None
    pass_role: PassRoleBlock | None = None
    role: RoleBlock | None = None
    agent: AgentBlock | None = None
    plan: Mapping[str, Any] | None = None  # the plan made (actions and documents), when there was one
    findings: list[Finding] = field(default_factory=list)
    configure: ConfigureBlock | None = None
    deploy: DeployBlock | None = None
    aws_calls: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)  # human-only lines (plan text, sandbox banner)

    def add(self, findings: Iterable[Finding]) -> None:
        seen = {(f.code, f.message) for f in self.findings}
        self.findings.extend(f for f in findings if (f.code, f.message) not in seen)

    @property
    def ok(self) -> bool:
        if has_errors(self.findings):
            return False
        return not (self.configure is not None and self.configure.exit_code not in (0, None))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "ok": self.ok,
            "caller": self.caller.to_dict() if self.caller else None,
            "pass_role": self.pass_role.to_dict() if self.pass_role else None,
            "role": self.role.to_dict() if self.role else None,
            "findings": [f.to_dict() for f in self.findings],
        }
        if self.agent is not None:
            out["agent"] = self.agent.to_dict()
        if self.plan is not None:
            out["plan"] = dict(self.plan)
        if self.deploy is not None:
            out["deploy"] = self.deploy.to_dict()
        if self.command == "configure":
            out["configure"] = (self.configure or ConfigureBlock()).to_dict()
        out["stats"] = {"aws_calls": self.aws_calls, "seconds": round(self.seconds, 3)}
        return out

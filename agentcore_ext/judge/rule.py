"""The vocabulary of requirements: a rule (a statement the tool writes and the requests it must allow) and the
concrete requirements judged against a role's documents. Pure data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from agentcore_ext.iam.evaluate import Request


class RequirementLevel(StrEnum):
    REQUIRED = "required"  # the agent fails without it: an error when missing
    RECOMMENDED = "recommended"  # some code paths need it: info (telemetry: a warning) when missing


@dataclass(frozen=True)
class Probe:
    """One concrete request a compliant role must allow.

    `unknown`: the resource is a pattern standing for one the agent will use but nobody named (INTERFACE.md, "a
    requirement on an unknown resource"): it is allowed when the role allows the action on some resource that
    matches the pattern (judge/some_resource.py), never judged against an invented name."""

    resource: str
    context: Mapping[str, str] = field(default_factory=dict)
    unknown: bool = False


@dataclass(frozen=True)
class Rule:
    """A statement the tool writes, the requests it must allow, and why the agent needs them."""

    sid: str
    feature: str  # "model", "memory", "code-interpreter", "observability", ... (the report groups by it)
    actions: tuple[str, ...]
    resources: tuple[str, ...]  # what the tool writes
    probes: tuple[Probe, ...]
    reason: str  # where the need was learnt: "my_agent.py:12", "--model", "default", "always", ...
    condition: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    level: RequirementLevel = RequirementLevel.REQUIRED
    telemetry: bool = False  # missing it only degrades traces or metrics (RUNTIME-NEEDS.md, observability)
    # An additional policy's statement (judge/additional_policy.py): written whole, exactly as given, instead of
    # being built from actions/resources/condition; never cut to some of its actions (a Deny cut would deny less).
    statement: Mapping[str, Any] | None = None
    # What a message about this rule adds: what follows when it is missing, or what would name its resource.
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        """INTERFACE.md's `role.requirements` entry (with `statement` for one required as written)."""
        out = {
            "feature": self.feature,
            "level": str(self.level),
            "actions": list(self.actions),
            "resources": list(self.resources),
            "reason": self.reason,
        }
        return out | ({"statement": dict(self.statement)} if self.statement is not None else {})


@dataclass(frozen=True)
class Requirement:
    """One request a compliant role must allow (level "required") or should allow ("recommended")."""

    action: str
    resource: str
    context: Mapping[str, str] = field(default_factory=dict)
    level: RequirementLevel = RequirementLevel.REQUIRED
    sid: str = ""
    feature: str = ""
    telemetry: bool = False
    shown: str = ""  # what a message names: the rule's resources as written, never the probe's stand-in ids
    unknown: bool = False  # `resource` is a pattern for a resource nobody named (Probe.unknown)
    note: str = ""  # the rule's note (Rule.note)

    def request(self) -> Request:
        return Request(action=self.action, resource=self.resource, context=self.context)

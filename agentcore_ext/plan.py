"""Judge an observed role and plan what to change. Pure: documents in, a verdict and frozen actions out.

Safety rules the planner enforces (DESIGN.md "Habits"):
- it only ever adds: a statement to the trust policy, an inline policy of the tool's own name, tags on the tool's
  own roles; the one exception is confused-deputy scoping, see `_scope_statement` in plan_edits.py;
- a role it cannot make compliant by adding (explicit deny, boundary, wildcard trust, AWS-managed role) is
  `blocked` and is not touched at all, so a failed check never leaves a half-changed role;
- every candidate document is judged again before it is planned, so a plan that would not help is never applied.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from agentcore_ext.checks import judge_trust
from agentcore_ext.findings import Finding, Severity
from agentcore_ext.iam.policy import parse_policy
from agentcore_ext.plan_edits import merge_statements, repair_trust
from agentcore_ext.requirements import (
    TOOL_POLICY_NAME,
    TOOL_REPAIR_POLICY_NAME,
    AgentSpec,
    permissions_document,
    requirements,
    trust_document,
)
from agentcore_ext.role import ObservedRole, observe_policy
from agentcore_ext.role import RoleVerdict as RoleVerdict
from agentcore_ext.role import judge_role as judge_role

INLINE_POLICY_LIMIT = 10_240  # IAM: total characters (whitespace excluded) of a role's inline policies
# Findings an added Allow or trust statement cannot cure: they block the whole plan.
UNFIXABLE = {"PERMISSIONS_EXPLICIT_DENY", "PERMISSIONS_BOUNDARY_BLOCKS", "PERMISSIONS_UNDECIDED"}
UNFIXABLE |= {"TRUST_WILDCARD_PRINCIPAL", "TRUST_SERVICE_NOT_ALLOWED", "ROLE_POLICY_INVALID"}


@dataclass(frozen=True)
class CreateRole:
    name: str
    path: str
    trust: Mapping[str, Any]
    boundary: str | None
    tags: Mapping[str, str]
    description: str


@dataclass(frozen=True)
class PutInlinePolicy:
    role: str
    policy_name: str
    document: Mapping[str, Any]
    old_document: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class UpdateTrust:
    role: str
    new_document: Mapping[str, Any]
    old_document: Mapping[str, Any]
    note: str = ""


@dataclass(frozen=True)
class TagRole:
    role: str
    tags: Mapping[str, str]


Action = CreateRole | PutInlinePolicy | UpdateTrust | TagRole
ORDER = {CreateRole: 0, PutInlinePolicy: 1, UpdateTrust: 2, TagRole: 3}  # permissions before the trust that uses them


def summary(action: Action) -> str:
    match action:
        case CreateRole(name=name, path=path, boundary=boundary):
            return f"create role {path}{name}" + (f" with permissions boundary {boundary}" if boundary else "")
        case PutInlinePolicy(role=role, policy_name=policy, old_document=old):
            return f"{'update' if old else 'add'} inline policy {policy} on role {role}"
        case UpdateTrust(role=role):
            return f"update the trust policy of role {role}"
        case TagRole(role=role, tags=tags):
            return f"tag role {role}: " + ", ".join(f"{k}={v}" for k, v in tags.items())


def _pretty(doc: Mapping[str, Any] | None) -> list[str]:
    return [] if doc is None else json.dumps(doc, indent=2).splitlines()


def _diff(old: Mapping[str, Any] | None, new: Mapping[str, Any], label: str) -> str:
    lines = difflib.unified_diff(_pretty(old), _pretty(new), f"{label} (now)", f"{label} (planned)", lineterm="", n=3)
    return "\n".join("    " + line for line in lines)


@dataclass(frozen=True)
class Plan:
    role_name: str
    role_arn: str
    actions: tuple[Action, ...] = ()
    blocked_by: tuple[Finding, ...] = ()
    kind: str = "none"  # "none" | "create" | "repair"
    needs_fix: bool = False  # repairs shown for information: this run was not given --fix
    notes: tuple[str, ...] = ()

    @property
    def will_apply(self) -> bool:
        return bool(self.actions) and not self.blocked_by and not self.needs_fix

    def describe(self) -> str:
        """What would change, as a before/after of each document."""
        if not self.actions and not self.blocked_by:
            return f"role {self.role_name}: nothing to change"
        out = [f"plan for role {self.role_arn}:"]
        for action in self.actions:
            out.append(f"  - {summary(action)}")
            match action:
                case CreateRole(trust=trust, tags=tags):
                    out.append(_diff(None, trust, "trust policy"))
                    out.append("    tags: " + ", ".join(f"{k}={v}" for k, v in tags.items()))
                case PutInlinePolicy(policy_name=name, document=doc, old_document=old):
                    out.append(_diff(old, doc, f"inline policy {name}"))
                case UpdateTrust(new_document=new, old_document=old, note=note):
                    out.extend([f"    {note}"] if note else [])
                    out.append(_diff(old, new, "trust policy"))
                case TagRole():
                    pass
        out += [f"  note: {note}" for note in self.notes]
        out += [f"  blocked: {f.code}: {f.message}" for f in self.blocked_by]
        if self.needs_fix and self.actions:
            out.append("  (not applied: rerun with --fix to make these changes)")
        return "\n".join(out)

    def to_dict(self) -> dict[str, Any]:
        return {
            "role_name": self.role_name,
            "role_arn": self.role_arn,
            "kind": self.kind,
            "actions": [summary(a) for a in self.actions],
            "blocked_by": [f.code for f in self.blocked_by],
            "needs_fix": self.needs_fix,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class PlanInputs:
    """What the planner needs besides the documents: where a new role goes and what this run may do."""

    name: str
    arn: str
    path: str = "/"
    boundary: str | None = None
    boundary_document: Mapping[str, Any] | None = None  # read before a create, to judge the role it would make
    tags: Mapping[str, str] = field(default_factory=dict)
    description: str = ""
    fix: bool = False
    no_create: bool = False
    must_exist: bool = False
    fix_command: str = ""  # the exact command that applies the repairs, for hints


def _size(doc: Mapping[str, Any]) -> int:
    return len(json.dumps(doc, separators=(",", ":")))


def _size_finding(total: int, role: str) -> Finding:
    return Finding(
        "ROLE_INLINE_POLICY_LIMIT",
        Severity.ERROR,
        f"the inline policies of role {role} would hold {total} characters, more than IAM's {INLINE_POLICY_LIMIT}",
        "attach a managed policy made from `agentcore-ext policy permissions` "
        "instead, or remove unused inline policies",
    )


def _plan_create(spec: AgentSpec, inputs: PlanInputs) -> tuple[RoleVerdict, Plan]:
    missing = tuple(sorted({r.action for r in requirements(spec) if r.level == "required"}))
    verdict = RoleVerdict(inputs.name, inputs.arn, False, False, False, missing)
    if inputs.must_exist or inputs.no_create:
        why = "--execution-role names a role that must exist" if inputs.must_exist else "--no-create was given"
        hint = (
            "check the name or ARN, or omit --execution-role (or use --role-name) to let agentcore-ext create it"
            if inputs.must_exist
            else "drop --no-create to let agentcore-ext create it"
        )
        found = Finding("ROLE_NOT_FOUND", Severity.ERROR, f"role {inputs.arn} does not exist ({why})", hint)
        return replace(verdict, findings=(found,)), Plan(inputs.name, inputs.arn, blocked_by=(found,))
    trust, permissions = trust_document(spec), permissions_document(spec)
    # Judge the role the plan would make, under its boundary: a boundary that blocks the agent stops the create.
    bnd = inputs.boundary_document
    would_be = ObservedRole(
        inputs.name,
        inputs.arn,
        inputs.path,
        observe_policy(trust, "trust policy"),
        (observe_policy(permissions, TOOL_POLICY_NAME),),
        boundary_arn=inputs.boundary,
        boundary=observe_policy(bnd, inputs.boundary or "", inputs.boundary or "") if bnd else None,
    )
    blocked = [f for f in judge_role(would_be, spec).findings if f.code in UNFIXABLE]
    if _size(permissions) > INLINE_POLICY_LIMIT:
        blocked.append(_size_finding(_size(permissions), inputs.name))
    actions: tuple[Action, ...] = (
        CreateRole(inputs.name, inputs.path, trust, inputs.boundary, dict(inputs.tags), inputs.description),
        PutInlinePolicy(inputs.name, TOOL_POLICY_NAME, permissions),
    )
    return replace(verdict, findings=tuple(blocked)), Plan(inputs.name, inputs.arn, actions, tuple(blocked), "create")


def make_plan(observed: ObservedRole | None, spec: AgentSpec, inputs: PlanInputs) -> tuple[RoleVerdict, Plan]:
    """Judge the role and decide: nothing, create, or repair (applied only with inputs.fix)."""
    if observed is None:
        return _plan_create(spec, inputs)
    verdict = judge_role(observed, spec)
    assert verdict.trust is not None and verdict.permissions is not None
    blocked = [f for f in verdict.findings if f.code == "ROLE_RESERVED"]
    # Never plan a change to a role AWS manages, not even for display; a compliant one gets no tags either
    # (its managed-by tag is no proof the tool owns it: the path is).
    if blocked or observed.reserved:
        return verdict, Plan(observed.name, observed.arn, blocked_by=tuple(blocked))
    actions: list[Action] = []
    extra: list[Finding] = []
    fixable = set(verdict.permissions.fixable_actions)
    if fixable:
        existing = observed.inline_policy(TOOL_REPAIR_POLICY_NAME)
        old = dict(existing.raw) if existing else None
        doc = merge_statements(old, permissions_document(spec, only_actions=fixable))
        others = sum(_size(p.raw) for p in observed.inline if p.name != TOOL_REPAIR_POLICY_NAME)
        if others + _size(doc) > INLINE_POLICY_LIMIT:
            extra.append(_size_finding(others + _size(doc), observed.name))
        actions.append(PutInlinePolicy(observed.name, TOOL_REPAIR_POLICY_NAME, doc, old))
    new_trust, note = repair_trust(observed, spec, verdict.trust)
    after_trust = verdict.trust
    if new_trust is not None:
        after_trust = judge_trust(parse_policy(new_trust), spec)
        actions.append(UpdateTrust(observed.name, new_trust, dict(observed.trust.raw), note))
    notes = []
    if not after_trust.scoped:
        notes.append(f"a trust statement the tool did not write stays unscoped: add aws:SourceAccount={spec.account}")
    missing_tags = {k: v for k, v in inputs.tags.items() if observed.tags.get(k) != v}
    if missing_tags and observed.managed_by_tool:  # tags can grant access (ABAC): only on the tool's own roles
        actions.append(TagRole(observed.name, missing_tags))
    # What adding cannot cure blocks the whole repair: after_trust tells whether the trust edits suffice.
    after_codes = {f.code for f in after_trust.findings}
    blocked = [
        f
        for f in verdict.findings
        if f.code in UNFIXABLE and (not f.code.startswith("TRUST_") or f.code in after_codes)
    ]
    blocked += extra
    needs_fix = bool(actions) and not inputs.fix
    if needs_fix and not blocked:
        extra.append(
            Finding(
                "ROLE_FIX_AVAILABLE",
                Severity.INFO,
                "--fix would: " + "; ".join(summary(a) for a in actions),
                f"run: {inputs.fix_command}" if inputs.fix_command else "rerun with --fix",
            )
        )
    verdict = replace(verdict, findings=verdict.findings + tuple(f for f in extra if f not in verdict.findings))
    ordered = tuple(sorted(actions, key=lambda a: ORDER[type(a)]))
    return verdict, Plan(
        observed.name, observed.arn, ordered, tuple(blocked), "repair" if actions else "none", needs_fix, tuple(notes)
    )

"""Judge an observed role and plan what to change. Pure: documents in, a verdict and frozen actions out.

The plan's types are in plan/model.py, its display in plan/display.py, the document edits in plan/edits.py.

Safety rules the planner enforces (DESIGN.md "Habits"):
- it only ever adds: a statement to the trust policy, an inline policy of the tool's own name, tags on the tool's
  own roles; the one exception is confused-deputy scoping, see `_scope_statement` in plan/edits.py;
- a role it cannot make compliant by adding (explicit deny, boundary, wildcard trust, AWS-managed role) is
  `blocked` and is not touched at all, so a failed check never leaves a half-changed role;
- every candidate document is judged again before it is planned, so a plan that would not help is never applied.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from agentcore_ext.findings import Code, Finding, Severity
from agentcore_ext.iam.policy import parse_policy
from agentcore_ext.judge.permissions import PermissionsVerdict, written_wildcards
from agentcore_ext.judge.role import RoleVerdict
from agentcore_ext.plan.edits import merge_statements, repair_trust
from agentcore_ext.plan.kinds import EXECUTION, RoleKind
from agentcore_ext.plan.model import (
    ORDER,
    Action,
    AttachPolicy,
    CreateRole,
    Plan,
    PlanInputs,
    PlanKind,
    PutInlinePolicy,
    TagRole,
    UpdateTrust,
    summary,
)
from agentcore_ext.state import AgentSpec, ObservedRole, observe_policy

TAG_LIMIT = 50  # IAM: tags per role
INLINE_POLICY_LIMIT = 10_240  # IAM: total characters (whitespace excluded) of a role's inline policies
# Findings an added Allow or trust statement cannot cure block the whole plan: each kind says which (plan/kinds.py
# RoleKind.unfixable and .trust_codes).


def _size(doc: Mapping[str, Any]) -> int:
    return len(json.dumps(doc, separators=(",", ":")))


def _size_finding(total: int, role: str, kind: RoleKind = EXECUTION) -> Finding:
    return Finding(
        Code.ROLE_INLINE_POLICY_LIMIT,
        f"the inline policies of role {role} would hold {total} characters, more than IAM's {INLINE_POLICY_LIMIT}",
        f"attach a managed policy made from `agentcore-ext policy {kind.policy_command}` "
        "instead, or remove unused inline policies",
    )


def _plan_create(spec: AgentSpec, inputs: PlanInputs, kind: RoleKind) -> tuple[RoleVerdict, Plan]:
    verdict = RoleVerdict(inputs.name, inputs.arn, False, False, False, kind.required_actions(spec))
    if inputs.must_exist or inputs.no_create:
        flag = kind.given_flag
        why = f"{flag} names a role that must exist" if inputs.must_exist else "--no-create was given"
        hint = (
            f"check the name or ARN, or omit {flag}"
            + (" (or use --role-name)" if kind is EXECUTION else "")
            + " to let agentcore-ext create it"
            if inputs.must_exist
            else "drop --no-create to let agentcore-ext create it"
        )
        found = Finding(Code.ROLE_NOT_FOUND, f"{kind.label} {inputs.arn} does not exist ({why})", hint)
        return replace(verdict, findings=(found,)), Plan(inputs.name, inputs.arn, blocked_by=(found,))
    trust, permissions = kind.trust_document(spec), kind.permissions_document(spec, None)
    managed = kind.managed_policies(spec)
    # Judge the role the plan would make, under its boundary, with the managed policies it gets: a boundary, or a
    # Deny of the agent's own additional policies, that blocks the agent stops the create.
    bnd = inputs.boundary_document
    would_be = ObservedRole(
        inputs.name,
        inputs.arn,
        inputs.path,
        observe_policy(trust, "trust policy"),
        (observe_policy(permissions, kind.policy_name),),
        managed,
        boundary_arn=inputs.boundary,
        boundary=observe_policy(bnd, inputs.boundary or "", inputs.boundary or "") if bnd else None,
    )
    judged = kind.judge(would_be, spec).findings
    blocked = [f for f in judged if f.code in kind.unfixable]
    if _size(permissions) > INLINE_POLICY_LIMIT:
        blocked.append(_size_finding(_size(permissions), inputs.name, kind))
    actions: tuple[Action, ...] = (
        CreateRole(inputs.name, inputs.path, trust, inputs.boundary, dict(inputs.tags), inputs.description),
        PutInlinePolicy(inputs.name, kind.policy_name, permissions),
        *(AttachPolicy(inputs.name, p.arn) for p in managed),
    )
    notes = tuple(f for f in judged if f.code in kind.create_notes)
    warnings = tuple(written_wildcards(permissions))
    return replace(verdict, findings=tuple(blocked) + notes + warnings), Plan(
        inputs.name, inputs.arn, actions, tuple(blocked), PlanKind.CREATE
    )


def _permissions_action(
    observed: ObservedRole, spec: AgentSpec, verdict: PermissionsVerdict, extra: list[Finding], kind: RoleKind
) -> PutInlinePolicy:
    """The permissions write: finish the tool's own half-created role, else add to the repair policy what the
    role lacks: statements for the missing actions, and additional-policy statements required as written."""
    if observed.managed_by_tool and observed.inline_policy(kind.policy_name) is None:
        # CreateRole went through, PutRolePolicy never did (killed, or IAM lagged past the wait): what the
        # create would have written, under the create's own name, so a rerun finishes the job.
        full = kind.permissions_document(spec, None)
        name, doc, old, addition = kind.policy_name, full, None, full
    else:
        existing = observed.inline_policy(kind.repair_policy_name)
        name, old = kind.repair_policy_name, dict(existing.raw) if existing else None
        addition = kind.permissions_document(spec, set(verdict.fixable_actions))
        written = addition["Statement"]
        addition["Statement"] = written + [dict(s) for s in verdict.missing_statements if s not in written]
        doc = merge_statements(old, addition)
    extra += written_wildcards(addition)
    others = sum(_size(p.raw) for p in observed.inline if p.name != name)
    if others + _size(doc) > INLINE_POLICY_LIMIT:
        extra.append(_size_finding(others + _size(doc), observed.name, kind))
    return PutInlinePolicy(observed.name, name, doc, old, addition, finish=name == kind.policy_name)


def _not_ours(observed: ObservedRole, kind: RoleKind) -> Finding:
    return Finding(
        Code.CODEBUILD_TRUST_NOT_OURS,
        f"{kind.label} {observed.name} was not made by agentcore-ext: its trust is not changed for this agent's "
        "build (CodeBuild would act with everything the role may do)",
        f"give its trust what `agentcore-ext policy codebuild-trust` prints yourself, or drop {kind.given_flag} "
        "to let configure make the tool's own CodeBuild role",
    )


def _breaks_the_agent(
    observed: ObservedRole, actions: list[Action], spec: AgentSpec, verdict: RoleVerdict, kind: RoleKind
) -> list[Finding]:
    """What adding would newly cause that adding cannot cure: a Deny of the agent's own additional policies that
    refuses what the agent needs. The role as the permission writes would leave it is judged again."""
    if not any(isinstance(a, PutInlinePolicy | AttachPolicy) for a in actions):
        return []
    inline, attached = list(observed.inline), list(observed.attached)
    for action in actions:
        match action:
            case PutInlinePolicy(policy_name=name, document=doc):
                inline = [p for p in inline if p.name != name] + [observe_policy(doc, name)]
            case AttachPolicy(policy_arn=arn):
                attached += [p for p in kind.managed_policies(spec) if p.arn == arn]
    before = {f.code for f in verdict.findings}
    after = kind.judge(replace(observed, inline=tuple(inline), attached=tuple(attached)), spec)
    return [
        replace(f, message=f"with the planned changes, {f.message}")
        for f in after.findings
        if f.code in kind.unfixable and f.code not in before
    ]


def rebase(
    action: Action, served: Mapping[str, Any] | None, spec: AgentSpec, kind: RoleKind = EXECUTION
) -> Action | None:
    """The action redone against what IAM served just before the write (another writer may have changed it).

    Pure. None: the served document already holds what the action would add.
    """
    match action:
        case PutInlinePolicy(addition=addition) if addition is not None:
            doc = merge_statements(served, addition)
            return (
                None
                if served is not None and doc == dict(served)
                else replace(action, document=doc, old_document=served)
            )
        case UpdateTrust(role=role) if served is not None:
            fresh = ObservedRole(role, "", "/", observe_policy(served, "trust policy"))
            if fresh.trust.document is None:
                return action
            new, note = repair_trust(fresh, spec, kind.judge_trust(fresh.trust.document, spec), kind)
            if new is None:
                return None
            return replace(action, new_document=new, old_document=dict(served), note=note)
    return action


def make_plan(
    observed: ObservedRole | None, spec: AgentSpec, inputs: PlanInputs, kind: RoleKind = EXECUTION
) -> tuple[RoleVerdict, Plan]:
    """Judge the role of this kind and decide: nothing, create, or repair (applied only with inputs.fix)."""
    if observed is None:
        return _plan_create(spec, inputs, kind)
    verdict = kind.judge(observed, spec)
    assert verdict.trust is not None and verdict.permissions is not None
    blocked = [f for f in verdict.findings if f.code is Code.ROLE_RESERVED]
    # Never plan a change to a role AWS manages, not even for display; a compliant one gets no tags either
    # (its managed-by tag is no proof the tool owns it: the path is).
    if blocked or observed.reserved:
        return verdict, Plan(observed.name, observed.arn, blocked_by=tuple(blocked))
    actions: list[Action] = []
    extra: list[Finding] = []
    permissions = verdict.permissions
    if permissions.fixable_actions or permissions.missing_statements:
        actions.append(_permissions_action(observed, spec, permissions, extra, kind))
    actions += [AttachPolicy(observed.name, arn) for arn in permissions.missing_attachments]
    extra += _breaks_the_agent(observed, actions, spec, verdict, kind)
    new_trust, note = repair_trust(observed, spec, verdict.trust, kind)
    # Only scoping (the service may already assume the role, no wildcard): a warning's repair, never blocking.
    warning_only = not any(f.level is Severity.ERROR for f in verdict.trust.findings)
    if new_trust is not None and not warning_only and not kind.repairs_others_trust and not observed.managed_by_tool:
        new_trust = None  # adding the service to a role the tool did not make: never (scoping one only narrows it)
        extra.append(_not_ours(observed, kind))
    after_trust = verdict.trust
    if new_trust is not None:
        after_trust = kind.judge_trust(parse_policy(new_trust), spec)
        actions.append(UpdateTrust(observed.name, new_trust, dict(observed.trust.raw), note, warning_only))
    notes = []
    if not after_trust.scoped:
        notes.append(f"a trust statement the tool did not write stays unscoped: add aws:SourceAccount={spec.account}")
    missing_tags = {k: v for k, v in inputs.tags.items() if observed.tags.get(k) != v}
    if missing_tags and observed.managed_by_tool:  # tags can grant access (ABAC): only on the tool's own roles
        have = {k.lower() for k in observed.tags}
        total = len(have | {k.lower() for k in missing_tags})
        if total > TAG_LIMIT:
            extra.append(
                Finding(
                    Code.ROLE_TAG_LIMIT,
                    f"role {observed.name} has {len(observed.tags)} tags; adding "
                    + ", ".join(sorted(missing_tags))
                    + f" would make {total}, more than IAM's {TAG_LIMIT}: the tags are not added",
                    "remove tags the role no longer needs (aws iam untag-role), or drop some --tag / team tags",
                )
            )
        else:
            actions.append(TagRole(observed.name, missing_tags))
    # What adding cannot cure blocks the whole repair: after_trust tells whether the trust edits suffice.
    after_codes = {f.code for f in after_trust.findings}
    blocked = [
        f
        for f in verdict.findings
        if f.code in kind.unfixable and (f.code not in kind.trust_codes or f.code in after_codes)
    ]
    blocked += [f for f in extra if f.level is Severity.ERROR]  # warnings (tag limit, wildcards) never block
    # Without --fix, only finishing the tool's own half-created role is applied; the rest is shown.
    finishing: list[Action] = (
        [a for a in actions if isinstance(a, PutInlinePolicy) and a.finish] if inputs.finish else []
    )
    if finishing:  # the create would have attached the agent's managed policies too
        finishing += [a for a in actions if isinstance(a, AttachPolicy)]
    rest = [a for a in actions if a not in finishing]
    if finishing and not inputs.fix:
        actions = finishing
    needs_fix = bool(rest) and not inputs.fix and not finishing
    if rest and not inputs.fix and not blocked:
        extra.append(
            Finding(
                Code.ROLE_FIX_AVAILABLE,
                "--fix would: " + "; ".join(summary(a) for a in rest),
                f"run: {inputs.fix_command}" if inputs.fix_command else "rerun with --fix",
            )
        )
    verdict = replace(verdict, findings=verdict.findings + tuple(f for f in extra if f not in verdict.findings))
    ordered = tuple(sorted(actions, key=lambda a: ORDER[type(a)]))
    return verdict, Plan(
        observed.name,
        observed.arn,
        ordered,
        tuple(blocked),
        PlanKind.REPAIR if actions else PlanKind.NONE,
        needs_fix,
        tuple(notes),
    )

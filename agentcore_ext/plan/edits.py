"""The edits a repair plan makes to existing documents: trust repair and merging into the tool's repair policy.

Pure, like plan.py: documents in, new documents out. Each edit only adds, except the confused-deputy scoping of a
bare service statement (`_scope_statement`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from agentcore_ext.iam.policy import Statement, parse_policy
from agentcore_ext.judge.trust import TrustVerdict
from agentcore_ext.plan.kinds import EXECUTION, RoleKind
from agentcore_ext.state import AgentSpec, ObservedRole


def _statements(raw: Mapping[str, Any]) -> list[Any]:
    key = next((k for k in raw if k.lower() == "statement"), "Statement")
    value = raw.get(key, [])
    return list(value) if isinstance(value, list) else [value]


def _with_statements(raw: Mapping[str, Any], statements: list[Any]) -> dict[str, Any]:
    key = next((k for k in raw if k.lower() == "statement"), "Statement")
    out: dict[str, Any] = dict(raw) if raw else {"Version": "2012-10-17"}
    out[key] = statements
    return out


def _unique_sid(base: str, taken: set[str]) -> str:
    sid, n = base, 2
    while sid in taken:
        sid, n = f"{base}{n}", n + 1
    return sid


def _bare_service_statement(st: Statement, principal: str) -> bool:
    """An Allow for exactly the role's service with no condition, nothing negated, no resource."""
    return (
        st.effect == "Allow"
        and dict(st.principal or {}) == {"Service": (principal,)}
        and st.not_principal is None
        and st.not_actions is None
        and st.resources is None
        and st.not_resources is None
        and not st.conditions
    )


def _scope_statement(raw: Mapping[str, Any], account: str) -> dict[str, Any]:
    """The one edit of a user's statement: add aws:SourceAccount, keeping every other key as it was.

    Adding a condition only narrows who may assume the role. It is scoped to the account, not to this agent,
    so other agents and regions of the same account that share the role keep working.
    """
    return {**raw, "Condition": {"StringEquals": {"aws:SourceAccount": account}}}


def repair_trust(
    observed: ObservedRole, spec: AgentSpec, before: TrustVerdict, kind: RoleKind = EXECUTION
) -> tuple[dict[str, Any] | None, str]:
    """The trust policy with the repairs it needs, and a note of each; (None, "") when none is needed or possible.

    Bare statements for the kind's service get aws:SourceAccount; if the service still may not assume the role,
    the tool's own statement is added. Every other statement is kept as it is.
    """
    doc = observed.trust.document
    if doc is None or (before.service_allowed and before.scoped):
        return None, ""
    raw = observed.trust.raw
    statements = _statements(raw)
    notes: list[str] = []
    if not before.scoped:
        for st in doc.statements:
            if _bare_service_statement(st, kind.principal) and st.index < len(statements):
                statements[st.index] = _scope_statement(statements[st.index], spec.account)
                notes.append(
                    f"statement {st.index}{f' ({st.sid})' if st.sid else ''}: added condition "
                    f"aws:SourceAccount={spec.account}; nothing else in it changed"
                )
    candidate = _with_statements(raw, statements)
    if not kind.judge_trust(parse_policy(candidate), spec).service_allowed:
        added = dict(kind.trust_statement(spec))
        added["Sid"] = _unique_sid(added["Sid"], {s.sid for s in doc.statements if s.sid})
        statements.append(added)
        notes.append(
            f"added statement {added['Sid']}: {kind.trust_in_words(spec)}; existing statements kept as they are"
        )
        candidate = _with_statements(raw, statements)
    return (candidate if notes else None), "; ".join(notes)


_MERGEABLE_KEYS = frozenset({"Sid", "Effect", "Action", "Resource", "Condition"})


def _plain_allow(statement: Mapping[str, Any]) -> bool:
    """An Allow of Action on Resource (optionally with a Condition), with no other key, spelled as IAM spells it."""
    action = statement.get("Action")
    return (
        set(statement) <= _MERGEABLE_KEYS
        and statement.get("Effect") == "Allow"
        and (isinstance(action, str) or (isinstance(action, list) and all(isinstance(a, str) for a in action)))
        and "Resource" in statement
    )


def _mergeable(statement: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Actions of `new` may be added to `statement`: both plain Allows with the same Sid, Resource and Condition.

    Adding an action to a Deny would deny it; adding one to a NotAction list would take it away; a statement that
    mixes Action with NotAction is invalid and IAM would refuse the whole document. An additional policy's Deny,
    NotAction or NotResource (written as given) is never merged either way: it gets a fresh statement.
    """
    return (
        _plain_allow(statement)
        and _plain_allow(new)
        and statement.get("Sid") == new.get("Sid")
        and statement["Resource"] == new["Resource"]
        and statement.get("Condition") == new.get("Condition")
    )


def _actions(statement: Mapping[str, Any]) -> list[str]:
    had = statement.get("Action", [])
    return [had] if isinstance(had, str) else list(had)


def merge_statements(existing: Mapping[str, Any] | None, addition: Mapping[str, Any]) -> dict[str, Any]:
    """Add statements to the tool's repair policy: into a mergeable Allow (see `_mergeable`) as a union of
    actions, else as a fresh statement with a Sid of its own."""
    if existing is None:
        return dict(addition)
    statements = [dict(s) if isinstance(s, Mapping) else s for s in _statements(existing)]
    for new in _statements(addition):
        same = next((s for s in statements if isinstance(s, dict) and _mergeable(s, new)), None)
        if same is not None:
            actions = _actions(same)
            same["Action"] = actions + [a for a in _actions(new) if a not in actions]
        else:
            taken = {str(s.get("Sid")) for s in statements if isinstance(s, dict)}
            statements.append({**new, "Sid": _unique_sid(new["Sid"], taken)})
    return _with_statements(existing, statements)

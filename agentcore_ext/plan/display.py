"""The human view of a plan: each action with a before/after diff of the documents it writes. Pure."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Mapping
from typing import Any

from agentcore_ext.plan.model import (
    Action,
    AttachPolicy,
    CreateRole,
    Plan,
    PutInlinePolicy,
    TagRole,
    UpdateTrust,
    summary,
)


def _pretty(doc: Mapping[str, Any] | None) -> list[str]:
    return [] if doc is None else json.dumps(doc, indent=2).splitlines()


def _diff(old: Mapping[str, Any] | None, new: Mapping[str, Any], label: str) -> str:
    lines = difflib.unified_diff(_pretty(old), _pretty(new), f"{label} (now)", f"{label} (planned)", lineterm="", n=3)
    return "\n".join("    " + line for line in lines)


def _lines(plan: Plan, details: Callable[[Action], list[str]]) -> list[str]:
    if not plan.actions and not plan.blocked_by:
        return [f"role {plan.role_name}: nothing to change"]
    out = [f"plan for role {plan.role_arn}:"]
    for action in plan.actions:
        out += [f"  - {summary(action)}", *details(action)]
    out += [f"  note: {note}" for note in plan.notes]
    out += [f"  blocked: {f.code}: {f.message}" for f in plan.blocked_by]
    if plan.needs_fix and plan.actions:
        out.append("  (not applied: rerun with --fix to make these changes)")
    return out


def _frame(
    plan: Plan,
    details: Callable[[Action], list[str]],
    footer: tuple[str, ...] = (),
    companion_details: Callable[[Action], list[str]] | None = None,
) -> str:
    """Each action with its details, then the plan's notes and blocks, then the plans confirmed with it: the shape
    both views share."""
    out = _lines(plan, details)
    for companion in plan.companions:
        out += _lines(companion, companion_details or details)
    return "\n".join([*out, *footer])


def _documents(action: Action) -> list[str]:
    match action:
        case CreateRole(trust=trust, tags=tags):
            return [_diff(None, trust, "trust policy"), "    tags: " + ", ".join(f"{k}={v}" for k, v in tags.items())]
        case PutInlinePolicy(policy_name=name, document=doc, old_document=old):
            return [_diff(old, doc, f"inline policy {name}")]
        case UpdateTrust(new_document=new, old_document=old, note=note):
            return [*([f"    {note}"] if note else []), _diff(old, new, "trust policy")]
        case AttachPolicy() | TagRole():
            return []


def describe(plan: Plan) -> str:
    """What would change, as a before/after of each document (--show-documents)."""
    return _frame(plan, _documents)


def _listed(value: Any) -> list[Any]:
    return [value] if isinstance(value, str | dict) else list(value or [])


def _trust_in_words(trust: Mapping[str, Any]) -> list[str]:
    """Who may assume the role, one line a statement: principal and the scoping conditions."""
    out = []
    for st in _listed(trust.get("Statement")):
        if not isinstance(st, dict) or st.get("Effect") != "Allow":
            continue
        who = ", ".join(str(v) for values in dict(st.get("Principal") or {"*": "*"}).values() for v in _listed(values))
        scope = [
            f"{key}={', '.join(str(v) for v in _listed(value))}"
            for block in dict(st.get("Condition") or {}).values()
            for key, value in dict(block).items()
        ]
        out.append(f"      trust: {who}" + (f" if {' and '.join(scope)}" if scope else " (unscoped)"))
    return out


def _short(resource: str) -> str:
    """`repository/x` for `arn:aws:ecr:us-east-1:123456789012:repository/x`: the part a reader checks."""
    return resource if resource == "*" else resource.split(":", 5)[-1]


def _permissions_in_words(doc: Mapping[str, Any]) -> list[str]:
    lines = []
    for st in _listed(doc.get("Statement")):
        if not isinstance(st, dict):
            continue
        # An additional policy's statement is written as given: a Deny, NotAction or NotResource says so.
        actions = f"{len(_listed(st.get('Action')))} action(s)"
        if "NotAction" in st:
            actions = f"every action but {len(_listed(st['NotAction']))}"
        resources = ", ".join(_short(str(r)) for r in _listed(st.get("Resource") or st.get("NotResource")))
        if len(resources) > 70:
            resources = resources[:67] + "..."
        effect = "" if st.get("Effect", "Allow") == "Allow" else f"{st['Effect']} "
        but = "every resource but " if "NotResource" in st else ""
        condition = " (with its condition)" if "Condition" in st else ""
        lines.append(f"      {st.get('Sid', 'statement')}: {effect}{actions} on {but}{resources}{condition}")
    return lines


def _in_words(action: Action) -> list[str]:
    match action:
        case CreateRole(trust=trust):
            return _trust_in_words(trust)
        case UpdateTrust(new_document=new, note=note):
            return [*([f"      {note}"] if note else []), *_trust_in_words(new)]
        case PutInlinePolicy(document=doc, addition=addition):
            return _permissions_in_words(addition or doc)
        case AttachPolicy() | TagRole():
            return []


def _in_brief(action: Action) -> list[str]:
    """A companion plan's details in fewer rows: its statements on one line (the prompt must stay on screen)."""
    match action:
        case PutInlinePolicy(document=doc, addition=addition):
            statements = [st for st in _listed((addition or doc).get("Statement")) if isinstance(st, dict)]
            counts = ", ".join(f"{st.get('Sid', 'statement')}: {len(_listed(st.get('Action')))}" for st in statements)
            return [f"      {counts} action(s) (--show-documents lists their resources)"]
        case _:
            return _in_words(action)


def overview(plan: Plan) -> str:
    """The plan in a few lines: each action, the trust's scope in words, each statement with its action count and
    resources. `describe` has the full documents (--show-documents)."""
    return _frame(plan, _in_words, ("  (--show-documents prints the full documents)",), _in_brief)


# ANSI SGR codes for the diff of `describe` on a terminal; whether to use them is the renderer's call (cli/render).
GREEN, RED, CYAN, BOLD, RESET = "\x1b[32m", "\x1b[31m", "\x1b[36m", "\x1b[1m", "\x1b[0m"


def _colour_line(line: str) -> str:
    body = line.lstrip(" ")
    if body.startswith(("+++", "---")):
        return f"{BOLD}{line}{RESET}"
    if body.startswith("@@"):
        return f"{CYAN}{line}{RESET}"
    if line.startswith("    +"):  # `_diff` indents every diff line by four spaces
        return f"{GREEN}{line}{RESET}"
    if line.startswith("    -"):
        return f"{RED}{line}{RESET}"
    return line


def coloured(text: str) -> str:
    """`describe`'s text with its diff lines coloured: green added, red removed (other lines as they are)."""
    return "\n".join(_colour_line(line) for line in text.split("\n"))

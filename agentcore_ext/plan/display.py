"""The human view of a plan: each action with a before/after diff of the documents it writes. Pure."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping
from typing import Any

from agentcore_ext.plan.model import CreateRole, Plan, PutInlinePolicy, TagRole, UpdateTrust, summary


def _pretty(doc: Mapping[str, Any] | None) -> list[str]:
    return [] if doc is None else json.dumps(doc, indent=2).splitlines()


def _diff(old: Mapping[str, Any] | None, new: Mapping[str, Any], label: str) -> str:
    lines = difflib.unified_diff(_pretty(old), _pretty(new), f"{label} (now)", f"{label} (planned)", lineterm="", n=3)
    return "\n".join("    " + line for line in lines)


def describe(plan: Plan) -> str:
    """What would change, as a before/after of each document."""
    if not plan.actions and not plan.blocked_by:
        return f"role {plan.role_name}: nothing to change"
    out = [f"plan for role {plan.role_arn}:"]
    for action in plan.actions:
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
    out += [f"  note: {note}" for note in plan.notes]
    out += [f"  blocked: {f.code}: {f.message}" for f in plan.blocked_by]
    if plan.needs_fix and plan.actions:
        out.append("  (not applied: rerun with --fix to make these changes)")
    return "\n".join(out)

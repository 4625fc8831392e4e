"""Another writer (a colleague, another agent's run on a shared role) changing a document this run edits: before
our write (the plan's read is stale) and after it (they replaced what we wrote with their own merge). Either way
their version is kept and our addition is merged into it, and the run says "changed by another writer" instead of
waiting out IAM's propagation and blaming it (red-team issue 21, item 19: two agents' --fix on one shared role, the
loser waited 30 s and its grants were lost).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from agentcore_ext.errors import AwsError
from agentcore_ext.iam.policy import PolicyError, parse_policy, policy_to_dict
from agentcore_ext.plan.model import Action, PutInlinePolicy, UpdateTrust

if TYPE_CHECKING:
    from agentcore_ext.aws.gateway import Gateway

Rebase = Callable[[Action, "Mapping[str, Any] | None"], "Action | None"]
CHANGED = "{} was changed by another writer while agentcore-ext worked; its version was kept and merged"


def same(served: Mapping[str, Any] | None, wanted: Mapping[str, Any]) -> bool:
    """Semantic equality: IAM may re-serialise a document (e.g. URL-encode it), never change its meaning."""
    if served is None:
        return False
    try:
        return policy_to_dict(parse_policy(dict(served))) == policy_to_dict(parse_policy(dict(wanted)))
    except PolicyError:
        return dict(served) == dict(wanted)


def served_inline(gateway: Gateway, role: str, name: str) -> Mapping[str, Any] | None:
    try:
        return gateway.get_role_policy_document(role, name)
    except AwsError as exc:
        if exc.code == "NoSuchEntity":
            return None
        raise


def served_trust(gateway: Gateway, role: str) -> Mapping[str, Any] | None:
    got = gateway.get_role(role)
    return None if got is None else got["AssumeRolePolicyDocument"]


def _served_before(gateway: Gateway, action: Action) -> tuple[bool, Mapping[str, Any] | None, str]:
    """(read, what IAM serves now, what it is) for a write that edits an existing document; (False, ...) else."""
    match action:
        case PutInlinePolicy(role=role, policy_name=policy, addition=addition) if addition is not None:
            return True, served_inline(gateway, role, policy), f"inline policy {policy}"
        case UpdateTrust(role=role):
            served = served_trust(gateway, role)
            return served is not None, served, f"trust policy of {role}"
    return False, None, ""


def _old_document(action: Action) -> Mapping[str, Any] | None:
    match action:
        case PutInlinePolicy(old_document=old) | UpdateTrust(old_document=old):
            return old
    return None


def rebased(gateway: Gateway, action: Action, rebase: Rebase | None, changed: list[str]) -> Action | None:
    """Re-read the document just before writing it; if someone changed it since the plan, redo the edit on theirs."""
    if rebase is None:
        return action
    read, served, what = _served_before(gateway, action)
    old = _old_document(action)
    if not read or (served is None and old is None) or (served is not None and old is not None and same(served, old)):
        return action
    changed.append(CHANGED.format(what))
    return rebase(action, served)


def replaced(action: Action, served: Mapping[str, Any] | None) -> bool:
    """Whether IAM serves, where this run just wrote an edit, a third version: neither ours nor the one before (the
    one before is IAM still catching up; a third is another writer's, written after ours)."""
    if not isinstance(action, PutInlinePolicy) or action.addition is None or served is None:
        return False
    return not same(served, action.document) and not (action.old_document and same(served, action.old_document))


def overwritten(gateway: Gateway, done: list[Action], rebase: Rebase | None, changed: list[str]) -> list[int]:
    """The positions in `done` whose document another writer replaced after our write, each redone on theirs."""
    redo = []
    for index, action in enumerate(done):
        if rebase is None or not isinstance(action, PutInlinePolicy) or action.addition is None:
            continue
        served = served_inline(gateway, action.role, action.policy_name)
        if replaced(action, served):
            fresh = rebase(action, served)
            changed.append(CHANGED.format(f"inline policy {action.policy_name}"))
            if fresh is not None:
                done[index] = fresh
                redo.append(index)
    return redo

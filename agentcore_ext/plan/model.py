"""The plan's vocabulary: typed actions on one role, the plan that holds them, and what the planner is given. Pure.

Modelled on chalice's deploy models: frozen instructions that a planner returns and an executor (aws/apply.py)
or a display (plan/display.py) consumes, dispatched by type with `match`, never by method-name strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from agentcore_ext.findings import Finding


class PlanKind(StrEnum):
    NONE = "none"
    CREATE = "create"
    REPAIR = "repair"


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
    # The statements this run adds: merged into whatever IAM serves just before the write (another writer's
    # version included), so a concurrent change is never overwritten. None: `document` as a whole.
    addition: Mapping[str, Any] | None = None
    # Finishes a role the tool created but could not complete (no `agentcore-ext-execution`): no --fix needed.
    finish: bool = False


@dataclass(frozen=True)
class UpdateTrust:
    role: str
    new_document: Mapping[str, Any]
    old_document: Mapping[str, Any]
    note: str = ""
    # Only confused-deputy scoping (T3, a warning): if IAM refuses it, the run reports a warning and goes on.
    warning_only: bool = False


@dataclass(frozen=True)
class TagRole:
    role: str
    tags: Mapping[str, str]


@dataclass(frozen=True)
class AttachPolicy:
    """Attach one of the agent's additional managed policies (--additional-policy ARN), read before planning."""

    role: str
    policy_arn: str


Action = CreateRole | PutInlinePolicy | AttachPolicy | UpdateTrust | TagRole
# Permissions before the trust that uses them.
ORDER = {CreateRole: 0, PutInlinePolicy: 1, AttachPolicy: 2, UpdateTrust: 3, TagRole: 4}


def summary(action: Action) -> str:
    match action:
        case CreateRole(name=name, path=path, boundary=boundary):
            where = f" at path {path}" if path not in ("", "/") else ""
            return f"create role {name}{where}" + (f" with permissions boundary {boundary}" if boundary else "")
        case PutInlinePolicy(role=role, policy_name=policy, old_document=old):
            return f"{'update' if old else 'add'} inline policy {policy} on role {role}"
        case UpdateTrust(role=role):
            return f"update the trust policy of role {role}"
        case AttachPolicy(role=role, policy_arn=arn):
            return f"attach managed policy {arn} to role {role}"
        case TagRole(role=role, tags=tags):
            return f"tag role {role}: " + ", ".join(f"{k}={v}" for k, v in tags.items())


@dataclass(frozen=True)
class Plan:
    role_name: str
    role_arn: str
    actions: tuple[Action, ...] = ()
    blocked_by: tuple[Finding, ...] = ()
    kind: PlanKind = PlanKind.NONE
    needs_fix: bool = False  # repairs shown for information: this run was not given --fix
    notes: tuple[str, ...] = ()
    # other roles' plans shown and confirmed with this one (configure: the CodeBuild role's); not in to_dict,
    # where each plan has its own key
    companions: tuple[Plan, ...] = ()

    @property
    def will_apply(self) -> bool:
        return bool(self.actions) and not self.blocked_by and not self.needs_fix

    def to_dict(self) -> dict[str, Any]:
        return {
            "role_name": self.role_name,
            "role_arn": self.role_arn,
            "kind": str(self.kind),
            "actions": [summary(a) for a in self.actions],
            "documents": [_documents(a) for a in self.actions],
            "blocked_by": [str(f.code) for f in self.blocked_by],
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
    finish: bool = True  # may finish the tool's own half-created role without --fix (False: read-only doctor)


def _documents(action: Action) -> dict[str, Any]:
    """The documents an action writes (and the ones it replaces), for `--dry-run --json`."""
    match action:
        case CreateRole(trust=trust, tags=tags, boundary=boundary):
            return {"trust_policy": dict(trust), "tags": dict(tags), "permissions_boundary": boundary}
        case PutInlinePolicy(policy_name=name, document=doc, old_document=old):
            return {"inline_policy": name, "document": dict(doc), "old_document": dict(old) if old else None}
        case UpdateTrust(new_document=new, old_document=old):
            return {"trust_policy": dict(new), "old_trust_policy": dict(old)}
        case AttachPolicy(policy_arn=arn):
            return {"managed_policy": arn}
        case TagRole(tags=tags):
            return {"tags": dict(tags)}

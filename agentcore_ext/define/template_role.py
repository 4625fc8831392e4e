"""The execution role a template's runtime names, with every document the stack gives it. Pure.

A role of the stack (`AWS::IAM::Role`) has its trust (AssumeRolePolicyDocument), its inline `Policies`, and the
stack's `AWS::IAM::Policy` (Roles), `AWS::IAM::RolePolicy` (RoleName) and `AWS::IAM::ManagedPolicy` (Roles, or
listed in the role's ManagedPolicyArns) that attach to it; a managed policy from outside the stack (AWS managed or
another stack's) cannot be read offline and is listed, not guessed. Property names: the resource schemas cfn-lint
ships (cfnlint/data/schemas/resources), AWS::IAM::Role, Policy, RolePolicy and ManagedPolicy.

A value the template does not give is replaced so that the document grants no more and denies no less than it
may at deploy: in an Allow, an unknown Action, Resource or Principal matches nothing and an unknown NotAction or
NotResource is `*`; in a Deny, the reverse. Each replacement is said in `unresolved`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from agentcore_ext.define.template_resolve import Resolver
from agentcore_ext.define.template_values import Unknown, mapping

ROLE = "AWS::IAM::Role"
UNRESOLVED = "<unresolved>"  # matches no action, resource or principal that exists
_POSITIVE = ("Action", "Resource", "Principal")
_NEGATIVE = ("NotAction", "NotResource", "NotPrincipal")


@dataclass(frozen=True)
class RoleDocument:
    """A policy document as the stack deploys it, intrinsic functions resolved; `name` says where it is."""

    name: str
    document: Mapping[str, Any]


@dataclass(frozen=True)
class TemplateRole:
    """The runtime's execution role as the template defines it. `logical_id` None: the runtime names a role the
    template does not define (its documents are not in the template)."""

    logical_id: str | None
    arn: str | None  # None: the template does not say (a parameter with no Default, an import)
    trust: RoleDocument | None = None
    permissions: tuple[RoleDocument, ...] = ()
    managed_policy_arns: tuple[str, ...] = ()  # attached, not defined in the stack: unreadable offline
    boundary: RoleDocument | None = None  # a PermissionsBoundary that is a managed policy of the stack
    boundary_arn: str | None = None  # a PermissionsBoundary from outside the stack: unreadable offline
    unresolved: tuple[str, ...] = ()


def find_role(resolver: Resolver, role_arn: Any, where: str) -> TemplateRole:
    """The role the runtime's RoleArn names: one of the stack's roles when its resolved ARN is theirs."""
    arn = resolver.string(role_arn)
    if isinstance(arn, Unknown):
        return TemplateRole(None, None, unresolved=(f"execution_role: {where}: {arn.why}",))
    for logical, resource in resolver.resources.items():
        if mapping(resource).get("Type") == ROLE and resolver.string({"Fn::GetAtt": [logical, "Arn"]}) == arn:
            return _stack_role(resolver, str(logical), arn)
    return TemplateRole(None, arn)


def _stack_role(resolver: Resolver, logical: str, arn: str) -> TemplateRole:
    props = mapping(mapping(resolver.resources[logical]).get("Properties"))
    notes: list[str] = []
    trust = _document(resolver, props.get("AssumeRolePolicyDocument"), f"template {logical}", notes)
    docs: list[RoleDocument] = []
    for index, inline in enumerate(props.get("Policies") or []):
        named = resolver.string(mapping(inline).get("PolicyName", index))
        name = f"template {logical}.Policies.{named if isinstance(named, str) else index}"
        docs += _listed(_document(resolver, mapping(inline).get("PolicyDocument"), name, notes))
    role_name = resolver.string({"Ref": logical})
    attached = _strings(resolver, props.get("ManagedPolicyArns"), f"{logical}.ManagedPolicyArns", notes)
    stack_policies: dict[str, str] = {}
    for other, resource in resolver.resources.items():
        kind, other_props = mapping(resource).get("Type"), mapping(mapping(resource).get("Properties"))
        name = f"template {other}"
        policy = kind == "AWS::IAM::Policy" and role_name in _strings(resolver, other_props.get("Roles"), name, notes)
        role_policy = kind == "AWS::IAM::RolePolicy" and resolver.string(other_props.get("RoleName")) == role_name
        if policy or role_policy:
            docs += _listed(_document(resolver, other_props.get("PolicyDocument"), name, notes))
        elif kind == "AWS::IAM::ManagedPolicy":
            policy_arn = resolver.string({"Ref": other})
            if isinstance(policy_arn, str):
                stack_policies[policy_arn] = str(other)
            roles = _strings(resolver, other_props.get("Roles"), name, notes)
            if role_name in roles or policy_arn in attached:
                docs += _listed(_document(resolver, other_props.get("PolicyDocument"), name, notes))
    boundary, boundary_arn = _boundary(resolver, props.get("PermissionsBoundary"), logical, stack_policies, notes)
    return TemplateRole(
        logical_id=logical,
        arn=arn,
        trust=trust,
        permissions=tuple(docs),
        managed_policy_arns=tuple(dict.fromkeys(a for a in attached if a not in stack_policies)),
        boundary=boundary,
        boundary_arn=boundary_arn,
        unresolved=tuple(dict.fromkeys(notes)),
    )


def _boundary(
    resolver: Resolver, node: Any, logical: str, stack_policies: Mapping[str, str], notes: list[str]
) -> tuple[RoleDocument | None, str | None]:
    if node is None:
        return None, None
    arn = resolver.string(node)
    if isinstance(arn, Unknown):
        notes.append(f"{logical}.PermissionsBoundary: {arn.why}: the boundary is not judged")
        return None, None
    if arn in stack_policies:
        policy = stack_policies[arn]
        props = mapping(mapping(resolver.resources[policy]).get("Properties"))
        return _document(resolver, props.get("PolicyDocument"), f"template {policy}", notes), None
    return None, arn


def _listed(doc: RoleDocument | None) -> list[RoleDocument]:
    return [doc] if doc is not None else []


def _strings(resolver: Resolver, node: Any, where: str, notes: list[str]) -> list[str]:
    """A list property of strings (Roles, ManagedPolicyArns); an unknown item is said, not matched."""
    if node is None:
        return []
    value = resolver.resolve(node)
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, str):
            out.append(item)
        else:
            notes.append(f"{where}: {item.why if isinstance(item, Unknown) else repr(item)}")
    return out


def _document(resolver: Resolver, node: Any, name: str, notes: list[str]) -> RoleDocument | None:
    """A policy document with the unknown parts replaced so that it grants no more than it may."""
    if node is None:
        return None
    value = resolver.resolve(node)
    if isinstance(value, Unknown):
        notes.append(f"{name}: the document is not known offline ({value.why}): not judged")
        return None
    if not isinstance(value, Mapping) or "Statement" not in value:
        return RoleDocument(name, {"Statement": value} if not isinstance(value, Mapping) else value)
    statements = value["Statement"]
    listed = statements if isinstance(statements, list) else [statements]
    kept: list[Any] = []
    for index, st in enumerate(listed):
        where = f"{name} Statement[{index}]"
        if isinstance(st, Unknown):
            notes.append(f"{where}: {st.why}: left out")
        elif isinstance(st, Mapping):
            judged = _statement(st, where, notes)
            kept += [judged] if judged is not None else []
        else:
            kept.append(st)  # parse_policy refuses it with its own message
    return RoleDocument(name, {**value, "Statement": kept})


def _statement(st: Mapping[str, Any], where: str, notes: list[str]) -> Mapping[str, Any] | None:
    """The statement as judged, or None when it is left out (its Effect unknown; an Allow whose Condition is)."""
    effect = st.get("Effect")
    if isinstance(effect, Unknown):
        notes.append(f"{where}.Effect: {effect.why}: the statement is left out")
        return None
    allow = effect != "Deny"
    condition = st.get("Condition")
    if isinstance(condition, Unknown):
        notes.append(f"{where}.Condition: {condition.why}: " + ("left out" if allow else "the Deny judged without it"))
        if allow:
            return None
    out: dict[str, Any] = {}
    for key, value in st.items():
        if key == "Condition" and isinstance(value, Unknown):
            continue
        if key in _POSITIVE or key in _NEGATIVE:
            stand_in = UNRESOLVED if allow == (key in _POSITIVE) else "*"
            if key.endswith("Principal") and isinstance(value, Unknown) and stand_in != "*":
                value = {"AWS": value}  # a principal block naming nobody who exists
            out[key] = _replace(value, stand_in, f"{where}.{key}", notes)
        else:
            out[key] = _replace(value, UNRESOLVED, f"{where}.{key}", notes)
    return out


def _replace(value: Any, stand_in: str, where: str, notes: list[str]) -> Any:
    if isinstance(value, Unknown):
        notes.append(f"{where}: {value.why} (judged as {stand_in!r})")
        return stand_in
    if isinstance(value, list):
        return [_replace(v, stand_in, where, notes) for v in value]
    if isinstance(value, Mapping):
        return {k: _replace(v, stand_in, f"{where}.{k}", notes) for k, v in value.items()}
    return value

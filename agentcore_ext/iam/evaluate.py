"""IAM request evaluation for identity-based policies in one account (and trust policies). Pure.

Logic of the IAM User Guide's "Policy evaluation logic" for a single account: an explicit Deny in any policy wins;
otherwise the identity policies must allow the request and, when there is one, so must the permissions boundary.
A statement whose condition cannot be decided (unknown operator) is never counted as an Allow: it makes the result
UNKNOWN where it could change it (an undecidable Allow with no definite Allow, or an undecidable Deny next to an
Allow), and is ignored where it cannot.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from agentcore_ext.iam.conditions import conditions_match, unsupported_operators
from agentcore_ext.iam.matching import (
    ContextValue,
    Match,
    NormalizedContext,
    action_matchers,
    normalize_context,
    resource_matcher,
)
from agentcore_ext.iam.policy import PolicyDocument, Statement
from agentcore_ext.iam.principals import PrincipalMatch, principal_match, principal_matches

__all__ = [
    "ContextValue",
    "Decision",
    "Evaluation",
    "Match",
    "Request",
    "StatementRef",
    "evaluate",
    "statement_matches",
]


class Decision(StrEnum):
    ALLOWED = "allowed"
    EXPLICIT_DENY = "explicit_deny"
    IMPLICIT_DENY = "implicit_deny"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Request:
    action: str  # "service:Action"
    resource: str  # an ARN, or "*"
    context: Mapping[str, ContextValue] = field(default_factory=dict)  # keys case-insensitive
    # For resource-based policies (trust policies): the calling principal, e.g. {"Service": "x.amazonaws.com"}
    # or {"AWS": "arn:aws:iam::123456789012:root"}. None: identity-based evaluation, Principal ignored.
    principal: Mapping[str, str] | None = None


@dataclass(frozen=True)
class StatementRef:
    policy: str  # PolicyDocument.name
    index: int
    sid: str | None
    effect: str

    def __str__(self) -> str:
        label = f"Sid {self.sid!r}" if self.sid else f"statement {self.index}"
        return f"{self.policy or 'policy'} {label}"


@dataclass(frozen=True)
class Evaluation:
    decision: Decision
    allowed_by: tuple[StatementRef, ...] = ()
    denied_by: tuple[StatementRef, ...] = ()
    unknown_by: tuple[StatementRef, ...] = ()
    boundary: Decision | None = None  # the permissions boundary's own decision; None when there is none
    reason: str = ""
    # ALLOWED only because a resource (trust) policy names the caller's account ({"AWS": "ACCOUNT"} or
    # arn:P:iam::ACCOUNT:root): that delegates to the account, it is no grant to the caller, whose identity
    # policies must allow the request as well. Never set for a service principal or a named principal.
    delegated_to_account: bool = False

    @property
    def allowed(self) -> bool:
        return self.decision is Decision.ALLOWED


class _Compiled:
    """A statement ready for matching: its patterns turned into (cached) matcher functions."""

    __slots__ = ("actions", "conditions", "not_action", "not_principal", "not_resource", "principal", "resources")

    def __init__(self, st: Statement, variables: bool) -> None:
        self.actions = action_matchers(st.not_actions if st.not_actions is not None else st.actions)
        self.not_action = st.not_actions is not None
        patterns = st.not_resources if st.not_resources is not None else st.resources
        self.resources = None if patterns is None else resource_matcher(patterns, variables)
        self.not_resource = st.not_resources is not None
        self.principal = st.not_principal if st.not_principal is not None else st.principal
        self.not_principal = st.not_principal is not None
        self.conditions = st.conditions


def _services(st: Statement) -> set[str] | None:
    """The services (lowercase) whose actions the statement can match; None when it may match any."""
    if st.not_actions is not None:
        return None
    out: set[str] = set()
    for pattern in st.actions:
        service, sep, _ = pattern.lower().partition(":")
        if not sep or "*" in service or "?" in service:
            return None
        out.add(service)
    return out


class _Doc:
    """A compiled policy document with its statements indexed by the service of their actions, so a request
    only visits the statements that can apply to it."""

    __slots__ = ("_candidates", "always", "by_service", "compiled", "doc")

    def __init__(self, doc: PolicyDocument) -> None:
        variables = doc.version == "2012-10-17"  # 2008-10-17 documents take ${...} literally
        self.doc = doc
        self.compiled = tuple(_Compiled(st, variables) for st in doc.statements)
        self.always: list[int] = []
        self.by_service: dict[str, list[int]] = {}
        for i, st in enumerate(doc.statements):
            services = _services(st)
            if services is None:
                self.always.append(i)
            for service in services or ():
                self.by_service.setdefault(service, []).append(i)
        self._candidates: dict[str, tuple[int, ...]] = {}

    def candidates(self, action: str) -> tuple[int, ...]:
        service = action.partition(":")[0]
        hit = self._candidates.get(service)
        if hit is None:
            hit = self._candidates[service] = tuple(sorted({*self.always, *self.by_service.get(service, ())}))
        return hit


# Documents hold dicts, so they are not hashable: cache by identity, keeping the document alive so its id
# cannot be reused while the entry exists.
_DOCS: dict[int, _Doc] = {}
_DOCS_MAX = 1024


def _compile_doc(doc: PolicyDocument) -> _Doc:
    hit = _DOCS.get(id(doc))
    if hit is not None and hit.doc is doc:
        return hit
    if len(_DOCS) >= _DOCS_MAX:
        _DOCS.clear()
    compiled = _DOCS[id(doc)] = _Doc(doc)
    return compiled


def _matches(c: _Compiled, request: Request, action: str, ctx: NormalizedContext) -> Match:
    """`action` is request.action lowercased (action patterns are compiled lowercased)."""
    if request.principal is not None:
        if c.principal is None:
            return Match.NO
        # NotPrincipal: a role ARN does not stand for its sessions (IAM wants the session ARN listed).
        if principal_matches(c.principal, request.principal, sessions=not c.not_principal) == c.not_principal:
            return Match.NO
    hit = False
    for match in c.actions:
        if match(action):
            hit = True
            break
    if hit == c.not_action:
        return Match.NO
    if c.resources is not None and c.resources.matches(request.resource, ctx) == c.not_resource:
        return Match.NO
    if not c.conditions:
        return Match.YES
    return conditions_match(c.conditions, ctx)


def statement_matches(statement: Statement, request: Request, *, variables: bool = True) -> Match:
    """Whether one statement applies to the request (Effect not considered). `variables`: substitute ${...}."""
    ctx = normalize_context(request.context)
    return _matches(_Compiled(statement, variables), request, request.action.lower(), ctx)


@dataclass
class _Tally:
    allows: list[StatementRef] = field(default_factory=list)
    denies: list[StatementRef] = field(default_factory=list)
    unknown_allows: list[tuple[StatementRef, Statement]] = field(default_factory=list)
    unknown_denies: list[tuple[StatementRef, Statement]] = field(default_factory=list)
    delegated: list[StatementRef] = field(default_factory=list)  # allows that match only the caller's account

    @property
    def decision(self) -> Decision:
        if self.denies:
            return Decision.EXPLICIT_DENY
        if self.unknown_denies and (self.allows or self.unknown_allows):
            return Decision.UNKNOWN
        if self.allows:
            return Decision.ALLOWED
        return Decision.UNKNOWN if self.unknown_allows else Decision.IMPLICIT_DENY

    def unknown_refs(self) -> list[StatementRef]:
        return [ref for ref, _ in self.unknown_allows + self.unknown_denies]


def _delegates(c: _Compiled, request: Request) -> bool:
    """Whether a matching statement names the caller only through its account (see Evaluation)."""
    if request.principal is None or c.principal is None or c.not_principal:
        return False
    return principal_match(c.principal, request.principal) is PrincipalMatch.ACCOUNT


def _tally(policies: Sequence[PolicyDocument], request: Request, ctx: NormalizedContext) -> _Tally:
    tally = _Tally()
    action = request.action.lower()
    for doc in policies:
        compiled = _compile_doc(doc)
        for i in compiled.candidates(action):
            match = _matches(compiled.compiled[i], request, action, ctx)
            if match is Match.NO:
                continue
            st = doc.statements[i]
            ref = StatementRef(doc.name, st.index, st.sid, st.effect)
            deny = st.effect == "Deny"
            if match is Match.YES:
                (tally.denies if deny else tally.allows).append(ref)
                if not deny and _delegates(compiled.compiled[i], request):
                    tally.delegated.append(ref)
            else:
                (tally.unknown_denies if deny else tally.unknown_allows).append((ref, st))
    return tally


def _undecided(ref: StatementRef, st: Statement) -> str:
    ops = ", ".join(unsupported_operators(st.conditions)) or "its condition"
    return f"{ref} (condition not evaluable: {ops})"


def _unknown_reason(what: str, tally: _Tally, scope: str) -> str:
    if tally.unknown_denies:
        ref, st = tally.unknown_denies[0]
        return f"cannot tell whether {what} is denied: {scope}{_undecided(ref, st)} may deny it"
    ref, st = tally.unknown_allows[0]
    return f"cannot tell whether {what} is allowed: {scope}only {_undecided(ref, st)} would allow it"


def _refs(refs: Sequence[StatementRef]) -> str:
    more = f" and {len(refs) - 1} more" if len(refs) > 1 else ""
    return f"{refs[0]}{more}"


def evaluate(
    policies: Sequence[PolicyDocument],
    request: Request,
    boundary: PolicyDocument | None = None,
) -> Evaluation:
    """Decide a request against identity (or trust) policies and an optional permissions boundary.

    allowed_by / denied_by / unknown_by list the matching statements of the identity policies first, then those of
    the boundary (StatementRef.policy tells them apart).
    """
    ctx = normalize_context(request.context)
    what = f"{request.action} on {request.resource}"
    ident = _tally(policies, request, ctx)
    bnd = _tally((boundary,), request, ctx) if boundary is not None else None
    ident_decision = ident.decision
    bnd_decision = bnd.decision if bnd is not None else None
    allowed_by = tuple(ident.allows + (bnd.allows if bnd else []))
    denied_by = tuple(ident.denies + (bnd.denies if bnd else []))
    unknown_by = tuple(ident.unknown_refs() + (bnd.unknown_refs() if bnd else []))
    boundary_name = (boundary.name or "policy") if boundary is not None else ""

    def result(decision: Decision, reason: str) -> Evaluation:
        delegated = decision is Decision.ALLOWED and bool(ident.allows) and len(ident.delegated) == len(ident.allows)
        return Evaluation(decision, allowed_by, denied_by, unknown_by, bnd_decision, reason, delegated)

    if ident.denies:
        return result(Decision.EXPLICIT_DENY, f"{what} is explicitly denied by {_refs(ident.denies)}")
    if bnd is not None and bnd.denies:
        return result(
            Decision.EXPLICIT_DENY,
            f"{what} is explicitly denied by the permissions boundary {_refs(bnd.denies)}",
        )
    if ident_decision is Decision.IMPLICIT_DENY:
        return result(Decision.IMPLICIT_DENY, f"no statement allows {what}")
    if bnd is not None and bnd_decision is Decision.IMPLICIT_DENY:
        by = f"allowed by {_refs(ident.allows)}" if ident.allows else "possibly allowed by the identity policies"
        return result(
            Decision.IMPLICIT_DENY,
            f"{what} is {by} but the permissions boundary {boundary_name} does not allow it",
        )
    if ident_decision is Decision.UNKNOWN:
        return result(Decision.UNKNOWN, _unknown_reason(what, ident, ""))
    if bnd is not None and bnd_decision is Decision.UNKNOWN:
        return result(Decision.UNKNOWN, _unknown_reason(what, bnd, "the permissions boundary's "))
    suffix = f" and the permissions boundary {boundary_name}" if bnd is not None else ""
    if ident.allows and len(ident.delegated) == len(ident.allows):
        suffix += " (to the caller's account only: its identity policies must allow it too)"
    return result(Decision.ALLOWED, f"{what} is allowed by {_refs(ident.allows)}{suffix}")

"""A requirement on a resource nobody named: is the action allowed on some resource of that kind? Pure.

INTERFACE.md ("a requirement on an unknown resource is checked as allowed on some resource of that type in this
account and region ... never against a guessed name"). The requirement's resource is a pattern (`...:secret:*`,
`...:knowledge-base/*`). The role allows it when one concrete resource the pattern covers is allowed by the full
evaluation (denies, conditions and the permissions boundary included). The candidates are the pattern with its
wildcards filled, and, for every Allow statement (of the role or its boundary) that names the action, a resource
both its Resource pattern and the requirement's match (iam/wildcard.common_match).

`exact` says the answer does not depend on which resource the agent really uses: the filled pattern is allowed and
no Deny for the action can match any resource of the pattern. Otherwise an allowed answer holds only for some
resources of the kind, and the verdict carries RESOURCE_UNKNOWN.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from agentcore_ext.iam.evaluate import Decision, Evaluation, Request, evaluate
from agentcore_ext.iam.matching import action_matchers
from agentcore_ext.iam.policy import PolicyDocument, Statement
from agentcore_ext.iam.wildcard import common_match

FILL = "Pr0beRun1d"  # what stands in for a `*` of the pattern (never shown: findings name the rule's resources)


@dataclass(frozen=True)
class SomeResource:
    evaluation: Evaluation
    exact: bool  # allowed on every resource of the pattern, as far as the documents show


def filled(pattern: str) -> str:
    """The pattern as one concrete resource: each `*` a stand-in id, each `?` one character."""
    return pattern.replace("*", FILL).replace("?", "x")


def _rank(e: Evaluation) -> int:
    """When nothing allows the request, the evaluation that says most about why: an undecidable condition, an
    explicit Deny of the one resource a statement grants, a boundary that refuses it, and last "nothing allows"."""
    if e.decision is Decision.IMPLICIT_DENY:
        return 3 if e.boundary not in (None, Decision.ALLOWED) else 4
    return {Decision.ALLOWED: 0, Decision.UNKNOWN: 1, Decision.EXPLICIT_DENY: 2}[e.decision]


def _naming(docs: Sequence[PolicyDocument], action: str, effect: str) -> Iterator[Statement]:
    """The statements of that effect whose Action (or NotAction) can cover the action."""
    lowered = action.lower()
    for doc in docs:
        for st in doc.statements:
            if st.effect != effect:
                continue
            if st.not_actions is not None:
                if not any(m(lowered) for m in action_matchers(st.not_actions)):
                    yield st
            elif any(m(lowered) for m in action_matchers(st.actions)):
                yield st


def _candidates(docs: Sequence[PolicyDocument], action: str, pattern: str) -> list[str]:
    out = [filled(pattern)]
    for st in _naming(docs, action, "Allow"):
        for resource in st.resources or ():
            if "${" in resource:
                continue  # a policy variable's value is per request: the filled pattern is judged instead
            witness = common_match(resource, pattern)
            if witness is not None and witness not in out:
                out.append(witness)
    return out


def _may_deny(docs: Sequence[PolicyDocument], action: str, pattern: str) -> bool:
    """Whether some Deny for the action might match a resource of the pattern (conditions not considered)."""
    for st in _naming(docs, action, "Deny"):
        if st.not_resources is not None or st.resources is None:
            return True
        if any("${" in r or common_match(r, pattern) is not None for r in st.resources):
            return True
    return False


def evaluate_some(
    policies: Sequence[PolicyDocument], request: Request, boundary: PolicyDocument | None = None
) -> SomeResource:
    """`request.resource` is a pattern: allowed when the action is allowed on some resource it matches."""
    docs = [*policies, *([boundary] if boundary is not None else [])]
    judged = [
        evaluate(policies, Request(request.action, resource, request.context, request.principal), boundary)
        for resource in _candidates(docs, request.action, request.resource)
    ]
    best = min(judged, key=_rank)
    exact = judged[0].allowed and not _may_deny(docs, request.action, request.resource)
    return SomeResource(best, exact)

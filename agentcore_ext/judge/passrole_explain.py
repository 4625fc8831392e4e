"""Why a PassRole request is denied, from the caller's policy documents. Pure: no AWS calls.

Each cause is found by changing one thing and asking the evaluator again: drop the boundary, drop the
iam:PassedToService condition, widen the resource to "*". Whatever makes a statement match is what blocks.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from agentcore_ext.arns import ROLE_NAME_RE
from agentcore_ext.findings import Code, Finding
from agentcore_ext.iam.evaluate import Decision, Request, StatementRef, evaluate, statement_matches
from agentcore_ext.iam.matching import Match
from agentcore_ext.iam.policy import PolicyDocument, Statement

PASS_ROLE = "iam:PassRole"
PASSED_TO_SERVICE = "iam:PassedToService"
MANAGED_NAME_MARK = (
    "BedrockAgentCore"  # the AWS managed policy BedrockAgentCoreFullAccess allows role/*BedrockAgentCore*
)


@dataclass(frozen=True)
class Explanation:
    reason: str
    findings: tuple[Finding, ...] = field(default_factory=tuple)


def refs(items: Sequence[StatementRef]) -> str:
    return ", ".join(str(r) for r in items) or "a policy"


def _ref(doc: PolicyDocument, st: Statement) -> StatementRef:
    return StatementRef(doc.name, st.index, st.sid, st.effect)


def _allows(docs: Sequence[PolicyDocument]) -> Iterator[tuple[PolicyDocument, Statement]]:
    for doc in docs:
        for st in doc.statements:
            if st.effect == "Allow":
                yield doc, st


def _without_key(st: Statement, key: str) -> Statement:
    conditions = {
        op: {k: v for k, v in block.items() if k.lower() != key.lower()} for op, block in st.conditions.items()
    }
    return replace(st, conditions={op: block for op, block in conditions.items() if block})


def _condition_values(st: Statement, key: str) -> list[str]:
    return [
        v for block in st.conditions.values() for k, vals in block.items() if k.lower() == key.lower() for v in vals
    ]


def _role_arn_with_name(role_arn: str, name: str) -> str:
    return role_arn.rsplit("/", 1)[0] + "/" + name


def suggest_role_name(st: Statement, request: Request, suggested: str | None = None) -> str | None:
    """A valid role name that this statement lets the caller pass: the tool's default first, then variants."""
    current = request.resource.rsplit("/", 1)[-1]
    candidates = [suggested] if suggested else []
    if "AgentCore" in current and MANAGED_NAME_MARK not in current:
        candidates.append(current.replace("AgentCore", MANAGED_NAME_MARK, 1))
    candidates += [f"{MANAGED_NAME_MARK}-{current}", f"{current}-{MANAGED_NAME_MARK}"]
    for name in candidates:
        name = name[:64]
        probe = replace(request, resource=_role_arn_with_name(request.resource, name))
        if ROLE_NAME_RE.match(name) and statement_matches(st, probe) is Match.YES:
            return name
    return None


def _name_pattern(
    docs: Sequence[PolicyDocument], request: Request, suggested: str | None
) -> tuple[list[str], list[Finding]]:
    """Allow statements that would match if only their Resource did: the role name misses their pattern."""
    reasons: list[str] = []
    findings: list[Finding] = []
    name = request.resource.rsplit("/", 1)[-1]
    for doc, st in _allows(docs):
        widened = replace(st, resources=("*",), not_resources=None)
        if statement_matches(st, request) is Match.YES or statement_matches(widened, request) is not Match.YES:
            continue
        pattern = " or ".join(st.resources or ()) or "NotResource " + " ".join(st.not_resources or ())
        better = suggest_role_name(st, request, suggested)
        reasons.append(f"{_ref(doc, st)} allows iam:PassRole only on {pattern}, which role name {name} does not match")
        findings.append(
            Finding(
                Code.PASSROLE_NAME_PATTERN,
                f"role name {name} does not match the PassRole resource pattern {pattern} of {_ref(doc, st)}",
                f"use a role whose name matches, e.g. --role-name {better}"
                if better
                else "use a role name that matches the pattern, or ask an administrator to allow iam:PassRole on it",
            )
        )
    return reasons, findings


def _service_restricted(docs: Sequence[PolicyDocument], request: Request) -> list[str]:
    """Allow statements that would match but for their iam:PassedToService condition."""
    wanted = request.context.get(PASSED_TO_SERVICE, "")
    reasons = []
    for doc, st in _allows(docs):
        services = _condition_values(st, PASSED_TO_SERVICE)
        if not services or statement_matches(st, request) is Match.YES:
            continue
        if statement_matches(_without_key(st, PASSED_TO_SERVICE), request) is Match.YES:
            reasons.append(
                f"{_ref(doc, st)} allows iam:PassRole only when the role is passed to {', '.join(services)}, "
                f"not {wanted}"
            )
    return reasons


def explain_denial(
    policies: Sequence[PolicyDocument],
    boundary: PolicyDocument | None,
    request: Request,
    *,
    suggested_name: str | None = None,
) -> Explanation:
    full = evaluate(policies, request, boundary)
    if full.decision is Decision.EXPLICIT_DENY:
        return Explanation(f"explicitly denied by {refs(full.denied_by)}")
    if boundary is not None:
        unbounded = evaluate(policies, request)
        if unbounded.allowed:
            reasons, findings = _name_pattern([boundary], request, suggested_name)
            why = f"; {'; '.join(reasons)}" if reasons else ""
            cut = boundary.name or "the permissions boundary"
            return Explanation(
                f"{refs(unbounded.allowed_by)} allows it, but {cut} does not{why}",
                tuple(findings),
            )
    reasons = _service_restricted(policies, request)
    pattern_reasons, findings = _name_pattern(policies, request, suggested_name)
    reasons += pattern_reasons
    if reasons:
        return Explanation("; ".join(reasons), tuple(findings))
    return Explanation(f"no statement in your policies allows iam:PassRole on {request.resource} for this service")

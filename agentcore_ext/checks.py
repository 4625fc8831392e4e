"""Judge an execution role's documents against what the agent needs. Pure: documents in, findings out.

Each check is a small function returning findings with stable codes (T1-T3, P1-P3 of INTERFACE.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from agentcore_ext.findings import Finding, Severity
from agentcore_ext.iam.evaluate import Decision, Evaluation, Request, evaluate
from agentcore_ext.iam.policy import PolicyDocument
from agentcore_ext.requirements import FOREIGN_ACCOUNT, AgentSpec, Requirement, requirements, trust_request

BROAD_ACTIONS = {"*", "iam:*", "sts:*"}
BROAD_MANAGED = {"AdministratorAccess", "PowerUserAccess"}
FIX_HINT = "rerun with --fix to add it (a plan is shown first), or see `agentcore-ext policy trust`"


@dataclass(frozen=True)
class TrustVerdict:
    ok: bool
    findings: tuple[Finding, ...]
    service_allowed: bool  # T1 holds
    scoped: bool  # T3 holds
    wildcard: bool  # T2 fails


def _wildcard_statements(trust: PolicyDocument) -> PolicyDocument:
    """Only the statements whose principal is anyone: `*` or {"AWS": "*"}."""
    keep = tuple(
        st
        for st in trust.statements
        if st.effect == "Allow"
        and st.principal is not None
        and ("*" in st.principal or "*" in st.principal.get("AWS", ()))
    )
    return PolicyDocument(statements=keep, version=trust.version, name=trust.name)


def judge_trust(trust: PolicyDocument, spec: AgentSpec) -> TrustVerdict:
    findings: list[Finding] = []
    own = evaluate([trust], trust_request(spec))
    service_allowed = own.decision is Decision.ALLOWED
    if not service_allowed:
        why = own.reason or "no statement lets the service principal assume the role"
        findings.append(
            Finding(
                "TRUST_SERVICE_NOT_ALLOWED",
                Severity.ERROR,
                f"bedrock-agentcore.amazonaws.com cannot assume this role for agent {spec.agent} in "
                f"{spec.account}/{spec.region}: {why}",
                "the trust policy needs an Allow of sts:AssumeRole for the service bedrock-agentcore.amazonaws.com "
                f"scoped to this account and region; {FIX_HINT}",
            )
        )
    foreign_principal = Request(
        action="sts:AssumeRole",
        resource="*",
        principal={"AWS": f"arn:{spec.partition}:iam::{FOREIGN_ACCOUNT}:root"},
        context={"aws:PrincipalAccount": FOREIGN_ACCOUNT, "aws:SourceAccount": FOREIGN_ACCOUNT},
    )
    wild = evaluate([_wildcard_statements(trust)], foreign_principal)
    wildcard = wild.decision in (Decision.ALLOWED, Decision.UNKNOWN)
    if wildcard:
        findings.append(
            Finding(
                "TRUST_WILDCARD_PRINCIPAL",
                Severity.ERROR,
                "the trust policy lets any AWS principal assume this role, not only principals of account "
                f"{spec.account}",
                'remove the "*" principal or add a condition such as StringEquals aws:PrincipalAccount; '
                "agentcore-ext never removes statements it did not write",
            )
        )
    scoped = True
    if service_allowed:
        foreign = evaluate([trust], trust_request(spec, account=FOREIGN_ACCOUNT))
        scoped = foreign.decision is not Decision.ALLOWED
        if not scoped:
            findings.append(
                Finding(
                    "TRUST_NOT_SCOPED",
                    Severity.WARNING,
                    "the service statement is not scoped by aws:SourceAccount/aws:SourceArn: AgentCore acting for "
                    "another account could assume this role (confused deputy)",
                    f"add StringEquals aws:SourceAccount {spec.account} and ArnLike aws:SourceArn; {FIX_HINT}",
                )
            )
    ok = service_allowed and not wildcard
    return TrustVerdict(ok, tuple(findings), service_allowed, scoped, wildcard)


@dataclass(frozen=True)
class PermissionsVerdict:
    ok: bool
    missing_actions: tuple[str, ...]  # required actions not provably allowed, sorted
    findings: tuple[Finding, ...]
    results: tuple[tuple[Requirement, Evaluation], ...] = field(default=())

    @property
    def fixable_actions(self) -> tuple[str, ...]:
        """Missing only for want of an Allow: an added inline policy fixes them (a deny or boundary it cannot)."""
        return tuple(
            sorted(
                {
                    req.action
                    for req, ev in self.results
                    if req.level == "required"
                    and ev.decision is Decision.IMPLICIT_DENY
                    and ev.boundary in (None, Decision.ALLOWED)
                }
            )
        )


def _group(results: list[tuple[Requirement, Evaluation]], decision: Decision) -> list[tuple[Requirement, Evaluation]]:
    return [(r, e) for r, e in results if e.decision is decision]


def judge_permissions(
    policies: Sequence[PolicyDocument],
    spec: AgentSpec,
    boundary: PolicyDocument | None = None,
    attached_names: Sequence[str] = (),
) -> PermissionsVerdict:
    findings: list[Finding] = []
    results = [(req, evaluate(policies, req.request(), boundary)) for req in requirements(spec)]
    required = [(r, e) for r, e in results if r.level == "required"]
    failing = [(r, e) for r, e in required if e.decision is not Decision.ALLOWED]
    missing = tuple(sorted({r.action for r, _ in failing}))

    blocked_by_boundary = [(r, e) for r, e in failing if e.boundary is not None and e.boundary is not Decision.ALLOWED]
    no_allow = [(r, e) for r, e in _group(failing, Decision.IMPLICIT_DENY) if (r, e) not in blocked_by_boundary]
    if no_allow:
        findings.append(
            Finding(
                "PERMISSIONS_MISSING",
                Severity.ERROR,
                "the role's policies do not allow: " + _describe(no_allow),
                f"{FIX_HINT.replace('policy trust', 'policy permissions')}",
            )
        )
    denied = _group(failing, Decision.EXPLICIT_DENY)
    denied = [(r, e) for r, e in denied if (r, e) not in blocked_by_boundary]
    if denied:
        by = sorted({str(ref) for _, e in denied for ref in e.denied_by})
        findings.append(
            Finding(
                "PERMISSIONS_EXPLICIT_DENY",
                Severity.ERROR,
                f"explicitly denied by {', '.join(by)}: " + _describe(denied),
                "an explicit Deny cannot be outweighed by an Allow; agentcore-ext does not remove statements it did "
                "not write: change that statement, or use another role",
            )
        )
    if blocked_by_boundary:
        findings.append(
            Finding(
                "PERMISSIONS_BOUNDARY_BLOCKS",
                Severity.ERROR,
                "the role's permissions boundary does not allow: " + _describe(blocked_by_boundary),
                "widen the boundary policy (an administrator's decision) or choose a role with another boundary",
            )
        )
    unknown = [(r, e) for r, e in _group(failing, Decision.UNKNOWN) if (r, e) not in blocked_by_boundary]
    if unknown:
        findings.append(
            Finding(
                "PERMISSIONS_UNDECIDED",
                Severity.ERROR,
                "cannot prove these are allowed (a condition the evaluator does not understand): " + _describe(unknown),
                "simplify the conditions on those statements, or check with the IAM policy simulator",
            )
        )
    recommended = [(r, e) for r, e in results if r.level == "recommended" and e.decision is not Decision.ALLOWED]
    if recommended:
        findings.append(
            Finding(
                "RECOMMENDED_PERMISSIONS_MISSING",
                Severity.INFO,
                "recommended but not required: " + _describe(recommended),
                "needed only if the agent fetches workload access tokens itself; `agentcore-ext policy permissions` "
                "shows the statement",
            )
        )
    findings += broad_grants(policies, attached_names)
    return PermissionsVerdict(not failing, missing, tuple(findings), tuple(results))


def _describe(items: list[tuple[Requirement, Evaluation]]) -> str:
    return "; ".join(f"{r.action} on {r.resource}" for r, _ in items)


def broad_grants(policies: Sequence[PolicyDocument], attached_names: Sequence[str] = ()) -> list[Finding]:
    """P2: grants far broader than an agent needs (warning; the tool never narrows them itself)."""
    broad: list[str] = []
    for doc in policies:
        for st in doc.statements:
            if st.effect != "Allow":
                continue
            if st.not_actions is not None:
                broad.append(f"{doc.name or 'policy'} statement {st.index} (Allow with NotAction)")
                continue
            hits = sorted({a for a in st.actions if a.lower() in BROAD_ACTIONS})
            if hits:
                broad.append(f"{doc.name or 'policy'} statement {st.index} ({', '.join(hits)})")
    broad += [f"attached {name}" for name in attached_names if name in BROAD_MANAGED]
    if not broad:
        return []
    return [
        Finding(
            "PERMISSIONS_TOO_BROAD",
            Severity.WARNING,
            "grants broader than an agent needs: " + "; ".join(broad),
            "an agent that is compromised acts with these rights; replace them with `agentcore-ext policy permissions`",
        )
    ]

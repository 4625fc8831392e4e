"""T1-T3 of INTERFACE.md: may AgentCore, and only AgentCore acting for this account, assume the role? Pure."""

from __future__ import annotations

from dataclasses import dataclass

from agentcore_ext.findings import Code, Finding
from agentcore_ext.iam.evaluate import Decision, Request, evaluate
from agentcore_ext.iam.policy import PolicyDocument
from agentcore_ext.judge.requirements import FOREIGN_ACCOUNT, trust_request
from agentcore_ext.state import AgentSpec

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
                Code.TRUST_SERVICE_NOT_ALLOWED,
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
                Code.TRUST_WILDCARD_PRINCIPAL,
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
                    Code.TRUST_NOT_SCOPED,
                    "the service statement is not scoped by aws:SourceAccount/aws:SourceArn: AgentCore acting for "
                    "another account could assume this role (confused deputy)",
                    f"add StringEquals aws:SourceAccount {spec.account} and ArnLike aws:SourceArn; {FIX_HINT}",
                )
            )
    ok = service_allowed and not wildcard
    return TrustVerdict(ok, tuple(findings), service_allowed, scoped, wildcard)

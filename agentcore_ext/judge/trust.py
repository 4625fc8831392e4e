"""T1-T3 of INTERFACE.md: may the role's service, and only that service acting for this account, assume the
role? Pure. The one trust judge: every trust the tool judges (the execution role's, the CodeBuild role's) is
judged here, for a TrustSubject that names the service and the request it makes.

T1 is a probe (the request the service makes for this agent, with the confused-deputy keys aws:SourceAccount and
aws:SourceArn it sends). T2 and T3 are decided from the statements themselves, not from probes: a probe tries one
foreign account and one context, and a condition on a key it did not set (aws:SecureTransport, aws:userid, a
negated operator, a wildcarded ARN) let a world-assumable trust pass. T2 does not depend on the service at all, so
it is one code (TRUST_WILDCARD_PRINCIPAL) for every role; T1 and T3 keep each role kind's own, stable codes.

A statement is *pinned* when one of its conditions (conditions are AND-ed, so one is enough) can only hold for
this account: a positive, case-sensitive equality (StringEquals, or StringLike/ArnLike/ArnEquals with nothing
wildcarded where it matters) on a key the caller cannot choose, where every listed value is this account. Never
pinning: negated operators (a missing key or any other value passes), `...IfExists` (a missing key passes),
set qualifiers (`ForAllValues:` passes on a missing key; `ForAnyValue:` is not an equality on these single-valued
keys), StringEqualsIgnoreCase, wildcards or policy variables in the account part, values of other accounts, and
keys the caller controls (aws:userid, aws:username, aws:SecureTransport, aws:PrincipalTag/*, aws:RequestTag/*,
sts:RoleSessionName, aws:SourceIp, ...), which are simply not among the keys below.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from agentcore_ext.findings import Code, Finding
from agentcore_ext.iam.conditions import parse_operator
from agentcore_ext.iam.evaluate import Decision, Request, evaluate, statement_matches
from agentcore_ext.iam.matching import Match, action_matchers
from agentcore_ext.iam.policy import Conditions, PolicyDocument, Statement
from agentcore_ext.judge.requirements import SERVICE_PRINCIPAL, trust_request
from agentcore_ext.state import AgentSpec

_ASSUME_ACTIONS = ("sts:assumerole", "sts:assumerolewithwebidentity", "sts:assumerolewithsaml")
_ACCOUNT_KEYS = {"aws:principalaccount", "aws:sourceaccount"}
_ARN_KEYS = {"aws:principalarn", "aws:sourcearn"}
_ORG_KEY = "aws:principalorgid"
_ORG_ID_RE = re.compile(r"o-[a-z0-9]{10,32}")
_EQUALITY = {"stringequals", "stringlike"}  # StringLike only with a value that has no wildcard: checked per value
_ARN_OPERATORS = {"arnequals", "arnlike", "stringequals", "stringlike"}


@dataclass(frozen=True)
class TrustSubject:
    """Whose trust is judged: the service that must assume the role and the request it makes for this agent (T1's
    probe, carrying the confused-deputy context that service sends), in words for messages, and the role kind's
    codes for T1 and T3."""

    service: str
    request: Callable[[AgentSpec], Request]
    serves: Callable[[AgentSpec], str]  # for what the service assumes the role: "agent X in C/R", "project ARN"
    not_allowed: Code  # T1
    not_scoped: Code  # T3
    policy_kind: str  # `agentcore-ext policy KIND` prints the trust the tool writes


EXECUTION_TRUST = TrustSubject(
    service=SERVICE_PRINCIPAL,
    request=trust_request,
    serves=lambda spec: f"agent {spec.agent} in {spec.account}/{spec.region}",
    not_allowed=Code.TRUST_SERVICE_NOT_ALLOWED,
    not_scoped=Code.TRUST_NOT_SCOPED,
    policy_kind="trust",
)


@dataclass(frozen=True)
class TrustVerdict:
    ok: bool
    findings: tuple[Finding, ...]
    service_allowed: bool  # T1 holds
    scoped: bool  # T3 holds
    wildcard: bool  # T2 fails


def _positive_tests(conditions: Conditions) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(operator base, lowercased key, values) of every test that can pin: positive, no IfExists, no qualifier."""
    for name, block in conditions.items():
        op = parse_operator(name)
        if op is None or op.if_exists or op.qualifier is not None:
            continue
        for key, values in block.items():
            yield op.base, key.lower(), values


def _literal(text: str) -> bool:
    return not any(ch in text for ch in "*?$")


def _arn_pinned(value: str, base: str, spec: AgentSpec, *, region: bool) -> bool:
    """An ARN value whose partition and account are literally this agent's (and, when asked, whose region is a
    literal one)."""
    parts = value.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return False
    if base.startswith("string") and not _literal(":".join(parts[:5])):
        return False  # StringLike's "*" crosses colons: a wildcard anywhere before the account could span it
    if not (_literal(parts[1]) and _literal(parts[4])) or (region and not _literal(parts[3])):
        return False
    # The region must be literal, not this agent's: a statement for another region of this account lets no other
    # account in (and does not serve this agent); one that serves this region names it instead of wildcarding it.
    return parts[1] == spec.partition and parts[4] == spec.account


def _account_pinned(base: str, values: tuple[str, ...], spec: AgentSpec) -> bool:
    return base in _EQUALITY and all(v == spec.account for v in values)


def _pinned_to_account(st: Statement, spec: AgentSpec) -> bool:
    """T2: the statement's conditions admit principals of this account (or an organisation) only."""
    for base, key, values in _positive_tests(st.conditions):
        if key in _ACCOUNT_KEYS and _account_pinned(base, values, spec):
            return True
        if (
            key in _ARN_KEYS
            and base in _ARN_OPERATORS
            and all(_arn_pinned(v, base, spec, region=False) for v in values)
        ):
            return True
        # The spec names no organisation, so an organisation id cannot be checked against it: a literal o-... id
        # under StringEquals pins the statement to *an* organisation, which is the owner's choice, not a wildcard.
        if key == _ORG_KEY and base == "stringequals" and all(_ORG_ID_RE.fullmatch(v) for v in values):
            return True
    return False


def _scoped(st: Statement, spec: AgentSpec) -> bool:
    """T3: every aws:SourceAccount / aws:SourceArn that satisfies the statement is this account, and for
    aws:SourceArn this partition and a literal region (so for this agent's region, this region)."""
    for base, key, values in _positive_tests(st.conditions):
        if key == "aws:sourceaccount" and _account_pinned(base, values, spec):
            return True
        if (
            key == "aws:sourcearn"
            and base in _ARN_OPERATORS
            and all(_arn_pinned(v, base, spec, region=True) for v in values)
        ):
            return True
    return False


def _allows_assume(st: Statement, actions: tuple[str, ...] = _ASSUME_ACTIONS) -> bool:
    matchers = action_matchers(st.not_actions if st.not_actions is not None else st.actions)
    hit = any(any(m(action) for m in matchers) for action in actions)
    return st.effect == "Allow" and hit != (st.not_actions is not None)


def _is_wildcard(st: Statement) -> bool:
    """Anyone: "*", a "*" among the ids (IAM allows it only alone, but a partial one is no narrower), NotPrincipal."""
    if st.not_principal is not None:
        return True
    return st.principal is not None and any("*" in pid for ids in st.principal.values() for pid in ids)


def wildcard_statements(trust: PolicyDocument, spec: AgentSpec) -> tuple[Statement, ...]:
    """The Allow statements that let anyone assume the role without pinning it to this account (T2 errors)."""
    return tuple(
        st for st in trust.statements if _is_wildcard(st) and _allows_assume(st) and not _pinned_to_account(st, spec)
    )


def unscoped_statements(
    trust: PolicyDocument, spec: AgentSpec, subject: TrustSubject = EXECUTION_TRUST
) -> tuple[Statement, ...]:
    """The Allow statements that let the subject's service assume the role for this agent (T1's request, or
    undecidable for it) whose conditions would also admit it acting for another account.

    A statement written for another account, region or agent does not serve this agent and is the owner's
    explicit choice: T3 does not judge it (T2 and T1 do what applies to it).
    """
    request = subject.request(spec)
    return tuple(
        st
        for st in trust.statements
        if st.effect == "Allow" and statement_matches(st, request) is not Match.NO and not _scoped(st, spec)
    )


def _label(st: Statement) -> str:
    return f"Sid {st.sid!r}" if st.sid else f"statement {st.index}"


def _fix_hint(subject: TrustSubject) -> str:
    return f"rerun with --fix to add it (a plan is shown first), or see `agentcore-ext policy {subject.policy_kind}`"


def _not_allowed(subject: TrustSubject, spec: AgentSpec, role: str, why: str) -> Finding:
    return Finding(
        subject.not_allowed,
        f"{subject.service} cannot assume {role} for {subject.serves(spec)}: {why}",
        f"the trust policy needs an Allow of sts:AssumeRole for the service {subject.service} scoped to this "
        f"account; {_fix_hint(subject)}",
    )


def _wildcard(spec: AgentSpec, role: str, wild: tuple[Statement, ...]) -> Finding:
    return Finding(
        Code.TRUST_WILDCARD_PRINCIPAL,
        f"the trust policy of {role} lets any AWS principal assume it ({', '.join(map(_label, wild))}: a "
        f"wildcard principal or NotPrincipal), not only principals of account {spec.account}",
        'remove the "*" principal (or NotPrincipal) or pin it with StringEquals aws:PrincipalAccount '
        f"{spec.account} (or aws:PrincipalOrgID); agentcore-ext never removes statements it did not write",
    )


def _not_scoped(subject: TrustSubject, spec: AgentSpec, role: str, loose: tuple[Statement, ...]) -> Finding:
    return Finding(
        subject.not_scoped,
        f"{', '.join(map(_label, loose))} of the trust policy of {role} is not scoped to this account by "
        f"aws:SourceAccount/aws:SourceArn: {subject.service} acting for another account could assume it "
        "(confused deputy)",
        f"add StringEquals aws:SourceAccount {spec.account} and ArnLike aws:SourceArn; {_fix_hint(subject)}",
    )


def judge_trust(
    trust: PolicyDocument, spec: AgentSpec, subject: TrustSubject = EXECUTION_TRUST, *, role: str = "this role"
) -> TrustVerdict:
    """T1-T3 of `trust` for the subject's service; `role` names the role in messages."""
    findings: list[Finding] = []
    own = evaluate([trust], subject.request(spec))
    service_allowed = own.decision is Decision.ALLOWED
    if not service_allowed:
        why = own.reason or "no statement lets the service principal assume the role"
        findings.append(_not_allowed(subject, spec, role, why))
    wild = wildcard_statements(trust, spec)
    if wild:
        findings.append(_wildcard(spec, role, wild))
    # T3 is judged once T1 holds: without a working service statement the repair adds the tool's own, scoped one.
    loose = unscoped_statements(trust, spec, subject) if service_allowed else ()
    if loose:
        findings.append(_not_scoped(subject, spec, role, loose))
    ok = service_allowed and not wild
    return TrustVerdict(ok, tuple(findings), service_allowed, not loose, bool(wild))

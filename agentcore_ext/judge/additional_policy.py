"""The agent's own `additional-policies`: policy files written as given, managed policies attached. Pure.

Files. Each statement is written as its own statement of the tool's policy, exactly as the file says it (Effect,
Action or NotAction, Resource or NotResource, Condition); none is cut, merged into a broader one or left out, since
a statement written without its condition, or a Deny left out, would grant more than the file does. Only the Sid
changes (IAM wants them unique and alphanumeric). An Allow of actions on resources is judged like every need, by
the requests it must allow, each carrying a context that satisfies its condition (proven by the evaluator to match
the statement and to be allowed by the additional policies together); any other statement (a Deny, NotAction,
NotResource, a condition no such request can be built for, an Allow its file's own Deny cuts into) is required as
written: some statement of the role must say at least as much.

Managed policies (an ARN). The role must have it attached; `--fix` and a create attach it (plan/planner.py). What
the declared policies are themselves (their shape, their account, administrator-level) is judge/additional_declared.py.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from agentcore_ext.findings import Code, Finding
from agentcore_ext.iam.evaluate import Request, evaluate, statement_matches
from agentcore_ext.iam.matching import Match
from agentcore_ext.iam.policy import PolicyDocument, Statement, parse_policy, statement_to_dict
from agentcore_ext.judge.additional_declared import declared_findings, managed_arns, refuse_foreign
from agentcore_ext.judge.rule import Probe, Rule
from agentcore_ext.state import AgentSpec, ObservedPolicy, observe_policy

FEATURE = "additional-policy"
SID_PREFIX = "Additional"  # every statement written from a file, and none of the tool's own
TOOL_POLICY_PREFIX = "agentcore-ext-"  # the inline policies the tool writes (judge/requirements.py TOOL_*_NAME)
SID_RE = re.compile(r"[A-Za-z0-9]{1,100}\Z")  # what IAM accepts as the Sid of an identity policy's statement


# --- the rules: what is written, and what is judged --------------------------------------------------------


def additional_rules(spec: AgentSpec) -> list[Rule]:
    """One rule per statement of the files, in order, each written as given (Rule.statement)."""
    refuse_foreign(spec)
    out: list[Rule] = []
    taken: set[str] = set()
    files = [e.document for e in spec.profile.extra_policies if not e.arn and e.document is not None]
    for doc in files:
        for st in doc.statements:
            sid = _sid(st, taken, len(out) + 1)
            written = {"Sid": sid, **{k: v for k, v in statement_to_dict(st).items() if k != "Sid"}}
            probes = _probes(spec, st, files)
            out.append(Rule(sid, FEATURE, st.actions, st.resources or (), probes, doc.name, statement=written))
    return out


def _sid(st: Statement, taken: set[str], n: int) -> str:
    """`Additional<the file's Sid>`, or `Additional<n>`: never one of the tool's own Sids, never repeated."""
    base = f"{SID_PREFIX}{st.sid}" if st.sid and SID_RE.match(st.sid) else f"{SID_PREFIX}{n}"
    sid, k = base, 2
    while sid in taken:
        sid, k = f"{base}{k}", k + 1
    taken.add(sid)
    return sid


def _probes(spec: AgentSpec, st: Statement, files: Sequence[PolicyDocument]) -> tuple[Probe, ...]:
    """The requests a plain Allow must let through, or () when it is required as written instead.

    Each request carries a context built from the statement's condition and is proven, by the evaluator, to match
    the statement and to be allowed by the additional policies together (with the aws:RequestedRegion every probe
    carries): a request their own Deny refuses is no need of the agent. So a role that holds the statement passes,
    and one that holds it with another condition (another account, another endpoint) fails."""
    if st.effect != "Allow" or st.not_actions is not None or st.resources is None:
        return ()
    context = _satisfying_context(st.conditions)
    if context is None:
        return ()
    full = {"aws:RequestedRegion": spec.region, **context}
    for action in st.actions:
        for resource in st.resources:
            request = Request(action, resource, full)
            if statement_matches(st, request) is not Match.YES or not evaluate(files, request).allowed:
                return ()
    return tuple(Probe(resource, context) for resource in st.resources)


_NEGATED = ("stringnot", "arnnot", "numericnot", "datenot", "notipaddress")
_AS_WRITTEN = (
    "stringequals",
    "stringequalsignorecase",
    "stringlike",
    "arnequals",
    "arnlike",
    "bool",
    "binaryequals",
    "numericequals",
    "numericlessthanequals",
    "numericgreaterthanequals",
    "dateequals",
    "datelessthanequals",
    "dategreaterthanequals",
)


def _satisfying_context(conditions: Mapping[str, Mapping[str, tuple[str, ...]]]) -> dict[str, str] | None:
    """A request context meant to satisfy the condition (the caller proves it does), or None when none is built:
    a positive operator gets its first value, a negated one (or Null true) the key left out."""
    context: dict[str, str] = {}
    for operator, block in conditions.items():
        name = operator.split(":", 1)[-1].lower().removesuffix("ifexists")
        for key, values in block.items():
            if name.startswith(_NEGATED) or (name == "null" and values[0].lower() == "true"):
                continue
            value = _value_for(name, values[0])
            if value is None or context.get(key.lower(), value) != value:
                return None
            context[key.lower()] = value
    return context


def _value_for(operator: str, value: str) -> str | None:
    if operator in _AS_WRITTEN:
        return value
    if operator == "null":
        return "present"
    if operator == "ipaddress":
        try:
            return str(ipaddress.ip_network(value.strip(), strict=False).network_address)
        except ValueError:
            return None
    return None  # strict orderings, unknown operators: the statement is required as written


# --- judging a role ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdditionalVerdict:
    """What a role lacks of the additional policies: statements (added as written by a repair) and attachments."""

    findings: tuple[Finding, ...] = ()
    missing_statements: tuple[Mapping[str, Any], ...] = ()
    missing_attachments: tuple[str, ...] = ()


def judge_additional(
    policies: Sequence[PolicyDocument], spec: AgentSpec, attached_arns: Sequence[str] | None
) -> AdditionalVerdict:
    """The declared policies themselves, the statements required as written, and (`attached_arns` known: a role
    read from IAM, not files) the managed policies the role must have attached."""
    findings = declared_findings(spec)
    have = [st for doc in policies for st in doc.statements]
    rules = additional_rules(spec)
    missing = [r for r in rules if not r.probes and not _held(r, have)]
    if missing:
        findings.append(_missing(missing))
    findings += _stale(policies, rules)
    unattached = () if attached_arns is None else tuple(a for a in managed_arns(spec) if a not in attached_arns)
    findings += [_not_attached(arn) for arn in unattached]
    written = tuple(r.statement for r in missing if r.statement is not None)
    return AdditionalVerdict(tuple(findings), written, unattached)


def _parsed(rule: Rule) -> Statement:
    assert rule.statement is not None
    return parse_policy({"Version": "2012-10-17", "Statement": [dict(rule.statement)]}).statements[0]


def _held(rule: Rule, have: Sequence[Statement]) -> bool:
    want = _parsed(rule)
    return any(_covers(st, want) for st in have)


def _stale(policies: Sequence[PolicyDocument], rules: list[Rule]) -> list[Finding]:
    """Allows the tool wrote for additional policies that say more than the files now do: those written by an
    agentcore-ext that dropped their Condition, or of a statement since changed. The tool only adds, so it says so."""
    if not rules:
        return []
    given = [_parsed(r) for r in rules]
    stale = [
        f"{doc.name} {st.sid}"
        for doc in policies
        if doc.name.startswith(TOOL_POLICY_PREFIX)
        for st in doc.statements
        if st.effect == "Allow" and (st.sid or "").startswith(SID_PREFIX) and not any(_covers(g, st) for g in given)
    ]
    if not stale:
        return []
    return [
        Finding(
            Code.ADDITIONAL_POLICY_STATEMENT_STALE,
            f"statements agentcore-ext wrote for --additional-policy allow more than the files now say: "
            f"{', '.join(stale)} (an earlier agentcore-ext wrote them without their Condition, or the file changed)",
            "agentcore-ext only adds to a role: delete that inline policy (aws iam delete-role-policy --role-name ROLE "
            "--policy-name NAME), then rerun with --fix to write what is needed now, each statement as given",
        )
    ]


def _lower(values: tuple[str, ...] | None) -> frozenset[str] | None:
    return None if values is None else frozenset(v.lower() for v in values)


def _conditions(st: Statement) -> dict[tuple[str, str], frozenset[str]]:
    return {
        (op.lower(), key.lower()): frozenset(vals) for op, block in st.conditions.items() for key, vals in block.items()
    }


def _covers(have: Statement, want: Statement) -> bool:
    """`have` says at least what `want` says: same effect, resources and condition, and (Action) every action of
    `want` or (NotAction) exactly its exceptions. More actions in an Allow grant more, in a Deny deny more."""
    if have.effect != want.effect or have.principal is not None or have.not_principal is not None:
        return False
    if (have.resources is None) != (want.resources is None) or _conditions(have) != _conditions(want):
        return False
    if set(have.resources or ()) != set(want.resources or ()):
        return False
    if set(have.not_resources or ()) != set(want.not_resources or ()):
        return False
    if want.not_actions is not None:
        return _lower(have.not_actions) == _lower(want.not_actions)
    return have.not_actions is None and set(_lower(want.actions) or ()) <= set(_lower(have.actions) or ())


def _shown(statement: Mapping[str, Any]) -> str:
    """`AdditionalNoDeletes (Deny s3:DeleteObject on *)`: enough to find it in the file."""

    def listed(key: str) -> str:
        value = statement.get(key)
        return ", ".join([value] if isinstance(value, str) else value or [])

    actions = listed("Action") or f"every action but {listed('NotAction')}"
    resources = listed("Resource") or f"every resource but {listed('NotResource')}"
    condition = " with its condition" if statement.get("Condition") else ""
    return f"{statement['Sid']} ({statement['Effect']} {actions} on {resources}{condition})"


def _missing(rules: list[Rule]) -> Finding:
    denies = any(r.statement is not None and r.statement.get("Effect") == "Deny" for r in rules)
    why = ": without its Deny the role allows more than the additional policy says" if denies else ""
    sources = ", ".join(dict.fromkeys(r.reason for r in rules))
    return Finding(
        Code.ADDITIONAL_POLICY_STATEMENT_MISSING,
        f"the role's policies do not hold these statements of --additional-policy {sources} as written{why}: "
        + "; ".join(_shown(r.statement) for r in rules if r.statement is not None),
        "rerun with --fix to add them as written (a plan is shown first); `agentcore-ext policy permissions` "
        "prints them",
    )


def _not_attached(arn: str) -> Finding:
    return Finding(
        Code.ADDITIONAL_POLICY_NOT_ATTACHED,
        f"managed policy {arn} (--additional-policy) is not attached to the role",
        "rerun with --fix to attach it (a plan is shown first)",
    )


# --- the managed policies a new role gets --------------------------------------------------------------------


def attached_after(spec: AgentSpec) -> tuple[ObservedPolicy, ...]:
    """The managed policies as a role will hold them once attached (an unread one as an empty document), so the
    role a plan would make is judged with them: a Deny of theirs that stops the agent blocks the plan."""
    served: dict[str, ObservedPolicy] = {}
    for extra in spec.profile.extra_policies:
        if extra.arn and extra.arn not in served:
            raw = extra.raw or {"Version": "2012-10-17", "Statement": []}
            served[extra.arn] = observe_policy(raw, extra.arn.rsplit("/", 1)[-1], extra.arn)
    return tuple(served.values())

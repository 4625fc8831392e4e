"""P1-P3 of INTERFACE.md: do the role's policies allow what this agent needs, and nothing far broader? Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from agentcore_ext.findings import Code, Finding, has_errors
from agentcore_ext.iam.evaluate import Decision, Evaluation, evaluate
from agentcore_ext.iam.policy import PolicyDocument
from agentcore_ext.judge.additional_policy import SID_PREFIX, judge_additional
from agentcore_ext.judge.aws_calls import STAR_ACTIONS as AWS_CALL_STAR_ACTIONS
from agentcore_ext.judge.models import INVOKE_ACTIONS, PROFILE_ARN
from agentcore_ext.judge.requirements import requirements
from agentcore_ext.judge.rule import Requirement, RequirementLevel
from agentcore_ext.judge.some_resource import evaluate_some
from agentcore_ext.state import AgentSpec

BROAD_ACTIONS = {"*", "iam:*", "sts:*"}
BROAD_MANAGED = {"AdministratorAccess", "PowerUserAccess"}
FIX_HINT = "rerun with --fix to add it (a plan is shown first), or see `agentcore-ext policy permissions`"


@dataclass(frozen=True)
class PermissionsVerdict:
    ok: bool
    missing_actions: tuple[str, ...]  # required actions not provably allowed, sorted
    findings: tuple[Finding, ...]
    results: tuple[tuple[Requirement, Evaluation], ...] = field(default=())
    # Of the agent's additional policies (judge/additional_policy.py): statements the role does not hold as
    # written (a repair adds them as given), and managed policies it does not have attached (a repair attaches).
    missing_statements: tuple[Mapping[str, Any], ...] = ()
    missing_attachments: tuple[str, ...] = ()

    @property
    def fixable_actions(self) -> tuple[str, ...]:
        """Missing only for want of an Allow: an added inline policy fixes them (a deny or boundary it cannot)."""
        return tuple(
            sorted(
                {
                    req.action
                    for req, ev in self.results
                    if req.level is RequirementLevel.REQUIRED
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
    attached_arns: Sequence[str] | None = None,
) -> PermissionsVerdict:
    """`attached_arns`: the role's attached managed policies, when a role was read (None: documents judged as
    files, whose attachments are unknown)."""
    findings: list[Finding] = []
    results: list[tuple[Requirement, Evaluation]] = []
    only_some: list[tuple[Requirement, Evaluation]] = []  # allowed on some resource of the kind, not provably all
    for req in requirements(spec):
        if not req.unknown:
            results.append((req, evaluate(policies, req.request(), boundary)))
            continue
        some = evaluate_some(policies, req.request(), boundary)
        results.append((req, some.evaluation))
        if some.evaluation.allowed and not some.exact:
            only_some.append((req, some.evaluation))
    required = [(r, e) for r, e in results if r.level is RequirementLevel.REQUIRED]
    failing = [(r, e) for r, e in required if e.decision is not Decision.ALLOWED]
    missing = tuple(sorted({r.action for r, _ in failing}))

    blocked_by_boundary = [(r, e) for r, e in failing if e.boundary is not None and e.boundary is not Decision.ALLOWED]
    no_allow = [(r, e) for r, e in _group(failing, Decision.IMPLICIT_DENY) if (r, e) not in blocked_by_boundary]
    if no_allow:
        findings.append(
            Finding(
                Code.PERMISSIONS_MISSING,
                "the role's policies do not allow: " + _describe(no_allow),
                FIX_HINT,
            )
        )
    denied = _group(failing, Decision.EXPLICIT_DENY)
    denied = [(r, e) for r, e in denied if (r, e) not in blocked_by_boundary]
    if denied:
        by = sorted({str(ref) for _, e in denied for ref in e.denied_by})
        findings.append(
            Finding(
                Code.PERMISSIONS_EXPLICIT_DENY,
                f"explicitly denied by {', '.join(by)}: " + _describe(denied),
                "an explicit Deny cannot be outweighed by an Allow; agentcore-ext does not remove statements it did "
                "not write: change that statement, or use another role",
            )
        )
    if blocked_by_boundary:
        findings.append(
            Finding(
                Code.PERMISSIONS_BOUNDARY_BLOCKS,
                "the role's permissions boundary does not allow: " + _describe(blocked_by_boundary),
                "widen the boundary policy (an administrator's decision) or choose a role with another boundary",
            )
        )
    unknown = [(r, e) for r, e in _group(failing, Decision.UNKNOWN) if (r, e) not in blocked_by_boundary]
    if unknown:
        findings.append(
            Finding(
                Code.PERMISSIONS_UNDECIDED,
                "cannot prove these are allowed (a condition the evaluator does not understand): " + _describe(unknown),
                "simplify the conditions on those statements, or check with the IAM policy simulator",
            )
        )
    not_allowed = [
        (r, e) for r, e in results if r.level is RequirementLevel.RECOMMENDED and e.decision is not Decision.ALLOWED
    ]
    telemetry = [(r, e) for r, e in not_allowed if r.telemetry]
    if telemetry:
        findings.append(
            Finding(
                Code.TELEMETRY_PERMISSIONS_MISSING,
                "the agent runs, but its traces or metrics are degraded without: " + _describe(telemetry),
                "add them from `agentcore-ext policy permissions`, or `--fix` adds them",
            )
        )
    recommended = [(r, e) for r, e in not_allowed if not r.telemetry]
    if recommended:
        findings.append(
            Finding(
                Code.RECOMMENDED_PERMISSIONS_MISSING,
                "recommended but not required: " + _describe(recommended),
                "some code paths of the features named need them; `agentcore-ext policy permissions` shows them",
            )
        )
    if only_some:
        findings.append(
            Finding(
                Code.RESOURCE_UNKNOWN,
                "allowed on some resources of the kind the agent uses, but which one it uses is unknown: "
                + _describe(only_some),
                "name the resource: write its id in the code, or pass --env NAME=VALUE for the variable the code "
                "reads it from; then the exact resource is checked",
            )
        )
    findings += broad_grants(policies, attached_names)
    extra = judge_additional(policies, spec, attached_arns)
    findings += extra.findings
    ok = not failing and not has_errors(extra.findings)
    return PermissionsVerdict(
        ok, missing, tuple(findings), tuple(results), extra.missing_statements, extra.missing_attachments
    )


def _describe(items: list[tuple[Requirement, Evaluation]]) -> str:
    """Each action once, with the resources it was refused on (several for a cross-region model)."""
    by_action: dict[str, list[str]] = {}
    for r, _ in items:
        by_action.setdefault(r.action, [])
        where = r.shown or r.resource
        where = f"a resource matching {where}" if r.unknown else where
        where += f" ({r.note})" if r.note else ""
        if where not in by_action[r.action]:
            by_action[r.action].append(where)
    return "; ".join(f"{action} on {', '.join(resources)}" for action, resources in by_action.items())


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
            Code.PERMISSIONS_TOO_BROAD,
            "grants broader than an agent needs: " + "; ".join(broad),
            "an agent that is compromised acts with these rights; replace them with `agentcore-ext policy permissions`",
        )
    ]


# `*` is the only Resource these actions take (RUNTIME-NEEDS.md, observability and container image pull; the
# toolkit's MarketplaceSubscribeOnFirstCall, conditioned on aws:CalledViaLast).
STAR_ACTIONS = frozenset(
    {
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "xray:GetSamplingRules",
        "xray:GetSamplingTargets",
        "ecr:GetAuthorizationToken",
        "cloudwatch:PutMetricData",
        "aws-marketplace:Subscribe",
        "aws-marketplace:ViewSubscriptions",
    }
)


def _through_one_profile(st: Mapping[str, Any], actions: list[str], resources: list[Any]) -> bool:
    """The model statement profile_scoped_models writes: model invocation on foundation models only, and only
    through one named application profile. Anything broader in the same statement is judged as usual."""
    condition = st.get("Condition")
    pinned = condition.get("StringEquals", {}) if isinstance(condition, Mapping) else {}
    arn = pinned.get(PROFILE_ARN) if isinstance(pinned, Mapping) else None
    one_profile = isinstance(arn, str) and ":application-inference-profile/" in arn and not set(arn) & set("*?")
    models_only = all(":foundation-model/" in str(r) for r in resources)
    return one_profile and models_only and set(actions) <= set(INVOKE_ACTIONS)


def _every_one(resource: str) -> bool:
    """A resource whose whole id is a wildcard: `repository/*`, `secret:*` (a type before a colon), an ARN whose
    resource part is only wildcards (judge/aws_calls.py writes `arn:P:<service>:*:*:*` for a type it does not map).
    DescribeLogGroups takes only `log-group:*` (RUNTIME-NEEDS.md, observability): the caller excuses it."""
    rest = resource.split(":", 5)[-1]
    if rest.strip("*?") == "":
        return True
    for sep in ("/", ":"):
        if sep in rest:
            return rest.split(sep, 1)[1].strip("*?") == ""
    return False


def written_wildcards(document: Mapping[str, Any]) -> list[Finding]:
    """P2 for what the tool is about to write: `*` beyond the actions that take only `*`, or a resource whose
    whole id is a wildcard (every repository, memory, gateway ... of the account), e.g. from `--ecr '*'`. The
    agent's own additional statements are written as its file says (ADDITIONAL_POLICY_TOO_BROAD judges those)."""
    broad: list[str] = []
    statements = document.get("Statement", [])
    for st in statements if isinstance(statements, list) else [statements]:
        if st.get("Effect") == "Deny" or str(st.get("Sid", "")).startswith(SID_PREFIX):
            continue  # the agent's own statements, written as the file gives them (a Deny narrows the role)
        actions = st.get("Action", [])
        actions = [actions] if isinstance(actions, str) else list(actions)
        resources = st.get("Resource", [])
        resources = [resources] if isinstance(resources, str) else list(resources)
        if _through_one_profile(st, actions, resources):
            continue  # every model, but only through one named profile (judge/models.py profile_scoped_models)
        for resource in resources:
            if resource == "*":
                if not set(actions) <= STAR_ACTIONS | AWS_CALL_STAR_ACTIONS:
                    broad.append(f"{st.get('Sid', 'statement')}: * for {', '.join(actions)}")
                continue
            if _every_one(str(resource)) and not set(actions) <= {"logs:DescribeLogGroups"}:
                broad.append(f"{st.get('Sid', 'statement')}: {resource}")
    if not broad:
        return []
    return [
        Finding(
            Code.WRITTEN_RESOURCE_WILDCARD,
            "the role would be granted every resource of a kind: " + "; ".join(broad),
            "name the resource (--ecr NAME, --model ID, the gateway or guardrail id in the code) to scope it",
        )
    ]

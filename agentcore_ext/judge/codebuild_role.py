"""The CodeBuild role of a container agent built in CodeBuild: its documents and its judgement. Pure.

What the toolkit's build needs (operations/runtime/create_role.py get_or_create_codebuild_execution_role and the
buildspec of services/codebuild.py): the ECR token; push and pull on the agent's repository; logs on
/aws/codebuild/bedrock-agentcore-*; get/put/list on the source bucket. agentcore-ext's documents are the same, but
partition-aware, the logs limited to this agent's project and the trust scoped to this agent's project
(aws:SourceAccount and aws:SourceArn), where the toolkit's trust names the account only.

The trust is judged by judge/trust.py, the execution role's judge, for CODEBUILD_TRUST: this role pushes the
agent's image, so a trust anyone may use is the same error here (TRUST_WILDCARD_PRINCIPAL).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agentcore_ext.findings import Code, Finding
from agentcore_ext.iam.evaluate import Decision, Request, evaluate
from agentcore_ext.iam.policy import PolicyDocument
from agentcore_ext.judge.deploy_needs import CODEBUILD_PRINCIPAL, source_bucket
from agentcore_ext.judge.permissions import PermissionsVerdict, broad_grants
from agentcore_ext.judge.rule import Requirement
from agentcore_ext.judge.trust import TrustSubject, TrustVerdict, judge_trust
from agentcore_ext.state import AgentSpec, ObservedRole, default_ecr_repository

ECR_BUILD_ACTIONS = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:GetDownloadUrlForLayer",
    "ecr:PutImage",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
)
LOGS_ACTIONS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")
SOURCE_ACTIONS = ("s3:GetObject", "s3:ListBucket")


def default_codebuild_role_name(region: str, agent: str) -> str:
    """Contains BedrockAgentCore (passable under the caller policy's *BedrockAgentCore*CodeBuild*) and the region."""
    name = f"BedrockAgentCoreCodeBuild-{region}-{agent}"
    return name[:64]


def project_arn(spec: AgentSpec) -> str:
    return spec.arn("codebuild", f"project/{default_ecr_repository(spec.agent)}-builder")


def trust_request(spec: AgentSpec) -> Request:
    """CodeBuild assuming the role to build this agent's project, with the confused-deputy keys it sends."""
    return Request(
        "sts:AssumeRole",
        "*",
        {"aws:SourceAccount": spec.account, "aws:SourceArn": project_arn(spec)},
        principal={"Service": CODEBUILD_PRINCIPAL},
    )


CODEBUILD_TRUST = TrustSubject(
    service=CODEBUILD_PRINCIPAL,
    request=trust_request,
    serves=lambda spec: f"project {project_arn(spec)} (the build fails at StartBuild)",
    not_allowed=Code.CODEBUILD_ROLE_TRUST_INVALID,
    not_scoped=Code.CODEBUILD_ROLE_TRUST_NOT_SCOPED,
    policy_kind="codebuild-trust",
)


def codebuild_trust_document(spec: AgentSpec) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CodeBuildBuildsThisAgent",
                "Effect": "Allow",
                "Principal": {"Service": CODEBUILD_PRINCIPAL},
                "Action": "sts:AssumeRole",
                "Condition": {
                    "StringEquals": {"aws:SourceAccount": spec.account},
                    "ArnLike": {"aws:SourceArn": project_arn(spec)},
                },
            }
        ],
    }


def _bucket(spec: AgentSpec) -> str:
    return f"arn:{spec.partition}:s3:::{source_bucket(spec)}"


def permission_requests(spec: AgentSpec) -> list[Request]:
    repo = spec.arn("ecr", f"repository/{spec.repository}")
    group = spec.arn("logs", f"log-group:/aws/codebuild/{default_ecr_repository(spec.agent)}-builder")
    out = [Request("ecr:GetAuthorizationToken", "*")]
    out += [Request(a, repo) for a in ECR_BUILD_ACTIONS]
    out += [Request(a, f"{group}:log-stream:build") for a in LOGS_ACTIONS]
    own = {"s3:ResourceAccount": spec.account}
    out.append(Request("s3:GetObject", f"{_bucket(spec)}/{spec.agent}/source.zip", own))
    out.append(Request("s3:ListBucket", _bucket(spec), own))
    return out


def codebuild_permissions_document(spec: AgentSpec, only_actions: set[str] | None = None) -> dict[str, Any]:
    """The least-privilege build policy; with only_actions, just the statements (and actions) for those."""
    document = _codebuild_permissions(spec)
    if only_actions is None:
        return document
    kept = []
    for st in document["Statement"]:
        actions = [a for a in st["Action"] if a in only_actions]
        if actions:
            kept.append({**st, "Action": actions})
    return {**document, "Statement": kept}


def _codebuild_permissions(spec: AgentSpec) -> dict[str, Any]:
    group = spec.arn("logs", f"log-group:/aws/codebuild/{default_ecr_repository(spec.agent)}-builder")
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "EcrLogin", "Effect": "Allow", "Action": ["ecr:GetAuthorizationToken"], "Resource": "*"},
            {
                "Sid": "PushAgentImage",
                "Effect": "Allow",
                "Action": list(ECR_BUILD_ACTIONS),
                "Resource": spec.arn("ecr", f"repository/{spec.repository}"),
            },
            {
                "Sid": "BuildLogs",
                "Effect": "Allow",
                "Action": list(LOGS_ACTIONS),
                "Resource": [group, f"{group}:log-stream:*"],
            },
            {
                "Sid": "ReadAgentSource",
                "Effect": "Allow",
                "Action": list(SOURCE_ACTIONS),
                "Resource": [_bucket(spec), f"{_bucket(spec)}/{spec.agent}/*"],
                "Condition": {"StringEquals": {"s3:ResourceAccount": spec.account}},
            },
        ],
    }


def _documents(role: ObservedRole) -> Sequence[PolicyDocument]:
    return [p.document for p in (*role.inline, *role.attached) if p.document is not None]


def _who(given: bool) -> str:
    return "the CodeBuild role you gave (-cber)" if given else "the CodeBuild role"


def judge_codebuild_trust(
    trust: PolicyDocument | None, spec: AgentSpec, *, name: str = "", given: bool = False
) -> TrustVerdict:
    """T1-T3 for codebuild.amazonaws.com building this agent's project (services/codebuild.py:
    bedrock-agentcore-<agent>-builder); an unreadable trust (None) admits nobody."""
    who = f"{_who(given)} {name}".rstrip()
    return judge_trust(trust or PolicyDocument(()), spec, CODEBUILD_TRUST, role=who)


def judge_codebuild_permissions(role: ObservedRole, spec: AgentSpec, *, given: bool = False) -> PermissionsVerdict:
    """Every request of the build (permission_requests) decided against the role's policies and boundary."""
    who = f"{_who(given)} {role.name}"
    docs = _documents(role)
    boundary = role.boundary.document if role.boundary is not None else None
    if role.boundary is not None and boundary is None:
        boundary = PolicyDocument((), name=role.boundary.name)  # unreadable boundary: assume it allows nothing
    results = tuple(
        (Requirement(r.action, r.resource, {k: str(v) for k, v in r.context.items()}), evaluate(docs, r, boundary))
        for r in permission_requests(spec)
    )
    missing = tuple(sorted({req.action for req, ev in results if ev.decision is not Decision.ALLOWED}))
    findings: list[Finding] = []
    if missing:
        findings.append(
            Finding(
                Code.CODEBUILD_ROLE_PERMISSIONS_MISSING,
                f"{who} lacks {', '.join(missing)} for this agent's build",
                "add what `agentcore-ext policy codebuild-permissions` prints",
            )
        )
    denied = sorted({req.action for req, ev in results if ev.decision is Decision.EXPLICIT_DENY})
    if denied:
        findings.append(
            Finding(
                Code.PERMISSIONS_EXPLICIT_DENY,
                f"{who}: an explicit Deny refuses {', '.join(denied)}; agentcore-ext cannot repair it by adding",
                "remove or narrow the Deny statement, then rerun",
            )
        )
    fenced = sorted(
        {
            req.action
            for req, ev in results
            if ev.decision is Decision.IMPLICIT_DENY and ev.boundary not in (None, Decision.ALLOWED)
        }
    )
    if fenced:
        findings.append(
            Finding(
                Code.PERMISSIONS_BOUNDARY_BLOCKS,
                f"{who}: its permissions boundary does not allow {', '.join(fenced)}",
                "ask an administrator to widen the boundary, or use a CodeBuild role without it",
            )
        )
    findings += _too_broad(role, who)
    return PermissionsVerdict(not missing, missing, tuple(findings), results)


def _too_broad(role: ObservedRole, who: str) -> list[Finding]:
    """A CodeBuild role that can do far more than build is an error, not the execution role's warning: it runs
    whatever the build spec says, and a pull request can name it with -cber or in the YAML (red-team issue 21,
    item 11: `role ensure --codebuild --fix` added a CodeBuild trust to an administrator role)."""
    broad = broad_grants(_documents(role), [p.name for p in role.attached])
    return [
        Finding(
            Code.CODEBUILD_ROLE_TOO_BROAD,
            f"{who} " + f.message.replace("grants broader than an agent needs", "grants far more than a build needs"),
            "use a CodeBuild role that holds only what `agentcore-ext policy codebuild-permissions` prints, or drop "
            "-cber (and codebuild.execution_role in the YAML) to let configure make its own",
        )
        for f in broad
    ]


def judge_codebuild_role(role: ObservedRole, spec: AgentSpec, *, given: bool) -> list[Finding]:
    """Trust (CodeBuild may assume it for this agent's project, and only this account's) and permissions."""
    trust = judge_codebuild_trust(role.trust.document, spec, name=role.name, given=given)
    return [*trust.findings, *judge_codebuild_permissions(role, spec, given=given).findings]

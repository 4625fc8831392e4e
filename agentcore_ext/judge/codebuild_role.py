"""The CodeBuild role of a container agent built in CodeBuild: its documents and its judgement. Pure.

What the toolkit's build needs (operations/runtime/create_role.py get_or_create_codebuild_execution_role and the
buildspec of services/codebuild.py): the ECR token; push and pull on the agent's repository; logs on
/aws/codebuild/bedrock-agentcore-*; get/put/list on the source bucket. agentcore-ext's documents are the same, but
partition-aware, the logs limited to this agent's project and the trust scoped to this agent's project
(aws:SourceAccount and aws:SourceArn), where the toolkit's trust names the account only.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from agentcore_ext.findings import Code, Finding
from agentcore_ext.iam.evaluate import Decision, Request, evaluate
from agentcore_ext.iam.policy import PolicyDocument
from agentcore_ext.judge.deploy_needs import CODEBUILD_PRINCIPAL, source_bucket
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


def trust_request(spec: AgentSpec, *, account: str | None = None) -> Request:
    acct = account or spec.account
    source = spec.arn("codebuild", f"project/{default_ecr_repository(spec.agent)}-builder", account=acct)
    return Request(
        "sts:AssumeRole",
        "*",
        {"aws:SourceAccount": acct, "aws:SourceArn": source},
        principal={"Service": CODEBUILD_PRINCIPAL},
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


def codebuild_permissions_document(spec: AgentSpec) -> dict[str, Any]:
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


def judge_codebuild_role(role: ObservedRole, spec: AgentSpec, *, given: bool) -> list[Finding]:
    """Trust (CodeBuild may assume it for this agent's project, and only this account's) and permissions."""
    who = "the CodeBuild role you gave (-cber)" if given else "the CodeBuild role"
    findings: list[Finding] = []
    trust = role.trust.document
    if trust is None or evaluate([trust], trust_request(spec)).decision is not Decision.ALLOWED:
        findings.append(
            Finding(
                Code.CODEBUILD_ROLE_TRUST_INVALID,
                f"{who} {role.name} does not let {CODEBUILD_PRINCIPAL} assume it for project "
                f"{project_arn(spec)}: the build fails at StartBuild",
                "use the trust `agentcore-ext policy codebuild-trust` prints (or `role ensure --codebuild`)",
            )
        )
    elif evaluate([trust], trust_request(spec, account="111122223333")).decision is Decision.ALLOWED:
        findings.append(
            Finding(
                Code.CODEBUILD_ROLE_TRUST_NOT_SCOPED,
                f"{who} {role.name} lets CodeBuild assume it on behalf of any account (confused deputy)",
                "scope the trust by aws:SourceAccount and aws:SourceArn (`agentcore-ext policy codebuild-trust`)",
            )
        )
    docs = _documents(role)
    boundary = role.boundary.document if role.boundary is not None else None
    missing = sorted(
        {r.action for r in permission_requests(spec) if evaluate(docs, r, boundary).decision is not Decision.ALLOWED}
    )
    if missing:
        findings.append(
            Finding(
                Code.CODEBUILD_ROLE_PERMISSIONS_MISSING,
                f"{who} {role.name} lacks {', '.join(missing)} for this agent's build",
                "add what `agentcore-ext policy codebuild-permissions` prints",
            )
        )
    return findings

"""What the caller itself needs for `agentcore deploy` (besides PassRole), and the findings about it. Pure.

Resource names follow the starter toolkit 0.3.14: ECR repository bedrock-agentcore-<agent>, CodeBuild project
bedrock-agentcore-<agent>-builder, source bucket bedrock-agentcore-codebuild-sources-<account>-<region>
(services/codebuild.py, services/s3.py, operations/runtime/launch.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from agentcore_ext.findings import Code, Finding
from agentcore_ext.iam.evaluate import Decision, Request, evaluate
from agentcore_ext.iam.policy import PolicyDocument
from agentcore_ext.state import AgentSpec, default_ecr_repository

RUNTIME_ACTIONS = ("CreateAgentRuntime", "UpdateAgentRuntime", "GetAgentRuntime", "ListAgentRuntimes")
ECR_PUSH_ACTIONS = (
    "CreateRepository",
    "InitiateLayerUpload",
    "UploadLayerPart",
    "CompleteLayerUpload",
    "PutImage",
    "BatchCheckLayerAvailability",
)
CODEBUILD_ACTIONS = ("CreateProject", "StartBuild", "BatchGetBuilds")


def deploy_requests(spec: AgentSpec) -> tuple[Request, ...]:
    """What `agentcore deploy` asks AWS for as the caller, for this agent and deployment type."""
    ctx = {"aws:RequestedRegion": spec.region}
    out = [Request(f"bedrock-agentcore:{a}", spec.runtime_arn, ctx) for a in RUNTIME_ACTIONS]
    bucket = f"arn:{spec.partition}:s3:::bedrock-agentcore-codebuild-sources-{spec.account}-{spec.region}"
    if spec.deployment_type == "container":
        repo = spec.arn("ecr", f"repository/{spec.repository}")
        out += [Request(f"ecr:{a}", repo, ctx) for a in ECR_PUSH_ACTIONS]
        out.append(Request("ecr:GetAuthorizationToken", "*", ctx))
        project = spec.arn("codebuild", f"project/{default_ecr_repository(spec.agent)}-builder")
        out += [Request(f"codebuild:{a}", project, ctx) for a in CODEBUILD_ACTIONS]
        out += [
            Request("s3:PutObject", f"{bucket}/{spec.agent}/source.zip", ctx),
            Request("s3:CreateBucket", bucket, ctx),
        ]
    else:
        key = f"{bucket}/{spec.agent}/deployment.zip"
        out += [
            Request("s3:PutObject", key, ctx),
            Request("s3:GetObject", key, ctx),
            Request("s3:CreateBucket", bucket, ctx),
        ]
    return tuple(out)


def judge_local(
    policies: Sequence[PolicyDocument], boundary: PolicyDocument | None, requests: Iterable[Request], *, complete: bool
) -> tuple[list[str], list[str]]:
    """(missing, undecided) actions. An implicit deny counts as missing only when every policy could be read."""
    missing: list[str] = []
    undecided: list[str] = []
    for request in requests:
        ev = evaluate(policies, request, boundary)
        if ev.decision is Decision.ALLOWED:
            continue
        certain = ev.decision is Decision.EXPLICIT_DENY or (
            ev.decision is Decision.IMPLICIT_DENY
            and (complete or ev.boundary in (Decision.IMPLICIT_DENY, Decision.EXPLICIT_DENY))
        )
        (missing if certain else undecided).append(request.action)
    return missing, undecided


def judge_simulated(decisions: Mapping[tuple[str, str], str], requests: Iterable[Request]) -> list[str]:
    return [r.action for r in requests if decisions.get((r.action, r.resource)) != "allowed"]


def deploy_findings(deployment_type: str, missing: Iterable[str], undecided: Iterable[str] = ()) -> list[Finding]:
    findings = []
    missing_set, undecided_set = sorted(set(missing)), sorted(set(undecided) - set(missing))
    if missing_set:
        findings.append(
            Finding(
                Code.DEPLOY_PERMISSION_MISSING,
                f"your identity lacks permissions a {deployment_type} deploy needs: {', '.join(missing_set)}",
                "`agentcore deploy` stops at the first one missing; ask an administrator to grant them on the "
                "agent's resources (bedrock-agentcore runtime, bedrock-agentcore-* ECR/CodeBuild/S3 names)",
            )
        )
    if undecided_set:
        findings.append(deploy_unknown(f"could not decide {', '.join(undecided_set)}"))
    return findings


def deploy_unknown(why: str) -> Finding:
    return Finding(
        Code.DEPLOY_PERMISSIONS_UNKNOWN,
        f"deploy permissions not checked: {why}",
        "allow iam:SimulatePrincipalPolicy on your own principal (see `agentcore-ext policy caller`) to check them",
    )

"""What the caller itself needs for `agentcore deploy`, per deploy mode and step, and the findings about it. Pure.

Resource names and calls follow the starter toolkit 0.3.x (operations/runtime/launch.py, services/codebuild.py,
services/s3.py, services/ecr.py, operations/runtime/create_role.py):
- ECR repository bedrock-agentcore-<agent> (create_repository/describe_repositories; the caller pushes only when the
  image is built locally, `--local-build`);
- CodeBuild (the default for container agents): source bucket bedrock-agentcore-codebuild-sources-<account>-<region>
  (head_bucket = s3:ListBucket, create_bucket, put_bucket_lifecycle_configuration, upload of <agent>/source.zip),
  the CodeBuild role (GetRole; CreateRole/PutRolePolicy when the toolkit has to create
  AmazonBedrockAgentCoreSDKCodeBuild-<region>-<hash>), project bedrock-agentcore-<agent>-builder
  (Create/UpdateProject with iam:PassRole of the CodeBuild role to codebuild.amazonaws.com, StartBuild,
  BatchGetBuilds);
- direct code deploy: the same bucket, <agent>/deployment.zip;
- every mode: the runtime calls, with iam:PassRole of the execution role to bedrock-agentcore.amazonaws.com
  (judged by judge/passrole.py, shown here as the step `runtime-role`), and the memory calls when memory is on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from agentcore_ext.findings import Code, Finding
from agentcore_ext.iam.evaluate import Decision, Request, evaluate
from agentcore_ext.iam.policy import PolicyDocument
from agentcore_ext.report import DeployBlock, DeployStep
from agentcore_ext.state import AgentSpec, default_ecr_repository

CODEBUILD_PRINCIPAL = "codebuild.amazonaws.com"
PASSED_TO_SERVICE = "iam:PassedToService"
TOOLKIT_CODEBUILD_ROLE_PREFIX = "AmazonBedrockAgentCoreSDKCodeBuild-"

RUNTIME_ACTIONS = ("CreateAgentRuntime", "UpdateAgentRuntime", "GetAgentRuntime", "ListAgentRuntimes")
MEMORY_ACTIONS = ("CreateMemory", "GetMemory", "ListMemories")
ECR_REPOSITORY_ACTIONS = ("CreateRepository", "DescribeRepositories")
ECR_PUSH_ACTIONS = (
    "InitiateLayerUpload",
    "UploadLayerPart",
    "CompleteLayerUpload",
    "PutImage",
    "BatchCheckLayerAvailability",
)
CODEBUILD_ACTIONS = ("CreateProject", "UpdateProject", "StartBuild", "BatchGetBuilds")
BUCKET_ACTIONS = ("s3:ListBucket", "s3:CreateBucket", "s3:PutLifecycleConfiguration")


class DeployMode(StrEnum):
    CODEBUILD = "codebuild"  # container, image built in CodeBuild (the toolkit's default)
    LOCAL_BUILD = "local_build"  # container, image built with the local container engine and pushed by the caller
    DIRECT_CODE_DEPLOY = "direct_code_deploy"  # a zip in S3, no image


def deploy_mode(deployment_type: str, *, local_build: bool = False) -> DeployMode:
    if deployment_type == "direct_code_deploy":
        return DeployMode.DIRECT_CODE_DEPLOY
    return DeployMode.LOCAL_BUILD if local_build else DeployMode.CODEBUILD


def toolkit_codebuild_role_name(region: str, agent: str) -> str:
    """The CodeBuild role `agentcore deploy` creates or reuses when none is configured (create_role.py)."""
    return f"{TOOLKIT_CODEBUILD_ROLE_PREFIX}{region}-{hashlib.sha256(agent.encode()).hexdigest()[:10]}"


def source_bucket(spec: AgentSpec) -> str:
    return f"bedrock-agentcore-codebuild-sources-{spec.account}-{spec.region}"


@dataclass(frozen=True)
class StepRequest:
    step: str
    request: Request
    # False: the simulator was asked with another iam:PassedToService; decide this one locally (or ask again).
    shared_context: bool = True


@dataclass(frozen=True)
class DeployTarget:
    """What the preflight needs besides the spec: the mode and the CodeBuild role (ARN), when there is one."""

    mode: DeployMode
    codebuild_role_arn: str | None = None
    codebuild_role_exists: bool | None = None  # False: the toolkit will try to create it


def codebuild_role_arn(spec: AgentSpec, configured: str | None) -> str:
    if configured and configured.startswith("arn:"):
        return configured
    name = configured or toolkit_codebuild_role_name(spec.region, spec.agent)
    return f"arn:{spec.partition}:iam::{spec.account}:role/{name}"


def deploy_steps(spec: AgentSpec, target: DeployTarget | None = None) -> tuple[StepRequest, ...]:
    """Every request `agentcore deploy` makes as the caller in this mode, with the step it belongs to."""
    target = target or DeployTarget(deploy_mode(spec.deployment_type))
    ctx = {"aws:RequestedRegion": spec.region}
    out: list[StepRequest] = []

    def add(step: str, action: str, resource: str, context: Mapping[str, str] = ctx, shared: bool = True) -> None:
        out.append(StepRequest(step, Request(action, resource, dict(context)), shared))

    bucket = f"arn:{spec.partition}:s3:::{source_bucket(spec)}"
    if target.mode is not DeployMode.DIRECT_CODE_DEPLOY:
        repo = spec.arn("ecr", f"repository/{spec.repository}")
        for a in ECR_REPOSITORY_ACTIONS:
            add("ecr-repository", f"ecr:{a}", repo)
    if target.mode is DeployMode.LOCAL_BUILD:
        add("image-push", "ecr:GetAuthorizationToken", "*")
        for a in ECR_PUSH_ACTIONS:
            add("image-push", f"ecr:{a}", spec.arn("ecr", f"repository/{spec.repository}"))
    if target.mode is DeployMode.CODEBUILD:
        for a in BUCKET_ACTIONS:
            add("source-upload", a, bucket)
        add("source-upload", "s3:PutObject", f"{bucket}/{spec.agent}/source.zip")
        role = target.codebuild_role_arn or codebuild_role_arn(spec, None)
        add("codebuild-role", "iam:GetRole", role)
        if target.codebuild_role_exists is False:
            add("codebuild-role", "iam:CreateRole", role)
            add("codebuild-role", "iam:PutRolePolicy", role)
        project = spec.arn("codebuild", f"project/{default_ecr_repository(spec.agent)}-builder")
        for a in CODEBUILD_ACTIONS:
            add("codebuild-build", f"codebuild:{a}", project)
        add("codebuild-build", "iam:PassRole", role, {**ctx, PASSED_TO_SERVICE: CODEBUILD_PRINCIPAL}, shared=False)
    if target.mode is DeployMode.DIRECT_CODE_DEPLOY:
        for a in BUCKET_ACTIONS:
            add("code-upload", a, bucket)
        add("code-upload", "s3:PutObject", f"{bucket}/{spec.agent}/deployment.zip")
    if spec.memory:
        for a in MEMORY_ACTIONS:
            add("memory", f"bedrock-agentcore:{a}", spec.arn("bedrock-agentcore", "memory/*"))
    for a in RUNTIME_ACTIONS:
        add("runtime", f"bedrock-agentcore:{a}", spec.runtime_arn)
    return tuple(out)


ContextKey = tuple[tuple[str, str], ...]  # a request's iam: context entries, sorted: one simulator call each


def iam_context(request: Request) -> ContextKey:
    """The iam: context keys a request is simulated with (aws: keys the simulator fills in itself)."""
    return tuple(sorted((k, str(v)) for k, v in request.context.items() if k.startswith("iam:")))


def simulated_steps(spec: AgentSpec, target: DeployTarget | None = None) -> tuple[StepRequest, ...]:
    """The steps to ask the simulator about before the CodeBuild role's existence is known: those of deploy_steps
    as if the role were missing (a superset: CreateRole and PutRolePolicy on it too), so the answers cover every
    outcome of that read and the simulator need not wait for it."""
    target = target or DeployTarget(deploy_mode(spec.deployment_type))
    if target.mode is DeployMode.CODEBUILD:
        target = DeployTarget(target.mode, target.codebuild_role_arn, False)
    return deploy_steps(spec, target)


def deploy_requests(spec: AgentSpec, target: DeployTarget | None = None) -> tuple[Request, ...]:
    return tuple(s.request for s in deploy_steps(spec, target))


Outcome = str  # allowed | denied | unknown


def judge_local(
    policies: Sequence[PolicyDocument], boundary: PolicyDocument | None, requests: Iterable[Request], *, complete: bool
) -> tuple[list[str], list[str]]:
    """(missing, undecided) actions. An implicit deny counts as missing only when every policy could be read."""
    missing: list[str] = []
    undecided: list[str] = []
    for request in requests:
        outcome = local_outcome(policies, boundary, request, complete=complete)
        if outcome != "allowed":
            (missing if outcome == "denied" else undecided).append(request.action)
    return missing, undecided


def local_outcome(
    policies: Sequence[PolicyDocument], boundary: PolicyDocument | None, request: Request, *, complete: bool
) -> Outcome:
    ev = evaluate(policies, request, boundary)
    if ev.decision is Decision.ALLOWED:
        return "allowed"
    certain = ev.decision is Decision.EXPLICIT_DENY or (
        ev.decision is Decision.IMPLICIT_DENY
        and (complete or ev.boundary in (Decision.IMPLICIT_DENY, Decision.EXPLICIT_DENY))
    )
    return "denied" if certain else "unknown"


def judge_simulated(decisions: Mapping[tuple[str, str], str], requests: Iterable[Request]) -> list[str]:
    return [r.action for r in requests if decisions.get((r.action, r.resource)) != "allowed"]


def deploy_block(
    mode: DeployMode, outcomes: Sequence[tuple[StepRequest, Outcome]], runtime_pass_role: Outcome | None = None
) -> DeployBlock:
    """The report's `deploy` block: per step (in deploy order) what is allowed, missing and undecided."""
    order: dict[str, dict[str, list[str]]] = {}
    if runtime_pass_role is not None:
        key = {"allowed": "allowed", "denied": "missing"}.get(runtime_pass_role, "undecided")
        order["runtime-role"] = {"allowed": [], "missing": [], "undecided": []}
        order["runtime-role"][key].append("iam:PassRole")
    for step_request, outcome in outcomes:
        slot = order.setdefault(step_request.step, {"allowed": [], "missing": [], "undecided": []})
        key = {"allowed": "allowed", "denied": "missing"}.get(outcome, "undecided")
        if step_request.request.action not in slot[key]:
            slot[key].append(step_request.request.action)
    steps = tuple(
        DeployStep(name, tuple(v["allowed"]), tuple(v["missing"]), tuple(v["undecided"])) for name, v in order.items()
    )
    return DeployBlock(str(mode), steps)


def deploy_findings(block: DeployBlock, codebuild_role: str | None = None) -> list[Finding]:
    """One DEPLOY_PERMISSION_MISSING per step that lacks something; the CodeBuild PassRole gets its own code."""
    findings: list[Finding] = []
    undecided: list[str] = []
    for step in block.steps:
        undecided += step.undecided
        if step.name == "runtime-role":
            continue  # PASSROLE_* findings already say it
        missing = [a for a in step.missing if not (step.name == "codebuild-build" and a == "iam:PassRole")]
        if step.name == "codebuild-build" and "iam:PassRole" in step.missing:
            findings.append(
                Finding(
                    Code.DEPLOY_CODEBUILD_PASSROLE_DENIED,
                    f"you may not pass the CodeBuild role {codebuild_role or '(the toolkit default)'} to "
                    f"{CODEBUILD_PRINCIPAL}: `agentcore deploy` stops at CreateProject, after creating the ECR "
                    "repository and uploading the source",
                    f"ask an administrator to grant iam:PassRole on it with iam:PassedToService = "
                    f"{CODEBUILD_PRINCIPAL} (`agentcore-ext policy caller` includes it); BedrockAgentCoreFullAccess "
                    "allows passing roles to bedrock-agentcore.amazonaws.com only",
                )
            )
        if missing:
            findings.append(
                Finding(
                    Code.DEPLOY_PERMISSION_MISSING,
                    f"deploy step {step.name} ({block.mode}): your identity lacks {', '.join(sorted(missing))}",
                    "`agentcore deploy` stops at the first one missing; ask an administrator to grant them on the "
                    "agent's resources (`agentcore-ext policy caller --deployment-type ...` prints them)",
                )
            )
    if undecided:
        findings.append(deploy_unknown(f"could not decide {', '.join(sorted(set(undecided)))}"))
    return findings


def deploy_unknown(why: str) -> Finding:
    return Finding(
        Code.DEPLOY_PERMISSIONS_UNKNOWN,
        f"deploy permissions not checked: {why}",
        "allow iam:SimulatePrincipalPolicy on your own principal (see `agentcore-ext policy caller`) to check them",
    )


def toolkit_rewrite_findings(spec: AgentSpec, providers: Sequence[str], aws_jwt: bool) -> list[Finding]:
    """TOOLKIT_WILL_REWRITE_ROLE: the toolkit's launch changes the execution role when identity or AWS JWT is on.

    launch.py _ensure_identity_permissions replaces the trust policy (SourceArn arn:aws:bedrock-agentcore:R:C:*,
    partition hard-coded `aws`) and puts the inline AgentCoreIdentityAccess; _ensure_aws_jwt_permissions puts
    AgentCoreAwsJwtAccess. Failures there are only logged.
    """
    changes = []
    if providers:
        changes.append(
            f"replace its trust policy (SourceArn arn:aws:bedrock-agentcore:{spec.region}:{spec.account}:*, "
            f"wider than this agent's runtimes{', and in the wrong partition' if spec.partition != 'aws' else ''}) "
            f"and add the inline policy AgentCoreIdentityAccess (credential providers: {', '.join(providers)})"
        )
    if aws_jwt:
        changes.append("add the inline policy AgentCoreAwsJwtAccess (AWS JWT)")
    if not changes:
        return []
    return [
        Finding(
            Code.TOOLKIT_WILL_REWRITE_ROLE,
            f"`agentcore deploy` will change the execution role agentcore-ext checked: it will {'; '.join(changes)}; "
            "failures there are only logged",
            "after deploy, run `agentcore-ext doctor` (and `agentcore-ext configure --fix`) to bring the role back to "
            "the checked documents; `agentcore-ext policy trust` and `agentcore-ext policy permissions` print them",
        )
    ]


CODEBUILD_ROLE_PATTERN = "*BedrockAgentCore*CodeBuild*"  # the toolkit's and agentcore-ext's CodeBuild role names


def deploy_statements(partition: str, account: str, mode: DeployMode) -> list[dict[str, object]]:
    """The `policy caller` statements for `agentcore deploy` in this mode, on the toolkit's resource names."""

    def arn(service: str, resource: str, region: str = "*") -> str:
        return f"arn:{partition}:{service}:{region}:{account}:{resource}"

    def allow(sid: str, actions: Iterable[str], resource: str | list[str]) -> dict[str, object]:
        return {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": resource}

    repo = arn("ecr", "repository/bedrock-agentcore-*")
    bucket = f"arn:{partition}:s3:::bedrock-agentcore-codebuild-sources-{account}-*"
    out = [
        allow(
            "DeployAgentRuntimes",
            [f"bedrock-agentcore:{a}" for a in RUNTIME_ACTIONS],
            arn("bedrock-agentcore", "runtime/*"),
        ),
        allow(
            "DeployAgentMemory",
            [f"bedrock-agentcore:{a}" for a in MEMORY_ACTIONS],
            arn("bedrock-agentcore", "memory/*"),
        ),
    ]
    if mode is not DeployMode.DIRECT_CODE_DEPLOY:
        out.append(allow("AgentImageRepositories", [f"ecr:{a}" for a in ECR_REPOSITORY_ACTIONS], repo))
    if mode is DeployMode.LOCAL_BUILD:
        out.append(allow("PushAgentImages", [f"ecr:{a}" for a in ECR_PUSH_ACTIONS], repo))
        out.append(allow("EcrLogin", ["ecr:GetAuthorizationToken"], "*"))
    if mode is not DeployMode.LOCAL_BUILD:
        key = "source.zip" if mode is DeployMode.CODEBUILD else "deployment.zip"
        out.append(allow("AgentSourceBucket", BUCKET_ACTIONS, bucket))
        out.append(allow("UploadAgentSources", ["s3:PutObject"], f"{bucket}/*/{key}"))
    if mode is DeployMode.CODEBUILD:
        out.append(
            allow(
                "BuildAgentImages",
                [f"codebuild:{a}" for a in CODEBUILD_ACTIONS],
                arn("codebuild", "project/bedrock-agentcore-*-builder"),
            )
        )
        out.append(
            {
                "Sid": "PassCodeBuildRoles",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": f"arn:{partition}:iam::{account}:role/{CODEBUILD_ROLE_PATTERN}",
                "Condition": {"StringEquals": {PASSED_TO_SERVICE: CODEBUILD_PRINCIPAL}},
            }
        )
    return out

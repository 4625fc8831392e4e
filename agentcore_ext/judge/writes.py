"""The IAM writes a plan will make as the caller, as requests, so a refusal is predicted before the plan is
confirmed instead of found by trying (issue 15, build 5). Pure."""

from __future__ import annotations

from agentcore_ext.findings import Code, Finding
from agentcore_ext.iam.evaluate import Request
from agentcore_ext.plan.model import Action, AttachPolicy, CreateRole, Plan, PutInlinePolicy, TagRole, UpdateTrust
from agentcore_ext.state import MANAGED_BY_TAG


def _request(action: Action, role_arn: str) -> Request:
    match action:
        case CreateRole(boundary=boundary, tags=tags):
            ctx: dict[str, str | list[str]] = {"aws:TagKeys": list(tags)}
            ctx |= {f"aws:RequestTag/{k}": v for k, v in tags.items()}
            if boundary:
                ctx["iam:PermissionsBoundary"] = boundary
            return Request("iam:CreateRole", role_arn, ctx)  # type: ignore[arg-type]
        case PutInlinePolicy():
            return Request("iam:PutRolePolicy", role_arn, _resource_tag(action))
        case AttachPolicy(policy_arn=arn):
            # iam:PolicyARN: what a caller policy can restrict attachments by (IAM Service Authorization Reference).
            return Request("iam:AttachRolePolicy", role_arn, {"iam:PolicyARN": arn, **_resource_tag(action)})
        case UpdateTrust():
            return Request("iam:UpdateAssumeRolePolicy", role_arn, _resource_tag(action))
        case TagRole(tags=tags):
            tag_ctx: dict[str, str | list[str]] = {"aws:TagKeys": list(tags), **_resource_tag(action)}
            tag_ctx |= {f"aws:RequestTag/{k}": v for k, v in tags.items()}
            return Request("iam:TagRole", role_arn, tag_ctx)  # type: ignore[arg-type]
    raise AssertionError(action)


def _resource_tag(_: Action) -> dict[str, str]:
    # The roles the tool writes to carry its managed-by tag (policy caller conditions writes on it).
    return {f"aws:ResourceTag/{MANAGED_BY_TAG[0]}": MANAGED_BY_TAG[1]}


def write_requests(plan: Plan) -> list[Request]:
    return [_request(a, plan.role_arn) for a in plan.actions]


def refused_writes(plan: Plan, refused: list[str], fix_command: str) -> Finding:
    """The finding for writes the caller's own policies refuse: the administrator route instead of exit 4."""
    agent_args = fix_command.replace("agentcore-ext role ensure ", "").replace(" --fix", "")
    return Finding(
        Code.CALLER_CANNOT_WRITE_ROLE,
        f"your policies do not allow {', '.join(sorted(set(refused)))} on {plan.role_arn}: the plan would fail "
        "half-way; nothing was changed",
        "ask an administrator to create the role from `agentcore-ext policy permissions --format cloudformation` "
        f"(and `agentcore-ext policy trust --format cloudformation`), then run `agentcore-ext role ensure "
        f"{agent_args} --no-create`",
    )

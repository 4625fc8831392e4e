"""agentcore_ext.identity: caller resolution and the PassRole decision (simulator, local, unknown) against moto."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError
from moto.core import set_initial_no_auth_action_count

from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.aws.gather_caller import resolve_caller
from agentcore_ext.findings import Severity, codes
from agentcore_ext.flows.passrole import check_deploy_permissions, check_pass_role, deploy_preflight
from agentcore_ext.judge.deploy_needs import (
    DeployMode,
    DeployTarget,
    codebuild_role_arn,
    deploy_requests,
    toolkit_codebuild_role_name,
)
from agentcore_ext.judge.identity import parse_caller_arn
from agentcore_ext.state import AgentSpec, Caller

ACCOUNT = "123456789012"
SERVICE = "bedrock-agentcore.amazonaws.com"
TRUST_ANYONE_HERE = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
    ],
}
GOOD_ROLE = f"arn:aws:iam::{ACCOUNT}:role/BedrockAgentCoreRuntime-us-east-1-my_agent"
ARTICLE_ROLE = f"arn:aws:iam::{ACCOUNT}:role/AgentCoreRuntimeExecutionRole-x"
SSO_NAME = "AWSReservedSSO_Dev_0123456789abcdef"


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def pass_role(resource: str = "*", service: str | None = SERVICE, sid: str | None = None) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Allow", "Action": "iam:PassRole", "Resource": resource}
    if service:
        st["Condition"] = {"StringEquals": {"iam:PassedToService": service}}
    if sid:
        st["Sid"] = sid
    return st


# The PassRole statement of the AWS managed policy BedrockAgentCoreFullAccess, plus its service actions.
FULL_ACCESS_LIKE = doc(
    {"Effect": "Allow", "Action": "bedrock-agentcore:*", "Resource": "*"},
    pass_role("arn:aws:iam::*:role/*BedrockAgentCore*", sid="AllowPassRoleToBedrockAgentCore"),
)


def session_for(creds: dict[str, str]) -> boto3.Session:
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds.get("SessionToken"),
        region_name="us-east-1",
    )


def make_user(
    admin: boto3.Session,
    *,
    path: str = "/team/",
    inline: dict[str, Any] | None = None,
    managed: dict[str, Any] | None = None,
    group_managed: dict[str, Any] | None = None,
) -> Gateway:
    iam = admin.client("iam")
    iam.create_user(UserName="alice", Path=path)
    if inline:
        iam.put_user_policy(UserName="alice", PolicyName="inline", PolicyDocument=json.dumps(inline))
    if managed:
        arn = iam.create_policy(PolicyName="managed", PolicyDocument=json.dumps(managed))["Policy"]["Arn"]
        iam.attach_user_policy(UserName="alice", PolicyArn=arn)
    if group_managed:
        iam.create_group(GroupName="devs")
        iam.add_user_to_group(GroupName="devs", UserName="alice")
        arn = iam.create_policy(PolicyName="group-managed", PolicyDocument=json.dumps(group_managed))["Policy"]["Arn"]
        iam.attach_group_policy(GroupName="devs", PolicyArn=arn)
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    return Gateway(session=session_for({"AccessKeyId": key["AccessKeyId"], "SecretAccessKey": key["SecretAccessKey"]}))


def make_role_session(
    admin: boto3.Session,
    name: str,
    path: str = "/",
    *,
    inline: dict[str, Any] | None = None,
    boundary: dict[str, Any] | None = None,
) -> Gateway:
    iam = admin.client("iam")
    extra: dict[str, Any] = {}
    if boundary:
        extra["PermissionsBoundary"] = iam.create_policy(PolicyName="boundary", PolicyDocument=json.dumps(boundary))[
            "Policy"
        ]["Arn"]
    arn = iam.create_role(RoleName=name, Path=path, AssumeRolePolicyDocument=json.dumps(TRUST_ANYONE_HERE), **extra)[
        "Role"
    ]["Arn"]
    if inline:
        iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=json.dumps(inline))
    creds = admin.client("sts").assume_role(RoleArn=arn, RoleSessionName="alice@example.com")["Credentials"]
    return Gateway(session=session_for(dict(creds)))  # type: ignore[arg-type]


def deny_everything(gw: Gateway, operation: str = "") -> None:
    def refuse(**_: Any) -> None:
        raise ClientError({"Error": {"Code": "AccessDenied", "Message": "not authorized"}}, operation or "Op")

    gw.iam.meta.events.register(f"before-call.iam{'.' + operation if operation else ''}", refuse)


def canned_simulator(decision: str, expect_role: str, asked: list[str] | None = None, **detail: Any) -> Any:
    """Answer SimulatePrincipalPolicy without sending, after checking the request carries iam:PassedToService;
    `asked` collects each call's iam:PassedToService. Calls for another service (the CodeBuild role's PassRole to
    codebuild.amazonaws.com) are answered "allowed"."""

    def handler(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        body = params["body"]
        assert body["ContextEntries.member.1.ContextKeyName"] == "iam:PassedToService"
        service = body["ContextEntries.member.1.ContextKeyValues.member.1"]
        if asked is not None:
            asked.append(service)
        actions = [v for k, v in body.items() if k.startswith("ActionNames.member.")]
        resources = [v for k, v in body.items() if k.startswith("ResourceArns.member.")]
        if service != SERVICE:
            assert service == "codebuild.amazonaws.com" and actions == ["iam:PassRole"]
            results = [
                {"EvalActionName": a, "EvalResourceName": r, "EvalDecision": "allowed"}
                for a in actions
                for r in resources
            ]
            return AWSResponse("https://iam.amazonaws.com/", 200, {}, None), {"EvaluationResults": results}  # type: ignore[arg-type]
        assert "iam:PassRole" in actions and expect_role in resources
        results = [
            {
                "EvalActionName": a,
                "EvalResourceName": r,
                "EvalDecision": decision if a == "iam:PassRole" else "allowed",
                **detail,
            }
            for a in actions
            for r in resources
        ]
        return AWSResponse("https://iam.amazonaws.com/", 200, {}, None), {"EvaluationResults": results}  # type: ignore[arg-type]

    return handler


# -- caller resolution ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arn", "kind", "principal", "path"),
    [
        ("arn:aws:iam::123456789012:user/team/alice", "user", "arn:aws:iam::123456789012:user/team/alice", "/team/"),
        ("arn:aws-cn:sts::123456789012:assumed-role/R/s", "role", "arn:aws-cn:iam::123456789012:role/R", "/"),
        (
            f"arn:aws:sts::123456789012:assumed-role/{SSO_NAME}/bob",
            "sso_role",
            f"arn:aws:iam::123456789012:role/{SSO_NAME}",
            "/",
        ),
        (
            "arn:aws:sts::123456789012:federated-user/bob",
            "federated_user",
            "arn:aws:sts::123456789012:federated-user/bob",
            "/",
        ),
        ("arn:aws:iam::123456789012:root", "root", "arn:aws:iam::123456789012:root", "/"),
        ("arn:aws:sts::123456789012:user/moto", "unknown", "arn:aws:sts::123456789012:user/moto", "/"),
        ("not-an-arn", "unknown", "not-an-arn", "/"),
    ],
)
def test_parse_caller_arn(arn: str, kind: str, principal: str, path: str) -> None:
    caller = parse_caller_arn(arn, ACCOUNT)
    assert (caller.kind, caller.principal_arn, caller.path, caller.account) == (kind, principal, path, ACCOUNT)


def test_iam_user_with_a_path(moto_iam: boto3.Session) -> None:
    gw = make_user(moto_iam)
    caller, findings = resolve_caller(gw)
    assert caller.kind == "user" and caller.name == "alice" and caller.path == "/team/"
    assert caller.principal_arn == f"arn:aws:iam::{ACCOUNT}:user/team/alice" and findings == []
    assert caller.block().to_dict() == {
        "arn": caller.arn,
        "principal_arn": caller.principal_arn,
        "kind": "user",
        "account": ACCOUNT,
        "partition": "aws",
    }
    assert gw.calls == 1  # the user ARN already carries the path


def test_assumed_role_resolves_its_path(moto_iam: boto3.Session) -> None:
    gw = make_role_session(moto_iam, "Deployer", "/ci/")
    caller, findings = resolve_caller(gw)
    assert caller.arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/Deployer/alice@example.com"
    assert caller.principal_arn == f"arn:aws:iam::{ACCOUNT}:role/ci/Deployer"
    assert (caller.kind, caller.session, caller.details_read, findings) == ("role", "alice@example.com", True, [])


@pytest.mark.parametrize("path", ["/aws-reserved/sso.amazonaws.com/", "/aws-reserved/sso.amazonaws.com/eu-west-1/"])
def test_identity_center_role(moto_iam: boto3.Session, path: str) -> None:
    gw = make_role_session(moto_iam, SSO_NAME, path)
    caller, findings = resolve_caller(gw)
    assert caller.kind == "sso_role" and caller.path == path and findings == []
    assert caller.principal_arn == f"arn:aws:iam::{ACCOUNT}:role{path}{SSO_NAME}"


def test_role_path_unresolved_when_get_role_is_refused(moto_iam: boto3.Session) -> None:
    gw = make_role_session(moto_iam, SSO_NAME, "/aws-reserved/sso.amazonaws.com/eu-west-1/")
    deny_everything(gw, "GetRole")
    caller, findings = resolve_caller(gw)
    assert caller.kind == "sso_role" and not caller.details_read
    assert caller.principal_arn == f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/{SSO_NAME}"
    assert codes(findings) == {"CALLER_PATH_UNRESOLVED"} and findings[0].severity is Severity.INFO
    assert "iam:GetRole" in findings[0].message


def test_root_caller(gateway: Gateway, monkeypatch: pytest.MonkeyPatch) -> None:
    # moto cannot sign in as root: stub the one STS answer.
    root = {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:root", "UserId": ACCOUNT}
    monkeypatch.setattr(gateway, "caller_identity", lambda: root)
    caller, findings = resolve_caller(gateway)
    assert caller.kind == "root" and codes(findings) == {"ROOT_CALLER"}
    assert findings[0].severity is Severity.WARNING and "IAM role" in findings[0].hint
    result = check_pass_role(gateway, caller, ARTICLE_ROLE)
    assert (result.decision, result.method, result.findings) == ("allowed", "local", [])
    assert check_deploy_permissions(gateway, caller, AgentSpec("a", ACCOUNT, "us-east-1", "aws", "container")) == []
    assert gateway.calls == 0


def test_federated_user_is_unknown(gateway: Gateway, monkeypatch: pytest.MonkeyPatch) -> None:
    fed = {"Account": ACCOUNT, "Arn": f"arn:aws:sts::{ACCOUNT}:federated-user/bob", "UserId": "x"}
    monkeypatch.setattr(gateway, "caller_identity", lambda: fed)
    caller, findings = resolve_caller(gateway)
    assert caller.kind == "federated_user" and caller.name == "bob" and findings == []
    result = check_pass_role(gateway, caller, GOOD_ROLE)
    assert (result.decision, result.method) == ("unknown", "none") and codes(result.findings) == {"PASSROLE_UNKNOWN"}


def test_unknown_caller(gateway: Gateway) -> None:
    caller, findings = resolve_caller(gateway)  # moto's default identity: arn:aws:sts::...:user/moto
    assert caller.kind == "unknown" and codes(findings) == {"CALLER_UNKNOWN"}
    assert check_pass_role(gateway, caller, GOOD_ROLE).decision == "unknown"


# -- PassRole through the simulator ---------------------------------------------------------------------------


def test_simulator_allows(moto_iam: boto3.Session) -> None:
    gw = make_role_session(moto_iam, "Deployer")
    caller, _ = resolve_caller(gw)
    gw.iam.meta.events.register("before-call.iam.SimulatePrincipalPolicy", canned_simulator("allowed", GOOD_ROLE))
    result = check_pass_role(gw, caller, GOOD_ROLE)
    assert (result.decision, result.method, result.findings) == ("allowed", "simulator", [])
    assert set(result.block().to_dict()) == {"decision", "method", "detail"} and "advisory" in result.detail


def test_simulator_denies_and_local_policies_explain(moto_iam: boto3.Session) -> None:
    gw = make_role_session(moto_iam, "Deployer", inline=FULL_ACCESS_LIKE)
    caller, _ = resolve_caller(gw)
    gw.iam.meta.events.register(
        "before-call.iam.SimulatePrincipalPolicy", canned_simulator("implicitDeny", ARTICLE_ROLE)
    )
    result = check_pass_role(gw, caller, ARTICLE_ROLE)
    assert (result.decision, result.method) == ("denied", "simulator")
    assert codes(result.findings) == {"PASSROLE_DENIED", "PASSROLE_NAME_PATTERN"}
    assert "*BedrockAgentCore*" in result.detail


def test_simulator_explicit_deny_and_boundary_details(moto_iam: boto3.Session) -> None:
    gw = make_role_session(moto_iam, "Deployer")
    caller, _ = resolve_caller(gw)
    matched = {"MatchedStatements": [{"SourcePolicyId": "NoPassing"}]}
    gw.iam.meta.events.register(
        "before-call.iam.SimulatePrincipalPolicy", canned_simulator("explicitDeny", GOOD_ROLE, **matched)
    )
    result = check_pass_role(gw, caller, GOOD_ROLE)
    assert result.decision == "denied" and "explicitly denied by NoPassing" in result.detail

    gw2 = make_role_session(moto_iam, "Other")
    caller2, _ = resolve_caller(gw2)
    boundary = {"PermissionsBoundaryDecisionDetail": {"AllowedByPermissionsBoundary": False}}
    gw2.iam.meta.events.register(
        "before-call.iam.SimulatePrincipalPolicy", canned_simulator("implicitDeny", GOOD_ROLE, **boundary)
    )
    assert "permissions boundary" in check_pass_role(gw2, caller2, GOOD_ROLE).detail


def test_simulator_also_answers_deploy_permissions(moto_iam: boto3.Session) -> None:
    gw = make_role_session(moto_iam, "Deployer")
    caller, _ = resolve_caller(gw)
    asked: list[str] = []
    gw.iam.meta.events.register(
        "before-call.iam.SimulatePrincipalPolicy", canned_simulator("allowed", GOOD_ROLE, asked)
    )
    target = AgentSpec("my_agent", ACCOUNT, "us-east-1", "aws", "container")
    result = check_pass_role(gw, caller, GOOD_ROLE, deploy=target)
    # The CodeBuild PassRole needs iam:PassedToService = codebuild.amazonaws.com: its own call, sent beside the
    # main one, so the whole preflight is decided from what check_pass_role asked (no call after it).
    assert sorted(asked) == sorted([SERVICE, "codebuild.amazonaws.com"])
    before = gw.calls
    block, findings = deploy_preflight(result, caller, target)
    assert findings == [] and block is not None
    assert {s.name: s.missing + s.undecided for s in block.steps}["codebuild-build"] == ()
    assert gw.calls == before


def test_simulator_answers_cover_a_missing_codebuild_role(moto_iam: boto3.Session) -> None:
    """The simulator is asked before the CodeBuild role's GetRole answers, as if the role were missing: the
    preflight of a deploy that must create it (CreateRole, PutRolePolicy) is decided with no further call."""
    gw = make_role_session(moto_iam, "Deployer")
    caller, _ = resolve_caller(gw)
    gw.iam.meta.events.register("before-call.iam.SimulatePrincipalPolicy", canned_simulator("allowed", GOOD_ROLE))
    spec = AgentSpec("my_agent", ACCOUNT, "us-east-1", "aws", "container")
    result = check_pass_role(gw, caller, GOOD_ROLE, deploy=spec)
    before = gw.calls
    missing = DeployTarget(DeployMode.CODEBUILD, codebuild_role_arn(spec, None), False)
    block, findings = deploy_preflight(result, caller, spec, missing, gateway=gw)
    assert findings == [] and block is not None
    steps = {s.name: s for s in block.steps}
    assert {"iam:GetRole", "iam:CreateRole", "iam:PutRolePolicy"} <= set(steps["codebuild-role"].allowed)
    assert gw.calls == before


# -- PassRole evaluated locally (moto has no simulator) --------------------------------------------------------


def test_allowed_through_a_groups_managed_policy(moto_iam: boto3.Session) -> None:
    gw = make_user(moto_iam, group_managed=doc(pass_role()))
    caller, _ = resolve_caller(gw)
    result = check_pass_role(gw, caller, ARTICLE_ROLE)
    assert (result.decision, result.method, result.findings) == ("allowed", "local", [])
    assert "group-managed" in result.detail and "simulator unavailable" in result.detail


def test_allowed_through_the_managed_policy_pattern(moto_iam: boto3.Session) -> None:
    gw = make_user(moto_iam, managed=FULL_ACCESS_LIKE)
    caller, _ = resolve_caller(gw)
    assert check_pass_role(gw, caller, GOOD_ROLE).decision == "allowed"


@pytest.mark.parametrize(
    ("suggested", "expected"),
    [
        ("BedrockAgentCoreRuntime-us-east-1-my_agent", "BedrockAgentCoreRuntime-us-east-1-my_agent"),
        (None, "BedrockAgentCoreRuntimeExecutionRole-x"),
    ],
)
def test_denied_by_the_name_pattern(moto_iam: boto3.Session, suggested: str | None, expected: str) -> None:
    gw = make_user(moto_iam, managed=FULL_ACCESS_LIKE)
    caller, _ = resolve_caller(gw)
    result = check_pass_role(gw, caller, ARTICLE_ROLE, suggested_name=suggested)
    assert (result.decision, result.method) == ("denied", "local")
    assert codes(result.findings) == {"PASSROLE_DENIED", "PASSROLE_NAME_PATTERN"}
    pattern = next(f for f in result.findings if f.code == "PASSROLE_NAME_PATTERN")
    assert pattern.severity is Severity.ERROR and "arn:aws:iam::*:role/*BedrockAgentCore*" in pattern.message
    assert f"--role-name {expected}" in pattern.hint


def test_denied_when_passing_is_limited_to_another_service(moto_iam: boto3.Session) -> None:
    gw = make_user(moto_iam, inline=doc(pass_role(service="ec2.amazonaws.com")))
    caller, _ = resolve_caller(gw)
    result = check_pass_role(gw, caller, GOOD_ROLE)
    assert result.decision == "denied" and codes(result.findings) == {"PASSROLE_DENIED"}
    assert "only when the role is passed to ec2.amazonaws.com" in result.detail


def test_denied_by_an_explicit_deny(moto_iam: boto3.Session) -> None:
    deny = {"Sid": "NoPassing", "Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}
    gw = make_user(moto_iam, inline=doc(pass_role(), deny))
    caller, _ = resolve_caller(gw)
    result = check_pass_role(gw, caller, GOOD_ROLE)
    assert result.decision == "denied" and "NoPassing" in result.detail
    assert "NoPassing" in result.findings[0].message and result.findings[0].severity is Severity.ERROR


def test_denied_by_a_permissions_boundary(moto_iam: boto3.Session) -> None:
    boundary = doc({"Effect": "Allow", "Action": ["s3:*", "bedrock-agentcore:*"], "Resource": "*"})
    gw = make_role_session(moto_iam, "Deployer", inline=doc(pass_role()), boundary=boundary)
    caller, _ = resolve_caller(gw)
    assert caller.permissions_boundary_arn == f"arn:aws:iam::{ACCOUNT}:policy/boundary"
    result = check_pass_role(gw, caller, GOOD_ROLE)
    assert (result.decision, result.method) == ("denied", "local")
    assert "permissions boundary arn:aws:iam::123456789012:policy/boundary does not" in result.detail


def test_unknown_when_nothing_can_be_read(moto_iam: boto3.Session) -> None:
    def run() -> None:
        # moto's IAM authentication: after the first two requests (create user, access key) it enforces policies,
        # and this user has none, so every IAM read (the simulator included) is refused.
        iam = moto_iam.client("iam")
        iam.create_user(UserName="alice")
        key = iam.create_access_key(UserName="alice")["AccessKey"]
        gw = Gateway(session=session_for(dict(key)))  # type: ignore[arg-type]
        caller, _ = resolve_caller(gw)
        result = check_pass_role(gw, caller, GOOD_ROLE)
        assert (result.decision, result.method) == ("unknown", "none")
        (finding,) = result.findings
        assert finding.code == "PASSROLE_UNKNOWN" and finding.severity is Severity.WARNING
        for permission in ("iam:SimulatePrincipalPolicy", "iam:ListUserPolicies", "iam:GetPolicyVersion"):
            assert permission in finding.hint
        assert "agentcore-ext policy caller" in finding.hint
        (unknown,) = check_deploy_permissions(result, caller, AgentSpec("a", ACCOUNT, "us-east-1", "aws", "container"))
        assert unknown.code == "DEPLOY_PERMISSIONS_UNKNOWN" and unknown.severity is Severity.INFO

    set_initial_no_auth_action_count(2)(run)()


def test_unknown_when_reads_are_partly_refused(moto_iam: boto3.Session) -> None:
    gw = make_user(moto_iam, inline=doc(pass_role("arn:aws:iam::*:role/Other")))
    caller, _ = resolve_caller(gw)
    deny_everything(gw, "ListAttachedUserPolicies")
    result = check_pass_role(gw, caller, GOOD_ROLE)
    assert (result.decision, result.method) == ("unknown", "local")
    assert "iam:ListAttachedUserPolicies" in result.detail


# -- call budget and deploy permissions -----------------------------------------------------------------------


def test_call_count_for_a_user_with_one_inline_and_one_managed_policy(moto_iam: boto3.Session) -> None:
    gw = make_user(moto_iam, inline=doc(pass_role()), managed=FULL_ACCESS_LIKE)
    caller, _ = resolve_caller(gw)
    result = check_pass_role(gw, caller, GOOD_ROLE, deploy=AgentSpec("a", ACCOUNT, "us-east-1", "aws"))
    findings = check_deploy_permissions(result, caller, AgentSpec("a", ACCOUNT, "us-east-1", "aws", "container"))
    assert result.decision == "allowed"
    assert codes(findings) == {"DEPLOY_PERMISSION_MISSING", "DEPLOY_CODEBUILD_PASSROLE_DENIED"}
    # GetCallerIdentity, SimulatePrincipalPolicy twice (unavailable: the PassRole context and, beside it, the
    # CodeBuild role's), GetUser, ListUserPolicies, GetUserPolicy, ListAttachedUserPolicies, GetPolicy,
    # GetPolicyVersion, ListGroupsForUser; deploy checks reuse them.
    assert gw.calls == 10


def test_deploy_permissions_missing_are_grouped_by_step_and_sorted(moto_iam: boto3.Session) -> None:
    gw = make_user(moto_iam, managed=FULL_ACCESS_LIKE)
    caller, _ = resolve_caller(gw)
    findings = check_deploy_permissions(gw, caller, AgentSpec("my_agent", ACCOUNT, "us-east-1", "aws", "container"))
    assert all(f.severity is Severity.WARNING for f in findings)
    by_step = {f.message.split(" ", 3)[2]: f for f in findings if f.code == "DEPLOY_PERMISSION_MISSING"}
    assert set(by_step) == {"ecr-repository", "source-upload", "codebuild-role", "codebuild-build"}  # the default
    listed = by_step["codebuild-build"].message.split("lacks ", 1)[1].split(", ")
    assert listed == sorted(listed) and "codebuild:StartBuild" in listed and "iam:PassRole" not in listed
    assert "DEPLOY_CODEBUILD_PASSROLE_DENIED" in codes(findings)
    assert not any("ecr:PutImage" in f.message or "bedrock-agentcore:" in f.message for f in findings)

    direct = check_deploy_permissions(
        gw, caller, AgentSpec("my_agent", ACCOUNT, "us-east-1", "aws", "direct_code_deploy")
    )
    assert [f.message.split(" ", 3)[2] for f in direct] == ["code-upload"]
    assert "s3:PutObject" in direct[0].message and "ecr:" not in direct[0].message


def test_deploy_permissions_all_present(moto_iam: boto3.Session) -> None:
    gw = make_user(moto_iam, inline=doc({"Effect": "Allow", "Action": "*", "Resource": "*"}))
    caller, _ = resolve_caller(gw)
    result = check_pass_role(gw, caller, GOOD_ROLE)
    assert check_deploy_permissions(result, caller, AgentSpec("a", ACCOUNT, "us-east-1", "aws", "container")) == []
    assert (
        check_deploy_permissions(result.policies, caller, AgentSpec("a", ACCOUNT, "us-east-1", "aws", "container"))
        == []
    )  # type: ignore[arg-type]


def test_deploy_requests_use_the_toolkits_names() -> None:
    spec = AgentSpec("My_Agent", ACCOUNT, "eu-west-1", "aws", "container")
    resources = {r.action: r.resource for r in deploy_requests(spec)}
    pushed = {r.action: r.resource for r in deploy_requests(spec, DeployTarget(DeployMode.LOCAL_BUILD))}
    assert "ecr:PutImage" not in resources and "ecr:GetAuthorizationToken" in pushed  # CodeBuild pushes, not you
    resources["ecr:PutImage"] = pushed["ecr:PutImage"]
    assert resources["iam:PassRole"] == f"arn:aws:iam::{ACCOUNT}:role/" + toolkit_codebuild_role_name(
        "eu-west-1", "My_Agent"
    )
    assert resources["ecr:PutImage"] == f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/bedrock-agentcore-my_agent"
    assert resources["codebuild:StartBuild"].endswith(":project/bedrock-agentcore-my_agent-builder")
    assert resources["s3:CreateBucket"] == f"arn:aws:s3:::bedrock-agentcore-codebuild-sources-{ACCOUNT}-eu-west-1"
    assert resources["bedrock-agentcore:CreateAgentRuntime"].startswith(
        f"arn:aws:bedrock-agentcore:eu-west-1:{ACCOUNT}:runtime/My_Agent-"
    )


def test_caller_is_plain_data() -> None:
    caller = Caller("a", "b", "user", ACCOUNT, "aws", "n", "/")
    assert caller.permissions_boundary_arn is None and not caller.details_read


def test_refused_get_role_is_not_asked_twice(moto_iam: boto3.Session) -> None:
    gw = make_role_session(moto_iam, "Deployer", inline=doc(pass_role()))
    deny_everything(gw, "GetRole")
    caller, _ = resolve_caller(gw)
    asked: list[str] = []
    gw.iam.meta.events.register("before-call.iam", lambda model, **_: asked.append(model.name))
    result = check_pass_role(gw, caller, GOOD_ROLE)
    # The simulator and the caller's listings go out together (gather_caller.FirstReads), so no order is pinned.
    assert "GetRole" not in asked and "SimulatePrincipalPolicy" in asked
    # Allowed by what could be read, but the unknown boundary is said to be unread.
    assert (result.decision, result.method) == ("allowed", "local")
    assert codes(result.findings) == {"CALLER_POLICIES_INCOMPLETE"} and "iam:GetRole" in result.detail


def test_simulator_is_asked_about_the_codebuild_passrole_with_its_own_service(moto_iam: boto3.Session) -> None:
    """The first simulation carries PassedToService = bedrock-agentcore: its answer for the CodeBuild role's
    PassRole is not used; a second call asks with codebuild.amazonaws.com."""
    gw = make_role_session(moto_iam, "Deployer")
    caller, _ = resolve_caller(gw)
    contexts: list[str] = []

    def handler(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        body = params["body"]
        service = body.get("ContextEntries.member.1.ContextKeyValues.member.1", "")
        contexts.append(service)
        actions = [v for k, v in body.items() if k.startswith("ActionNames.member.")]
        resources = [v for k, v in body.items() if k.startswith("ResourceArns.member.")]
        denied = service == "codebuild.amazonaws.com"
        results = [
            {"EvalActionName": a, "EvalResourceName": r, "EvalDecision": "implicitDeny" if denied else "allowed"}
            for a in actions
            for r in resources
        ]
        return AWSResponse("https://iam.amazonaws.com/", 200, {}, None), {"EvaluationResults": results}  # type: ignore[arg-type]

    hook: Any = handler
    gw.iam.meta.events.register("before-call.iam.SimulatePrincipalPolicy", hook)
    spec = AgentSpec("my_agent", ACCOUNT, "us-east-1", "aws", "container")
    result = check_pass_role(gw, caller, GOOD_ROLE, deploy=spec)
    block, findings = deploy_preflight(result, caller, spec, gateway=gw)
    assert contexts == [SERVICE, "codebuild.amazonaws.com"]
    assert block is not None and [s.name for s in block.denied] == ["codebuild-build"]
    assert block.denied[0].missing == ("iam:PassRole",)
    assert codes(findings) == {"DEPLOY_CODEBUILD_PASSROLE_DENIED"}

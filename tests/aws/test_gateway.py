"""agentcore_ext.aws: typed reads/writes against moto, error mapping, request counting."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ClientError, EndpointConnectionError
from moto.server import ThreadedMotoServer

from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.aws.shapes import SimulatorUnavailable
from agentcore_ext.errors import EXIT_AWS_CHANGE_FAILED, EXIT_USAGE, AwsError, UsageError

ACCOUNT = "123456789012"
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "bedrock-agentcore.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
ALLOW_ALL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


class _Body:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.data


def raiser(code: str, message: str = "no", operation: str = "Op") -> Any:
    def handler(**_: Any) -> None:
        raise ClientError({"Error": {"Code": code, "Message": message}}, operation)

    return handler


def throttle_first(times: int) -> Any:
    """A before-send handler: answers `times` attempts with HTTP 400 Throttling, then lets moto answer."""
    left = [times]
    body = (
        b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error>"
        b"<RequestId>r</RequestId></ErrorResponse>"
    )

    def handler(request: Any, **_: Any) -> AWSResponse | None:
        if left[0] > 0:
            left[0] -= 1
            return AWSResponse(request.url, 400, {}, _Body(body))  # type: ignore[arg-type]
        return None

    return handler


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """botocore's retry backoff sleeps in botocore.endpoint via time.sleep; record instead of waiting."""
    slept: list[float] = []
    monkeypatch.setattr(time, "sleep", slept.append)
    return slept


# -- reads and writes -----------------------------------------------------------------------------------------


def test_role_round_trip_returns_plain_data(gateway: Gateway) -> None:
    created = gateway.create_role(
        "BedrockAgentCoreRuntime-us-east-1-a",
        "/agents/",
        TRUST,
        "test role",
        f"arn:aws:iam::{ACCOUNT}:policy/Boundary",
        {"team": "ml"},
    )
    assert created["Arn"] == f"arn:aws:iam::{ACCOUNT}:role/agents/BedrockAgentCoreRuntime-us-east-1-a"
    role = gateway.get_role("BedrockAgentCoreRuntime-us-east-1-a")
    assert role is not None
    assert role["Path"] == "/agents/" and role["AssumeRolePolicyDocument"] == TRUST
    assert role["PermissionsBoundary"] == f"arn:aws:iam::{ACCOUNT}:policy/Boundary"
    assert role["Tags"] == {"team": "ml"} and role["Description"] == "test role"
    assert gateway.get_role("NoSuchRole") is None

    gateway.put_role_policy(role["RoleName"], "inline", ALLOW_ALL)
    gateway.update_assume_role_policy(role["RoleName"], {**TRUST, "Id": "v2"})
    gateway.tag_role(role["RoleName"], {"owner": "me"})
    assert gateway.list_role_policy_names(role["RoleName"]) == ["inline"]
    assert gateway.get_role_policy_document(role["RoleName"], "inline") == ALLOW_ALL
    assert gateway.list_role_tags(role["RoleName"]) == {"team": "ml", "owner": "me"}
    refreshed = gateway.get_role(role["RoleName"])
    assert refreshed is not None and refreshed["AssumeRolePolicyDocument"]["Id"] == "v2"


def test_calls_counts_each_request(gateway: Gateway) -> None:
    assert gateway.calls == 0
    gateway.caller_identity()
    gateway.get_role("missing")
    assert gateway.calls == 2


def test_managed_policy_reads_default_version_once(moto_iam: boto3.Session, gateway: Gateway) -> None:
    iam = moto_iam.client("iam")
    arn = iam.create_policy(PolicyName="p", PolicyDocument=json.dumps(ALLOW_ALL))["Policy"]["Arn"]
    v2 = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(v2), SetAsDefault=True)
    iam.create_role(RoleName="r", AssumeRolePolicyDocument=json.dumps(TRUST))
    iam.attach_role_policy(RoleName="r", PolicyArn=arn)

    assert gateway.list_attached_role_policies("r") == [("p", arn)]
    assert gateway.get_managed_policy_document(arn) == v2
    before = gateway.calls
    assert gateway.get_managed_policy_document(arn) == v2
    assert gateway.calls == before  # cached for the run


def canned_answer(parsed: dict[str, Any]) -> Any:
    """A before-call handler that answers without sending anything (botocore's short-circuit)."""

    def handler(**_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        return AWSResponse("https://iam.amazonaws.com/", 200, {}, None), parsed  # type: ignore[arg-type]

    return handler


def test_user_and_group_reads(moto_iam: boto3.Session, gateway: Gateway) -> None:
    iam = moto_iam.client("iam")
    iam.create_user(UserName="alice", Path="/team/")
    iam.put_user_policy(UserName="alice", PolicyName="mine", PolicyDocument=json.dumps(ALLOW_ALL))
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    iam.put_group_policy(GroupName="devs", PolicyName="g", PolicyDocument=json.dumps(ALLOW_ALL))
    arn = iam.create_policy(PolicyName="m", PolicyDocument=json.dumps(ALLOW_ALL))["Policy"]["Arn"]
    iam.attach_group_policy(GroupName="devs", PolicyArn=arn)
    iam.attach_user_policy(UserName="alice", PolicyArn=arn)

    user = gateway.get_user("alice")
    assert user is not None and user["Path"] == "/team/" and user["PermissionsBoundary"] is None
    assert gateway.get_user("bob") is None
    assert gateway.list_user_policy_names("alice") == ["mine"]
    assert gateway.get_user_policy_document("alice", "mine") == ALLOW_ALL
    assert gateway.list_attached_user_policies("alice") == [("m", arn)]
    assert gateway.list_groups_for_user("alice") == ["devs"]
    assert gateway.list_group_policy_names("devs") == ["g"]
    assert gateway.get_group_policy_document("devs", "g") == ALLOW_ALL
    assert gateway.list_attached_group_policies("devs") == [("m", arn)]


def test_user_boundary_is_read(gateway: Gateway) -> None:
    # moto keeps no boundary on users (put_user_permissions_boundary is a ToDo there): answer as IAM does.
    user = {
        "Path": "/",
        "UserName": "alice",
        "UserId": "AIDA",
        "Arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
        "CreateDate": "2025-01-01T00:00:00Z",
        "PermissionsBoundary": {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": "arn:b"},
    }
    gateway.iam.meta.events.register("before-call.iam.GetUser", canned_answer({"User": user}))
    got = gateway.get_user("alice")
    assert got is not None and got["PermissionsBoundary"] == "arn:b"


def test_listing_follows_pages(gateway: Gateway) -> None:
    markers: list[Any] = []
    pages = [
        {"PolicyNames": ["p0", "p1"], "IsTruncated": True, "Marker": "next"},
        {"PolicyNames": ["p2"], "IsTruncated": False},
    ]

    def paged(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        markers.append(params["body"].get("Marker"))
        return AWSResponse("https://iam.amazonaws.com/", 200, {}, None), pages[len(markers) - 1]  # type: ignore[arg-type]

    gateway.iam.meta.events.register("before-call.iam.ListRolePolicies", paged)
    assert gateway.list_role_policy_names("r") == ["p0", "p1", "p2"]
    assert markers == [None, "next"]


def test_url_encoded_documents_are_decoded(gateway: Gateway) -> None:
    parsed = {"RoleName": "r", "PolicyName": "p", "PolicyDocument": quote(json.dumps(ALLOW_ALL))}
    gateway.iam.meta.events.register("before-call.iam.GetRolePolicy", canned_answer(parsed))
    assert gateway.get_role_policy_document("r", "p") == ALLOW_ALL


# -- retries and their count ----------------------------------------------------------------------------------


def test_a_throttled_request_is_retried_and_counted(gateway: Gateway, no_backoff: list[float]) -> None:
    gateway.create_role("r", "/", TRUST, "", None, {})
    gateway.calls = 0
    # register_first: moto's own before-send handler would otherwise answer first.
    gateway.iam.meta.events.register_first("before-send.iam.GetRole", throttle_first(1))
    role = gateway.get_role("r")
    assert role is not None and role["RoleName"] == "r"
    assert gateway.calls == 2 and len(no_backoff) == 1


def test_throttling_after_retries_is_an_aws_error(moto_iam: boto3.Session, no_backoff: list[float]) -> None:
    gw = Gateway(session=moto_iam, max_attempts=2)
    gw.iam.meta.events.register_first("before-send.iam.GetRole", throttle_first(10))
    with pytest.raises(AwsError) as err:
        gw.get_role("r")
    assert err.value.code == "Throttling" and err.value.operation == "iam:GetRole"
    assert "throttled iam:GetRole (2 attempts)" in err.value.message and "wait" in err.value.hint
    assert gw.calls == 2


# -- error mapping --------------------------------------------------------------------------------------------


def test_access_denied_names_the_action(gateway: Gateway) -> None:
    gateway.iam.meta.events.register("before-call.iam.CreateRole", raiser("AccessDenied", "not authorized"))
    with pytest.raises(AwsError) as err:
        gateway.create_role("r", "/", TRUST, "", None, {})
    exc = err.value
    assert exc.message.startswith("AWS refused iam:CreateRole: not authorized")
    assert "agentcore-ext policy caller" in exc.hint
    assert (exc.code, exc.operation, exc.exit_code) == ("AccessDenied", "iam:CreateRole", EXIT_AWS_CHANGE_FAILED)
    assert gateway.calls == 0  # the handler answered: nothing was sent


@pytest.mark.parametrize("code", ["ExpiredToken", "ExpiredTokenException", "RequestExpired"])
def test_expired_credentials_point_at_sso_login(moto_iam: boto3.Session, code: str) -> None:
    gw = Gateway(session=moto_iam, profile="dev")
    gw.sts.meta.events.register("before-call.sts.GetCallerIdentity", raiser(code))
    with pytest.raises(AwsError) as err:
        gw.caller_identity()
    assert "expired" in err.value.message and "aws sso login --profile dev" in err.value.hint
    assert err.value.exit_code == EXIT_USAGE and err.value.code == code


def test_rejected_credentials(gateway: Gateway) -> None:
    gateway.sts.meta.events.register("before-call.sts.GetCallerIdentity", raiser("InvalidClientTokenId"))
    with pytest.raises(AwsError) as err:
        gateway.caller_identity()
    assert err.value.exit_code == EXIT_USAGE and "does not accept your credentials" in err.value.message


def test_other_errors_keep_their_code(gateway: Gateway) -> None:
    with pytest.raises(AwsError) as err:
        gateway.get_role_policy_document("missing", "p")
    assert err.value.code == "NoSuchEntity" and err.value.operation == "iam:GetRolePolicy"


def test_no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    with pytest.raises(AwsError) as err:
        Gateway(region="us-east-1").caller_identity()
    assert err.value.message == "no AWS credentials found" and err.value.exit_code == EXIT_USAGE
    assert all(word in err.value.hint for word in ("aws configure", "aws sso login", "--profile"))


def test_no_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    # Against AWS itself IAM has a global endpoint and needs no region; a custom endpoint does.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    with pytest.raises(UsageError) as err:
        Gateway().get_role("r")
    assert err.value.exit_code == EXIT_USAGE and "--region" in err.value.hint and "AWS_REGION" in err.value.hint
    with pytest.raises(UsageError, match="no AWS region"):
        _ = Gateway().region


def test_unknown_profile() -> None:
    with pytest.raises(UsageError) as err:
        Gateway(profile="nope", region="us-east-1")
    assert "'nope'" in err.value.message and err.value.exit_code == EXIT_USAGE


def test_unreachable_endpoint_counts_every_attempt(monkeypatch: pytest.MonkeyPatch, no_backoff: list[float]) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    gw = Gateway(region="us-east-1")
    with pytest.raises(AwsError) as err:
        gw.caller_identity()
    assert err.value.message.startswith("cannot reach AWS endpoint http://127.0.0.1:9")
    assert err.value.exit_code == EXIT_AWS_CHANGE_FAILED and err.value.code == "EndpointConnectionError"
    assert gw.calls == 3 and len(no_backoff) == 2  # standard mode: 3 attempts


def test_connection_error_from_a_handler_is_mapped(gateway: Gateway) -> None:
    def fail(**_: Any) -> None:
        raise EndpointConnectionError(endpoint_url="https://iam.amazonaws.com/")

    gateway.iam.meta.events.register("before-call.iam.GetRole", fail)
    with pytest.raises(AwsError, match=r"cannot reach AWS endpoint https://iam\.amazonaws\.com/"):
        gateway.get_role("r")


# -- the simulator --------------------------------------------------------------------------------------------


def test_simulator_not_implemented_in_mock(gateway: Gateway) -> None:
    with pytest.raises(SimulatorUnavailable) as err:
        gateway.simulate_principal_policy(f"arn:aws:iam::{ACCOUNT}:user/x", ["iam:PassRole"], ["*"], {})
    assert err.value.code == "NotImplemented" and gateway.calls == 1


def test_simulator_refused_is_unavailable(gateway: Gateway) -> None:
    gateway.iam.meta.events.register("before-call.iam.SimulatePrincipalPolicy", raiser("AccessDenied", "nope"))
    with pytest.raises(SimulatorUnavailable) as err:
        gateway.simulate_principal_policy(f"arn:aws:iam::{ACCOUNT}:user/x", ["iam:PassRole"], ["*"], {})
    assert err.value.code == "AccessDenied" and "nope" in err.value.message


def test_simulator_results_are_flattened_per_resource(gateway: Gateway) -> None:
    seen: dict[str, Any] = {}

    def canned(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        seen.update(params["body"])
        result = {
            "EvalActionName": "iam:PassRole",
            "EvalResourceName": "*",
            "EvalDecision": "implicitDeny",
            "OrganizationsDecisionDetail": {"AllowedByOrganizations": True},
            "ResourceSpecificResults": [
                {
                    "EvalResourceName": "arn:a",
                    "EvalResourceDecision": "allowed",
                    "MatchedStatements": [{"SourcePolicyId": "p1"}],
                },
                {
                    "EvalResourceName": "arn:b",
                    "EvalResourceDecision": "implicitDeny",
                    "PermissionsBoundaryDecisionDetail": {"AllowedByPermissionsBoundary": False},
                },
            ],
        }
        return AWSResponse("https://iam", 200, {}, None), {"EvaluationResults": [result]}  # type: ignore[arg-type]

    gateway.iam.meta.events.register("before-call.iam.SimulatePrincipalPolicy", canned)
    out = gateway.simulate_principal_policy(
        "arn:aws:iam::123456789012:role/me", ["iam:PassRole"], ["arn:a", "arn:b"], {"aws:k1": "v", "aws:k2": ["x", "y"]}
    )
    assert [(r.resource, r.decision) for r in out] == [("arn:a", "allowed"), ("arn:b", "implicitDeny")]
    assert out[0].matched_policies == ("p1",) and out[0].allowed_by_organizations is True
    assert out[1].allowed_by_boundary is False
    assert seen["ContextEntries.member.2.ContextKeyType"] == "stringList"
    assert seen["ContextEntries.member.2.ContextKeyValues.member.2"] == "y"


@pytest.fixture
def moto_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    try:
        yield url
    finally:
        server.stop()


def test_against_a_moto_server(moto_server: str) -> None:
    gw = Gateway(region="us-east-1")
    assert gw.caller_identity()["Account"] == ACCOUNT
    gw.create_role("r", "/x/", TRUST, "", None, {"k": "v"})
    role = gw.get_role("r")
    assert role is not None and role["Tags"] == {"k": "v"}
    assert gw.calls == 3
    # The server answers an HTML 500: unavailable at once, no retries burnt on it.
    with pytest.raises(SimulatorUnavailable):
        gw.simulate_principal_policy(role["Arn"], ["iam:PassRole"], [role["Arn"]], {})
    assert gw.calls == 4

"""Requirements and checks: real documents (AWS's, the toolkit's, ours) judged; variants give the right codes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from agentcore_ext.iam.evaluate import evaluate
from agentcore_ext.iam.policy import parse_policy
from agentcore_ext.judge.caller_policy import CallerScope, caller_document, caller_requests
from agentcore_ext.judge.permissions import judge_permissions
from agentcore_ext.judge.requirements import permissions_document, requirements, trust_document
from agentcore_ext.judge.trust import judge_trust
from agentcore_ext.state import AgentProfile, AgentSpec, Feature, FeatureUse

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference"
ACCOUNT, REGION = "123456789012", "us-east-1"
# The model an `agentcore create` project's code calls (the toolkit's model_provider/bedrock/model/load.py.j2):
# no model is assumed for an agent that names none (INTERFACE.md 2026-12), so these agents name it.
CREATE_MODEL = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"


def spec(**kw: Any) -> AgentSpec:
    base: dict[str, Any] = {
        "agent": "hello",
        "account": ACCOUNT,
        "region": REGION,
        "partition": "aws",
        "deployment_type": "container",
        "memory": False,
        "protocol": "HTTP",
        "model": CREATE_MODEL,
    }
    base.update(kw)
    return AgentSpec(**base)


def _ref(name: str) -> dict[str, Any]:
    path = REFERENCE / name
    if not path.is_file():  # the CI checkout has shared/ beside the project; say so plainly if not
        pytest.skip(f"{path} not present")
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def codes(findings: Any) -> set[str]:
    return {f.code for f in findings}


# --- real artifacts -------------------------------------------------------------------------------------


def test_aws_documented_policies_are_compliant_for_container_without_memory() -> None:
    s = spec()
    trust = judge_trust(parse_policy(_ref("aws-doc-execution-role-trust-policy.json")), s)
    perms = judge_permissions([parse_policy(_ref("aws-doc-execution-role-policy.json"))], s)
    assert trust.ok and trust.scoped and not trust.findings
    assert perms.ok and perms.missing_actions == ()
    # The AWS page scopes workload identity to the literal placeholder "agentName-*": recommended, so info only.
    assert codes(perms.findings) == {"RECOMMENDED_PERMISSIONS_MISSING"}


def test_aws_documented_policy_lacks_memory_actions_when_memory_is_on() -> None:
    perms = judge_permissions([parse_policy(_ref("aws-doc-execution-role-policy.json"))], spec(memory=True))
    assert not perms.ok
    assert "bedrock-agentcore:CreateEvent" in perms.missing_actions
    assert codes(perms.findings) == {"PERMISSIONS_MISSING", "RECOMMENDED_PERMISSIONS_MISSING"}


TOOLKIT_CASES = [
    {"deployment_type": "container", "memory": False, "protocol": "HTTP"},
    {"deployment_type": "container", "memory": True, "protocol": "HTTP"},
    {"deployment_type": "direct_code_deploy", "memory": False, "protocol": "MCP"},
    {"deployment_type": "direct_code_deploy", "memory": True, "protocol": "A2A"},
    {"deployment_type": "container", "memory": False, "protocol": "A2A"},
]


@pytest.mark.parametrize("features", TOOLKIT_CASES)
@pytest.mark.parametrize("region", ["us-east-1", "eu-central-1", "cn-north-1"])
def test_starter_toolkit_rendered_documents_are_compliant(features: dict[str, Any], region: str) -> None:
    from bedrock_agentcore_starter_toolkit.utils.runtime.policy_template import (
        render_execution_policy_template,
        render_trust_policy_template,
    )

    from agentcore_ext.arns import partition_for_region

    s = spec(region=region, partition=partition_for_region(region), **features)
    rendered = render_execution_policy_template(
        region=region,
        account_id=ACCOUNT,
        agent_name=s.agent,
        deployment_type=s.deployment_type,
        protocol=s.protocol,
        # The toolkit scopes memory to one id once it exists; before, to "<agent>_mem-*".
        memory_id=f"{s.agent}_mem-*" if s.memory else None,
        ecr_repository_name=s.repository if s.deployment_type == "container" else None,
    )
    trust = judge_trust(parse_policy(render_trust_policy_template(region, ACCOUNT)), s)
    perms = judge_permissions([parse_policy(rendered, name="toolkit")], s)
    assert trust.ok, trust.findings
    assert perms.ok, perms.findings
    assert perms.missing_actions == ()


def test_toolkit_policy_for_direct_code_deploy_fails_a_container_agent() -> None:
    from bedrock_agentcore_starter_toolkit.utils.runtime.policy_template import render_execution_policy_template

    rendered = render_execution_policy_template(REGION, ACCOUNT, "hello", deployment_type="direct_code_deploy")
    perms = judge_permissions([parse_policy(rendered)], spec())
    assert perms.missing_actions == ("ecr:BatchGetImage", "ecr:GetAuthorizationToken", "ecr:GetDownloadUrlForLayer")


# --- round trip: what the tool writes is compliant, for every feature combination -------------------------


@pytest.mark.parametrize("deployment_type", ["container", "direct_code_deploy"])
@pytest.mark.parametrize("memory", [True, False])
@pytest.mark.parametrize("protocol", ["HTTP", "MCP", "A2A", "AGUI"])
@pytest.mark.parametrize(
    ("region", "partition"), [("us-east-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")]
)
def test_tool_documents_round_trip(
    deployment_type: str, memory: bool, protocol: str, region: str, partition: str
) -> None:
    s = spec(deployment_type=deployment_type, memory=memory, protocol=protocol, region=region, partition=partition)
    trust = judge_trust(parse_policy(trust_document(s)), s)
    perms = judge_permissions([parse_policy(permissions_document(s))], s)
    assert trust.ok and trust.scoped and not trust.findings
    assert perms.ok and not perms.findings  # recommended ones are written too


def test_tool_documents_are_scoped_to_agent_account_region_partition() -> None:
    s = spec(memory=True, protocol="A2A", partition="aws-us-gov", region="us-gov-west-1")
    text = json.dumps(permissions_document(s))
    for st in permissions_document(s)["Statement"]:
        resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
        for r in resources:
            assert r == "*" or r.startswith("arn:aws-us-gov:"), r
            # a global profile's calls also reach the region-less foundation-model ARN (RUNTIME-NEEDS.md)
            if r.startswith("arn:") and ":bedrock:::foundation-model" not in r:
                assert ":us-gov-west-1:" in r, r
    assert "bedrock-agentcore:*" not in text and '"*"' not in json.dumps(
        [st["Action"] for st in permissions_document(s)["Statement"]]
    )
    other_agent = spec(agent="other", memory=True, protocol="A2A", partition="aws-us-gov", region="us-gov-west-1")
    assert not judge_permissions([parse_policy(permissions_document(s))], other_agent).ok
    assert not judge_trust(parse_policy(trust_document(s)), other_agent).ok
    other_region = spec(memory=True, protocol="A2A", partition="aws-us-gov", region="us-gov-east-1")
    assert not judge_trust(parse_policy(trust_document(s)), other_region).ok


def test_caller_document_allows_every_request_of_the_flow() -> None:
    for boundary in (None, "arn:aws:iam::123456789012:policy/AgentBoundary"):
        scope = CallerScope(ACCOUNT, "aws", boundary)
        doc = parse_policy(caller_document(scope), name="caller")
        for req in caller_requests(scope, "BedrockAgentCoreRuntime-us-east-1-hello", username="dev"):
            assert evaluate([doc], req).allowed, (req, evaluate([doc], req).reason)


def test_caller_document_does_not_allow_passing_other_roles_or_to_other_services() -> None:
    from agentcore_ext.iam.evaluate import Request

    doc = parse_policy(caller_document(CallerScope(ACCOUNT)), name="caller")
    role = f"arn:aws:iam::{ACCOUNT}:role/AdminRole"
    ok_role = f"arn:aws:iam::{ACCOUNT}:role/BedrockAgentCoreRuntime-us-east-1-hello"
    assert not evaluate(
        [doc], Request("iam:PassRole", role, {"iam:PassedToService": "bedrock-agentcore.amazonaws.com"})
    ).allowed
    assert not evaluate([doc], Request("iam:PassRole", ok_role, {"iam:PassedToService": "ec2.amazonaws.com"})).allowed
    assert not evaluate([doc], Request("iam:CreateRole", role, {})).allowed
    assert not evaluate(
        [doc], Request("iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/bob", {"aws:username": "dev"})
    ).allowed


def test_requirements_cover_interface_list() -> None:
    peer = f"arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:runtime/peer-Ab12Cd34Ef"
    calls_a_peer = AgentProfile(features=(FeatureUse(Feature.INVOKE_RUNTIME, "agent.py:9", peer),))
    acts = {r.action for r in requirements(spec(memory=True, profile=calls_a_peer)) if r.level == "required"}
    assert {
        "logs:CreateLogGroup",
        "logs:DescribeLogStreams",
        "logs:DescribeLogGroups",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "xray:PutTraceSegments",
        "xray:PutTelemetryRecords",
        "bedrock:InvokeModel",
        "bedrock:InvokeModelWithResponseStream",
        "ecr:BatchGetImage",
        "ecr:GetDownloadUrlForLayer",
        "ecr:GetAuthorizationToken",
        "bedrock-agentcore:InvokeAgentRuntime",
        "bedrock-agentcore:RetrieveMemoryRecords",
    } <= acts
    # Serving A2A calls no runtime (RUNTIME-NEEDS.md, row "serving A2A"): only calling another one does.
    a2a = {r.action for r in requirements(spec(memory=True, protocol="A2A"))}
    assert not {"bedrock-agentcore:InvokeAgentRuntime", "bedrock-agentcore:InvokeAgentRuntimeForUser"} & a2a
    # Telemetry-only needs are recommended (a warning when missing): the npm CLI's default role omits them and
    # the agent runs (RUNTIME-NEEDS.md, observability). Workload tokens: only ...ForUserId, as the toolkit keeps.
    recommended = {r.action for r in requirements(spec()) if r.level == "recommended"}
    telemetry = {r.action for r in requirements(spec()) if r.telemetry}
    assert telemetry == {"xray:GetSamplingRules", "xray:GetSamplingTargets", "cloudwatch:PutMetricData"}
    # the `agentcore create` model is a global. Anthropic profile: Marketplace subscribe-on-first-call is recommended
    assert recommended == telemetry | {
        "bedrock-agentcore:GetWorkloadAccessTokenForUserId",
        "aws-marketplace:Subscribe",
        "aws-marketplace:ViewSubscriptions",
    }


# --- non-compliant variants ----------------------------------------------------------------------------


def _trust_with(**changes: Any) -> dict[str, Any]:
    doc = trust_document(spec())
    st = doc["Statement"][0]
    for key, value in changes.items():
        if value is None:
            st.pop(key, None)
        else:
            st[key] = value
    return doc


@pytest.mark.parametrize(
    ("doc", "expected", "ok"),
    [
        (_trust_with(Condition=None), {"TRUST_NOT_SCOPED"}, True),
        (_trust_with(Principal={"Service": "sagemaker.amazonaws.com"}), {"TRUST_SERVICE_NOT_ALLOWED"}, False),
        (
            _trust_with(
                Condition={
                    "StringEquals": {"aws:SourceAccount": ACCOUNT},
                    "ArnLike": {"aws:SourceArn": f"arn:aws:bedrock-agentcore:us-west-2:{ACCOUNT}:*"},
                }
            ),
            {"TRUST_SERVICE_NOT_ALLOWED"},
            False,
        ),
        (
            _trust_with(Condition={"StringEquals": {"aws:SourceAccount": "210987654321"}}),
            {"TRUST_SERVICE_NOT_ALLOWED"},
            False,
        ),
        (_trust_with(Action="sts:AssumeRoleWithWebIdentity"), {"TRUST_SERVICE_NOT_ALLOWED"}, False),
        (_trust_with(Effect="Deny"), {"TRUST_SERVICE_NOT_ALLOWED"}, False),
        (
            {
                "Version": "2012-10-17",
                "Statement": [
                    *trust_document(spec())["Statement"],
                    {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"},
                ],
            },
            # {"AWS": "*"} admits the service acting for any account too, so scoping is lost as well.
            {"TRUST_WILDCARD_PRINCIPAL", "TRUST_NOT_SCOPED"},
            False,
        ),
        (
            {
                "Version": "2012-10-17",
                "Statement": [
                    *trust_document(spec())["Statement"],
                    {
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": "sts:AssumeRole",
                        "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}},
                    },
                ],
            },
            set(),
            True,
        ),
        (
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": ["bedrock-agentcore.amazonaws.com", "lambda.amazonaws.com"]},
                        "Action": "sts:AssumeRole",
                        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
                    }
                ],
            },
            set(),
            True,
        ),
    ],
)
def test_trust_variants(doc: dict[str, Any], expected: set[str], ok: bool) -> None:
    verdict = judge_trust(parse_policy(doc), spec())
    assert codes(verdict.findings) == expected
    assert verdict.ok is ok


def _perm_without(*actions: str) -> dict[str, Any]:
    doc = permissions_document(spec())
    for st in doc["Statement"]:
        st["Action"] = [a for a in st["Action"] if a not in actions]
    doc["Statement"] = [st for st in doc["Statement"] if st["Action"]]
    return doc


def test_missing_ecr_is_reported_sorted() -> None:
    v = judge_permissions([parse_policy(_perm_without("ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"))], spec())
    assert not v.ok
    assert v.missing_actions == ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
    assert v.fixable_actions == v.missing_actions
    assert codes(v.findings) == {"PERMISSIONS_MISSING"}


def test_explicit_deny_is_not_fixable() -> None:
    deny = parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [{"Sid": "NoLogs", "Effect": "Deny", "Action": "logs:*", "Resource": "*"}],
        },
        name="guard",
    )
    v = judge_permissions([parse_policy(permissions_document(spec())), deny], spec())
    assert codes(v.findings) == {"PERMISSIONS_EXPLICIT_DENY"}
    assert "logs:PutLogEvents" in v.missing_actions
    assert v.fixable_actions == ()
    assert "guard" in v.findings[0].message and "NoLogs" in v.findings[0].message


def test_boundary_that_blocks() -> None:
    boundary = parse_policy(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["logs:*", "xray:*"], "Resource": "*"}]},
        name="boundary",
    )
    v = judge_permissions([parse_policy(permissions_document(spec()))], spec(), boundary)
    assert codes(v.findings) == {
        "PERMISSIONS_BOUNDARY_BLOCKS",
        "RECOMMENDED_PERMISSIONS_MISSING",
        "TELEMETRY_PERMISSIONS_MISSING",  # the boundary allows no cloudwatch:PutMetricData
    }
    assert "bedrock:InvokeModel" in v.missing_actions and "logs:PutLogEvents" not in v.missing_actions
    assert v.fixable_actions == ()


def test_permissions_split_across_policies_count_together() -> None:
    doc = permissions_document(spec())
    half = len(doc["Statement"]) // 2
    a = parse_policy({"Version": "2012-10-17", "Statement": doc["Statement"][:half]}, name="inline")
    b = parse_policy({"Version": "2012-10-17", "Statement": doc["Statement"][half:]}, name="managed")
    assert judge_permissions([a, b], spec()).ok
    assert not judge_permissions([a], spec()).ok


def test_unknown_operator_is_not_counted_as_allow() -> None:
    doc = copy.deepcopy(permissions_document(spec()))
    for st in doc["Statement"]:
        if st["Sid"] == "XRayTraces":
            st["Condition"] = {"StringEqualsMaybe": {"aws:RequestedRegion": REGION}}
    v = judge_permissions([parse_policy(doc)], spec())
    assert not v.ok
    assert "PERMISSIONS_UNDECIDED" in codes(v.findings)
    assert "xray:PutTraceSegments" in v.missing_actions


@pytest.mark.parametrize(
    ("statement", "attached"),
    [
        ({"Effect": "Allow", "Action": "*", "Resource": "*"}, ()),
        ({"Effect": "Allow", "Action": "iam:*", "Resource": "*"}, ()),
        ({"Effect": "Allow", "Action": ["sts:*"], "Resource": "*"}, ()),
        ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, ()),
        (None, ("AdministratorAccess",)),
        (None, ("PowerUserAccess",)),
    ],
)
def test_broad_grants_warn(statement: dict[str, Any] | None, attached: tuple[str, ...]) -> None:
    docs = [parse_policy(permissions_document(spec()))]
    if statement:
        docs.append(parse_policy({"Version": "2012-10-17", "Statement": [statement]}))
    v = judge_permissions(docs, spec(), attached_names=attached)
    assert "PERMISSIONS_TOO_BROAD" in codes(v.findings)
    assert v.ok  # a warning, not an error


def test_recommended_missing_is_info_only() -> None:
    doc = _perm_without(
        "bedrock-agentcore:GetWorkloadAccessToken",
        "bedrock-agentcore:GetWorkloadAccessTokenForJWT",
        "bedrock-agentcore:GetWorkloadAccessTokenForUserId",
    )
    v = judge_permissions([parse_policy(doc)], spec())
    assert v.ok and codes(v.findings) == {"RECOMMENDED_PERMISSIONS_MISSING"}
    assert v.findings[0].severity.value == "info"


def test_model_scoped_to_other_model_family_fails() -> None:
    doc = permissions_document(spec())
    for st in doc["Statement"]:
        if st["Sid"] == "BedrockModelInvocation":
            st["Resource"] = "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-*"
    assert "bedrock:InvokeModel" in judge_permissions([parse_policy(doc)], spec()).missing_actions
    assert judge_permissions([parse_policy(doc)], spec(model="amazon.nova-pro-v1:0")).ok

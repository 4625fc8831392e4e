"""Compliant *for this agent* (issue 11): literal role documents judged for agents with real-world profiles.

Each case of the issue's "The problem" is here with the documents that show it, and the verdict the agent's
real calls give (sources: RUNTIME-NEEDS.md; Bedrock User Guide, cross-Region inference IAM examples; the
toolkit's execution_role_policy.json.j2).
"""

from __future__ import annotations

from typing import Any

import pytest

from agentcore_ext.findings import codes
from agentcore_ext.iam.evaluate import Decision, Request, evaluate
from agentcore_ext.iam.policy import parse_policy
from agentcore_ext.judge.needs import agent_block, effective_models
from agentcore_ext.judge.permissions import judge_permissions
from agentcore_ext.judge.requirements import permissions_document, trust_document
from agentcore_ext.judge.trust import judge_trust
from agentcore_ext.state import AgentProfile, AgentSpec, Feature, FeatureUse, ModelUse

ACCOUNT = "123456789012"
REGION = "us-east-1"
GLOBAL = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"
FM = "anthropic.claude-sonnet-4-5-20250929-v1:0"
GLOBAL_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/{GLOBAL}"
US = "us.amazon.nova-pro-v1:0"
US_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/{US}"
INVOKE = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]


def agent(*models: str, features: tuple[FeatureUse, ...] = (), **kw: Any) -> AgentSpec:
    profile = AgentProfile(
        models=tuple(ModelUse(m, "agent.py:3") for m in models),
        features=features,
        providers=kw.pop("providers", ()),
        memory_id=kw.pop("memory_id", None),
        runtime_arn=kw.pop("runtime_arn", None),
    )
    base: dict[str, Any] = {"deployment_type": "container", "memory": False}
    base.update(kw)
    return AgentSpec("my_agent", ACCOUNT, REGION, profile=profile, **base)


def use(feature: Feature, detail: str = "") -> FeatureUse:
    return FeatureUse(feature, "agent.py:9", detail)


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions: list[str] | str, resources: list[str] | str, **condition: Any) -> dict[str, Any]:
    st: dict[str, Any] = {"Effect": "Allow", "Action": actions, "Resource": resources}
    if condition:
        st["Condition"] = condition
    return st


def without_bedrock(spec: AgentSpec) -> list[dict[str, Any]]:
    """The tool's own statements for everything but the model: the cases below vary only the model part."""
    return [s for s in permissions_document(spec)["Statement"] if not s["Sid"].startswith("BedrockModel")]


def judge(spec: AgentSpec, *statements: dict[str, Any]) -> Any:
    return judge_permissions([parse_policy(doc(*statements))], spec)


IN_REGION_ONLY = allow(INVOKE, f"arn:aws:bedrock:{REGION}::foundation-model/*")

# The Bedrock User Guide's least-privilege example for one global profile (Global cross-Region inference).
AWS_GLOBAL_EXAMPLE = [
    allow(INVOKE, GLOBAL_ARN, StringEquals={"aws:RequestedRegion": REGION}),
    allow(
        INVOKE,
        f"arn:aws:bedrock:{REGION}::foundation-model/{FM}",
        StringEquals={"aws:RequestedRegion": REGION, "bedrock:InferenceProfileArn": GLOBAL_ARN},
    ),
    allow(
        INVOKE,
        f"arn:aws:bedrock:::foundation-model/{FM}",
        StringEquals={"aws:RequestedRegion": "unspecified", "bedrock:InferenceProfileArn": GLOBAL_ARN},
    ),
]


# --- false "compliant" before: the agent would fail at run time -------------------------------------------


def test_global_profile_agent_refuses_a_role_scoped_to_in_region_foundation_models() -> None:
    spec = agent(GLOBAL)
    v = judge(spec, *without_bedrock(spec), IN_REGION_ONLY)
    assert not v.ok and "PERMISSIONS_MISSING" in codes(v.findings)
    assert set(v.missing_actions) == set(INVOKE)


def test_an_agent_that_calls_no_model_is_given_none() -> None:
    # INTERFACE.md 2026-12: "No model is assumed for an agent that calls none" (it replaced the toolkit's default);
    # RUNTIME-NEEDS.md, row "an MCP tool server or any agent that calls no model": no Bedrock permission at all.
    spec = AgentSpec("my_agent", ACCOUNT, REGION, memory=False)  # no model known, no other provider
    assert effective_models(spec) == ()
    statements = permissions_document(spec)["Statement"]
    assert not any("bedrock:" in str(s["Action"]) for s in statements)
    assert judge(spec, *statements).ok


def test_geographic_profile_needs_the_model_in_every_destination_region() -> None:
    spec = agent(US)
    only_home = allow(INVOKE, [US_ARN, f"arn:aws:bedrock:{REGION}::foundation-model/amazon.nova-pro-v1:0"])
    v = judge(spec, *without_bedrock(spec), only_home)
    assert not v.ok
    refused = next(f for f in v.findings if f.code == "PERMISSIONS_MISSING")
    assert "us-west-2::foundation-model/amazon.nova-pro-v1:0" in refused.message


@pytest.mark.parametrize(
    ("feature", "detail", "action"),
    [
        (Feature.CODE_INTERPRETER, "", "bedrock-agentcore:StartCodeInterpreterSession"),
        (Feature.BROWSER, "", "bedrock-agentcore:StartBrowserSession"),
        (Feature.IDENTITY_API_KEY, "openai", "bedrock-agentcore:GetResourceApiKey"),
        (Feature.IDENTITY_OAUTH, "github", "bedrock-agentcore:GetResourceOauth2Token"),
        (Feature.GUARDRAIL, "gr-abc123", "bedrock:ApplyGuardrail"),
        (Feature.GATEWAY, "gw-1234567890", "bedrock-agentcore:InvokeGateway"),
        (
            Feature.INVOKE_RUNTIME,
            f"arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:runtime/peer-abc",
            "bedrock-agentcore:InvokeAgentRuntime",
        ),
    ],
)
def test_a_role_without_the_features_needs_is_refused(feature: Feature, detail: str, action: str) -> None:
    plain = agent(GLOBAL)
    spec = agent(GLOBAL, features=(use(feature, detail),))
    v = judge(spec, *permissions_document(plain)["Statement"])
    assert not v.ok and action in v.missing_actions
    assert judge(spec, *permissions_document(spec)["Statement"]).ok  # the tool's own document has it


def test_third_party_model_recommends_marketplace_subscribe_on_first_call() -> None:
    spec = agent(GLOBAL)
    statements = [s for s in permissions_document(spec)["Statement"] if s["Sid"] != "MarketplaceSubscribeOnFirstCall"]
    v = judge(spec, *statements)
    assert v.ok and "RECOMMENDED_PERMISSIONS_MISSING" in codes(v.findings)
    nova = agent("amazon.nova-pro-v1:0")
    assert "aws-marketplace:Subscribe" not in str(permissions_document(nova))  # first-party: no Marketplace


# --- false "not compliant" before ---------------------------------------------------------------------------


def test_the_aws_documented_least_privilege_policy_for_one_global_profile_is_compliant() -> None:
    spec = agent(GLOBAL)
    v = judge(spec, *without_bedrock(spec), *AWS_GLOBAL_EXAMPLE)
    assert v.ok, v.findings


def test_a_role_scoped_to_the_model_the_agent_really_uses_is_compliant() -> None:
    spec = agent(US)
    regions = ("us-east-1", "us-east-2", "us-west-1", "us-west-2")
    exact = allow(INVOKE, [US_ARN, *(f"arn:aws:bedrock:{r}::foundation-model/amazon.nova-pro-v1:0" for r in regions)])
    assert judge(spec, *without_bedrock(spec), exact).ok


def test_the_toolkits_auto_created_role_is_compliant_once_its_memory_id_is_known() -> None:
    from bedrock_agentcore_starter_toolkit.utils.runtime.policy_template import render_execution_policy_template

    memory_id = "my_agent_mem-AbC123xYz9"
    rendered = render_execution_policy_template(
        REGION, ACCOUNT, "my_agent", deployment_type="container", memory_id=memory_id, ecr_repository_name="repo"
    )
    spec = agent(GLOBAL, memory=True, memory_id=memory_id, ecr_repository="repo")
    v = judge_permissions([parse_policy(rendered)], spec)
    assert v.ok, v.findings
    # the memory probe uses the real id: a role scoped to another memory is refused
    other = agent(GLOBAL, memory=True, memory_id="other_mem-Zz9", ecr_repository="repo")
    assert "bedrock-agentcore:CreateEvent" in judge_permissions([parse_policy(rendered)], other).missing_actions


REGION_LOCK = {
    "Sid": "DenyOutsideOurRegions",
    "Effect": "Deny",
    "NotAction": ["iam:*", "sts:*"],
    "Resource": "*",
    "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2"]}},
}


def test_an_organisations_region_lock_deny_passes_for_an_in_region_agent() -> None:
    spec = agent("amazon.nova-pro-v1:0")
    assert judge(spec, *permissions_document(spec)["Statement"], REGION_LOCK).ok


def test_a_region_lock_deny_breaks_a_global_profile_and_says_so() -> None:
    # RUNTIME-NEEDS.md: global requests carry aws:RequestedRegion = unspecified, which such a Deny refuses.
    spec = agent(GLOBAL)
    v = judge(spec, *permissions_document(spec)["Statement"], REGION_LOCK)
    assert not v.ok and "PERMISSIONS_EXPLICIT_DENY" in codes(v.findings)
    assert "bedrock:::foundation-model" in next(f for f in v.findings if f.code == "PERMISSIONS_EXPLICIT_DENY").message


def test_a_trust_pinned_to_the_real_runtime_arn_is_compliant_once_deployed() -> None:
    runtime = f"arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:runtime/my_agent-Xy12AbCd34"
    pinned = {
        "Effect": "Allow",
        "Principal": {"Service": "bedrock-agentcore.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT, "aws:SourceArn": runtime}},
    }
    deployed = agent(GLOBAL, runtime_arn=runtime)
    assert judge_trust(parse_policy(doc(pinned)), deployed).ok
    assert not judge_trust(parse_policy(doc(pinned)), agent(GLOBAL)).ok  # before the deploy, no runtime id fits


def test_only_an_agentcore_runtime_arn_names_the_runtime_id() -> None:
    # AgentCore's runtime ARNs are runtime/<name>-<id> (RUNTIME-NEEDS.md); the sandbox emulator records
    # agent/<uuid>:1, which must not scope the trust to a runtime that never assumes the role.
    real = f"arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:runtime/my_agent-Xy12AbCd34"
    assert agent(GLOBAL, runtime_arn=real).runtime_id == "my_agent-Xy12AbCd34"
    emulated = f"arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:agent/0f4c2a9e-1111-2222-3333-444455556666:1"
    assert agent(GLOBAL, runtime_arn=emulated).runtime_id == agent(GLOBAL).runtime_id
    assert agent(GLOBAL, runtime_arn="not-an-arn").runtime_id == agent(GLOBAL).runtime_id


def test_a_non_bedrock_agent_needs_no_bedrock_but_its_api_key_provider() -> None:
    spec = agent(providers=("openai",), features=(use(Feature.IDENTITY_API_KEY, "openai"),))
    assert effective_models(spec) == ()
    statements = permissions_document(spec)["Statement"]
    assert not any("bedrock:" in str(s["Action"]) for s in statements)
    assert judge(spec, *statements).ok


NPM_CLI_DEFAULT_ROLE = [
    allow(
        ["logs:CreateLogGroup", "logs:DescribeLogStreams"],
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/bedrock-agentcore/runtimes/*",
    ),
    allow("logs:DescribeLogGroups", f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:*"),
    allow(
        ["logs:CreateLogStream", "logs:PutLogEvents"],
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/bedrock-agentcore/runtimes/*:log-stream:*",
    ),
    allow(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], "*"),
    allow(["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/*"),
    allow("ecr:GetAuthorizationToken", "*"),
    allow(INVOKE, ["arn:aws:bedrock:*::foundation-model/*", f"arn:aws:bedrock:{REGION}:{ACCOUNT}:*"]),
]


def test_the_npm_clis_default_role_is_compliant_with_a_telemetry_warning() -> None:
    v = judge(agent(GLOBAL), *NPM_CLI_DEFAULT_ROLE)
    assert v.ok, v.findings
    assert "TELEMETRY_PERMISSIONS_MISSING" in codes(v.findings)
    assert next(f for f in v.findings if f.code == "TELEMETRY_PERMISSIONS_MISSING").severity == "warning"


# --- what the tool writes for an `agentcore create` Strands agent (Code Interpreter + the global model) -----

RUNTIME_NEEDS_REQUESTS = [
    # the global profile (RUNTIME-NEEDS.md: the profile, the model in R, the region-less model)
    Request("bedrock:InvokeModelWithResponseStream", GLOBAL_ARN, {"aws:RequestedRegion": REGION}),
    Request(
        "bedrock:InvokeModelWithResponseStream",
        f"arn:aws:bedrock:{REGION}::foundation-model/{FM}",
        {"aws:RequestedRegion": REGION, "bedrock:InferenceProfileArn": GLOBAL_ARN},
    ),
    Request(
        "bedrock:InvokeModel",
        f"arn:aws:bedrock:::foundation-model/{FM}",
        {"aws:RequestedRegion": "unspecified", "bedrock:InferenceProfileArn": GLOBAL_ARN},
    ),
    # Code Interpreter, AWS-managed
    *(
        Request(
            f"bedrock-agentcore:{a}",
            f"arn:aws:bedrock-agentcore:{REGION}:aws:code-interpreter/aws.codeinterpreter.v1",
            {"aws:RequestedRegion": REGION},
        )
        for a in ("StartCodeInterpreterSession", "InvokeCodeInterpreter", "StopCodeInterpreterSession")
    ),
    # observability of the runtime
    Request(
        "logs:PutLogEvents",
        f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/bedrock-agentcore/runtimes/my_agent-Ab12Cd34Ef-DEFAULT:log-stream:x",
        {"aws:RequestedRegion": REGION},
    ),
]


def test_the_role_the_tool_writes_for_a_strands_code_interpreter_agent_allows_every_runtime_request() -> None:
    spec = agent(GLOBAL, features=(use(Feature.CODE_INTERPRETER),))
    written = parse_policy(permissions_document(spec))
    for request in RUNTIME_NEEDS_REQUESTS:
        assert evaluate([written], request).decision is Decision.ALLOWED, request
    assert judge_trust(parse_policy(trust_document(spec)), spec).ok


def test_the_agent_block_lists_models_with_kind_and_features_with_source() -> None:
    block = agent_block(agent(GLOBAL, US, features=(use(Feature.BROWSER),))).to_dict()
    assert [(m["id"], m["kind"]) for m in block["models"]] == [(GLOBAL, "global_profile"), (US, "geo_profile")]
    assert block["features"] == [{"name": "browser", "source": "agent.py:9"}]

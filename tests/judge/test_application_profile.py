"""An application inference profile needs InvokeModel on itself *and* on the foundation models it routes to, those
requests carrying `bedrock:InferenceProfileArn` = the profile (RUNTIME-NEEDS.md, row "application inference
profile"; Bedrock user guide, inference profile prerequisites). The models come from bedrock:GetInferenceProfile
(`AgentProfile.routed_models`); without them the role is judged and written for any model through that profile.
"""

from __future__ import annotations

from typing import Any

from test_agent_needs import allow as allow_actions
from test_agent_needs import doc, judge, without_bedrock

from agentcore_ext.findings import codes
from agentcore_ext.iam.evaluate import Decision, Request, evaluate
from agentcore_ext.iam.policy import parse_policy
from agentcore_ext.judge import models
from agentcore_ext.judge.needs import effective_models
from agentcore_ext.judge.permissions import written_wildcards
from agentcore_ext.judge.requirements import permissions_document
from agentcore_ext.state import AgentProfile, AgentSpec, ModelKind, ModelUse

ACCOUNT = "123456789012"
REGION = "us-east-1"
APP = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:application-inference-profile/a1b2c3d4e5f6"
OTHER_APP = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:application-inference-profile/zz9"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0"
NOVA = "amazon.nova-pro-v1:0"
INVOKE = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]


def fm(region: str, model: str = HAIKU) -> str:
    return f"arn:aws:bedrock:{region}::foundation-model/{model}"


def agent(routed: tuple[str, ...] | None = None) -> AgentSpec:
    profile = AgentProfile(
        models=(ModelUse(APP, "agent.py:3"),),
        routed_models={APP: routed} if routed is not None else {},
    )
    return AgentSpec("my_agent", ACCOUNT, REGION, memory=False, profile=profile)


def allow(resources: list[str] | str, **condition: Any) -> dict[str, Any]:
    return allow_actions(INVOKE, resources, **condition)


def route_requests(spec: AgentSpec) -> list[Request]:
    """What the agent's model calls send: every route of every model, with the context IAM sees."""
    return [
        Request(action, r.resource, models.route_context(r))
        for use in effective_models(spec)
        for r in models.routes(models.resolve_model(use, spec), spec)
        for action in INVOKE
    ]


# --- models known (GetInferenceProfile answered) -------------------------------------------------------------


def test_runtime_needs_app_profile_routes_are_the_profile_and_its_models_through_it() -> None:
    spec = agent((fm("us-east-1"), fm("us-west-2")))
    resolved = models.resolve_model(ModelUse(APP, "x"), spec)
    assert resolved.kind is ModelKind.APPLICATION_PROFILE and resolved.foundation_model == HAIKU
    assert models.routes(resolved, spec) == (
        models.ModelRoute(APP, REGION),
        models.ModelRoute(fm("us-east-1"), "us-east-1", APP),
        models.ModelRoute(fm("us-west-2"), "us-west-2", APP),
    )
    assert models.written_resources(resolved, spec) == (APP, fm("us-east-1"), fm("us-west-2"))


def test_runtime_needs_a_role_allowing_only_the_app_profile_arn_is_not_compliant() -> None:
    spec = agent((fm("us-east-1"),))
    v = judge(spec, *without_bedrock(spec), allow(APP))
    assert not v.ok and "PERMISSIONS_MISSING" in codes(v.findings)
    assert set(v.missing_actions) == set(INVOKE)
    refused = next(f for f in v.findings if f.code == "PERMISSIONS_MISSING")
    assert f"foundation-model/{HAIKU}" in refused.message


def test_runtime_needs_the_written_role_passes_its_judge_and_allows_the_model_call_through_the_profile() -> None:
    spec = agent((fm("us-east-1"), fm("us-west-2")))
    written = permissions_document(spec)
    assert judge(spec, *written["Statement"]).ok
    policy = parse_policy(written)
    requests = route_requests(spec)
    assert {r.resource for r in requests} == {APP, fm("us-east-1"), fm("us-west-2")}
    for request in requests:
        assert evaluate([policy], request).decision is Decision.ALLOWED, request
    (statement,) = [s for s in written["Statement"] if s["Sid"] == "BedrockModelInvocation"]
    assert statement["Resource"] == [APP, fm("us-east-1"), fm("us-west-2")]  # the named models only
    assert written_wildcards(written) == []


def test_runtime_needs_an_app_profile_naming_several_models_keeps_them_all() -> None:
    spec = agent((fm("us-east-1"), fm("us-east-1", NOVA), fm("us-east-1")))
    resolved = models.resolve_model(ModelUse(APP, "x"), spec)
    assert resolved.routed == (("us-east-1", HAIKU), ("us-east-1", NOVA)) and resolved.foundation_model == ""
    assert resolved.third_party  # Haiku is a third-party model: the Marketplace statement stays
    only_haiku = allow([APP, fm("us-east-1")])
    v = judge(spec, *without_bedrock(spec), only_haiku)
    assert not v.ok and "PERMISSIONS_MISSING" in codes(v.findings)
    assert judge(spec, *permissions_document(spec)["Statement"]).ok


# --- models unknown (GetInferenceProfile refused, moto, offline policy/validate) -----------------------------


def test_runtime_needs_unknown_app_profile_models_never_pass_on_the_profile_arn_alone() -> None:
    spec = agent()
    v = judge(spec, *without_bedrock(spec), allow(APP))
    assert not v.ok and "PERMISSIONS_MISSING" in codes(v.findings)
    # the message names what the tool writes, never the probe's stand-in model
    assert models.UNKNOWN_ROUTED_MODEL not in " ".join(f.message for f in v.findings)


def test_runtime_needs_unknown_app_profile_models_are_written_only_through_that_profile() -> None:
    spec = agent()
    written = permissions_document(spec)
    by_sid = {s["Sid"]: s for s in written["Statement"]}
    assert by_sid["BedrockModelInvocation"]["Resource"] == APP
    via = by_sid["BedrockModelInvocationViaProfile"]
    assert via["Resource"] == "arn:aws:bedrock:*::foundation-model/*"
    assert via["Condition"] == {"StringEquals": {"bedrock:InferenceProfileArn": APP}}
    assert judge(spec, *written["Statement"]).ok
    assert written_wildcards(written) == []  # scoped by the condition: no wildcard warning on top of the finding

    policy = parse_policy(written)
    # whatever model the profile really routes to, in any region, the written role allows the call through it
    for region, model in (("us-east-1", HAIKU), ("us-west-2", NOVA)):
        through = Request(
            "bedrock:InvokeModel", fm(region, model), {models.REQUESTED_REGION: region, models.PROFILE_ARN: APP}
        )
        assert evaluate([policy], through).decision is Decision.ALLOWED
        # ... but not directly, nor through another profile: still least privilege
        direct = Request("bedrock:InvokeModel", fm(region, model), {models.REQUESTED_REGION: region})
        other = Request(
            "bedrock:InvokeModel", fm(region, model), {models.REQUESTED_REGION: region, models.PROFILE_ARN: OTHER_APP}
        )
        assert evaluate([policy], direct).decision is Decision.IMPLICIT_DENY
        assert evaluate([policy], other).decision is Decision.IMPLICIT_DENY


def test_the_profile_condition_excuses_only_model_invocation_on_foundation_models() -> None:
    """written_wildcards lets the profile-scoped model statement through, and nothing broader that carries the same
    condition: any action, or any resource beyond foundation models, is still a wildcard to warn about."""
    pinned = {"StringEquals": {"bedrock:InferenceProfileArn": APP}}
    scoped = allow("arn:aws:bedrock:*::foundation-model/*", **pinned)
    assert written_wildcards(doc(scoped)) == []
    every_action = {**scoped, "Action": "*", "Resource": "*"}
    every_bedrock = {
        **scoped,
        "Resource": ["arn:aws:bedrock:*::foundation-model/*", f"arn:aws:bedrock:{REGION}:{ACCOUNT}:*"],
    }
    for broad in (every_action, every_bedrock):
        assert codes(written_wildcards(doc(broad))) == {"WRITTEN_RESOURCE_WILDCARD"}, broad


def test_runtime_needs_a_deny_on_the_routed_models_is_reported_as_a_deny() -> None:
    spec = agent()
    deny = {"Effect": "Deny", "Action": INVOKE, "Resource": "arn:aws:bedrock:*::foundation-model/*"}
    v = judge(spec, *permissions_document(spec)["Statement"], deny)
    assert not v.ok and "PERMISSIONS_EXPLICIT_DENY" in codes(v.findings)


def test_runtime_needs_an_app_profile_answer_without_foundation_model_arns_counts_as_unknown() -> None:
    spec = agent(("not-an-arn", f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/us.{HAIKU}"))
    resolved = models.resolve_model(ModelUse(APP, "x"), spec)
    assert resolved.routed_unknown and resolved.third_party
    assert "BedrockModelInvocationViaProfile" in {s["Sid"] for s in permissions_document(spec)["Statement"]}

"""The models an application inference profile routes to are learnt from bedrock:GetInferenceProfile, along the
path geographic profiles' destinations take (gateway -> profiled_spec -> spec.profile.routed_models), because the
role needs InvokeModel on them too (RUNTIME-NEEDS.md, row "application inference profile"). Without an answer an
APPLICATION_PROFILE_MODELS_UNKNOWN warning says so and the model statement is pinned to the profile."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
import pytest

from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.flows.profile import profiled_spec
from agentcore_ext.judge.requirements import permissions_document
from agentcore_ext.report import Report
from agentcore_ext.settings import Settings

APP = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6"
HAIKU_ARN = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"
US = "us.amazon.nova-pro-v1:0"
# bedrock:GetInferenceProfile's answer for an application profile copied from a foundation model (trimmed)
ANSWER: dict[str, Any] = {
    "inferenceProfileArn": APP,
    "inferenceProfileId": "a1b2c3d4e5f6",
    "type": "APPLICATION",
    "status": "ACTIVE",
    "models": [{"modelArn": HAIKU_ARN}],
}


def _settings(tmp_path: Path, *models: str) -> Settings:
    return Settings(agent_name="a", region="us-east-1", models=models or (APP,), memory=False, workdir=str(tmp_path))


def _model_statements(spec: Any) -> dict[str, Any]:
    return {s["Sid"]: s for s in permissions_document(spec)["Statement"] if s["Sid"].startswith("BedrockModel")}


def _codes(report: Report) -> set[str]:
    return {str(f.code) for f in report.findings}


def test_runtime_needs_the_gateway_reads_an_app_profiles_models_from_get_inference_profile(
    moto_iam: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    gateway = Gateway(session=moto_iam, sleep=lambda s: None)

    class Client:
        def get_inference_profile(self, inferenceProfileIdentifier: str) -> dict[str, Any]:
            assert inferenceProfileIdentifier == APP  # asked by the profile's ARN, as the agent names it
            return ANSWER

    monkeypatch.setattr(Gateway, "bedrock", property(lambda self: Client()))
    assert gateway.inference_profile_models(APP) == (HAIKU_ARN,)


def test_runtime_needs_the_learnt_models_scope_the_role_to_them_through_the_profile(tmp_path: Path) -> None:
    report = Report("doctor")
    asked: list[list[str]] = []

    def lookup(ids: list[str]) -> dict[str, tuple[str, ...]]:
        asked.append(ids)
        return {i: (HAIKU_ARN,) for i in ids if i == APP}

    spec = profiled_spec(_settings(tmp_path), report, account="123456789012", profile_models=lookup)
    assert asked == [[APP]]
    assert spec.profile.routed_models == {APP: (HAIKU_ARN,)}
    assert _model_statements(spec) == {
        "BedrockModelInvocation": {
            "Sid": "BedrockModelInvocation",
            "Effect": "Allow",
            "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
            "Resource": [APP, HAIKU_ARN],
        }
    }
    assert "APPLICATION_PROFILE_MODELS_UNKNOWN" not in _codes(report)


def test_runtime_needs_geographic_and_application_profiles_are_asked_together(tmp_path: Path) -> None:
    asked: list[list[str]] = []

    def lookup(ids: list[str]) -> dict[str, tuple[str, ...]]:
        asked.append(ids)
        nova = "arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-pro-v1:0"
        return {US: (nova,), APP: (HAIKU_ARN,)}

    report = Report("doctor")
    spec = profiled_spec(_settings(tmp_path, US, APP), report, account="123456789012", profile_models=lookup)
    assert asked == [[US, APP]]  # one GetInferenceProfile batch
    assert spec.profile.destinations == {US: ("us-west-2",)}
    assert spec.profile.routed_models == {APP: (HAIKU_ARN,)}
    assert not {"PROFILE_REGIONS_FROM_TABLE", "APPLICATION_PROFILE_MODELS_UNKNOWN"} & _codes(report)


@pytest.mark.parametrize("lookup", [None, lambda ids: {}], ids=["offline", "refused"])
def test_runtime_needs_unknown_models_warn_and_pin_the_model_statement_to_the_profile(
    tmp_path: Path, lookup: Any
) -> None:
    report = Report("doctor")
    spec = profiled_spec(_settings(tmp_path), report, account="123456789012", profile_models=lookup)
    (finding,) = [f for f in report.findings if f.code == "APPLICATION_PROFILE_MODELS_UNKNOWN"]
    assert str(finding.severity) == "warning" and APP in finding.message
    assert "bedrock:GetInferenceProfile" in finding.hint or "doctor" in finding.hint
    via = _model_statements(spec)["BedrockModelInvocationViaProfile"]
    assert via["Condition"] == {"StringEquals": {"bedrock:InferenceProfileArn": APP}}
    assert via["Resource"] == "arn:aws:bedrock:*::foundation-model/*"

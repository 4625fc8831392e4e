"""Destination regions of a geographic inference profile come from bedrock:GetInferenceProfile when it answers,
else from the dated table (issue 11, build 2), and an info finding says which."""

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

US = "us.amazon.nova-pro-v1:0"


def _settings(tmp_path: Path) -> Settings:
    return Settings(agent_name="a", region="us-east-1", models=(US,), memory=False, workdir=str(tmp_path))


def _fm(region: str, model: str = "amazon.nova-pro-v1:0") -> str:
    return f"arn:aws:bedrock:{region}::foundation-model/{model}"


def _fm_regions(spec: Any) -> set[str]:
    (model,) = [s for s in permissions_document(spec)["Statement"] if s["Sid"] == "BedrockModelInvocation"]
    return {r.split(":")[3] for r in model["Resource"] if ":foundation-model/" in r}


def test_the_live_answer_scopes_the_role_to_the_profiles_real_destinations(tmp_path: Path) -> None:
    report = Report("doctor")
    spec = profiled_spec(
        _settings(tmp_path),
        report,
        account="123456789012",
        profile_models=lambda ids: {i: (_fm("us-east-1"), _fm("us-west-2")) for i in ids},
    )
    assert _fm_regions(spec) == {"us-east-1", "us-west-2"}
    assert "PROFILE_REGIONS_FROM_TABLE" not in {f.code for f in report.findings}


def test_without_an_answer_the_table_is_used_and_said(tmp_path: Path) -> None:
    report = Report("doctor")
    spec = profiled_spec(_settings(tmp_path), report, account="123456789012", profile_models=lambda ids: {})
    assert _fm_regions(spec) == {"us-east-1", "us-east-2", "us-west-1", "us-west-2"}
    assert "PROFILE_REGIONS_FROM_TABLE" in {f.code for f in report.findings}


def test_the_gateway_reads_destinations_from_get_inference_profile(
    moto_iam: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    gateway = Gateway(session=moto_iam, sleep=lambda s: None)
    answer = {
        "models": [
            {"modelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0"},
            {"modelArn": "arn:aws:bedrock:us-east-2::foundation-model/amazon.nova-pro-v1:0"},
        ]
    }

    class Client:
        def get_inference_profile(self, inferenceProfileIdentifier: str) -> dict[str, Any]:
            assert inferenceProfileIdentifier == US
            return answer

    monkeypatch.setattr(Gateway, "bedrock", property(lambda self: Client()))
    assert gateway.inference_profile_models(US) == (_fm("us-east-1"), _fm("us-east-2"))


def test_an_endpoint_without_the_api_falls_back_quietly(moto_iam: boto3.Session) -> None:
    # moto has no GetInferenceProfile for cross-region profiles: the lookup says "no answer", it does not fail
    gateway = Gateway(session=moto_iam, sleep=lambda s: None)
    assert gateway.inference_profile_models(US) is None

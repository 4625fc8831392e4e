"""Issue 10 item 4: the ECR repository the role is scoped to is validated, `auto` is the toolkit's default, an
image URI keeps its account and region, and a wildcard in a written Resource is a P2 warning."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentcore_ext import arns
from agentcore_ext.define.spec import agent_spec
from agentcore_ext.errors import UsageError
from agentcore_ext.findings import codes
from agentcore_ext.judge.permissions import written_wildcards
from agentcore_ext.judge.requirements import permissions_document
from agentcore_ext.plan.model import PlanInputs
from agentcore_ext.plan.planner import make_plan
from agentcore_ext.settings import Settings

ACCOUNT = "123456789012"


def spec_for(ecr: str | None) -> object:
    return agent_spec(Settings(agent_name="my_agent", region="us-east-1", ecr_repository=ecr), account=ACCOUNT)


@pytest.mark.parametrize("value", ["*", "repo*", "my-repo/*", "Upper", "a", "bad name", "-leading", "x" * 257])
def test_item4_wildcards_and_bad_names_are_refused(value: str) -> None:
    with pytest.raises(UsageError) as refused:
        arns.parse_ecr_repository(value)
    assert refused.value.exit_code == 2 and "auto" in refused.value.hint


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("auto", arns.EcrRef(None)),
        ("AUTO", arns.EcrRef(None)),
        ("team/agents-repo", arns.EcrRef("team/agents-repo")),
        (
            "210987654321.dkr.ecr.eu-west-1.amazonaws.com/shared/repo:v1",
            arns.EcrRef("shared/repo", "210987654321", "eu-west-1"),
        ),
        (f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/repo@sha256:abc", arns.EcrRef("repo", ACCOUNT, "us-east-1")),
    ],
)
def test_item4_names_auto_and_uris(value: str, expected: arns.EcrRef) -> None:
    assert arns.parse_ecr_repository(value) == expected


def test_item4_an_image_uri_keeps_its_account_and_region_in_the_written_resource() -> None:
    spec = spec_for("210987654321.dkr.ecr.eu-west-1.amazonaws.com/shared/repo:v1")
    doc = permissions_document(spec)  # type: ignore[arg-type]
    (image,) = [s for s in doc["Statement"] if s["Sid"] == "ECRImageAccess"]
    assert image["Resource"] == "arn:aws:ecr:eu-west-1:210987654321:repository/shared/repo"
    auto = permissions_document(spec_for("Auto"))  # type: ignore[arg-type]
    (default,) = [s for s in auto["Statement"] if s["Sid"] == "ECRImageAccess"]
    assert default["Resource"] == f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/bedrock-agentcore-my_agent"


def test_item4_a_wildcard_in_a_written_resource_is_a_plan_warning() -> None:
    doc = {
        "Statement": [
            {
                "Sid": "ECRImageAccess",
                "Action": ["ecr:BatchGetImage"],
                "Resource": "arn:aws:ecr:us-east-1:1:repository/*",
            },
            {"Sid": "Broad", "Action": ["s3:GetObject"], "Resource": "*"},
            {"Sid": "XRay", "Action": ["xray:PutTraceSegments"], "Resource": "*"},
        ]
    }
    (finding,) = written_wildcards(doc)
    assert finding.code == "WRITTEN_RESOURCE_WILDCARD" and finding.severity == "warning"
    assert "ECRImageAccess" in finding.message and "Broad" in finding.message and "XRay" not in finding.message
    # the tool's own documents for a known agent carry none
    spec = spec_for(None)
    verdict, plan = make_plan(None, spec, PlanInputs("r", f"arn:aws:iam::{ACCOUNT}:role/r"))  # type: ignore[arg-type]
    assert "WRITTEN_RESOURCE_WILDCARD" not in codes(verdict.findings) and plan.will_apply


def test_item4_configure_refuses_a_wildcard_repository_before_any_aws_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from typer.testing import CliRunner

    from agentcore_ext.cli.app import app

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # any AWS call would fail loudly
    (tmp_path / "agent.py").write_text("print('hi')\n")
    r = CliRunner().invoke(app, ["configure", "-e", "agent.py", "--region", "us-east-1", "--json", "--", "--ecr", "*"])
    report = json.loads(r.stdout)
    assert r.exit_code == 2 and [f["code"] for f in report["findings"]] == ["USAGE_ERROR"]
    assert report["stats"]["aws_calls"] == 0 and not (tmp_path / ".bedrock_agentcore.yaml").exists()

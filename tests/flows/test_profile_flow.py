"""The agent profile end to end: the toolkit's own `agentcore create` Strands project (rendered from the
installed toolkit) is scanned, judged offline against the toolkit's own rendered role, and given a role by
`role ensure` that allows every request RUNTIME-NEEDS.md lists for it (checked on the documents read back).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from agentcore_templates import render_strands_project
from typer.testing import CliRunner

from agentcore_ext.cli.app import app
from agentcore_ext.flows.profile import source_reader
from agentcore_ext.iam.evaluate import Decision, Request, evaluate
from agentcore_ext.iam.policy import parse_policy

ACCOUNT = "123456789012"
REGION = "us-east-1"
NAME = "scanme_Agent"
GLOBAL = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"
GLOBAL_ARN = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/{GLOBAL}"
FM = "anthropic.claude-sonnet-4-5-20250929-v1:0"
SHAPE = ["--name", NAME, "--region", REGION, "--deployment-type", "direct_code_deploy", "--disable-memory"]
runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The rendered project's source folder (the toolkit's source_path), as the working directory."""
    entry = render_strands_project(tmp_path)
    monkeypatch.chdir(entry.parent)
    return entry.parent


def _write(folder: Path, name: str, doc: Any) -> str:
    path = folder / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(path)


def _validate(project: Path, trust: Any, permissions: Any) -> Any:
    args = ["validate", "--entrypoint", "main.py", *SHAPE, "--account", ACCOUNT, "--json"]
    args += [
        "--trust",
        _write(project.parent, "t.json", trust),
        "--permissions",
        _write(project.parent, "p.json", permissions),
    ]
    return runner.invoke(app, args)


def test_validate_the_agentcore_create_strands_template_with_the_toolkits_own_role(project: Path) -> None:
    from bedrock_agentcore_starter_toolkit.utils.runtime.policy_template import (
        render_execution_policy_template,
        render_trust_policy_template,
    )

    perms = render_execution_policy_template(REGION, ACCOUNT, NAME, deployment_type="direct_code_deploy")
    r = _validate(project, render_trust_policy_template(REGION, ACCOUNT), perms)
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["ok"] and report["role"]["permissions_ok"] and report["role"]["trust_ok"]
    assert [(m["id"], m["kind"]) for m in report["agent"]["models"]] == [(GLOBAL, "global_profile")]
    assert report["agent"]["models"][0]["source"].startswith("model/load.py:")
    assert "code-interpreter" in {f["name"] for f in report["agent"]["features"]}
    features = {r["feature"] for r in report["role"]["requirements"]}
    assert {"model", "code-interpreter", "observability"} <= features


def test_the_same_agent_refuses_a_role_scoped_to_in_region_foundation_models(project: Path) -> None:
    from bedrock_agentcore_starter_toolkit.utils.runtime.policy_template import (
        render_execution_policy_template,
        render_trust_policy_template,
    )

    perms = json.loads(render_execution_policy_template(REGION, ACCOUNT, NAME, deployment_type="direct_code_deploy"))
    for st in perms["Statement"]:
        if st.get("Sid") == "BedrockModelInvocation":
            st["Resource"] = f"arn:aws:bedrock:{REGION}::foundation-model/*"
    r = _validate(project, render_trust_policy_template(REGION, ACCOUNT), perms)
    assert r.exit_code == 3, r.output
    report = json.loads(r.stdout)
    assert "PERMISSIONS_MISSING" in {f["code"] for f in report["findings"]}
    assert set(report["role"]["missing_actions"]) == {"bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"}


def test_role_ensure_creates_a_role_that_allows_every_runtime_request_of_the_template(
    moto_iam: boto3.Session, project: Path
) -> None:
    r = runner.invoke(app, ["role", "ensure", "--entrypoint", "main.py", *SHAPE, "--yes", "--json"])
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["role"]["action_taken"] == "created"
    iam: Any = moto_iam.client("iam")
    name = report["role"]["name"]
    served = [
        parse_policy(iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"])
        for p in iam.list_role_policies(RoleName=name)["PolicyNames"]
    ]
    ctx = {"aws:RequestedRegion": REGION}
    via = {"bedrock:InferenceProfileArn": GLOBAL_ARN}
    interpreter = f"arn:aws:bedrock-agentcore:{REGION}:aws:code-interpreter/aws.codeinterpreter.v1"
    requests = [
        Request("bedrock:InvokeModelWithResponseStream", GLOBAL_ARN, ctx),
        Request("bedrock:InvokeModelWithResponseStream", f"arn:aws:bedrock:{REGION}::foundation-model/{FM}", ctx | via),
        Request(
            "bedrock:InvokeModel",
            f"arn:aws:bedrock:::foundation-model/{FM}",
            {"aws:RequestedRegion": "unspecified", **via},
        ),
        *(
            Request(f"bedrock-agentcore:{a}", interpreter, ctx)
            for a in ("StartCodeInterpreterSession", "InvokeCodeInterpreter", "StopCodeInterpreterSession")
        ),
    ]
    for request in requests:
        assert evaluate(served, request).decision is Decision.ALLOWED, request
    # least privilege: the model is named, not every model of every region
    written = json.dumps(
        [
            iam.get_role_policy(RoleName=name, PolicyName=p)["PolicyDocument"]
            for p in iam.list_role_policies(RoleName=name)["PolicyNames"]
        ]
    )
    assert "foundation-model/*" not in written and GLOBAL in written


def test_the_source_reader_stays_inside_the_agents_folder(tmp_path: Path) -> None:
    inside = tmp_path / "agent"
    inside.mkdir()
    (inside / "agent.py").write_text("x = 1\n")
    (tmp_path / "secret.py").write_text("KEY = 'x'\n")
    (inside / "link.py").symlink_to(tmp_path / "secret.py")
    read = source_reader(inside)
    assert read("agent.py") == "x = 1\n"
    assert read("../secret.py") is None and read("link.py") is None and read("missing.py") is None

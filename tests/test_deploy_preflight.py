"""Issue 13: the caller's deploy preflight per mode, end to end (CLI subprocess, real toolkit, moto server)."""

from __future__ import annotations

import json

import boto3
import pytest
import yaml
from test_e2e import ACCOUNT, BASE, REGION, World, world  # noqa: F401  (the fixture)

from agentcore_ext.aws.sandbox import FULL_ACCESS_DOCUMENT
from agentcore_ext.iam.evaluate import Decision, evaluate
from agentcore_ext.iam.policy import parse_policy
from agentcore_ext.judge.caller_policy import CallerScope, caller_document
from agentcore_ext.judge.codebuild_role import codebuild_permissions_document, codebuild_trust_document
from agentcore_ext.judge.deploy_needs import DeployMode, DeployTarget, deploy_steps, toolkit_codebuild_role_name
from agentcore_ext.state import AgentSpec

CODEBUILD_ROLE = toolkit_codebuild_role_name(REGION, "hello_agent")


def codes(report: dict) -> set[str]:  # type: ignore[type-arg]
    return {f["code"] for f in report["findings"]}


def nothing_built(w: World) -> None:
    session = boto3.Session(aws_access_key_id="admin", aws_secret_access_key="admin", region_name=REGION)
    assert session.client("ecr", endpoint_url=w.url).describe_repositories()["repositories"] == []
    assert session.client("s3", endpoint_url=w.url).list_buckets()["Buckets"] == []
    assert session.client("codebuild", endpoint_url=w.url).list_projects()["projects"] == []


def test_full_access_caller_gets_the_codebuild_passrole_finding_and_deploy_stops_before_the_build(
    world: World,  # noqa: F811
) -> None:
    configure_only = caller_document(CallerScope(ACCOUNT, deploy_mode=None))
    world.developer(FULL_ACCESS_DOCUMENT, configure_only, name="fullaccess")
    code, report, err = world.run(*BASE)
    assert code == 0, err  # configure still works; the deploy findings are warnings
    assert report is not None and "DEPLOY_CODEBUILD_PASSROLE_DENIED" in codes(report)

    code, report, err = world.run("doctor", "--json")
    assert report is not None, err
    assert "DEPLOY_CODEBUILD_PASSROLE_DENIED" in codes(report)
    deploy = report["deploy"]
    assert deploy["mode"] == "codebuild" and deploy["ok"] is False
    steps = {s["step"]: s for s in deploy["steps"]}
    assert "iam:PassRole" in steps["codebuild-build"]["missing"]
    assert steps["runtime-role"]["ok"] is True  # FullAccess does let you pass the runtime role to AgentCore

    code, _, err = world.run("deploy", check_json=False)
    assert code == 3, err
    assert "DEPLOY_STOPPED" in err and "codebuild-build" in err
    nothing_built(world)


def test_with_policy_callers_document_the_preflight_passes(world: World) -> None:  # noqa: F811
    world.developer(caller_document(CallerScope(ACCOUNT)), name="least")
    # The CodeBuild role exists (an administrator, or agentcore-ext, made it): the caller needs no CreateRole.
    spec = AgentSpec("hello_agent", ACCOUNT, REGION)
    world.iam.create_role(RoleName=CODEBUILD_ROLE, AssumeRolePolicyDocument=json.dumps(codebuild_trust_document(spec)))
    world.iam.put_role_policy(
        RoleName=CODEBUILD_ROLE, PolicyName="b", PolicyDocument=json.dumps(codebuild_permissions_document(spec))
    )
    code, report, err = world.run(*BASE)
    assert code == 0, err
    code, report, err = world.run("doctor", "--json")
    assert code == 0, err
    assert report is not None and report["deploy"]["ok"] is True, err
    assert not {c for c in codes(report) if c.startswith("DEPLOY_")}


@pytest.mark.parametrize("mode", list(DeployMode))
def test_policy_caller_allows_every_request_of_its_mode(mode: DeployMode) -> None:
    spec = AgentSpec(
        "my_agent",
        ACCOUNT,
        REGION,
        deployment_type="direct_code_deploy" if mode == "direct_code_deploy" else "container",
    )
    document = parse_policy(caller_document(CallerScope(ACCOUNT, deploy_mode=mode)))
    role = f"arn:aws:iam::{ACCOUNT}:role/{CODEBUILD_ROLE}"
    for step in deploy_steps(spec, DeployTarget(mode, role, True)):
        context = {**step.request.context, "aws:username": "developer"}
        request = type(step.request)(step.request.action, step.request.resource, context)
        assert evaluate([document], request).decision is Decision.ALLOWED, (step.step, step.request)
    # the CodeBuild PassRole only to CodeBuild, and never of a runtime role
    full_access = parse_policy(FULL_ACCESS_DOCUMENT)
    (passrole,) = [
        s for s in deploy_steps(spec, DeployTarget(DeployMode.CODEBUILD, role)) if s.request.action == "iam:PassRole"
    ]
    assert evaluate([full_access], passrole.request).decision is not Decision.ALLOWED


def test_a_cber_role_with_a_broken_trust_is_refused(world: World) -> None:  # noqa: F811
    ec2_trust = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},'
        ' "Action": "sts:AssumeRole"}]}'
    )
    arn = world.iam.create_role(RoleName="MyBedrockAgentCoreCodeBuild", AssumeRolePolicyDocument=ec2_trust)["Role"]
    # configure judges a -cber role (issue 13) and refuses it before the toolkit runs
    code, report, err = world.run(*BASE, "--", "--code-build-execution-role", arn["Arn"])
    assert code == 3, err
    assert report is not None and "CODEBUILD_ROLE_TRUST_INVALID" in codes(report)
    assert report["configure"]["ran"] is False and not (world.workdir / ".bedrock_agentcore.yaml").exists()
    broken = world.role_state("MyBedrockAgentCoreCodeBuild")
    assert broken is not None and broken["trust"]["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}
    assert broken["inline"] == {}  # judged, never repaired nor replaced
    # A YAML that names it anyway (edited by hand, or written by the toolkit itself): doctor and the deploy guard
    assert world.run(*BASE)[0] == 0
    path = world.workdir / ".bedrock_agentcore.yaml"
    data = yaml.safe_load(path.read_text())
    data["agents"]["hello_agent"]["codebuild"]["execution_role"] = arn["Arn"]
    path.write_text(yaml.safe_dump(data))
    code, report, err = world.run("doctor", "--json")
    assert code == 3, err
    assert report is not None and "CODEBUILD_ROLE_TRUST_INVALID" in codes(report)
    code, _, err = world.run("deploy", check_json=False)
    assert code == 3 and "CODEBUILD_ROLE_TRUST_INVALID" in err
    assert world.role_state("MyBedrockAgentCoreCodeBuild") == broken
    nothing_built(world)


def test_policy_prints_the_codebuild_documents(world: World) -> None:  # noqa: F811
    args = ("-n", "my_agent", "--region", REGION, "--account", ACCOUNT)
    code, _, err = world.run("policy", "codebuild-trust", *args, check_json=False)
    assert code == 0, err

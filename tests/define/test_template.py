"""define/template*.py: the agent and its role as a CloudFormation template defines them (issue 20).

Literal templates (tests/agentcore_cfn_templates.py) and one made by `cdk synth` (tests/fixtures/README.md). The
runtime's properties follow the AWS::BedrockAgentCore::Runtime schema cfn-lint ships; Ref/GetAtt return values the
CloudFormation template reference.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
from agentcore_cfn_templates import (
    ACCOUNT,
    CDK_TEMPLATE,
    MODEL,
    REGION,
    STACK_MEMORY_ID,
    STACK_REPO,
    YAML,
    json_template,
    write,
)

from agentcore_ext.define.facts import Rank
from agentcore_ext.define.template import TemplateAgent, agent_of, template_agent, template_facts
from agentcore_ext.define.template_read import MAX_TEMPLATE_BYTES, read_template
from agentcore_ext.define.template_values import Place
from agentcore_ext.errors import UsageError

PLACE = Place(ACCOUNT, REGION, "aws")


def _agent(template: dict[str, Any], runtime: str | None = None) -> TemplateAgent:
    return agent_of(template, "t.json", PLACE, runtime)


def _facts(agent: TemplateAgent) -> dict[str, str]:
    return {f.name: f.value for f in agent.facts}


def _statements(agent: TemplateAgent) -> list[dict[str, Any]]:
    return [st for doc in agent.role.permissions for st in doc.document["Statement"]]


EXPECTED_FACTS = {
    "runtime_name": "weather_agent",
    "deployment_type": "container",
    "ecr_repository": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{STACK_REPO}:latest",
    "protocol": "HTTP",
    "network_mode": "PUBLIC",
    "execution_role": f"arn:aws:iam::{ACCOUNT}:role/cfnstack-AgentRole-cfnrandom",
    "env.MEMORY_ID": STACK_MEMORY_ID,
    "env.MODEL_ID": MODEL,
    "memory_mode": "STM_ONLY",
    "memory_id": STACK_MEMORY_ID,
}


@pytest.mark.parametrize("form", ["yaml", "json"])
def test_yaml_short_forms_and_json_long_forms_give_the_same_facts(tmp_path: Path, form: str) -> None:
    path = write(tmp_path, f"t.{form}", YAML if form == "yaml" else json_template())
    agent = template_agent(path, runtime=None, account=ACCOUNT, region=REGION)
    assert _facts(agent) == EXPECTED_FACTS
    assert {f.rank for f in agent.facts} == {Rank.TEMPLATE}
    sources = {f.name: f.source for f in agent.facts}
    assert sources["env.MEMORY_ID"].startswith("template AgentRuntime.EnvironmentVariables.MEMORY_ID")
    assert "generated at deploy" in sources["memory_id"]  # the id is not known, and the source says so
    assert "parameter AgentName's Default" in sources["runtime_name"]
    assert "stack's name is chosen at deploy" in sources["ecr_repository"]
    assert agent.unresolved == ()
    assert template_facts(path, runtime=None, account=ACCOUNT, region=REGION) == list(agent.facts)


@pytest.mark.parametrize("form", ["yaml", "json"])
def test_the_roles_documents_resolve_to_the_stacks_arns(tmp_path: Path, form: str) -> None:
    path = write(tmp_path, f"t.{form}", YAML if form == "yaml" else json_template())
    role = template_agent(path, runtime=None, account=ACCOUNT, region=REGION).role
    assert role.logical_id == "AgentRole"
    assert [d.name for d in role.permissions] == [
        "template AgentRole.Policies.AgentCoreRuntime",
        "template MemoryAccess",
    ]
    assert role.trust is not None
    condition = role.trust.document["Statement"][0]["Condition"]
    assert condition == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": f"arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:*"},
    }
    by_sid = {st.get("Sid"): st for st in role.permissions[0].document["Statement"]}
    assert by_sid["ECRImageAccess"]["Resource"] == f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{STACK_REPO}"
    assert by_sid["Model"]["Resource"][0] == f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/{MODEL}"
    memory = role.permissions[1].document["Statement"][0]["Resource"]
    assert memory == f"arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:memory/{STACK_MEMORY_ID}"
    assert role.managed_policy_arns == () and role.unresolved == ()


def test_cdk_synth_output_joins_selects_and_splits_to_the_stacks_repository() -> None:
    """`cdk synth` writes the container URI as Fn::Join of Fn::Select/Fn::Split of the repository's ARN, the role's
    grants as an AWS::IAM::Policy whose Roles Ref the role, and names nothing it does not have to."""
    agent = template_agent(str(CDK_TEMPLATE), runtime=None, account=ACCOUNT, region=REGION)
    facts = _facts(agent)
    repo = "cfnstack-agentrepositorycef64969-cfnrandom"  # no RepositoryName: CloudFormation generates it
    assert facts["ecr_repository"] == f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{repo}:latest"
    assert facts["runtime_name"] == "weather_agent" and facts["memory_id"] == STACK_MEMORY_ID
    assert facts["memory_mode"] == "STM_ONLY" and facts["env.MODEL_ID"] == MODEL
    assert agent.role.logical_id == "AgentRuntimeExecutionRole23B45D24"
    assert [d.name for d in agent.role.permissions] == ["template AgentRuntimeExecutionRoleDefaultPolicy392B5DE7"]
    resources = {str(st["Resource"]) for st in _statements(agent)}
    assert f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{repo}" in resources
    assert f"arn:aws:bedrock-agentcore:{REGION}:{ACCOUNT}:memory/{STACK_MEMORY_ID}" in resources
    # CDKMetadata's condition (a region list) and the bootstrap parameter (read from SSM) do not matter here
    assert agent.unresolved == ()


def _with_runtimes() -> dict[str, Any]:
    t = json_template()
    second = copy.deepcopy(t["Resources"]["AgentRuntime"])
    second["Properties"]["AgentRuntimeName"] = "billing_agent"
    second["Metadata"] = {"aws:cdk:path": "Stack/BillingRuntime/Resource"}
    t["Resources"]["BillingRuntime917DDB48"] = second
    return t


@pytest.mark.parametrize(
    ("selector", "logical"),
    [
        ("AgentRuntime", "AgentRuntime"),
        ("weather_agent", "AgentRuntime"),
        ("billing_agent", "BillingRuntime917DDB48"),
        ("BillingRuntime917DDB48", "BillingRuntime917DDB48"),
        ("BillingRuntime", "BillingRuntime917DDB48"),  # the CDK construct id, from aws:cdk:path
    ],
)
def test_n_picks_a_runtime_by_logical_id_name_or_cdk_construct(selector: str, logical: str) -> None:
    assert _agent(_with_runtimes(), selector).logical_id == logical


def test_several_runtimes_and_no_n_is_a_usage_error_listing_them() -> None:
    with pytest.raises(UsageError) as err:
        _agent(_with_runtimes())
    assert (
        "2 runtimes" in err.value.message
        and "BillingRuntime917DDB48 (AgentRuntimeName billing_agent)" in err.value.message
    )
    assert "-n" in err.value.hint
    with pytest.raises(UsageError, match="no runtime named 'nope'"):
        _agent(_with_runtimes(), "nope")


def test_a_template_without_a_runtime_is_a_usage_error() -> None:
    t = json_template()
    del t["Resources"]["AgentRuntime"]
    with pytest.raises(UsageError, match="defines no AWS::BedrockAgentCore::Runtime"):
        _agent(t)


def test_what_the_template_does_not_say_is_unknown_never_guessed() -> None:
    t = json_template()
    t["Parameters"]["ImageUri"] = {"Type": "String"}  # no Default: given at deploy
    props = t["Resources"]["AgentRuntime"]["Properties"]
    props["AgentRuntimeArtifact"]["ContainerConfiguration"]["ContainerUri"] = {"Ref": "ImageUri"}
    props["EnvironmentVariables"]["TABLE"] = {"Fn::ImportValue": "shared-table"}
    agent = _agent(t)
    facts = _facts(agent)
    assert "ecr_repository" not in facts and "env.TABLE" not in facts
    assert any("parameter ImageUri has no Default" in u for u in agent.unresolved)
    assert any(u.startswith("env.TABLE:") and "Fn::ImportValue is decided at deploy" in u for u in agent.unresolved)


def test_unknown_values_in_documents_grant_less_and_deny_more() -> None:
    t = json_template()
    t["Parameters"]["Bucket"] = {"Type": "String"}
    statements = t["Resources"]["AgentRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"]
    bucket = {"Fn::Sub": "arn:aws:s3:::${Bucket}/*"}
    statements += [
        {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": bucket},
        {"Sid": "Fence", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": bucket},
        {"Sid": "Only", "Effect": "Allow", "NotAction": {"Ref": "Bucket"}, "Resource": "*"},
    ]
    agent = _agent(t)
    by_sid = {st.get("Sid"): st for st in _statements(agent)}
    assert by_sid["Read"]["Resource"] == "<unresolved>"  # an Allow on an unknown resource matches nothing
    assert by_sid["Fence"]["Resource"] == "*"  # a Deny on it is judged as a Deny everywhere
    assert by_sid["Only"]["NotAction"] == "*"  # an Allow of all but unknown actions allows none
    assert sum("parameter Bucket has no Default" in u for u in agent.unresolved) == 3


def test_policies_attached_every_way_and_managed_policies_outside_the_stack() -> None:
    t = json_template()
    res = t["Resources"]
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}
    res["Extra"] = {
        "Type": "AWS::IAM::Policy",
        "Properties": {"PolicyName": "x", "Roles": [{"Ref": "AgentRole"}], "PolicyDocument": document},
    }
    res["Inline"] = {
        "Type": "AWS::IAM::RolePolicy",
        "Properties": {"PolicyName": "y", "RoleName": {"Ref": "AgentRole"}, "PolicyDocument": document},
    }
    res["Listed"] = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": document}}
    res["OtherRole"] = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": document}}
    res["NotOurs"] = {
        "Type": "AWS::IAM::Policy",
        "Properties": {"PolicyName": "z", "Roles": [{"Ref": "OtherRole"}], "PolicyDocument": document},
    }
    res["AgentRole"]["Properties"]["ManagedPolicyArns"] = [
        {"Ref": "Listed"},
        {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonBedrockFullAccess"},
    ]
    role = _agent(t).role
    names = [d.name for d in role.permissions]
    assert names == [
        "template AgentRole.Policies.AgentCoreRuntime",
        "template MemoryAccess",
        "template Extra",
        "template Inline",
        "template Listed",
    ]
    assert role.managed_policy_arns == ("arn:aws:iam::aws:policy/AmazonBedrockFullAccess",)  # not read, listed


def test_a_role_outside_the_template_has_no_documents() -> None:
    t = json_template()
    t["Resources"]["AgentRuntime"]["Properties"]["RoleArn"] = f"arn:aws:iam::{ACCOUNT}:role/Shared"
    role = _agent(t).role
    assert (role.logical_id, role.arn, role.trust, role.permissions) == (
        None,
        f"arn:aws:iam::{ACCOUNT}:role/Shared",
        None,
        (),
    )


def test_direct_code_deploy_and_no_memory_are_facts_of_the_template() -> None:
    t = json_template()
    props = t["Resources"]["AgentRuntime"]["Properties"]
    props["AgentRuntimeArtifact"] = {
        "CodeConfiguration": {
            "Code": {"S3": {"Bucket": "b", "Prefix": "agent.zip"}},
            "Runtime": "PYTHON_3_12",
            "EntryPoint": ["agent.py"],
        }
    }
    del props["EnvironmentVariables"]["MEMORY_ID"]
    facts = _facts(_agent(t))
    assert facts["deployment_type"] == "direct_code_deploy" and "ecr_repository" not in facts
    assert facts["memory_mode"] == "NO_MEMORY" and "memory_id" not in facts


def test_conditions_on_the_region_are_decided_and_the_partition_follows_it() -> None:
    t = json_template()
    t["Conditions"] = {
        "InEurope": {"Fn::Equals": [{"Fn::Select": [0, {"Fn::Split": ["-", {"Ref": "AWS::Region"}]}]}, "eu"]}
    }
    t["Resources"]["AgentRuntime"]["Properties"]["ProtocolConfiguration"] = {"Fn::If": ["InEurope", "MCP", "HTTP"]}
    assert _facts(_agent(t))["protocol"] == "MCP"
    cn = agent_of(json_template(), "t.json", Place(ACCOUNT, "cn-north-1", "aws-cn"), None)
    assert _facts(cn)["execution_role"].startswith("arn:aws-cn:iam::")


def test_a_protocol_agentcore_does_not_know_is_a_usage_error() -> None:
    t = json_template()
    t["Resources"]["AgentRuntime"]["Properties"]["ProtocolConfiguration"] = "GRPC"
    with pytest.raises(UsageError, match="ProtocolConfiguration is not one of HTTP, MCP, A2A, AGUI"):
        _agent(t)


# --- reading the file --------------------------------------------------------------------------------------


def test_bad_files_are_usage_errors_naming_them(tmp_path: Path) -> None:
    cases: list[tuple[str, str]] = [
        (str(tmp_path / "missing.yaml"), "no such file"),
        (str(tmp_path), "is a directory"),
        (write(tmp_path, "bad.yaml", "Resources:\n  R: [unclosed\n"), "bad.yaml:3: not valid JSON or YAML"),
        (write(tmp_path, "dup.yaml", "Resources:\n  R: {Type: X}\n  R: {Type: Y}\n"), "Duplicate found 'R'"),
        (write(tmp_path, "empty.yaml", ""), "has no Resources"),
        (write(tmp_path, "list.json", "[1, 2]"), "top level is not an object"),
        (write(tmp_path, "notype.yaml", "Resources:\n  R: {Properties: {}}\n"), "resource R has no Type"),
    ]
    latin = tmp_path / "latin1.yaml"
    latin.write_bytes(b"Resources: {R: {Type: \xe9}}\n")
    cases.append((str(latin), "is not UTF-8 text"))
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (MAX_TEMPLATE_BYTES + 1))
    cases.append((str(big), "larger than 5 MiB"))
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    cases.append((str(fifo), "is not a regular file"))  # opening it would block: refused from its stat
    for path, fragment in cases:
        with pytest.raises(UsageError) as err:
            read_template(path)
        assert fragment in err.value.message, (path, err.value.message)
        assert err.value.hint


def test_yaml_alias_amplification_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    lines.append("Resources: {R: {Type: X, Properties: {P: *a8}}}")
    with pytest.raises(UsageError, match="not valid JSON or YAML"):
        read_template(write(tmp_path, "bomb.yaml", "\n".join(lines) + "\n"))


def test_a_role_named_by_its_arn_in_fn_sub_with_a_path_is_the_stacks_role() -> None:
    t = json_template()
    role = t["Resources"]["AgentRole"]["Properties"]
    role["Path"] = "/agents/"
    role["RoleName"] = {"Fn::Sub": "${AWS::StackName}-runtime"}
    t["Resources"]["AgentRuntime"]["Properties"]["RoleArn"] = {
        "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/agents/${AgentRole}"
    }
    agent = _agent(t)
    assert agent.role.logical_id == "AgentRole"
    assert agent.role.arn == f"arn:aws:iam::{ACCOUNT}:role/agents/cfnstack-runtime"
    assert len(agent.role.permissions) == 2  # the ManagedPolicy's Roles still Ref it by its (given) name

"""The agent's own AWS calls are requirements (issue 20, items 2-4): agent code as people write it -> the actions
and resources its role needs -> the verdict on literal role documents.

Sources: RUNTIME-NEEDS.md (row "the agent's own AWS calls"); botocore's service models (operation names and their
IAM prefix, checked below); the Service Authorization Reference rows cited in judge/aws_calls.py; the tools' own
code (strands-agents-tools 0.8.10 retrieve.py/memory.py/use_aws.py, langchain-aws 1.9.1 retrievers/bedrock.py).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from typer.testing import CliRunner

from agentcore_ext.cli.app import app
from agentcore_ext.findings import codes
from agentcore_ext.iam.policy import parse_policy
from agentcore_ext.judge.aws_calls import KINDS, STAR
from agentcore_ext.judge.permissions import judge_permissions, written_wildcards
from agentcore_ext.judge.requirements import permissions_document
from agentcore_ext.judge.scan import scan_agent
from agentcore_ext.judge.scan_aws import iam_action
from agentcore_ext.state import AgentProfile, AgentSpec

ACCOUNT, REGION = "123456789012", "us-east-1"
ARN = f"arn:aws:{{}}:{REGION}:{ACCOUNT}:{{}}"
OWN_SIDS = ("AgentAwsCall", "AgentGuardrailApply", "BedrockApplyGuardrail")

GUARDRAIL_LOOKUP = """
    import logging

    import boto3
    from botocore.exceptions import ClientError
    from strands import Agent
    from strands.models import BedrockModel

    log = logging.getLogger(__name__)
    bedrock = boto3.client("bedrock")


    def find_guardrail(name: str) -> tuple[str | None, str | None]:
        try:
            for summary in bedrock.list_guardrails()["guardrails"]:
                if summary["name"] == name:
                    return summary["id"], summary["version"]
        except ClientError as exc:
            log.warning("guardrail lookup failed, answering without one: %s", exc)
        return None, None


    GUARDRAIL_ID, GUARDRAIL_VERSION = find_guardrail("support-bot-policy")
    model = BedrockModel(
        model_id="amazon.nova-pro-v1:0",
        guardrail_id=GUARDRAIL_ID,
        guardrail_version=GUARDRAIL_VERSION,
    )
    agent = Agent(model=model)
"""

KB_TOOL = """
    from strands import Agent
    from strands_tools import current_time, retrieve

    SYSTEM = "Answer from the product manuals. Search them with retrieve before answering."

    agent = Agent(model="amazon.nova-lite-v1:0", system_prompt=SYSTEM, tools=[retrieve, current_time])


    def handler(payload: dict) -> str:
        return str(agent(payload["prompt"]))
"""

SSM_PARAMETER = """
    import boto3

    ssm = boto3.client("ssm")
    ESCALATION = ssm.get_parameter(Name="/support-bot/escalation-email")["Parameter"]["Value"]
"""

SECRET_FROM_ENV = """
    import json
    import os

    import boto3

    secrets = boto3.client("secretsmanager")


    def zendesk_token() -> str:
        raw = secrets.get_secret_value(SecretId=os.environ["ZENDESK_SECRET_ID"])["SecretString"]
        return json.loads(raw)["api_token"]
"""

COST_REPORT = """
    import datetime

    import boto3

    ce = boto3.client("ce")


    def spend_last_week() -> list[dict]:
        end = datetime.date.today()
        start = end - datetime.timedelta(days=7)
        result = ce.get_cost_and_usage(
            TimePeriod={"Start": start.isoformat(), "End": end.isoformat()},
            Granularity="DAILY",
            Metrics=["UnblendedCost"],
            GroupBy=[{"Type": "DIMENSION", "Key": "SERVICE"}],
        )
        return result["ResultsByTime"]
"""

LANGCHAIN_KB = """
    from langchain_aws import ChatBedrockConverse
    from langchain_aws.retrievers import AmazonKnowledgeBasesRetriever

    retriever = AmazonKnowledgeBasesRetriever(
        knowledge_base_id="HR4KB2X9QZ",
        retrieval_config={"vectorSearchConfiguration": {"numberOfResults": 4}},
    )
    llm = ChatBedrockConverse(model="amazon.nova-pro-v1:0")
"""

KB_MEMORY_TOOL = """
    import os

    from strands import Agent
    from strands_tools import memory

    os.environ["STRANDS_KNOWLEDGE_BASE_ID"] = "NOTES7KB42"
    agent = Agent(model="amazon.nova-lite-v1:0", tools=[memory])
"""

ANY_AWS = """
    from strands import Agent
    from strands_tools import use_aws

    ops_agent = Agent(model="amazon.nova-pro-v1:0", tools=[use_aws])
"""


def scan_spec(code: str, env: dict[str, str] | None = None) -> AgentSpec:
    found = scan_agent("agent.py", {"agent.py": textwrap.dedent(code)}.get, env, dict.fromkeys(env or {}, "--env"))
    profile = AgentProfile(models=found.models, features=found.features, aws_calls=found.aws_calls)
    profile = AgentProfile(**{**profile.__dict__, "unresolved": found.unresolved})
    return AgentSpec(
        "support_bot", ACCOUNT, REGION, deployment_type="direct_code_deploy", memory=False, profile=profile
    )


def needs(spec: AgentSpec) -> set[tuple[str, str]]:
    """(action, resource) of the statements the agent's own calls add."""
    doc = permissions_document(spec)
    return {
        (action, resource)
        for st in doc["Statement"]
        if st["Sid"].startswith(OWN_SIDS)
        for action in st["Action"]
        for resource in ([st["Resource"]] if isinstance(st["Resource"], str) else st["Resource"])
    }


def judge(spec: AgentSpec, *statements: dict[str, Any]) -> Any:
    """The tool's own statements for everything else, plus the literal ones under test."""
    base = [s for s in permissions_document(spec)["Statement"] if not s["Sid"].startswith(OWN_SIDS)]
    return judge_permissions([parse_policy({"Version": "2012-10-17", "Statement": [*base, *statements]})], spec)


def allow(actions: str | list[str], resource: str | list[str]) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resource}


# --- what the code needs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "env", "expected"),
    [
        pytest.param(
            GUARDRAIL_LOOKUP,
            None,
            {
                ("bedrock:ListGuardrails", "*"),
                ("bedrock:ApplyGuardrail", ARN.format("bedrock", "guardrail/*")),
            },
            id="guardrail-lookup",
        ),
        pytest.param(
            KB_TOOL,
            {"KNOWLEDGE_BASE_ID": "KB7Q2ZK9XA"},
            {("bedrock:Retrieve", ARN.format("bedrock", "knowledge-base/KB7Q2ZK9XA"))},
            id="strands-retrieve-kb-from-env",
        ),
        pytest.param(
            KB_TOOL,
            None,
            {("bedrock:Retrieve", ARN.format("bedrock", "knowledge-base/*"))},
            id="strands-retrieve-no-kb",
        ),
        pytest.param(
            SSM_PARAMETER,
            None,
            {("ssm:GetParameter", ARN.format("ssm", "parameter/support-bot/escalation-email"))},
            id="ssm-literal-name",
        ),
        pytest.param(
            SECRET_FROM_ENV,
            None,
            {("secretsmanager:GetSecretValue", ARN.format("secretsmanager", "secret:*"))},
            id="secret-id-unknown",
        ),
        pytest.param(
            SECRET_FROM_ENV,
            {"ZENDESK_SECRET_ID": "prod/zendesk"},
            {("secretsmanager:GetSecretValue", ARN.format("secretsmanager", "secret:prod/zendesk-??????"))},
            id="secret-name-from-env",
        ),
        pytest.param(COST_REPORT, None, {("ce:GetCostAndUsage", "*")}, id="cost-explorer"),
        pytest.param(
            LANGCHAIN_KB,
            None,
            {("bedrock:Retrieve", ARN.format("bedrock", "knowledge-base/HR4KB2X9QZ"))},
            id="langchain-kb-retriever",
        ),
        pytest.param(
            KB_MEMORY_TOOL,
            None,
            {
                (f"bedrock:{action}", ARN.format("bedrock", "knowledge-base/NOTES7KB42"))
                for action in (
                    "ListDataSources",
                    "GetDataSource",
                    "IngestKnowledgeBaseDocuments",
                    "DeleteKnowledgeBaseDocuments",
                    "ListKnowledgeBaseDocuments",
                    "GetKnowledgeBaseDocuments",
                    "Retrieve",
                )
            },
            id="strands-memory-tool",
        ),
        pytest.param(ANY_AWS, None, set(), id="strands-use-aws-is-unresolved"),
    ],
)
def test_the_calls_the_code_makes_are_required(code: str, env: dict[str, str] | None, expected: set[Any]) -> None:
    spec = scan_spec(code, env)
    assert needs(spec) == expected
    blocks = [b for b in permissions_document(spec)["Statement"] if b["Sid"].startswith(OWN_SIDS)]
    assert all(b["Effect"] == "Allow" for b in blocks)


def test_use_aws_says_the_role_needs_what_the_model_may_call() -> None:
    spec = scan_spec(ANY_AWS)
    [said] = [u for u in spec.profile.unresolved if "strands_tools.use_aws" in u]
    assert said.startswith("agent.py:5") and "--additional-policy" in said


def test_a_tool_imported_but_never_handed_to_an_agent_needs_nothing() -> None:
    assert needs(scan_spec("from strands_tools import retrieve\n")) == set()


def test_the_source_line_is_the_reason() -> None:
    spec = scan_spec(SECRET_FROM_ENV)
    [block] = [b for b in spec_requirements(spec) if b["actions"] == ["secretsmanager:GetSecretValue"]]
    assert block["reason"] == "agent.py:11" and block["level"] == "required" and block["feature"] == "aws-calls"


def spec_requirements(spec: AgentSpec) -> list[dict[str, Any]]:
    from agentcore_ext.judge.needs import requirement_blocks

    return list(requirement_blocks(spec))


# --- verdicts on literal documents ------------------------------------------------------------------------------


def test_guardrail_lookup_without_list_guardrails_fails_and_says_the_guardrail_goes_off() -> None:
    spec = scan_spec(GUARDRAIL_LOOKUP)
    v = judge(spec, allow("bedrock:ApplyGuardrail", ARN.format("bedrock", "guardrail/*")))
    assert not v.ok and v.missing_actions == ("bedrock:ListGuardrails",)
    [missing] = [f for f in v.findings if f.code == "PERMISSIONS_MISSING"]
    assert "bedrock:ListGuardrails on *" in missing.message and "guardrail off" in missing.message


def test_guardrail_lookup_with_both_grants_passes() -> None:
    spec = scan_spec(GUARDRAIL_LOOKUP)
    v = judge(
        spec,
        allow("bedrock:ListGuardrails", "*"),
        allow("bedrock:ApplyGuardrail", ARN.format("bedrock", "guardrail/*")),
    )
    assert v.ok, v.findings
    assert "RESOURCE_UNKNOWN" not in codes(v.findings)


def test_guardrail_lookup_with_apply_on_one_guardrail_passes_with_the_unknown_resource_warning() -> None:
    spec = scan_spec(GUARDRAIL_LOOKUP)
    v = judge(
        spec,
        allow("bedrock:ListGuardrails", "*"),
        allow("bedrock:ApplyGuardrail", ARN.format("bedrock", "guardrail/q8w3e5r7t9y1")),
    )
    assert v.ok and "RESOURCE_UNKNOWN" in codes(v.findings)


def test_guardrail_get_by_id_from_env_is_exact_and_apply_follows_it() -> None:
    code = """
        import os

        import boto3

        GUARDRAIL_ID = os.environ["GUARDRAIL_ID"]
        bedrock = boto3.client("bedrock")
        runtime = boto3.client("bedrock-runtime")


        def guardrail_version() -> str:
            return bedrock.get_guardrail(guardrailIdentifier=GUARDRAIL_ID)["version"]


        def screen(text: str) -> dict:
            return runtime.apply_guardrail(
                guardrailIdentifier=GUARDRAIL_ID,
                guardrailVersion=guardrail_version(),
                source="INPUT",
                content=[{"text": {"text": text}}],
            )
    """
    spec = scan_spec(code, {"GUARDRAIL_ID": "q8w3e5r7t9y1"})
    one = ARN.format("bedrock", "guardrail/q8w3e5r7t9y1")
    assert needs(spec) == {("bedrock:GetGuardrail", one), ("bedrock:ApplyGuardrail", one)}
    assert judge(spec, allow(["bedrock:GetGuardrail", "bedrock:ApplyGuardrail"], one)).ok
    v = judge(spec, allow("bedrock:ApplyGuardrail", one))
    assert not v.ok and v.missing_actions == ("bedrock:GetGuardrail",)


def test_kb_tool_with_the_knowledge_base_from_env() -> None:
    spec = scan_spec(KB_TOOL, {"KNOWLEDGE_BASE_ID": "KB7Q2ZK9XA"})
    kb = ARN.format("bedrock", "knowledge-base/KB7Q2ZK9XA")
    v = judge(spec, allow("bedrock:Retrieve", kb))
    assert v.ok and "RESOURCE_UNKNOWN" not in codes(v.findings)
    other = judge(spec, allow("bedrock:Retrieve", ARN.format("bedrock", "knowledge-base/ZZ9KB00000")))
    assert not other.ok and other.missing_actions == ("bedrock:Retrieve",)
    assert "PERMISSIONS_MISSING" in codes(other.findings)
    assert not judge(spec).ok  # a role that grants no Retrieve at all: "compliant" before issue 20


def test_kb_tool_without_the_knowledge_base_id_is_some_knowledge_base() -> None:
    spec = scan_spec(KB_TOOL)
    v = judge(spec, allow("bedrock:Retrieve", ARN.format("bedrock", "knowledge-base/KB7Q2ZK9XA")))
    assert v.ok and "RESOURCE_UNKNOWN" in codes(v.findings)
    [warning] = [f for f in v.findings if f.code == "RESOURCE_UNKNOWN"]
    assert "bedrock:Retrieve" in warning.message and "KNOWLEDGE_BASE_ID" in warning.message


def test_ssm_parameter_by_literal_name() -> None:
    spec = scan_spec(SSM_PARAMETER)
    assert judge(spec, allow("ssm:GetParameter", ARN.format("ssm", "parameter/support-bot/*"))).ok
    v = judge(spec, allow("ssm:GetParameter", ARN.format("ssm", "parameter/billing-bot/*")))
    assert not v.ok and v.missing_actions == ("ssm:GetParameter",)


def test_secret_with_an_unknown_id_granted_on_one_secret_passes_with_the_warning() -> None:
    spec = scan_spec(SECRET_FROM_ENV)
    one = ARN.format("secretsmanager", "secret:prod/zendesk-Xy12Ab")
    v = judge(spec, allow("secretsmanager:GetSecretValue", one))
    assert v.ok and v.missing_actions == ()
    [warning] = [f for f in v.findings if f.code == "RESOURCE_UNKNOWN"]
    assert "secretsmanager:GetSecretValue" in warning.message and "ZENDESK_SECRET_ID" in warning.message
    assert "secret:*" in warning.message


def test_secret_with_an_unknown_id_and_no_grant_is_missing() -> None:
    v = judge(scan_spec(SECRET_FROM_ENV))
    assert not v.ok and v.missing_actions == ("secretsmanager:GetSecretValue",)
    assert "PERMISSIONS_MISSING" in codes(v.findings) and "RESOURCE_UNKNOWN" not in codes(v.findings)


def test_secret_named_by_env_is_matched_whatever_its_random_suffix() -> None:
    spec = scan_spec(SECRET_FROM_ENV, {"ZENDESK_SECRET_ID": "prod/zendesk"})
    v = judge(spec, allow("secretsmanager:GetSecretValue", ARN.format("secretsmanager", "secret:prod/zendesk-*")))
    assert v.ok and "RESOURCE_UNKNOWN" not in codes(v.findings)
    other = judge(spec, allow("secretsmanager:GetSecretValue", ARN.format("secretsmanager", "secret:prod/jira-*")))
    assert not other.ok


def test_cost_explorer_needs_star_and_writing_it_is_not_a_wildcard_warning() -> None:
    spec = scan_spec(COST_REPORT)
    assert judge(spec, allow("ce:GetCostAndUsage", "*")).ok
    v = judge(spec)
    assert not v.ok and v.missing_actions == ("ce:GetCostAndUsage",)
    assert written_wildcards(permissions_document(spec)) == []


def test_what_the_tool_writes_for_an_unknown_secret_is_flagged_as_every_secret() -> None:
    found = written_wildcards(permissions_document(scan_spec(SECRET_FROM_ENV)))
    assert [f.code for f in found] == ["WRITTEN_RESOURCE_WILDCARD"] and "secret:*" in found[0].message


# --- the action names: botocore's service models ----------------------------------------------------------------


@pytest.mark.parametrize(("service", "operation"), sorted({*KINDS, *STAR}))
def test_each_mapped_operation_is_botocores_and_its_iam_prefix_the_signing_name(service: str, operation: str) -> None:
    """botocore names each operation (the IAM action of the same name) and signs for the IAM service prefix;
    the S3 transfer helpers are boto3's own (boto3/s3/inject.py), authorised as the object calls they make."""
    model = botocore.session.get_session().get_service_model(service)
    prefix, action = iam_action(service, operation).split(":")
    assert prefix == model.signing_name
    if operation in ("download_file", "download_fileobj", "upload_file", "upload_fileobj", "head_object"):
        return
    names = {botocore.xform_name(n): n for n in model.operation_names}
    # Operations authorised under another action's name (scan_aws._IAM_OPERATION: S3 and Lambda authorization pages)
    mapped = {"list_objects": "ListBucket", "list_objects_v2": "ListBucket", "head_bucket": "ListBucket"}
    mapped["invoke"] = "InvokeFunction"
    assert mapped.get(operation, names[operation]) == action


# --- validate, offline ------------------------------------------------------------------------------------------


def test_validate_cli_fails_a_role_that_cannot_look_the_guardrail_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # no AWS call may be made
    monkeypatch.chdir(tmp_path)
    (tmp_path / "support_bot.py").write_text(textwrap.dedent(GUARDRAIL_LOOKUP))
    spec = scan_spec(GUARDRAIL_LOOKUP)
    statements = [s for s in permissions_document(spec)["Statement"] if not s["Sid"].startswith(OWN_SIDS)]
    statements.append(allow("bedrock:ApplyGuardrail", ARN.format("bedrock", "guardrail/*")))
    (tmp_path / "role.json").write_text(json.dumps({"Version": "2012-10-17", "Statement": statements}))
    args = ["validate", "-e", "support_bot.py", "--permissions", "role.json", "--account", ACCOUNT]
    args += ["--region", REGION, "--deployment-type", "direct_code_deploy", "--disable-memory", "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 3, result.output
    report = json.loads(result.stdout)
    assert report["role"]["missing_actions"] == ["bedrock:ListGuardrails"]
    assert "PERMISSIONS_MISSING" in {f["code"] for f in report["findings"]}
    kinds = {b["feature"] for b in report["role"]["requirements"]}
    assert "aws-calls" in kinds

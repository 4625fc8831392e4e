"""`validate` and `policy` through the CLI: JSON report, exit codes, and no AWS at all."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from typer.testing import CliRunner

from agentcore_ext.cli.app import app
from agentcore_ext.judge.requirements import permissions_document, trust_document
from agentcore_ext.state import AgentSpec

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"
BASE = ["--name", "hello", "--account", "123456789012", "--region", "us-east-1", "--deployment-type", "container"]
runner = CliRunner()


@pytest.fixture(autouse=True)
def _no_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    # validate must make no AWS call: point any accidental call at a closed port so it would fail loudly.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")


def _invoke(args: list[str], cwd: Path | None = None) -> Any:
    return runner.invoke(app, args)


def _write(tmp_path: Path, name: str, doc: Any) -> str:
    p = tmp_path / name
    p.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(p)


def test_validate_documented_policies_compliant() -> None:
    trust, perms = (
        REFERENCE / "aws-doc-execution-role-trust-policy.json",
        REFERENCE / "aws-doc-execution-role-policy.json",
    )
    if not trust.is_file():
        pytest.skip("shared/reference not present")
    r = _invoke(["validate", "--trust", str(trust), "--permissions", str(perms), *BASE, "--disable-memory", "--json"])
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["ok"] is True and report["schema_version"] == 1
    assert report["role"]["trust_ok"] is True and report["role"]["permissions_ok"] is True
    assert report["role"]["missing_actions"] == []
    assert report["stats"]["aws_calls"] == 0
    assert "configure" not in report


def test_validate_non_compliant_exit_3_with_codes(tmp_path: Path) -> None:
    spec = AgentSpec("hello", "123456789012", "us-east-1", memory=False)
    perms = permissions_document(spec)
    perms["Statement"] = [s for s in perms["Statement"] if not s["Sid"].startswith("ECR")]
    trust = trust_document(spec)
    del trust["Statement"][0]["Condition"]
    r = _invoke(
        [
            "validate",
            "--trust",
            _write(tmp_path, "t.json", trust),
            "--permissions",
            _write(tmp_path, "p.json", perms),
            *BASE,
            "--disable-memory",
            "--json",
        ]
    )
    assert r.exit_code == 3
    report = json.loads(r.stdout)
    assert report["ok"] is False
    # no model known for this agent: none is assumed, and none is needed (INTERFACE.md 2026-12)
    assert {f["code"] for f in report["findings"]} == {"PERMISSIONS_MISSING", "TRUST_NOT_SCOPED"}
    assert report["role"]["missing_actions"] == [
        "ecr:BatchGetImage",
        "ecr:GetAuthorizationToken",
        "ecr:GetDownloadUrlForLayer",
    ]


def test_validate_repeatable_permissions_files(tmp_path: Path) -> None:
    spec = AgentSpec("hello", "123456789012", "us-east-1", memory=True)
    doc = permissions_document(spec)
    a = {"Version": "2012-10-17", "Statement": doc["Statement"][:3]}
    b = {"Version": "2012-10-17", "Statement": doc["Statement"][3:]}
    args = [
        "validate",
        "--permissions",
        _write(tmp_path, "a.json", a),
        "--permissions",
        _write(tmp_path, "b.json", b),
        *BASE,
    ]
    assert _invoke(args).exit_code == 0
    assert _invoke(args[:3] + BASE).exit_code == 3


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("", "empty"),
        ('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {,}\n  ]\n}', "line 4 column"),
        (
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "a:b", "Resource": "*"},
                    {"Effect": "Maybe", "Action": "a:b", "Resource": "*"},
                ],
            },
            "Statement[1].Effect",
        ),
        ("x" * 200_000, "more than"),
        ("[]", "JSON object"),
    ],
)
def test_validate_malformed_file_exit_2_names_file_and_position(tmp_path: Path, content: Any, fragment: str) -> None:
    path = _write(tmp_path, "bad.json", content)
    r = _invoke(["validate", "--permissions", path, *BASE, "--json"])
    assert r.exit_code == 2
    report = json.loads(r.stdout)
    (finding,) = report["findings"]
    assert finding["code"] == "USAGE_ERROR"
    assert path in finding["message"] and fragment in finding["message"]


def test_validate_url_encoded_file_accepted(tmp_path: Path) -> None:
    spec = AgentSpec("hello", "123456789012", "us-east-1")
    path = _write(tmp_path, "enc.json", quote(json.dumps(permissions_document(spec))))
    assert _invoke(["validate", "--permissions", path, *BASE]).exit_code == 0


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["validate", "--permissions", "nope.json", *BASE], "not found: nope.json"),
        (["validate", *BASE], "nothing to validate"),
        (["validate", "--permissions", "x.json", "--name", "hello", "--region", "us-east-1"], "--account"),
        (
            [
                "validate",
                "--permissions",
                "x.json",
                "--name",
                "bad-name",
                "--account",
                "123456789012",
                "--region",
                "us-east-1",
            ],
            "invalid agent name",
        ),
        (
            ["validate", "--permissions", "x.json", "--name", "a", "--account", "1", "--region", "us-east-1"],
            "account id",
        ),
    ],
)
def test_validate_usage_errors(args: list[str], fragment: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.json").write_text(json.dumps(permissions_document(AgentSpec("a", "123456789012", "us-east-1"))))
    r = _invoke(args)
    assert r.exit_code == 2
    assert fragment in r.stderr


def test_validate_without_region_is_a_usage_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    path = _write(tmp_path, "p.json", permissions_document(AgentSpec("a", "123456789012", "us-east-1")))
    r = _invoke(["validate", "--permissions", path, "--name", "a", "--account", "123456789012", "--json"])
    (finding,) = json.loads(r.stdout)["findings"]
    assert r.exit_code == 2 and finding["code"] == "USAGE_ERROR" and "region" in finding["message"]


@pytest.mark.parametrize("kind", ["trust", "permissions", "caller"])
@pytest.mark.parametrize("fmt", ["json", "cloudformation", "terraform"])
def test_policy_commands_print_documents(kind: str, fmt: str) -> None:
    r = _invoke(["policy", kind, *BASE, "--format", fmt])
    assert r.exit_code == 0, r.output
    if fmt == "json":
        doc = json.loads(r.stdout)
        assert doc["Version"] == "2012-10-17" and doc["Statement"]
    elif fmt == "cloudformation":
        tpl = json.loads(r.stdout)
        types = sorted(res["Type"] for res in tpl["Resources"].values())
        if kind == "caller":
            assert types == ["AWS::IAM::ManagedPolicy"]
        else:  # issue 15 item 7: one stack, the role with its trust and its permissions, the policy `Ref`s the role
            assert types == ["AWS::IAM::Role", "AWS::IAM::RolePolicy"]
            role = tpl["Resources"]["AgentCoreExecutionRole"]["Properties"]
            assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"] == (
                "bedrock-agentcore.amazonaws.com"
            )
            policy = tpl["Resources"]["AgentCoreExecutionPolicy"]["Properties"]
            assert policy["RoleName"] == {"Ref": "AgentCoreExecutionRole"} and policy["PolicyDocument"]["Statement"]
    else:
        assert r.stdout.startswith('resource "aws_iam_') and "jsonencode(" in r.stdout
        if kind == "caller":
            assert "$${aws:username}" in r.stdout  # escaped, or Terraform would interpolate it
        else:
            assert 'resource "aws_iam_role" "agentcore_execution"' in r.stdout
            assert "role   = aws_iam_role.agentcore_execution.id" in r.stdout


def test_policy_written_documents_validate(tmp_path: Path) -> None:
    t = _invoke(["policy", "trust", *BASE])
    p = _invoke(["policy", "permissions", *BASE, "--protocol", "A2A"])
    r = _invoke(
        [
            "validate",
            "--trust",
            _write(tmp_path, "t.json", t.stdout),
            "--permissions",
            _write(tmp_path, "p.json", p.stdout),
            *BASE,
            "--protocol",
            "A2A",
            "--json",
        ]
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["findings"] == []
    # an A2A server that names no model: no Bedrock statement, and no InvokeAgentRuntime on itself (RUNTIME-NEEDS.md,
    # rows "serving A2A" and "an MCP tool server or any agent that calls no model")
    assert "bedrock:" not in p.stdout and "InvokeAgentRuntime" not in p.stdout


def test_policy_bad_format() -> None:
    r = _invoke(["policy", "trust", *BASE, "--format", "yaml"])
    assert r.exit_code == 2 and "--format" in r.stderr


def test_help_imports_neither_boto3_nor_the_toolkit() -> None:
    code = (
        "import sys\n"
        "from agentcore_ext.cli.app import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore', "
        "'bedrock_agentcore_starter_toolkit', 'moto')]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"

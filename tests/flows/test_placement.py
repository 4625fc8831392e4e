"""Where the agent runs (issue 15 item 7: regions AgentCore is offered in) and where it pulls its image from
(issue 10 item 4: another account's repository), reported by `validate` offline; and `validate` takes the region
from [tool.agentcore-ext] like `policy` (issue 15 item 6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from agentcore_ext.cli.app import app
from agentcore_ext.judge.requirements import permissions_document, trust_document
from agentcore_ext.state import AgentSpec

ACCOUNT = "123456789012"


def _files(tmp_path: Path, region: str) -> list[str]:
    spec = AgentSpec("a", ACCOUNT, region, memory=False)
    (tmp_path / "t.json").write_text(json.dumps(trust_document(spec)))
    (tmp_path / "p.json").write_text(json.dumps(permissions_document(spec)))
    return ["--trust", str(tmp_path / "t.json"), "--permissions", str(tmp_path / "p.json")]


def _codes(stdout: str) -> set[str]:
    return {f["code"] for f in json.loads(stdout)["findings"]}


@pytest.fixture(autouse=True)
def _cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # validate makes no AWS call


def test_a_region_agentcore_is_not_offered_in_is_a_warning(tmp_path: Path) -> None:
    args = ["validate", *_files(tmp_path, "us-east-7"), "--name", "a", "--account", ACCOUNT, "--json"]
    r = CliRunner().invoke(app, [*args, "--region", "us-east-7", "--disable-memory"])
    assert r.exit_code == 0 and "REGION_NOT_OFFERED" in _codes(r.stdout)
    ok = CliRunner().invoke(
        app, ["validate", *_files(tmp_path, "us-east-1"), "--name", "a", "--account", ACCOUNT, "-dm"]
    )
    assert ok.exit_code == 0


def test_validate_takes_the_region_from_team_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    (tmp_path / "pyproject.toml").write_text('[tool.agentcore-ext]\nregion = "eu-west-1"\n')
    args = ["validate", *_files(tmp_path, "eu-west-1"), "--name", "a", "--account", ACCOUNT, "--disable-memory"]
    r = CliRunner().invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["role"]["permissions_ok"] is True


def test_an_image_from_another_accounts_repository_says_what_that_account_must_allow(tmp_path: Path) -> None:
    uri = "210987654321.dkr.ecr.us-east-1.amazonaws.com/shared/agents:v1"
    yaml = (
        f"default_agent: a\nagents:\n  a:\n    name: a\n    entrypoint: a.py\n    aws:\n      ecr_repository: {uri}\n"
    )
    (tmp_path / ".bedrock_agentcore.yaml").write_text(yaml)
    args = ["validate", *_files(tmp_path, "us-east-1"), "--name", "a", "--account", ACCOUNT, "--region", "us-east-1"]
    r = CliRunner().invoke(app, [*args, "--disable-memory", "--json"])
    report = json.loads(r.stdout)
    assert "ECR_CROSS_ACCOUNT" in _codes(r.stdout)
    # the role is judged for that repository: the tool's default-repository document does not cover it
    assert r.exit_code == 3 and "ecr:BatchGetImage" in report["role"]["missing_actions"]
    (ecr,) = [
        x for x in report["role"]["requirements"] if x["feature"] == "container" and "ecr:BatchGetImage" in x["actions"]
    ]
    assert ecr["resources"] == ["arn:aws:ecr:us-east-1:210987654321:repository/shared/agents"]

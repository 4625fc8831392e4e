"""Issue 21, red-team item 3: `--additional-policy FILE` is written as the file says, never broader.

Every statement of the file is written as its own statement, Effect, Action/NotAction, Resource/NotResource and
Condition included; a plain Allow is judged by requests that satisfy its condition, anything else (a Deny,
NotAction, NotResource) is required as written. What IAM would refuse is refused before any AWS call. Verdicts come
from the tool's own evaluator on literal documents; the moto tests read back what IAM holds after apply.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner

from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.cli.app import app
from agentcore_ext.define.spec import agent_spec
from agentcore_ext.errors import EXIT_USAGE, UsageError
from agentcore_ext.findings import codes
from agentcore_ext.flows.profile import agent_profile
from agentcore_ext.flows.role import check_role, ensure_role
from agentcore_ext.iam.policy import parse_policy
from agentcore_ext.judge.permissions import judge_permissions
from agentcore_ext.judge.requirements import TOOL_POLICY_NAME, TOOL_REPAIR_POLICY_NAME, permissions_document
from agentcore_ext.plan.edits import merge_statements
from agentcore_ext.plan.model import PlanInputs
from agentcore_ext.plan.planner import make_plan
from agentcore_ext.settings import Settings
from agentcore_ext.state import AgentSpec, ObservedRole, observe_policy

ACCOUNT, OTHER = "123456789012", "210987654321"
NAME = "BedrockAgentCoreRuntime-us-east-1-demo"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/{NAME}"
BUCKET = "arn:aws:s3:::agent-data"

READ_OWN_ACCOUNT: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadOwnAccount",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:ResourceAccount": ACCOUNT}},
        }
    ],
}
THROUGH_VPCE: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject"],
            "Resource": f"{BUCKET}/*",
            "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-0abc1234"}},
        }
    ],
}
GUARDED: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "Data", "Effect": "Allow", "Action": "s3:*", "Resource": [BUCKET, f"{BUCKET}/*"]},
        {"Sid": "NoDeletes", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"},
        {
            "Sid": "OnlyReadsOffVpce",
            "Effect": "Deny",
            "NotAction": ["s3:GetObject", "s3:ListBucket"],
            "Resource": [BUCKET, f"{BUCKET}/*"],
            "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0abc1234"}},
        },
        {"Sid": "UploadsOnly", "Effect": "Deny", "Action": "s3:PutObject", "NotResource": f"{BUCKET}/uploads/*"},
        {"Sid": "AllButIam", "Effect": "Allow", "NotAction": ["iam:*", "sts:*"], "Resource": f"{BUCKET}/*"},
    ],
}


def _write(folder: Path, name: str, doc: Any) -> str:
    path = folder / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return str(path)


def _settings(folder: Path, *extras: str, **changes: Any) -> Settings:
    base = Settings(
        agent_name="demo",
        region="us-east-1",
        memory=False,
        yes=True,
        additional_policies=extras,
        workdir=str(folder),
    )
    return base.with_(**changes)


def _spec(settings: Settings) -> AgentSpec:
    profile, _ = agent_profile(settings, None)
    return agent_spec(settings, account=ACCOUNT, profile=profile)


def spec_with(folder: Path, *docs: Any) -> AgentSpec:
    return _spec(_settings(folder, *(_write(folder, f"extra{i}.json", d) for i, d in enumerate(docs))))


def _bare(statement: dict[str, Any]) -> dict[str, Any]:
    """A statement as IAM means it: without its Sid (the tool names the statements it writes)."""
    return {k: v for k, v in statement.items() if k != "Sid"}


def _listed(value: Any) -> list[Any]:
    return [value] if isinstance(value, str) else sorted(value)


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Semantic equality of two statements, a string and a one-element list alike, Sid aside."""
    norm = {
        k: _listed(v) if k in ("Action", "NotAction", "Resource", "NotResource") else v for k, v in _bare(a).items()
    }
    other = {
        k: _listed(v) if k in ("Action", "NotAction", "Resource", "NotResource") else v for k, v in _bare(b).items()
    }
    return norm == other


def _holds(document: dict[str, Any], statement: dict[str, Any]) -> bool:
    return any(_same(s, statement) for s in document["Statement"])


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


# --- the documents the tool writes ------------------------------------------------------------------------


def test_redteam_03_additional_policy_condition_is_written(tmp_path: Path) -> None:
    written = permissions_document(spec_with(tmp_path, READ_OWN_ACCOUNT))
    assert _holds(written, READ_OWN_ACCOUNT["Statement"][0])
    # never the statement without its condition: s3:GetObject on every bucket of every account
    assert not any(s.get("Resource") == "*" and "Condition" not in s for s in written["Statement"] if "s3" in str(s))


def test_redteam_03_additional_policy_source_vpce_condition_is_written(tmp_path: Path) -> None:
    written = permissions_document(spec_with(tmp_path, THROUGH_VPCE))
    assert _holds(written, THROUGH_VPCE["Statement"][0])


def test_redteam_03_additional_policy_deny_not_action_not_resource_are_written(tmp_path: Path) -> None:
    written = permissions_document(spec_with(tmp_path, GUARDED))
    for statement in GUARDED["Statement"]:
        assert _holds(written, statement), statement["Sid"]
    sids = [s["Sid"] for s in written["Statement"]]
    assert len(sids) == len(set(sids))  # IAM refuses a policy whose Sids repeat


def test_redteam_03_additional_policy_statements_of_two_files_keep_distinct_sids(tmp_path: Path) -> None:
    written = permissions_document(spec_with(tmp_path, READ_OWN_ACCOUNT, READ_OWN_ACCOUNT, THROUGH_VPCE))
    sids = [s["Sid"] for s in written["Statement"]]
    assert len(sids) == len(set(sids)) and all(sid.isalnum() for sid in sids)


# --- judging a role against them -------------------------------------------------------------------------


def test_redteam_03_additional_policy_role_without_the_files_deny_is_not_compliant(tmp_path: Path) -> None:
    spec = spec_with(tmp_path, GUARDED)
    full = permissions_document(spec)
    assert judge_permissions([parse_policy(full, name="p")], spec).ok
    for sid in ("NoDeletes", "OnlyReadsOffVpce", "UploadsOnly", "AllButIam"):
        lacking = dict(full, Statement=[s for s in full["Statement"] if sid.lower() not in s["Sid"].lower()])
        verdict = judge_permissions([parse_policy(lacking, name="p")], spec)
        assert not verdict.ok, sid
        assert "ADDITIONAL_POLICY_STATEMENT_MISSING" in codes(verdict.findings), sid


def test_redteam_03_additional_policy_deny_held_by_an_attached_policy_counts(tmp_path: Path) -> None:
    spec = spec_with(tmp_path, GUARDED)
    full = permissions_document(spec)
    mine = dict(full, Statement=[s for s in full["Statement"] if "NoDeletes" not in s["Sid"]])
    # the team's own managed policy denies deletes (with more actions, and its own Sid): that is at least the file
    team = _doc({"Sid": "T", "Effect": "Deny", "Action": ["s3:DeleteObject", "s3:DeleteBucket"], "Resource": "*"})
    verdict = judge_permissions([parse_policy(mine, name="p"), parse_policy(team, name="team")], spec)
    assert verdict.ok, verdict.findings


def test_redteam_03_additional_policy_condition_is_judged_with_a_request_that_satisfies_it(tmp_path: Path) -> None:
    spec = spec_with(tmp_path, READ_OWN_ACCOUNT)
    base = [s for s in permissions_document(spec)["Statement"] if "s3:GetObject" not in str(s.get("Action"))]
    other_account = dict(READ_OWN_ACCOUNT["Statement"][0], Condition={"StringEquals": {"aws:ResourceAccount": OTHER}})
    verdict = judge_permissions([parse_policy(_doc(*base, other_account), name="p")], spec)
    assert "PERMISSIONS_MISSING" in codes(verdict.findings) and "s3:GetObject" in verdict.missing_actions
    # a broader grant the role already has covers the need
    broader = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    assert judge_permissions([parse_policy(_doc(*base, broader), name="p")], spec).ok


def test_redteam_03_additional_policy_statement_no_request_can_prove_is_required_as_written(tmp_path: Path) -> None:
    until = {
        "Effect": "Allow",
        "Action": "s3:GetObject",
        "Resource": f"{BUCKET}/*",
        "Condition": {"DateLessThan": {"aws:CurrentTime": "2031-01-01T00:00:00Z"}},
    }
    spec = spec_with(tmp_path, _doc(until))
    base = [s for s in permissions_document(spec)["Statement"] if "s3:" not in str(s.get("Action"))]
    verdict = judge_permissions([parse_policy(_doc(*base), name="p")], spec)
    assert "ADDITIONAL_POLICY_STATEMENT_MISSING" in codes(verdict.findings) and not verdict.ok
    assert judge_permissions([parse_policy(_doc(*base, until), name="p")], spec).ok


# --- what cannot be written is refused ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("doc", "fragment"),
    [
        (_doc({"Effect": "Allow", "Action": "s3:GetObject"}), "Resource"),
        (
            {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{BUCKET}/${{aws:username}}/*"}]},
            "2012-10-17",
        ),
        (_doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}), "Principal"),
    ],
    ids=["no resource", "policy variable in a 2008 document", "principal"],
)
def test_redteam_03_additional_policy_iam_would_reject_is_refused(tmp_path: Path, doc: Any, fragment: str) -> None:
    with pytest.raises(UsageError) as caught:
        spec_with(tmp_path, doc)
    assert caught.value.exit_code == EXIT_USAGE and fragment in caught.value.message + caught.value.hint
    assert caught.value.hint


def test_redteam_03_additional_policy_administrator_level_file_is_refused(tmp_path: Path) -> None:
    spec = spec_with(tmp_path, _doc({"Effect": "Allow", "Action": "*", "Resource": "*"}))
    verdict, plan = make_plan(None, spec, PlanInputs(NAME, ROLE_ARN))
    assert "ADDITIONAL_POLICY_TOO_BROAD" in codes(plan.blocked_by) and not plan.will_apply
    assert "ADDITIONAL_POLICY_TOO_BROAD" in codes(verdict.findings)


def test_redteam_03_additional_policy_deny_that_stops_the_agent_blocks_the_plan(tmp_path: Path) -> None:
    no_bedrock = _doc({"Effect": "Deny", "Action": "bedrock:*", "Resource": "*"})
    # an agent that calls a Bedrock model (none is assumed for one that calls none: INTERFACE.md 2026-12)
    model = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"
    spec = _spec(_settings(tmp_path, _write(tmp_path, "extra0.json", no_bedrock), models=(model,)))
    _, create = make_plan(None, spec, PlanInputs(NAME, ROLE_ARN))
    assert "PERMISSIONS_EXPLICIT_DENY" in codes(create.blocked_by) and not create.will_apply
    # a repair that would add the Deny to a compliant role is blocked too: it would break the agent
    plain = permissions_document(_spec(_settings(tmp_path, models=(model,))))
    trust = {"Version": "2012-10-17", "Statement": [_trust_statement()]}
    observed = ObservedRole(
        NAME, ROLE_ARN, "/", observe_policy(trust, "trust policy"), (observe_policy(plain, "mine"),)
    )
    _, repair = make_plan(observed, spec, PlanInputs(NAME, ROLE_ARN, fix=True))
    assert "PERMISSIONS_EXPLICIT_DENY" in codes(repair.blocked_by) and not repair.will_apply


def _trust_statement() -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Principal": {"Service": "bedrock-agentcore.amazonaws.com"},
        "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}},
    }


def test_redteam_03_additional_policy_repair_never_merges_into_or_breaks_on_not_statements() -> None:
    existing = _doc({"Sid": "Extra", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"})
    for new in (
        {"Sid": "Extra", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Sid": "Extra", "Effect": "Allow", "Action": "s3:PutObject", "NotResource": "arn:aws:s3:::x/*"},
        {"Sid": "Extra", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"},
    ):
        merged = merge_statements(existing, _doc(new))
        assert merged["Statement"][0] == existing["Statement"][0]  # never widened or turned into a Deny
        assert _same(merged["Statement"][1], new) and merged["Statement"][1]["Sid"] != "Extra"
    # a one-action string merges as an action, not as its characters
    merged = merge_statements(existing, _doc({"Sid": "Extra", "Effect": "Allow", "Action": "s3:Put*", "Resource": "*"}))
    assert merged["Statement"][0]["Action"] == ["s3:GetObject", "s3:Put*"]


# --- against IAM (moto): written, read back, judged again ------------------------------------------------


def _gateway(session: boto3.Session) -> Gateway:
    return Gateway(session=session, sleep=lambda seconds: None)


def test_redteam_03_additional_policy_create_writes_each_statement_as_given(
    moto_iam: boto3.Session, tmp_path: Path
) -> None:
    settings = _settings(
        tmp_path, _write(tmp_path, "guarded.json", GUARDED), _write(tmp_path, "own.json", READ_OWN_ACCOUNT)
    )
    spec = _spec(settings)
    outcome = ensure_role(_gateway(moto_iam), settings, spec, confirm=lambda plan: True, progress=lambda m: None)
    assert outcome.ok and outcome.role.action_taken == "created", outcome.findings
    served = moto_iam.client("iam").get_role_policy(RoleName=NAME, PolicyName=TOOL_POLICY_NAME)["PolicyDocument"]
    for statement in [*GUARDED["Statement"], *READ_OWN_ACCOUNT["Statement"]]:
        assert _holds(served, statement), statement
    again = ensure_role(_gateway(moto_iam), settings.with_(fix=True), spec, confirm=lambda p: True, progress=print)
    assert again.ok and again.role.action_taken == "none" and not again.plan.actions


def test_redteam_03_additional_policy_repair_adds_the_missing_deny(moto_iam: boto3.Session, tmp_path: Path) -> None:
    settings = _settings(tmp_path, _write(tmp_path, "guarded.json", GUARDED))
    spec = _spec(settings)
    iam = moto_iam.client("iam")
    full = permissions_document(spec)
    without_denies = dict(full, Statement=[s for s in full["Statement"] if s["Effect"] == "Allow"])
    iam.create_role(RoleName=NAME, AssumeRolePolicyDocument=json.dumps(_doc(_trust_statement())))
    iam.put_role_policy(RoleName=NAME, PolicyName="mine", PolicyDocument=json.dumps(without_denies))

    doctor = check_role(_gateway(moto_iam), settings, spec)
    assert "ADDITIONAL_POLICY_STATEMENT_MISSING" in codes(doctor.findings) and not doctor.ok
    assert "ROLE_FIX_AVAILABLE" in codes(doctor.findings) and doctor.role.permissions_ok is False

    fixed = ensure_role(_gateway(moto_iam), settings.with_(fix=True), spec, confirm=lambda p: True, progress=print)
    assert fixed.ok and fixed.role.action_taken == "repaired", fixed.findings
    served = iam.get_role_policy(RoleName=NAME, PolicyName=TOOL_REPAIR_POLICY_NAME)["PolicyDocument"]
    for statement in GUARDED["Statement"][1:4]:
        assert _holds(served, statement), statement
    assert check_role(_gateway(moto_iam), settings, spec).ok


# --- the CLI: validate and policy say and print the same ---------------------------------------------------

BASE = ["--name", "demo", "--account", ACCOUNT, "--region", "us-east-1", "--disable-memory"]


def _cli(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def test_redteam_03_additional_policy_validate_reports_the_missing_deny(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # validate makes no AWS call
    extra = _write(tmp_path, "guarded.json", GUARDED)
    full = permissions_document(spec_with(tmp_path, GUARDED))
    allows = _write(
        tmp_path, "allows.json", dict(full, Statement=[s for s in full["Statement"] if s["Effect"] == "Allow"])
    )
    result = _cli("validate", "--permissions", allows, "--additional-policy", extra, *BASE, "--json")
    assert result.exit_code == 3, result.output
    report = json.loads(result.stdout)
    assert "ADDITIONAL_POLICY_STATEMENT_MISSING" in {f["code"] for f in report["findings"] if f["severity"] == "error"}
    complete = _write(tmp_path, "full.json", full)
    assert _cli("validate", "--permissions", complete, "--additional-policy", extra, *BASE).exit_code == 0


def test_redteam_03_additional_policy_policy_prints_the_statements_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    extra = _write(tmp_path, "guarded.json", GUARDED)
    own = _write(tmp_path, "own.json", READ_OWN_ACCOUNT)
    args = ("policy", "permissions", *BASE, "--additional-policy", extra, "--additional-policy", own)
    printed = json.loads(_cli(*args).stdout)
    stack = json.loads(_cli(*args, "--format", "cloudformation").stdout)
    in_stack = stack["Resources"]["AgentCoreExecutionPolicy"]["Properties"]["PolicyDocument"]
    terraform = _cli(*args, "--format", "terraform").stdout
    for statement in [*GUARDED["Statement"], *READ_OWN_ACCOUNT["Statement"]]:
        assert _holds(printed, statement) and _holds(in_stack, statement), statement
    assert '"NotResource"' in terraform and '"aws:ResourceAccount"' in terraform and '"Deny"' in terraform


def test_redteam_03_additional_policy_cli_doctor_and_fix_report_and_write_it(
    moto_iam: boto3.Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    extra = _write(tmp_path, "guarded.json", GUARDED)
    agent = ("-n", "demo", "--disable-memory", "--json")
    assert _cli("role", "ensure", *agent, "--yes").exit_code == 0  # a role made without the file
    doctor = _cli("doctor", *agent, "--additional-policy", extra)
    report = json.loads(doctor.stdout)
    assert doctor.exit_code == 3 and report["role"]["permissions_ok"] is False
    errors = {f["code"] for f in report["findings"] if f["severity"] == "error"}
    assert "ADDITIONAL_POLICY_STATEMENT_MISSING" in errors
    assert any(r.get("statement", {}).get("Effect") == "Deny" for r in report["role"]["requirements"])
    fixed = _cli("role", "ensure", *agent, "--additional-policy", extra, "--fix", "--yes")
    assert fixed.exit_code == 0 and json.loads(fixed.stdout)["role"]["action_taken"] == "repaired", fixed.stderr
    served = moto_iam.client("iam").get_role_policy(RoleName=NAME, PolicyName=TOOL_REPAIR_POLICY_NAME)
    for statement in GUARDED["Statement"]:
        assert _holds(served["PolicyDocument"], statement), statement
    assert _cli("doctor", *agent, "--additional-policy", extra).exit_code == 0


def test_redteam_03_additional_policy_statement_an_earlier_run_wrote_without_its_condition_is_flagged(
    tmp_path: Path,
) -> None:
    spec = spec_with(tmp_path, READ_OWN_ACCOUNT)
    written = permissions_document(spec)
    assert "ADDITIONAL_POLICY_STATEMENT_STALE" not in codes(
        judge_permissions([parse_policy(written, name=TOOL_POLICY_NAME)], spec).findings
    )
    # what agentcore-ext wrote before this fix: the statement without its aws:ResourceAccount condition
    dropped = {"Sid": "Additional1", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}
    repair = parse_policy(_doc(dropped), name=TOOL_REPAIR_POLICY_NAME)
    verdict = judge_permissions([parse_policy(written, name=TOOL_POLICY_NAME), repair], spec)
    (stale,) = [f for f in verdict.findings if f.code == "ADDITIONAL_POLICY_STATEMENT_STALE"]
    assert stale.severity == "warning" and f"{TOOL_REPAIR_POLICY_NAME} Additional1" in stale.message
    assert "delete-role-policy" in stale.hint and "--fix" in stale.hint
    # the user's own policies are theirs: never judged stale
    mine = parse_policy(_doc(dropped), name="team-data")
    assert "ADDITIONAL_POLICY_STATEMENT_STALE" not in codes(judge_permissions([mine], spec).findings)

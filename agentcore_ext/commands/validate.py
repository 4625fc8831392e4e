"""`validate`: judge policy files offline, for CI. No AWS call at all."""

from __future__ import annotations

from typing import Annotated

import typer

from agentcore_ext.commands import options as o
from agentcore_ext.commands.common import read_text_file, resolve_region, run
from agentcore_ext.errors import UsageError
from agentcore_ext.report import Report

TrustFiles = Annotated[list[str] | None, typer.Option("--trust", help="Trust policy JSON file (repeatable).")]
PermissionFiles = Annotated[
    list[str] | None, typer.Option("--permissions", help="Permissions policy JSON file (repeatable).")
]
BoundaryFile = Annotated[str | None, typer.Option("--boundary", help="Permissions boundary policy JSON file.")]


def _load(path: str, what: str) -> object:
    from agentcore_ext.iam.policy import PolicyError, parse_policy

    text = read_text_file(path, what)
    hint = f"fix the {what} document; IAM's JSON grammar applies"
    try:
        doc = parse_policy(text, name=path)
    except PolicyError as exc:
        raise UsageError(f"{path}: {exc}", hint) from exc
    except RecursionError:  # json's decoder on absurdly deep nesting
        raise UsageError(f"{path}: invalid JSON: nested too deeply", hint) from None
    # What IAM itself refuses (MalformedPolicyDocument): a trust policy names who may assume the role and
    # nothing else; an identity policy (permissions, boundary) applies to the role and names no principal.
    for st in doc.statements:
        where = f"{path}: Statement[{st.index}]"
        if what == "trust" and st.principal is None and st.not_principal is None:
            raise UsageError(f"{where}: a trust policy statement needs a Principal", hint)
        if what == "trust" and (st.resources is not None or st.not_resources is not None):
            raise UsageError(f"{where}: a trust policy takes no Resource (IAM rejects it)", hint)
        if what != "trust" and (st.principal is not None or st.not_principal is not None):
            raise UsageError(
                f"{where}: a {what} policy takes no Principal (IAM rejects it)",
                f"{hint}; did you pass a trust policy as --{what}?",
            )
    return doc


def validate(
    trust: TrustFiles = None,
    permissions: PermissionFiles = None,
    boundary: BoundaryFile = None,
    name: o.Name = None,
    entrypoint: o.Entrypoint = None,
    account: o.Account = None,
    region: o.Region = None,
    deployment_type: o.DeploymentType = None,
    disable_memory: o.DisableMemory = False,
    protocol: o.Protocol = None,
    json_out: o.Json = False,
) -> None:
    """Judge policy files for an agent/account/region, offline (exit 0 compliant, 3 not, 2 bad file)."""

    def body(report: Report) -> int:
        from pathlib import Path

        from agentcore_ext import arns
        from agentcore_ext.checks import judge_permissions, judge_trust
        from agentcore_ext.findings import has_errors
        from agentcore_ext.iam.policy import PolicyDocument
        from agentcore_ext.requirements import AgentSpec
        from agentcore_ext.settings import build_settings, load_team_defaults

        if not trust and not permissions:
            raise UsageError("nothing to validate", "pass --trust FILE and/or --permissions FILE")
        if not account:
            raise UsageError("validate needs --account", "pass the 12-digit account the role lives in")
        s = build_settings(
            defaults=load_team_defaults(Path.cwd()),
            entrypoint=entrypoint,
            name=name,
            account=account,
            region=resolve_region(region, required=True),
            deployment_type=deployment_type,
            disable_memory=disable_memory,
            protocol=protocol,
        )
        if not s.agent_name:
            raise UsageError("validate needs the agent", "pass --name AGENT (or --entrypoint FILE)")
        assert s.region is not None and s.account is not None
        spec = AgentSpec(
            s.agent_name,
            s.account,
            s.region,
            arns.partition_for_region(s.region),
            s.deployment_type,
            s.memory,
            s.protocol,
            model=s.model,
        )
        trust_docs = [_load(p, "trust") for p in trust or []]
        perm_docs = [_load(p, "permissions") for p in permissions or []]
        boundary_doc = _load(boundary, "boundary") if boundary else None
        trust_ok: bool | None = None
        for doc in trust_docs:
            assert isinstance(doc, PolicyDocument)
            verdict = judge_trust(doc, spec)
            trust_ok = verdict.ok and trust_ok is not False
            report.add(verdict.findings)
        permissions_ok: bool | None = None
        missing: list[str] = []
        if perm_docs:
            assert all(isinstance(d, PolicyDocument) for d in perm_docs)
            pv = judge_permissions(perm_docs, spec, boundary_doc)  # type: ignore[arg-type]
            permissions_ok, missing = pv.ok, list(pv.missing_actions)
            report.add(pv.findings)
        report.role = {
            "name": None,
            "arn": None,
            "exists": None,
            "trust_ok": trust_ok,
            "permissions_ok": permissions_ok,
            "missing_actions": missing,
            "action_taken": "none",
        }
        return 3 if has_errors(report.findings) else 0

    run("validate", json_out, body)

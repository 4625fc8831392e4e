"""validate: judge policy files offline, for CI. No AWS call at all: read the files, judge them, report."""

from __future__ import annotations

from pathlib import Path

from agentcore_ext.errors import EXIT_CHECKS_FAILED, UsageError
from agentcore_ext.findings import has_errors
from agentcore_ext.flows.profile import profiled_spec
from agentcore_ext.iam.policy import PolicyDocument, PolicyError, parse_policy
from agentcore_ext.judge.needs import requirement_blocks
from agentcore_ext.judge.permissions import judge_permissions
from agentcore_ext.judge.trust import judge_trust
from agentcore_ext.report import Report, RoleBlock
from agentcore_ext.settings import Settings


def read_text_file(path: str, what: str) -> str:
    p = Path(path)
    if p.is_dir():
        raise UsageError(f"{what} file {path} is a directory", "pass the policy document's JSON file")
    if not p.is_file():
        raise UsageError(f"{what} file not found: {path}", "check the path (relative to the current directory)")
    try:
        return p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {what} file {path}: {exc}", "give a UTF-8 JSON policy document") from exc


def load_policy_file(path: str, what: str) -> PolicyDocument:
    """A policy file, parsed, and refused where IAM itself would refuse it for that use."""
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


def validate(settings: Settings, report: Report, trust: list[str], permissions: list[str], boundary: str | None) -> int:
    """Judge the files for the agent of the settings (account and region given); exit 0 compliant, 3 not."""
    if not trust and not permissions:
        raise UsageError("nothing to validate", "pass --trust FILE and/or --permissions FILE")
    if not settings.account:
        raise UsageError("validate needs --account", "pass the 12-digit account the role lives in")
    if not settings.agent_name:
        raise UsageError("validate needs the agent", "pass --name AGENT (or --entrypoint FILE)")
    trust_docs = [load_policy_file(p, "trust") for p in trust]
    perm_docs = [load_policy_file(p, "permissions") for p in permissions]
    boundary_doc = load_policy_file(boundary, "boundary") if boundary else None
    spec = profiled_spec(settings, report, account=settings.account)
    trust_ok: bool | None = None
    for doc in trust_docs:
        verdict = judge_trust(doc, spec)
        trust_ok = verdict.ok and trust_ok is not False
        report.add(verdict.findings)
    permissions_ok: bool | None = None
    missing: tuple[str, ...] = ()
    if perm_docs:
        pv = judge_permissions(perm_docs, spec, boundary_doc)
        permissions_ok, missing = pv.ok, pv.missing_actions
        report.add(pv.findings)
    report.role = RoleBlock(None, None, None, trust_ok, permissions_ok, missing, requirements=requirement_blocks(spec))
    return EXIT_CHECKS_FAILED if has_errors(report.findings) else 0

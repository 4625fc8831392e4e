"""The agent's `additional-policies` as declared, before any role is judged: refused when IAM could not write or
attach them, flagged when they would make the agent an administrator or cannot be read. Pure.

IAM attaches to a role only AWS managed policies and customer managed policies of the role's own account, so
another account's ARN is refused (exit 2), and so is a missing one (aws/gather_role.py reads each ARN before any
change). A policy that grants administrator-level access is an error finding: the tool would write or attach it
itself, and an execution role acts on what the model says, so a prompt injection would act as an administrator.
"""

from __future__ import annotations

import json
import re

from agentcore_ext.errors import UsageError
from agentcore_ext.findings import Code, Finding
from agentcore_ext.iam.policy import PolicyDocument, policy_to_dict
from agentcore_ext.state import AgentSpec, ExtraPolicy

# AWS managed policies that make a role an administrator, or let it make itself one (IAM, sts:AssumeRole anywhere).
ADMIN_MANAGED = frozenset({"AdministratorAccess", "PowerUserAccess", "IAMFullAccess"})
ADMIN_ACTIONS = frozenset({"*", "iam:*", "sts:*"})
POLICY_ARN_RE = re.compile(r"arn:(aws[a-z-]*):iam::([0-9]{12}|aws):policy/(?:[\x21-\x7e]*/)?([\w+=,.@-]{1,128})\Z")


def check_policy_arn(item: str) -> str:
    """A managed policy's ARN, by its shape (its account is checked against the role's once that is known)."""
    if not POLICY_ARN_RE.match(item):
        raise UsageError(
            f"--additional-policy {item} is not a managed policy ARN",
            "give arn:PARTITION:iam::ACCOUNT:policy/NAME (e.g. arn:aws:iam::123456789012:policy/AgentData), "
            "or the path of a policy JSON file",
        )
    return item


def check_writable(doc: PolicyDocument, item: str) -> None:
    """Refuse, before any AWS call, a file whose statements IAM would reject, or whose meaning would change, once
    written into the tool's policy (an identity policy, Version 2012-10-17)."""
    for st in doc.statements:
        where = f"--additional-policy {item}: Statement[{st.index}]"
        if st.principal is not None or st.not_principal is not None:
            raise UsageError(
                f"{where} names a Principal",
                "it is an identity policy, attached to the role: drop the Principal (IAM rejects it there)",
            )
        if st.resources is None and st.not_resources is None:
            raise UsageError(
                f"{where} has no Resource (IAM rejects an identity policy statement without one)",
                'add "Resource" with the ARNs it applies to ("*" only for actions that take no resource)',
            )
    if doc.version != "2012-10-17" and "${" in json.dumps(policy_to_dict(doc)):
        raise UsageError(
            f"--additional-policy {item}: Version {doc.version} (the default when none is given) reads ${{...}} as "
            "literal text; agentcore-ext writes Version 2012-10-17, where it is a policy variable",
            'add "Version": "2012-10-17" to the file if the policy variable is meant, or remove it',
        )


def refuse_foreign(spec: AgentSpec) -> None:
    """Managed policies IAM would not attach to this role: another partition's, another account's."""
    for extra in spec.profile.extra_policies:
        if not extra.arn:
            continue
        _, partition, _, _, account, _ = extra.arn.split(":", 5)
        if partition != spec.partition:
            raise UsageError(
                f"--additional-policy {extra.arn} is in partition {partition}; the role is in {spec.partition}",
                f"give the policy's ARN in partition {spec.partition} (arn:{spec.partition}:iam::...)",
            )
        if account not in ("aws", spec.account):
            raise UsageError(
                f"--additional-policy {extra.arn} belongs to account {account}: IAM attaches to a role only AWS "
                f"managed policies and customer managed policies of the role's own account ({spec.account})",
                f"create the policy in account {spec.account} and pass that ARN, or save its document to a file and "
                "pass --additional-policy FILE",
            )


def declared_findings(spec: AgentSpec) -> list[Finding]:
    """Administrator-level additional policies (an error: the tool would write or attach them itself), and managed
    policies whose document is unknown (a warning: their grants are not judged)."""
    out: list[Finding] = []
    for extra in spec.profile.extra_policies:
        broad = admin_grants(extra)
        if broad:
            out.append(_too_broad(extra, broad))
        elif extra.arn and extra.document is None:
            out.append(_unread(extra))
    return out


def admin_grants(extra: ExtraPolicy) -> list[str]:
    """What makes the policy administrator-level: an AWS managed admin policy by name, or an Allow of `*`,
    `iam:*`, `sts:*` or NotAction on every resource (`*` or NotResource)."""
    name = extra.arn.rsplit("/", 1)[-1]
    out = [f"the AWS managed policy {name}"] if extra.aws_managed and name in ADMIN_MANAGED else []
    for st in extra.document.statements if extra.document is not None else ():
        everywhere = st.not_resources is not None or "*" in (st.resources or ())
        hits = sorted({a for a in st.actions if a.lower() in ADMIN_ACTIONS})
        if st.effect == "Allow" and everywhere and (st.not_actions is not None or hits):
            what = "NotAction" if st.not_actions is not None else ", ".join(hits)
            out.append(f"statement {st.index}: Allow {what} on every resource")
    return out


def _too_broad(extra: ExtraPolicy, broad: list[str]) -> Finding:
    return Finding(
        Code.ADDITIONAL_POLICY_TOO_BROAD,
        f"--additional-policy {extra.source} makes the agent an administrator ({'; '.join(broad)}): the execution "
        "role acts on what the model says, so a prompt injection would act with these rights; agentcore-ext does not "
        "write or attach it",
        "give the agent only what its code calls: a policy file with those actions on those resources "
        "(--additional-policy FILE); `agentcore-ext policy permissions` shows what the runtime itself needs",
    )


def _unread(extra: ExtraPolicy) -> Finding:
    why = f"could not be read ({extra.error})" if extra.error else "was not read (this command makes no AWS call)"
    how = (
        "allow iam:GetPolicy and iam:GetPolicyVersion on it to your credentials to have it judged"
        if extra.error
        else f"to judge it offline, save its default version (aws iam get-policy --policy-arn {extra.arn}, then "
        "aws iam get-policy-version ... --query PolicyVersion.Document > policy.json) and pass "
        "--additional-policy policy.json; `agentcore-ext doctor` reads it itself"
    )
    return Finding(
        Code.ADDITIONAL_POLICY_UNREAD,
        f"managed policy {extra.arn} (--additional-policy) {why}: what it grants is not judged; the role must "
        "still have it attached",
        how,
    )


def managed_arns(spec: AgentSpec) -> tuple[str, ...]:
    return tuple(dict.fromkeys(e.arn for e in spec.profile.extra_policies if e.arn))

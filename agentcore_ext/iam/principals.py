"""Principal / NotPrincipal matching for resource-based (trust) policies. Pure.

IAM User Guide, "AWS JSON policy elements: Principal":
- a role ARN names the role and every session of it: a request made with `arn:P:sts::A:assumed-role/NAME/s` is
  matched by `arn:P:iam::A:role/NAME` and by `arn:P:iam::A:role/some/path/NAME` (the session ARN carries no path,
  so partition, account and role name decide);
- an account principal (`arn:P:iam::A:root` or the bare id `A`) delegates to the account: it does not by itself
  allow a principal of that account, whose identity policies must allow the request too. That match is reported
  as PrincipalMatch.ACCOUNT, apart from a grant to the named principal itself (GRANT), which is also what a
  service principal (`{"Service": "bedrock-agentcore.amazonaws.com"}`) gets.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import Enum

from agentcore_ext.iam.policy import Principal

_ACCOUNT_RE = re.compile(r"[0-9]{12}")


class PrincipalMatch(Enum):
    NO = "no"
    GRANT = "grant"  # names the caller itself (or everyone): the resource policy alone grants
    ACCOUNT = "account"  # names the caller's account: delegation, the caller's identity policies must allow too


def _arn_parts(principal_id: str) -> list[str] | None:
    parts = principal_id.split(":", 5)
    return parts if len(parts) == 6 and parts[0] == "arn" else None


def _account_of(principal_id: str) -> str | None:
    if _ACCOUNT_RE.fullmatch(principal_id):
        return principal_id
    parts = _arn_parts(principal_id)
    if parts is not None and _ACCOUNT_RE.fullmatch(parts[4]):
        return parts[4]
    return None


def _is_account_root(principal_id: str) -> str | None:
    """The account when the id names a whole account (12 digits or arn:P:iam::ACCOUNT:root)."""
    if _ACCOUNT_RE.fullmatch(principal_id):
        return principal_id
    parts = _arn_parts(principal_id)
    if parts is not None and parts[2] == "iam" and parts[5] == "root":
        return parts[4] if _ACCOUNT_RE.fullmatch(parts[4]) else None
    return None


def _role_of_session(principal_id: str) -> tuple[str, str, str] | None:
    """(partition, account, role name) of an assumed-role session ARN."""
    parts = _arn_parts(principal_id)
    if parts is None or parts[2] != "sts":
        return None
    kind, name, session = [*parts[5].split("/", 2), "", ""][:3]
    return (parts[1], parts[4], name) if kind == "assumed-role" and name and session else None


def _names_role_of(pid: str, session: tuple[str, str, str]) -> bool:
    parts = _arn_parts(pid)
    if parts is None or parts[2] != "iam" or not parts[5].startswith("role/"):
        return False
    return (parts[1], parts[4], parts[5].rsplit("/", 1)[1]) == session


def _aws_match(ids: tuple[str, ...], caller: str, sessions: bool) -> PrincipalMatch:
    caller_root = _is_account_root(caller)
    caller_account = _account_of(caller)
    session = _role_of_session(caller) if sessions else None
    found = PrincipalMatch.NO
    for pid in ids:
        if pid == caller:
            return PrincipalMatch.GRANT
        root = _is_account_root(pid)
        if root is not None:
            if caller_root == root:  # the account's root user itself: 12 digits and :root name the same
                return PrincipalMatch.GRANT
            if root == caller_account:
                found = PrincipalMatch.ACCOUNT
        elif session is not None and _names_role_of(pid, session):
            return PrincipalMatch.GRANT
    return found


def principal_match(block: Principal, caller: Mapping[str, str], *, sessions: bool = True) -> PrincipalMatch:
    """How a Principal element names the calling principal ({"Service": ...} or {"AWS": arn}).

    `sessions=False` (used for NotPrincipal) does not let a role ARN stand for its sessions: IAM wants the session
    ARN itself listed in NotPrincipal to exclude a session.
    """
    if "*" in block:
        return PrincipalMatch.GRANT
    calls = {kind.lower(): value for kind, value in caller.items()}
    found = PrincipalMatch.NO
    for kind, ids in block.items():
        kind_l = kind.lower()
        if kind_l == "aws" and "*" in ids:
            return PrincipalMatch.GRANT
        value = calls.get(kind_l)
        if value is None:
            continue
        if kind_l == "service":
            if value.lower() in (i.lower() for i in ids):
                return PrincipalMatch.GRANT
        elif kind_l == "aws":
            match = _aws_match(ids, value, sessions)
            if match is PrincipalMatch.GRANT:
                return match
            if match is PrincipalMatch.ACCOUNT:
                found = match
        elif value in ids:
            return PrincipalMatch.GRANT
    return found


def principal_matches(block: Principal, caller: Mapping[str, str], *, sessions: bool = True) -> bool:
    """Whether a Principal element names the calling principal, by itself or through its account."""
    return principal_match(block, caller, sessions=sessions) is not PrincipalMatch.NO

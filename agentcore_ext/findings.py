"""Findings: what a check concluded, with a stable code from one catalogue. Pure data; rendering lives in cli/.

Every code a run can report is a member of `Code`, with its default severity in `DEFAULT_SEVERITY`. A finding's
severity may differ from the default only through `regrade` (dry-run, --force, doctor's view), keyed by members,
so no caller matches codes by string prefix.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Code(StrEnum):
    """Stable SCREAMING_SNAKE identifiers; scripts match on them, so a member is never renamed."""

    # caller
    ROOT_CALLER = "ROOT_CALLER"
    CALLER_UNKNOWN = "CALLER_UNKNOWN"
    CALLER_PATH_UNRESOLVED = "CALLER_PATH_UNRESOLVED"
    CALLER_POLICIES_INCOMPLETE = "CALLER_POLICIES_INCOMPLETE"
    # PassRole and deploy permissions
    PASSROLE_DENIED = "PASSROLE_DENIED"
    PASSROLE_UNKNOWN = "PASSROLE_UNKNOWN"
    PASSROLE_NAME_PATTERN = "PASSROLE_NAME_PATTERN"
    PASSROLE_FORCED = "PASSROLE_FORCED"
    DEPLOY_PERMISSION_MISSING = "DEPLOY_PERMISSION_MISSING"
    DEPLOY_PERMISSIONS_UNKNOWN = "DEPLOY_PERMISSIONS_UNKNOWN"
    # deploy and CodeBuild
    DEPLOY_CODEBUILD_PASSROLE_DENIED = "DEPLOY_CODEBUILD_PASSROLE_DENIED"
    DEPLOY_STOPPED = "DEPLOY_STOPPED"
    TOOLKIT_WILL_REWRITE_ROLE = "TOOLKIT_WILL_REWRITE_ROLE"
    CODEBUILD_ROLE_TRUST_INVALID = "CODEBUILD_ROLE_TRUST_INVALID"
    CODEBUILD_ROLE_TRUST_NOT_SCOPED = "CODEBUILD_ROLE_TRUST_NOT_SCOPED"
    CODEBUILD_ROLE_PERMISSIONS_MISSING = "CODEBUILD_ROLE_PERMISSIONS_MISSING"
    CODEBUILD_ROLE_TOO_BROAD = "CODEBUILD_ROLE_TOO_BROAD"
    CODEBUILD_TRUST_NOT_OURS = "CODEBUILD_TRUST_NOT_OURS"
    # trust (T1-T3)
    TRUST_SERVICE_NOT_ALLOWED = "TRUST_SERVICE_NOT_ALLOWED"
    TRUST_WILDCARD_PRINCIPAL = "TRUST_WILDCARD_PRINCIPAL"
    TRUST_NOT_SCOPED = "TRUST_NOT_SCOPED"
    # permissions (P1-P3)
    PERMISSIONS_MISSING = "PERMISSIONS_MISSING"
    PERMISSIONS_EXPLICIT_DENY = "PERMISSIONS_EXPLICIT_DENY"
    PERMISSIONS_BOUNDARY_BLOCKS = "PERMISSIONS_BOUNDARY_BLOCKS"
    PERMISSIONS_UNDECIDED = "PERMISSIONS_UNDECIDED"
    PERMISSIONS_TOO_BROAD = "PERMISSIONS_TOO_BROAD"
    RECOMMENDED_PERMISSIONS_MISSING = "RECOMMENDED_PERMISSIONS_MISSING"
    TELEMETRY_PERMISSIONS_MISSING = "TELEMETRY_PERMISSIONS_MISSING"
    RESOURCE_UNKNOWN = "RESOURCE_UNKNOWN"  # allowed on some resource of the kind; which one the agent uses is unknown
    ADDITIONAL_POLICY_NOT_ATTACHED = "ADDITIONAL_POLICY_NOT_ATTACHED"
    ADDITIONAL_POLICY_STATEMENT_MISSING = "ADDITIONAL_POLICY_STATEMENT_MISSING"
    ADDITIONAL_POLICY_TOO_BROAD = "ADDITIONAL_POLICY_TOO_BROAD"
    ADDITIONAL_POLICY_UNREAD = "ADDITIONAL_POLICY_UNREAD"
    ADDITIONAL_POLICY_STATEMENT_STALE = "ADDITIONAL_POLICY_STATEMENT_STALE"
    # the agent profile
    PROFILE_REGIONS_FROM_TABLE = "PROFILE_REGIONS_FROM_TABLE"
    APPLICATION_PROFILE_MODELS_UNKNOWN = "APPLICATION_PROFILE_MODELS_UNKNOWN"
    AGENT_SCAN_UNRESOLVED = "AGENT_SCAN_UNRESOLVED"
    ENTRYPOINT_NOT_SCANNED = "ENTRYPOINT_NOT_SCANNED"
    DEPLOYED_RUNTIME_UNREAD = "DEPLOYED_RUNTIME_UNREAD"  # GetAgentRuntime refused or not answered: judged without it
    DEPLOYED_ROLE_DIFFERS = "DEPLOYED_ROLE_DIFFERS"  # the deployed runtime runs with another role than the judged one
    ECR_CROSS_ACCOUNT = "ECR_CROSS_ACCOUNT"
    WRITTEN_RESOURCE_WILDCARD = "WRITTEN_RESOURCE_WILDCARD"
    REGION_NOT_OFFERED = "REGION_NOT_OFFERED"
    CALLER_CANNOT_WRITE_ROLE = "CALLER_CANNOT_WRITE_ROLE"
    # the role
    ROLE_POLICY_INVALID = "ROLE_POLICY_INVALID"
    ROLE_RESERVED = "ROLE_RESERVED"
    ROLE_NOT_FOUND = "ROLE_NOT_FOUND"
    ROLE_NOT_CREATED_YET = "ROLE_NOT_CREATED_YET"
    ROLE_ARN_MISMATCH = "ROLE_ARN_MISMATCH"
    ROLE_INLINE_POLICY_LIMIT = "ROLE_INLINE_POLICY_LIMIT"
    ROLE_FIX_AVAILABLE = "ROLE_FIX_AVAILABLE"
    ROLE_CHANGE_DECLINED = "ROLE_CHANGE_DECLINED"
    ROLE_ADOPTED = "ROLE_ADOPTED"
    ROLE_READBACK_MISMATCH = "ROLE_READBACK_MISMATCH"
    ROLE_CREATED = "ROLE_CREATED"
    ROLE_REPAIRED = "ROLE_REPAIRED"
    # the toolkit
    TOOLKIT_AUTO_CREATES_ROLE = "TOOLKIT_AUTO_CREATES_ROLE"
    TOOLKIT_CONFIGURE_FAILED = "TOOLKIT_CONFIGURE_FAILED"
    CONFIGURED_ROLE_MISMATCH = "CONFIGURED_ROLE_MISMATCH"
    # the drop-in
    DEPLOYMENT_TYPE_UNKNOWN = "DEPLOYMENT_TYPE_UNKNOWN"
    TOOLKIT_RERUN_CHANGES = "TOOLKIT_RERUN_CHANGES"
    CONFIGURED_ROLE_KEPT = "CONFIGURED_ROLE_KEPT"
    CONFIGURED_ROLE_REPLACED = "CONFIGURED_ROLE_REPLACED"
    REGION_MISMATCH = "REGION_MISMATCH"
    TOOLKIT_OTHER_AGENT = "TOOLKIT_OTHER_AGENT"
    CONFIG_BACKED_UP = "CONFIG_BACKED_UP"
    CONFIG_RESTORED = "CONFIG_RESTORED"  # configure did not finish: the toolkit's files are as they were before it ran
    CONFIG_LEFT_CHANGED = "CONFIG_LEFT_CHANGED"  # ...except these, changed after it wrote them: left as they are
    TOOLKIT_NOT_RUN = "TOOLKIT_NOT_RUN"  # --dry-run: the toolkit command that would have run
    # a run that stopped (one per exit code)
    CHECKS_FAILED = "CHECKS_FAILED"
    INTERNAL_ERROR = "INTERNAL_ERROR"
    USAGE_ERROR = "USAGE_ERROR"
    AWS_ERROR = "AWS_ERROR"
    TOOLKIT_UNAVAILABLE = "TOOLKIT_UNAVAILABLE"
    INTERRUPTED = "INTERRUPTED"
    # issue 10: repairs that cannot finish, concurrent writers
    ROLE_TAG_LIMIT = "ROLE_TAG_LIMIT"
    ROLE_REPAIR_REFUSED = "ROLE_REPAIR_REFUSED"
    ROLE_CHANGED_BY_OTHER_WRITER = "ROLE_CHANGED_BY_OTHER_WRITER"


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO
DEFAULT_SEVERITY: dict[Code, Severity] = {
    Code.ROOT_CALLER: _W,
    Code.CALLER_UNKNOWN: _W,
    Code.CALLER_PATH_UNRESOLVED: _I,
    Code.CALLER_POLICIES_INCOMPLETE: _I,
    Code.PASSROLE_DENIED: _E,
    Code.PASSROLE_UNKNOWN: _W,
    Code.PASSROLE_NAME_PATTERN: _E,
    Code.PASSROLE_FORCED: _W,
    Code.DEPLOY_PERMISSION_MISSING: _W,
    Code.DEPLOY_PERMISSIONS_UNKNOWN: _I,
    # deploy and CodeBuild
    Code.DEPLOY_CODEBUILD_PASSROLE_DENIED: _W,  # the deploy guard stops on it; configure and doctor warn
    Code.DEPLOY_STOPPED: _E,  # the deploy guard: a required deploy permission is denied
    Code.TOOLKIT_WILL_REWRITE_ROLE: _W,
    Code.CODEBUILD_ROLE_TRUST_INVALID: _E,
    Code.CODEBUILD_ROLE_TRUST_NOT_SCOPED: _W,
    Code.CODEBUILD_ROLE_PERMISSIONS_MISSING: _E,
    Code.CODEBUILD_ROLE_TOO_BROAD: _E,
    Code.CODEBUILD_TRUST_NOT_OURS: _E,
    Code.TRUST_SERVICE_NOT_ALLOWED: _E,
    Code.TRUST_WILDCARD_PRINCIPAL: _E,
    Code.TRUST_NOT_SCOPED: _W,
    Code.PERMISSIONS_MISSING: _E,
    Code.PERMISSIONS_EXPLICIT_DENY: _E,
    Code.PERMISSIONS_BOUNDARY_BLOCKS: _E,
    Code.PERMISSIONS_UNDECIDED: _E,
    Code.PERMISSIONS_TOO_BROAD: _W,
    Code.RECOMMENDED_PERMISSIONS_MISSING: _I,
    Code.TELEMETRY_PERMISSIONS_MISSING: _W,
    Code.RESOURCE_UNKNOWN: _W,
    Code.ADDITIONAL_POLICY_NOT_ATTACHED: _E,
    Code.ADDITIONAL_POLICY_STATEMENT_MISSING: _E,  # a Deny (or condition) of the file missing: the role is broader
    Code.ADDITIONAL_POLICY_TOO_BROAD: _E,  # the tool would write or attach administrator rights itself
    Code.ADDITIONAL_POLICY_UNREAD: _W,
    Code.ADDITIONAL_POLICY_STATEMENT_STALE: _W,  # the tool only adds: a person removes what it once wrote too broad
    Code.PROFILE_REGIONS_FROM_TABLE: _I,
    Code.APPLICATION_PROFILE_MODELS_UNKNOWN: _W,
    Code.AGENT_SCAN_UNRESOLVED: _I,
    Code.ENTRYPOINT_NOT_SCANNED: _W,  # the entrypoint is outside the working directory: what it calls is unknown
    Code.DEPLOYED_RUNTIME_UNREAD: _W,
    Code.DEPLOYED_ROLE_DIFFERS: _W,
    Code.ECR_CROSS_ACCOUNT: _W,
    Code.WRITTEN_RESOURCE_WILDCARD: _W,
    Code.REGION_NOT_OFFERED: _W,
    Code.CALLER_CANNOT_WRITE_ROLE: _E,
    Code.ROLE_POLICY_INVALID: _E,
    Code.ROLE_RESERVED: _E,
    Code.ROLE_NOT_FOUND: _E,
    Code.ROLE_NOT_CREATED_YET: _W,
    Code.ROLE_ARN_MISMATCH: _E,
    Code.ROLE_INLINE_POLICY_LIMIT: _E,
    Code.ROLE_FIX_AVAILABLE: _I,
    Code.ROLE_CHANGE_DECLINED: _E,
    Code.ROLE_ADOPTED: _I,
    Code.ROLE_READBACK_MISMATCH: _E,
    Code.ROLE_CREATED: _I,
    Code.ROLE_REPAIRED: _I,
    Code.TOOLKIT_AUTO_CREATES_ROLE: _W,
    Code.TOOLKIT_CONFIGURE_FAILED: _E,
    Code.CONFIGURED_ROLE_MISMATCH: _E,
    # the drop-in
    Code.DEPLOYMENT_TYPE_UNKNOWN: _W,
    Code.TOOLKIT_RERUN_CHANGES: _W,
    Code.CONFIGURED_ROLE_KEPT: _I,
    Code.CONFIGURED_ROLE_REPLACED: _W,
    Code.REGION_MISMATCH: _E,
    Code.TOOLKIT_OTHER_AGENT: _E,
    Code.CONFIG_BACKED_UP: _I,
    Code.CONFIG_RESTORED: _I,
    Code.CONFIG_LEFT_CHANGED: _W,
    Code.TOOLKIT_NOT_RUN: _I,
    Code.CHECKS_FAILED: _E,
    Code.INTERNAL_ERROR: _E,
    Code.USAGE_ERROR: _E,
    Code.AWS_ERROR: _E,
    Code.TOOLKIT_UNAVAILABLE: _E,
    Code.INTERRUPTED: _E,
    Code.ROLE_TAG_LIMIT: _W,
    Code.ROLE_REPAIR_REFUSED: _W,
    Code.ROLE_CHANGED_BY_OTHER_WRITER: _W,
}
# Every finding a PassRole check can raise: --force downgrades exactly these.
PASSROLE_CODES = frozenset({Code.PASSROLE_DENIED, Code.PASSROLE_UNKNOWN, Code.PASSROLE_NAME_PATTERN})


@dataclass(frozen=True)
class Finding:
    code: Code
    message: str
    hint: str = ""
    severity: Severity | None = None  # None: the catalogue's default for the code

    def __post_init__(self) -> None:
        if self.severity is None:
            object.__setattr__(self, "severity", DEFAULT_SEVERITY[self.code])

    @property
    def level(self) -> Severity:
        assert self.severity is not None  # set in __post_init__
        return self.severity

    def to_dict(self) -> dict[str, Any]:
        return {"code": str(self.code), "severity": str(self.level), "message": self.message, "hint": self.hint}


def finding(code: Code, message: str, hint: str = "") -> Finding:
    return Finding(code, message, hint)


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.level is Severity.ERROR for f in findings)


def codes(findings: Iterable[Finding]) -> set[str]:
    return {str(f.code) for f in findings}


def regrade(
    findings: Iterable[Finding],
    *,
    only: Collection[Code] | None = None,
    from_: Severity = Severity.ERROR,
    to: Severity = Severity.WARNING,
    message: Callable[[str], str] | None = None,
) -> list[Finding]:
    """The findings with those of severity `from_` (and, if given, a code in `only`) set to `to`.

    The one place a finding's severity changes after a check made it: a dry-run whose plan fixes an error, a
    PassRole denial the user accepted with --force.
    """
    out = []
    for f in findings:
        if f.level is from_ and (only is None or f.code in only):
            f = replace(f, severity=to, message=message(f.message) if message else f.message)
        out.append(f)
    return out


def without(findings: Iterable[Finding], *drop: Code) -> list[Finding]:
    return [f for f in findings if f.code not in drop]

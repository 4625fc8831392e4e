"""The kinds of role the planner creates and repairs: what differs between the execution role and the CodeBuild
role (documents, verdict, names, findings an added statement cannot cure). Pure.

plan/planner.py is written once against a RoleKind; EXECUTION is the runtime's role (judge/requirements.py,
judge/role.py), `codebuild_kind()` the role the toolkit's CodeBuild build runs as (judge/codebuild_role.py;
RUNTIME-NEEDS.md "The CodeBuild role").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from agentcore_ext.findings import Code
from agentcore_ext.iam.policy import PolicyDocument
from agentcore_ext.judge.additional_policy import attached_after
from agentcore_ext.judge.codebuild_role import (
    codebuild_permissions_document,
    codebuild_trust_document,
    judge_codebuild_trust,
    project_arn,
)
from agentcore_ext.judge.codebuild_verdict import codebuild_required_actions, judge_codebuild_verdict
from agentcore_ext.judge.deploy_needs import CODEBUILD_PRINCIPAL
from agentcore_ext.judge.requirements import (
    SERVICE_PRINCIPAL,
    TOOL_POLICY_NAME,
    TOOL_REPAIR_POLICY_NAME,
    permissions_document,
    requirements,
    trust_document,
    trust_statement,
)
from agentcore_ext.judge.role import RoleVerdict, judge_role
from agentcore_ext.judge.rule import RequirementLevel
from agentcore_ext.judge.trust import TrustVerdict, judge_trust
from agentcore_ext.state import AgentSpec, ObservedPolicy, ObservedRole

CODEBUILD_POLICY_NAME = "agentcore-ext-codebuild"
CODEBUILD_REPAIR_POLICY_NAME = "agentcore-ext-codebuild-repair"


@dataclass(frozen=True)
class RoleKind:
    label: str  # "execution role", "CodeBuild role": for messages
    given_flag: str  # the option that names a role that must exist (never created in its place)
    policy_name: str  # the inline policy a create writes
    repair_policy_name: str  # the inline policy repairs add to
    policy_command: str  # `agentcore-ext policy X` prints the permissions document
    principal: str  # the service the trust admits
    trust_document: Callable[[AgentSpec], dict[str, Any]]
    trust_statement: Callable[[AgentSpec], dict[str, Any]]
    permissions_document: Callable[[AgentSpec, set[str] | None], dict[str, Any]]
    required_actions: Callable[[AgentSpec], tuple[str, ...]]
    judge: Callable[[ObservedRole, AgentSpec], RoleVerdict]
    judge_trust: Callable[[PolicyDocument, AgentSpec], TrustVerdict]
    trust_in_words: Callable[[AgentSpec], str]  # what the added trust statement lets happen
    unfixable: frozenset[Code]  # findings an added Allow or trust statement cannot cure: they block the plan
    trust_codes: frozenset[Code]  # the trust's findings: blocking only if still there after the trust repair
    # The managed policies the role must have attached, as it will hold them (the agent's --additional-policy ARNs).
    managed_policies: Callable[[AgentSpec], tuple[ObservedPolicy, ...]] = lambda spec: ()
    # Findings on the role a create would make that the create reports although they do not block it.
    create_notes: frozenset[Code] = frozenset()
    # Whether --fix may add a trust statement to a role the tool did not make. Not for the CodeBuild role: a role
    # named by -cber or the YAML (which a pull request can change) would let CodeBuild act with its rights.
    repairs_others_trust: bool = True


def _execution_required(spec: AgentSpec) -> tuple[str, ...]:
    return tuple(sorted({r.action for r in requirements(spec) if r.level is RequirementLevel.REQUIRED}))


EXECUTION = RoleKind(
    label="execution role",
    given_flag="--execution-role",
    policy_name=TOOL_POLICY_NAME,
    repair_policy_name=TOOL_REPAIR_POLICY_NAME,
    policy_command="permissions",
    principal=SERVICE_PRINCIPAL,
    trust_document=trust_document,
    trust_statement=trust_statement,
    permissions_document=lambda spec, only: permissions_document(spec, only_actions=only),
    required_actions=_execution_required,
    judge=judge_role,
    judge_trust=judge_trust,
    trust_in_words=lambda spec: f"AgentCore may assume the role for agent {spec.agent} in {spec.account}/{spec.region}",
    unfixable=frozenset(
        {
            Code.PERMISSIONS_EXPLICIT_DENY,
            Code.PERMISSIONS_BOUNDARY_BLOCKS,
            Code.PERMISSIONS_UNDECIDED,
            Code.TRUST_WILDCARD_PRINCIPAL,
            Code.TRUST_SERVICE_NOT_ALLOWED,
            Code.ROLE_POLICY_INVALID,
            Code.ADDITIONAL_POLICY_TOO_BROAD,  # never written or attached by the tool
        }
    ),
    trust_codes=frozenset({Code.TRUST_WILDCARD_PRINCIPAL, Code.TRUST_SERVICE_NOT_ALLOWED, Code.TRUST_NOT_SCOPED}),
    managed_policies=attached_after,
    create_notes=frozenset({Code.ADDITIONAL_POLICY_UNREAD}),
)


def _codebuild_statement(spec: AgentSpec) -> dict[str, Any]:
    return dict(codebuild_trust_document(spec)["Statement"][0])


def codebuild_kind(*, given: bool = False) -> RoleKind:
    """The CodeBuild role; `given`: named by the user (-cber), which messages say."""
    return RoleKind(
        label="CodeBuild role",
        given_flag="--code-build-execution-role",
        policy_name=CODEBUILD_POLICY_NAME,
        repair_policy_name=CODEBUILD_REPAIR_POLICY_NAME,
        policy_command="codebuild-permissions",
        principal=CODEBUILD_PRINCIPAL,
        trust_document=codebuild_trust_document,
        trust_statement=_codebuild_statement,
        permissions_document=codebuild_permissions_document,
        required_actions=codebuild_required_actions,
        judge=partial(judge_codebuild_verdict, given=given),
        judge_trust=lambda doc, spec: judge_codebuild_trust(doc, spec, given=given),
        trust_in_words=lambda spec: f"CodeBuild may assume the role for project {project_arn(spec)}",
        unfixable=frozenset(
            {
                Code.PERMISSIONS_EXPLICIT_DENY,
                Code.PERMISSIONS_BOUNDARY_BLOCKS,
                Code.TRUST_WILDCARD_PRINCIPAL,
                Code.CODEBUILD_ROLE_TRUST_INVALID,
                Code.ROLE_POLICY_INVALID,
                Code.CODEBUILD_ROLE_TOO_BROAD,
                Code.CODEBUILD_TRUST_NOT_OURS,
            }
        ),
        repairs_others_trust=False,
        trust_codes=frozenset(
            {Code.TRUST_WILDCARD_PRINCIPAL, Code.CODEBUILD_ROLE_TRUST_INVALID, Code.CODEBUILD_ROLE_TRUST_NOT_SCOPED}
        ),
    )

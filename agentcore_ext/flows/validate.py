"""validate: judge policy files offline, for CI. No AWS call at all: read the files, judge them, report.

With --template, the agent and its role come from a CloudFormation template (define/template.py): the runtime's
facts set what the agent needs, and the role's documents in the template are judged (--trust/--permissions files
are judged with them). Until the central merge of facts (flows/profile.py) takes the template's facts, they are
applied here, below flags and team defaults (define/facts.py ranks).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentcore_ext import arns
from agentcore_ext.define import facts as f
from agentcore_ext.define.facts import Fact, Facts, Rank
from agentcore_ext.errors import EXIT_CHECKS_FAILED, UsageError, no_region
from agentcore_ext.findings import Code, Finding, Severity, has_errors
from agentcore_ext.flows.ensure_config import region_mismatch, with_agent_config
from agentcore_ext.flows.profile import profiled_spec
from agentcore_ext.iam.policy import PolicyDocument, PolicyError, parse_policy
from agentcore_ext.input_files import read_input
from agentcore_ext.judge.needs import requirement_blocks
from agentcore_ext.judge.permissions import judge_permissions
from agentcore_ext.judge.trust import judge_trust
from agentcore_ext.report import Report, RoleBlock
from agentcore_ext.settings import DEPLOYMENT_TYPES, PROTOCOLS, Settings, TeamDefaults
from agentcore_ext.state import AgentSpec

if TYPE_CHECKING:  # the template reader (and cfn-lint) load only for --template
    from agentcore_ext.define.template import TemplateAgent

NOTHING_HINT = "pass --trust FILE and/or --permissions FILE, or --template FILE (a CloudFormation template)"


def read_text_file(path: str, what: str) -> str:
    return read_input(Path(path), f"{what} file", "pass the policy document's UTF-8 JSON file")


def load_policy_file(path: str, what: str) -> PolicyDocument:
    """A policy file, parsed, and refused where IAM itself would refuse it for that use."""
    return checked_policy(read_text_file(path, what), what, path)


def checked_policy(raw: str | Mapping[str, Any], what: str, name: str) -> PolicyDocument:
    """A policy document (JSON text or an object), parsed and refused where IAM would refuse it for that use."""
    hint = f"fix the {what} document; IAM's JSON grammar applies"
    try:
        doc = parse_policy(raw if isinstance(raw, str) else dict(raw), name=name)
    except PolicyError as exc:
        raise UsageError(f"{name}: {exc}", hint) from exc
    except RecursionError:  # json's decoder on absurdly deep nesting
        raise UsageError(f"{name}: invalid JSON: nested too deeply", hint) from None
    # What IAM itself refuses (MalformedPolicyDocument): a trust policy names who may assume the role and
    # nothing else; an identity policy (permissions, boundary) applies to the role and names no principal.
    for st in doc.statements:
        where = f"{name}: Statement[{st.index}]"
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


def given_facts(
    defaults: TeamDefaults, *, deployment_type: str | None, protocol: str | None, disable_memory: bool
) -> list[Fact]:
    """What flags and team defaults say about the facts a template also gives, with their ranks."""
    out = []
    team = "in [tool.agentcore-ext]"
    for name, flag, default, spelled in (
        (f.DEPLOYMENT_TYPE, deployment_type, defaults.deployment_type, "deployment-type"),
        (f.PROTOCOL, protocol and protocol.upper(), defaults.protocol and defaults.protocol.upper(), "protocol"),
    ):
        if default:
            out.append(Fact(name, default, f"{spelled} {team}", Rank.TEAM))
        if flag:
            out.append(Fact(name, flag, f"--{spelled}", Rank.FLAG))
    if disable_memory:
        out.append(Fact(f.MEMORY_MODE, "NO_MEMORY", "--disable-memory", Rank.FLAG))
    return out


def with_template(settings: Settings, agent: TemplateAgent, given: Sequence[Fact] = ()) -> Settings:
    """The settings the agent of the template is judged with: its facts, under flags and team defaults.

    Where Settings carries the other sources' facts (the central merge of issue 20, define/shape.py), the
    template's facts join them and are ranked there; until then they are applied here over `given`."""
    # A runtime's name, when the template does not give it, stands in as its logical id (said in unresolved).
    name = agent.name or agent.logical_id[:48]
    if hasattr(settings, "shape_facts"):
        return settings.with_(agent_name=name, facts=(*getattr(settings, "facts", ()), *agent.facts))
    facts = Facts.merge(agent.facts, given)
    dtype = facts.value(f.DEPLOYMENT_TYPE) or settings.deployment_type
    protocol = facts.value(f.PROTOCOL) or settings.protocol
    if dtype not in DEPLOYMENT_TYPES or protocol not in PROTOCOLS:  # flags were checked; the template's values
        raise UsageError(f"--template {agent.path}: {agent.logical_id} is of an unknown kind", "fix the template")
    image = facts.get(f.ECR_REPOSITORY)
    if dtype == "container" and image is not None:
        arns.parse_ecr_repository(image.value, f"{image.source}:")
    return settings.with_(
        agent_name=name,
        deployment_type=dtype,
        protocol=protocol,
        ecr_repository=image.value if dtype == "container" and image is not None else settings.ecr_repository,
        memory=facts.value(f.MEMORY_MODE) != "NO_MEMORY",
    )


def validate(
    settings: Settings,
    report: Report,
    trust: list[str],
    permissions: list[str],
    boundary: str | None,
    *,
    template: str | None = None,
    runtime: str | None = None,
    given: Sequence[Fact] = (),
) -> int:
    """Judge the files (and the template's role) for the agent of the settings; exit 0 compliant, 3 not.

    `runtime`: -n, which of the template's runtimes; `given`: the facts flags and team defaults set."""
    # In a configured folder the agent and its region are the YAML's, as doctor takes them (issue 22, item 5).
    settings = with_agent_config(settings, explicit=("region",) if settings.region else ())
    mismatch = region_mismatch(settings)
    if mismatch is not None:  # judged for another region than the one the toolkit deploys to: say so, judge nothing
        report.add([mismatch])
        return EXIT_CHECKS_FAILED
    account, region = settings.account, settings.region
    if not account:
        raise UsageError("validate needs --account", "pass the 12-digit account the role lives in")
    if not region:
        raise no_region()
    agent = None
    if template:
        from agentcore_ext.define.template import template_agent

        agent = template_agent(template, runtime=runtime, account=account, region=region)
        settings = with_template(settings, agent, given)
        if agent.role.logical_id is None and not trust and not permissions:
            raise UsageError(
                f"--template {template}: the role of {agent.logical_id} ({agent.role.arn or 'its RoleArn'}) is not "
                "defined in the template, so its documents are not there to judge",
                "pass them with --trust FILE and --permissions FILE, or run `agentcore-ext doctor --execution-role "
                "ARN` against the account",
            )
    elif not trust and not permissions:
        raise UsageError("nothing to validate", NOTHING_HINT)
    if not settings.agent_name:
        raise UsageError("validate needs the agent", "pass --name AGENT (or --entrypoint FILE)")
    trust_docs = [load_policy_file(p, "trust") for p in trust]
    perm_docs = [load_policy_file(p, "permissions") for p in permissions]
    boundary_doc = load_policy_file(boundary, "boundary") if boundary else None
    spec = profiled_spec(settings, report, account=account)
    unread: tuple[str, ...] = ()
    if agent is not None:
        spec = _with_template_ids(spec, agent)
        role = agent.role
        trust_docs = [*(_parsed([role.trust], "trust")), *trust_docs]
        perm_docs = [*_parsed(role.permissions, "permissions"), *perm_docs]
        boundary_doc = boundary_doc or next(iter(_parsed([role.boundary], "boundary")), None)
        unread = role.managed_policy_arns
        report.add(_unread(agent, bool(permissions), boundary is not None))
        if report.agent is not None and agent.unresolved:
            report.agent = replace(report.agent, unresolved=(*report.agent.unresolved, *agent.unresolved))
    trust_ok: bool | None = None
    for doc in trust_docs:
        verdict = judge_trust(doc, spec)
        trust_ok = verdict.ok and trust_ok is not False
        report.add(verdict.findings)
    permissions_ok: bool | None = None
    missing: tuple[str, ...] = ()
    if perm_docs:
        names = [a.rsplit("/", 1)[-1] for a in unread]  # AdministratorAccess attached is P2 even unread
        pv = judge_permissions(perm_docs, spec, boundary_doc, names, unread if agent is not None else None)
        permissions_ok, missing = pv.ok, pv.missing_actions
        report.add(pv.findings)
    role_name = agent.role.arn.rsplit("/", 1)[-1] if agent is not None and agent.role.arn else None
    arn = agent.role.arn if agent is not None else None
    report.role = RoleBlock(
        role_name, arn, None, trust_ok, permissions_ok, missing, requirements=requirement_blocks(spec)
    )
    return EXIT_CHECKS_FAILED if has_errors(report.findings) else 0


def _parsed(docs: Sequence[Any], what: str) -> list[PolicyDocument]:
    return [checked_policy(d.document, what, d.name) for d in docs if d is not None]


def _with_template_ids(spec: AgentSpec, agent: TemplateAgent) -> AgentSpec:
    """The stack's memory is the agent's (RUNTIME-NEEDS.md: IaC agents have the memory their stack declares):
    its id, made at deploy, is the same symbol the role's grants on it resolve to (define/template_values.py)."""
    memory = next((x.value for x in agent.facts if x.name == f.MEMORY_ID), None)
    if memory is None or not spec.memory or spec.profile.memory_id:
        return spec
    return replace(spec, profile=replace(spec.profile, memory_id=memory))


def _unread(agent: TemplateAgent, permissions_given: bool, boundary_given: bool) -> list[Finding]:
    """Managed policies from outside the stack: not read offline, never guessed (issue 20)."""
    out = []
    arns_ = agent.role.managed_policy_arns
    if arns_:
        instead = " (the --permissions files given are judged in their place)" if permissions_given else ""
        out.append(
            Finding(
                Code.PERMISSIONS_UNDECIDED,
                f"the role of {agent.logical_id} attaches managed policies the template does not define, which "
                f"cannot be read offline: {', '.join(arns_)}; what they allow or deny is not judged{instead}",
                "save each one's default version (aws iam get-policy-version --policy-arn ARN --version-id "
                "$(aws iam get-policy --policy-arn ARN --query Policy.DefaultVersionId --output text) --query "
                "PolicyVersion.Document > managed.json) and pass --permissions managed.json",
                Severity.INFO if permissions_given else Severity.WARNING,
            )
        )
    if agent.role.boundary_arn and not boundary_given:
        out.append(
            Finding(
                Code.PERMISSIONS_UNDECIDED,
                f"the role's permissions boundary {agent.role.boundary_arn} is not defined in the template and "
                "cannot be read offline: what it blocks is not judged",
                "save its default version as for a managed policy and pass --boundary FILE",
                Severity.WARNING,
            )
        )
    return out

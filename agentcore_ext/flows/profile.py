"""The agent profile: what this agent is and uses, each fact with its source. Sources, later ones refining
earlier ones: flags and team defaults, the agent's block in `.bedrock_agentcore.yaml`, and a static scan of its
Python code (judge/scan.py; the files are read here, confined to the agent's folder, never imported or run).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path

from agentcore_ext import arns
from agentcore_ext.define.env import env_facts, scan_env
from agentcore_ext.define.facts import MEMORY_ID, RUNTIME_ARN, Facts
from agentcore_ext.define.shape import Shape, merge_shape
from agentcore_ext.define.spec import UNKNOWN_DEPLOYMENT_JUDGED_AS, agent_spec
from agentcore_ext.errors import UsageError
from agentcore_ext.findings import Code, Finding
from agentcore_ext.iam.policy import PolicyError, parse_policy, policy_to_dict
from agentcore_ext.input_files import read_input
from agentcore_ext.judge import agentcore_regions
from agentcore_ext.judge.additional_declared import check_policy_arn, check_writable
from agentcore_ext.judge.models import BEDROCK, foundation_model_arn, regions_of, resolve_model
from agentcore_ext.judge.needs import agent_block, effective_models
from agentcore_ext.judge.profile_regions import TABLE_DATE
from agentcore_ext.judge.scan import scan_agent
from agentcore_ext.judge.strands_default import default_for, find_pin
from agentcore_ext.report import Report
from agentcore_ext.settings import Settings
from agentcore_ext.state import (
    AgentProfile,
    AgentScan,
    AgentSpec,
    AwsCall,
    ExtraPolicy,
    Feature,
    FeatureUse,
    ModelKind,
    ModelUse,
)
from agentcore_ext.toolkit.config import CONFIG_FILE, AgentConfig, config_facts, read_agent_config, relative_entrypoint

MAX_SOURCE_BYTES = 1 << 20  # a file larger than this is not agent code worth scanning
# judge/scan.py scan_agent(entrypoint, read, env, given_by): env reads resolve with the agent's --env/--env-file
Scanner = Callable[[str, Callable[[str], str | None], Mapping[str, str], Mapping[str, str]], AgentScan]
# Identity provider types the toolkit records (utils/runtime/schema.py CredentialProviderInfo.type) are OAuth2.


def source_reader(folder: Path) -> Callable[[str], str | None]:
    """read(relpath) for the scanner: files inside `folder` only (no `..`, no symlink out), at most 1 MiB, each
    real file once (60 links to one module were parsed 60 times: 12 GiB, red-team issue 21 item 12)."""
    root = folder.resolve()
    seen: set[Path] = set()

    def read(rel: str) -> str | None:
        try:
            path = (root / rel).resolve()
            path.relative_to(root)
            if path in seen or not path.is_file() or path.stat().st_size > MAX_SOURCE_BYTES:
                return None
            seen.add(path)
            return path.read_text(encoding="utf-8", errors="replace")
        except (OSError, ValueError, RuntimeError):  # outside the folder, unreadable, a symlink loop
            return None

    return read


def config_for(settings: Settings) -> AgentConfig | None:
    """The agent's block of --config, or of ./.bedrock_agentcore.yaml when present."""
    workdir = Path(settings.workdir)
    if settings.config_file:
        path = Path(settings.config_file)
        if not path.is_absolute():
            path = workdir / path
        if not path.is_file():
            raise UsageError(
                f"--config {settings.config_file}: no such file", f"give the path of the toolkit's {CONFIG_FILE}"
            )
        return read_agent_config(workdir, settings.agent_name or None, path)
    if not (workdir / CONFIG_FILE).is_file():
        return None
    return read_agent_config(workdir, settings.agent_name or None)


def _config_facts(config: AgentConfig) -> list[FeatureUse]:
    uses = []
    for name, kind in config.credential_providers:
        feature = (
            Feature.IDENTITY_API_KEY if kind.lower() in ("apikey", "api_key", "api-key") else Feature.IDENTITY_OAUTH
        )
        uses.append(FeatureUse(feature, config.where("identity.credential_providers"), name))
    if config.api_key_provider:
        uses.append(
            FeatureUse(
                Feature.IDENTITY_API_KEY, config.where("api_key_credential_provider_name"), config.api_key_provider
            )
        )
    return uses


def _extra_policy(item: str, workdir: Path) -> ExtraPolicy:
    """An --additional-policy entry: a managed policy's ARN (read later, through the gateway, when AWS is at
    hand), or a JSON file whose statements are written as given: one IAM would refuse is refused here, before
    any AWS call (judge/additional_declared.py `check_writable`)."""
    if item.startswith("arn:"):
        return ExtraPolicy(item, arn=check_policy_arn(item))
    path = Path(item) if Path(item).is_absolute() else workdir / item
    text = read_input(path, f"--additional-policy {item}", "give a policy JSON file or a policy ARN")
    try:
        doc = parse_policy(text, name=item)
    except PolicyError as exc:
        raise UsageError(f"--additional-policy {item}: {exc}", "fix the document; IAM's JSON grammar applies") from exc
    except RecursionError:  # json's decoder on absurdly deep nesting
        raise UsageError(f"--additional-policy {item}: invalid JSON: nested too deeply", "fix the document") from None
    check_writable(doc, item)
    return ExtraPolicy(item, doc, policy_to_dict(doc))


def agent_profile(
    settings: Settings, config: AgentConfig | None, scan: Scanner | None = None
) -> tuple[AgentProfile, list[Finding]]:
    """The profile for these settings and yaml block; scan=None skips the code scan (no entrypoint known)."""
    workdir = Path(settings.workdir)
    models = [ModelUse(m, "--model") for m in settings.models]
    features = [FeatureUse(Feature(f), "--feature") for f in settings.features]
    unresolved: list[str] = []
    providers: tuple[str, ...] = ()
    aws_calls: tuple[AwsCall, ...] = ()
    if config is not None:
        features += _config_facts(config)
    entrypoint, outside = _entrypoint(settings, config, workdir)
    if scan is not None and entrypoint:
        read = source_reader(workdir)
        # every source's environment, ranked (define/facts.py): a stack's template < --env-file/--env
        result = scan(entrypoint, read, *scan_env(Facts.merge(settings.facts, env_facts(settings))))
        # --model says which Bedrock models the agent calls; the scan fills in when it does not, and names the
        # other providers' models either way
        found = [m for m in result.models if not settings.models or m.provider != BEDROCK]
        # A Bedrock id from code is held to --model's grammar (red-team issue 21, item 9): `model_id="anthropic.*"`
        # or "us.*" would be scoped into the role as a wildcard. It is unknown instead, and said.
        defaults, notes = _package_defaults(found, read, entrypoint, settings.region or "")
        found = [defaults.get(m, m) for m in found]
        wild = [m for m in found if m.provider == BEDROCK and m.id and not _model_id(m.id)]
        unresolved += [f"{m.source}: model id {m.id!r} is not a model id (pass --model ID)" for m in wild]
        models += [m for m in found if m not in wild]
        unresolved += notes
        features += result.features
        unresolved += result.unresolved
        providers, aws_calls = result.providers, result.aws_calls
    findings: list[Finding] = []
    unscanned = scan is not None and outside is not None
    if unscanned:
        findings.append(_not_scanned(str(outside), workdir))
    # No model is assumed for an agent that calls none (INTERFACE.md 2026-12): its role needs no Bedrock at all.
    if unresolved:
        findings.append(
            Finding(
                Code.AGENT_SCAN_UNRESOLVED,
                "the code scan could not decide: " + "; ".join(unresolved),
                "pass --env KEY=VALUE (or --env-file) for the variables it reads, --model ID or --feature NAME for "
                "what the code computes at run time",
            )
        )
    extras = tuple(_extra_policy(item, workdir) for item in settings.additional_policies)
    profile = AgentProfile(
        models=tuple(dict.fromkeys(models)),
        features=tuple(dict.fromkeys(features)),
        providers=providers,
        aws_calls=aws_calls,
        unresolved=(*unresolved, *([f"{outside}: outside the working directory, not scanned"] if unscanned else ())),
        memory_id=config.memory_id if config else None,
        runtime_arn=config.runtime_arn if config else None,
        extra_policies=extras,
    )
    return profile, findings


def _package_defaults(
    found: list[ModelUse], read: Callable[[str], str | None], entrypoint: str, region: str
) -> tuple[dict[ModelUse, ModelUse], list[str]]:
    """Each call of a package's default model (Strands `Agent()`) as the model the pinned version calls in the
    agent's region (judge/strands_default.py, the pin read through the scan's reader); an unknown one stays a
    model whose id is unknown (judged as some model), with why for `agent.unresolved`."""
    calls = [m for m in found if m.package_default]
    if not calls:
        return {}, []
    decided = default_for(find_pin(read, entrypoint), region)
    if not decided.model:
        return {}, [
            f"{m.source}: the default model of {m.package_default}: {decided.why} (pass --model ID)" for m in calls
        ]
    return {m: replace(m, id=decided.model, source=f"{m.source} ({decided.why})") for m in calls}, []


def _model_id(text: str) -> bool:
    try:
        arns.validate_model(text)
    except UsageError:
        return False
    return True


def _entrypoint(settings: Settings, config: AgentConfig | None, workdir: Path) -> tuple[str | None, str | None]:
    """(the entry file to scan, relative to the working directory; the entrypoint named outside it, said where).

    --entrypoint first, else the YAML's (toolkit/config.py made it relative, or kept it aside when outside)."""
    if settings.entrypoint:
        relative = relative_entrypoint(settings.entrypoint, workdir)
        return relative, None if relative else f"{settings.entrypoint} (--entrypoint)"
    if config is None:
        return None, None
    outside = config.entrypoint_outside
    return config.entrypoint, f"{outside} ({config.where('entrypoint')})" if outside else None


def _not_scanned(outside: str, workdir: Path) -> Finding:
    return Finding(
        Code.ENTRYPOINT_NOT_SCANNED,
        f"the agent's code was not scanned: {outside} is outside the working directory {workdir}, so only flags "
        "say what it calls: no model is assumed, and the AWS calls in its code are not checked",
        "run agentcore-ext from the agent's project folder, or pass --entrypoint FILE (inside the working "
        "directory) or --model ID; if the project moved, rerun `agentcore-ext configure` there to record its path",
    )


# Profile ids (a geographic profile's id, an application profile's ARN) -> the model ARNs GetInferenceProfile lists.
ProfileLookup = Callable[[list[str]], dict[str, tuple[str, ...]]]


def profiled_spec(
    settings: Settings,
    report: Report,
    *,
    account: str,
    partition: str | None = None,
    profile_models: ProfileLookup | None = None,
) -> AgentSpec:
    """The agent spec with its profile (flags, .bedrock_agentcore.yaml, code scan); the report gets `agent`.

    `profile_models`: asks bedrock:GetInferenceProfile which models the inference profiles route to: geographic
    profiles' destinations (None offline: the table), application profiles' models (None offline: unknown)."""
    config = config_for(settings)
    if config is not None and config.ecr_repository and config.ecr_repository != "auto":
        arns.parse_ecr_repository(config.ecr_repository, config.where("aws.ecr_repository"))
    shape = agent_shape(settings, config)
    profile, findings = agent_profile(settings, config, scan_agent)
    # The memory and the runtime as the highest-ranked source names them (the YAML, a template, the deployed runtime)
    memory_id, runtime_arn = shape.facts.value(MEMORY_ID), shape.facts.value(RUNTIME_ARN)
    profile = replace(profile, memory_id=memory_id or profile.memory_id, runtime_arn=runtime_arn or profile.runtime_arn)
    spec = agent_spec(settings, account=account, partition=partition, profile=profile, shape=shape)
    findings += shape_findings(shape)
    resolved = [resolve_model(m, spec) for m in effective_models(spec)]
    geo = sorted({m.use.id for m in resolved if m.kind is ModelKind.GEO_PROFILE})
    apps = sorted({m.profile_arn for m in resolved if m.kind is ModelKind.APPLICATION_PROFILE})
    answers = profile_models([*geo, *apps]) if profile_models is not None and (geo or apps) else {}
    learnt = {g: regions for g in geo if (regions := regions_of(answers.get(g, ())))}
    routed = {a: answers[a] for a in apps if any(foundation_model_arn(x) for x in answers.get(a, ()))}
    if learnt or routed:
        spec = replace(spec, profile=replace(profile, destinations=learnt, routed_models=routed))
    if any(g not in learnt for g in geo):
        findings.append(
            Finding(
                Code.PROFILE_REGIONS_FROM_TABLE,
                f"destination regions of cross-region inference profiles come from the table of {TABLE_DATE}",
                "bedrock:GetInferenceProfile could not be asked (allow it to the caller for the live answer); "
                "AWS adds regions to profiles over time",
            )
        )
    findings += [_models_unknown(a, asked=profile_models is not None) for a in apps if a not in routed]
    report.add([*findings, *_placement(spec)])
    report.agent = replace(agent_block(spec), facts=tuple(f.to_dict() for f in shape.facts))
    return spec


def agent_shape(settings: Settings, config: AgentConfig | None) -> Shape:
    """The one place the agent's shape is decided (define/shape.py): the command's own defaults, the YAML's block,
    the other sources' facts, then team defaults and flags."""
    yaml = config_facts(config) if config is not None else []
    return merge_shape(settings.shape_defaults, yaml, settings.facts, settings.shape_facts())


def shape_findings(shape: Shape) -> list[Finding]:
    if shape.deployment_type is not None:
        return []
    return [
        Finding(
            Code.DEPLOYMENT_TYPE_UNKNOWN,
            "nothing says how the agent is deployed (no flag, .bedrock_agentcore.yaml, template or deployed "
            f"runtime): it is judged as a {UNKNOWN_DEPLOYMENT_JUDGED_AS} agent, which pulls its image from ECR",
            "pass --deployment-type container|direct_code_deploy (or --template FILE for a stack's agent)",
        )
    ]


def _models_unknown(profile_arn: str, *, asked: bool) -> Finding:
    """An application profile whose models are unknown: the role needs them too (RUNTIME-NEEDS.md, row
    "application inference profile"), so it is judged and written for any model, only through this profile."""
    how = (
        "allow bedrock:GetInferenceProfile on it to your credentials and run again"
        if asked
        else "run `agentcore-ext doctor` (it asks bedrock:GetInferenceProfile; this command works offline)"
    )
    return Finding(
        Code.APPLICATION_PROFILE_MODELS_UNKNOWN,
        f"the foundation models application inference profile {profile_arn} routes to are unknown "
        f"(bedrock:GetInferenceProfile {'did not answer' if asked else 'was not asked'}): the role must allow "
        "InvokeModel on them too, so agentcore-ext requires and writes it for every foundation model, only through "
        "this profile (condition bedrock:InferenceProfileArn)",
        f"to scope the role to the profile's own models, {how}",
    )


def _placement(spec: AgentSpec) -> list[Finding]:
    """Warnings about where the agent runs and pulls from that no document check would show."""
    out = []
    if not agentcore_regions.offered(spec.region):
        out.append(
            Finding(
                Code.REGION_NOT_OFFERED,
                f"AgentCore Runtime is not offered in {spec.region} as far as agentcore-ext knows "
                f"(its table of {agentcore_regions.TABLE_DATE})",
                "check the region's spelling; deploy would fail at CreateAgentRuntime there (e.g. --region us-east-1)",
            )
        )
    if spec.ecr_account and spec.ecr_account != spec.account:
        out.append(
            Finding(
                Code.ECR_CROSS_ACCOUNT,
                f"the image is pulled from account {spec.ecr_account}'s repository {spec.repository}",
                f"that repository's policy must allow ecr:BatchGetImage and ecr:GetDownloadUrlForLayer to this role "
                f"(account {spec.account}); agentcore-ext judges only this role's side",
            )
        )
    return out

"""Which requests a model call really makes, by the model's kind. Pure.

Sources: Amazon Bedrock User Guide, "Increase throughput with cross-Region inference" (IAM for geographic and
global profiles), RUNTIME-NEEDS.md "Execution role, by feature":
- a foundation model on demand: InvokeModel on `arn:P:bedrock:R::foundation-model/<model>` in the agent's region;
- a geographic profile (`us.`, `eu.`, ...): the profile `arn:P:bedrock:R:C:inference-profile/<id>` and the
  foundation model in every destination region, those requests carrying `aws:RequestedRegion` = the destination
  and `bedrock:InferenceProfileArn` = the profile;
- a global profile (`global.`): the profile, the foundation model in R, and the region-less
  `arn:P:bedrock:::foundation-model/<model>` (`aws:RequestedRegion = unspecified`);
- an application inference profile: itself in R, plus the foundation models it routes to, each in its region,
  those requests carrying `bedrock:InferenceProfileArn` = the profile (RUNTIME-NEEDS.md, row "application inference
  profile"). Only bedrock:GetInferenceProfile knows those models (its `models[].modelArn`, kept in
  `AgentProfile.routed_models`); while they are unknown, the model requests are judged on a stand-in model
  (UNKNOWN_ROUTED_MODEL) and written as every foundation model, allowed only through that one profile.
Converse and ConverseStream are authorised as InvokeModel and InvokeModelWithResponseStream.
"""

from __future__ import annotations

from dataclasses import dataclass

from agentcore_ext.judge.profile_regions import DESTINATIONS, GEO_PREFIXES
from agentcore_ext.state import AgentSpec, ModelKind, ModelUse

# ModelUse.provider of a Bedrock model; AgentBlock's `kind` of a model another provider serves (no Bedrock need).
BEDROCK = "bedrock"
OTHER_PROVIDER = "other_provider"
PROFILE_ARN = "bedrock:InferenceProfileArn"
REQUESTED_REGION = "aws:RequestedRegion"
# What a model call is authorised as (Converse/ConverseStream included: Bedrock API reference, Converse).
INVOKE_ACTIONS = ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream")
# Model providers whose first call in an account subscribes through AWS Marketplace (Bedrock model access docs).
FIRST_PARTY_PROVIDERS = ("amazon.",)
# The probe's stand-in for a model an application profile routes to when GetInferenceProfile did not say which:
# only a role allowing the foundation models through that profile (or all of them) allows it, never the profile's
# ARN alone (a role allowing just a named model may be refused here: the APPLICATION_PROFILE_MODELS_UNKNOWN
# finding says so and how to let agentcore-ext learn the models).
UNKNOWN_ROUTED_MODEL = "agentcore-ext.model-routed-by-application-profile"


@dataclass(frozen=True)
class ModelRoute:
    """One request a model call makes: the resource, the request context it carries."""

    resource: str
    region: str  # aws:RequestedRegion
    via_profile: str = ""  # bedrock:InferenceProfileArn


@dataclass(frozen=True)
class ResolvedModel:
    use: ModelUse
    kind: ModelKind
    foundation_model: str  # the model id without a profile prefix ("" for an application profile unless it
    # routes to exactly one model)
    profile_arn: str  # "" for an on-demand foundation model
    destinations: tuple[str, ...] = ()  # regions a geographic profile routes to
    destinations_known: bool = True  # an application profile: whether its routed models are known
    routed: tuple[tuple[str, str], ...] = ()  # an application profile's (region, foundation model id) pairs

    @property
    def routed_unknown(self) -> bool:
        return self.kind is ModelKind.APPLICATION_PROFILE and not self.routed

    @property
    def third_party(self) -> bool:
        if self.routed_unknown:
            return True  # it may route to a third-party model: keep the (recommended) Marketplace statement
        ids = [m for _, m in self.routed] or [self.foundation_model]
        return any(m and not m.startswith(FIRST_PARTY_PROVIDERS) for m in ids)


def foundation_model_arn(arn: str) -> tuple[str, str] | None:
    """(region, model id) of `arn:P:bedrock:R::foundation-model/<id>`; None for any other string."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "bedrock" or not parts[3]:
        return None
    rtype, _, model = parts[5].partition("/")
    return (parts[3], model) if rtype == "foundation-model" and model else None


def regions_of(model_arns: tuple[str, ...]) -> tuple[str, ...]:
    """The regions of the model ARNs GetInferenceProfile lists for a profile, in order, once each."""
    return tuple(dict.fromkeys(found[0] for a in model_arns if (found := foundation_model_arn(a)) is not None))


def _split_prefix(model_id: str) -> tuple[str, str]:
    """("us", "anthropic.claude-...") for "us.anthropic.claude-..."; ("", id) for a foundation model id."""
    if model_id.startswith("global."):
        return "global", model_id[len("global.") :]
    for prefix in GEO_PREFIXES:
        if model_id.startswith(prefix + "."):
            return prefix, model_id[len(prefix) + 1 :]
    return "", model_id


def resolve_model(use: ModelUse, spec: AgentSpec) -> ResolvedModel:
    """The model's kind and the ARNs its calls touch, from an id, a profile id or an ARN."""
    ident = use.id
    if ident.startswith("arn:"):
        parts = ident.split(":", 5)
        resource = parts[5] if len(parts) == 6 else ""
        rtype, _, rest = resource.partition("/")
        if rtype == "application-inference-profile":
            # every model it routes to is kept, even when (unusually) the ARNs name several different models
            found = spec.profile.routed_models.get(ident, ())
            routed = tuple(dict.fromkeys(p for a in found if (p := foundation_model_arn(a)) is not None))
            ids = tuple(dict.fromkeys(m for _, m in routed))
            kind = ModelKind.APPLICATION_PROFILE
            single = ids[0] if len(ids) == 1 else ""
            regions = tuple(dict.fromkeys(r for r, _ in routed))
            return ResolvedModel(use, kind, single, ident, regions, bool(routed), routed)
        if rtype == "foundation-model":
            return ResolvedModel(use, ModelKind.FOUNDATION_MODEL, rest, "")
        ident = rest  # an inference-profile ARN: judge it by its id
    prefix, foundation = _split_prefix(ident)
    profile = spec.arn("bedrock", f"inference-profile/{ident}")
    if prefix == "global":
        return ResolvedModel(use, ModelKind.GLOBAL_PROFILE, foundation, profile)
    if prefix:
        learnt = spec.profile.destinations.get(ident)
        regions = learnt if learnt is not None else DESTINATIONS.get(prefix, ())
        return ResolvedModel(use, ModelKind.GEO_PROFILE, foundation, profile, regions, bool(regions))
    return ResolvedModel(use, ModelKind.FOUNDATION_MODEL, foundation, "")


def routes(model: ResolvedModel, spec: AgentSpec) -> tuple[ModelRoute, ...]:
    """Every request one call of this model makes, with the context IAM sees for it."""
    fm = f"foundation-model/{model.foundation_model}"
    in_region = f"arn:{spec.partition}:bedrock:{spec.region}::{fm}"
    match model.kind:
        case ModelKind.FOUNDATION_MODEL:
            return (ModelRoute(in_region, spec.region),)
        case ModelKind.APPLICATION_PROFILE:
            via = model.profile_arn
            if model.routed_unknown:
                stand_in = f"arn:{spec.partition}:bedrock:{spec.region}::foundation-model/{UNKNOWN_ROUTED_MODEL}"
                return (ModelRoute(via, spec.region), ModelRoute(stand_in, spec.region, via))
            return (
                ModelRoute(via, spec.region),
                *(
                    ModelRoute(f"arn:{spec.partition}:bedrock:{r}::foundation-model/{m}", r, via)
                    for r, m in model.routed
                ),
            )
        case ModelKind.GLOBAL_PROFILE:
            via = model.profile_arn
            return (
                ModelRoute(via, spec.region),
                ModelRoute(in_region, spec.region, via),
                ModelRoute(f"arn:{spec.partition}:bedrock:::{fm}", "unspecified", via),
            )
        case ModelKind.GEO_PROFILE:
            via = model.profile_arn
            regions = model.destinations or (spec.region,)
            return (
                ModelRoute(via, spec.region),
                *(ModelRoute(f"arn:{spec.partition}:bedrock:{r}::{fm}", r, via) for r in regions),
            )
    raise AssertionError(model.kind)  # every ModelKind is matched above


def route_context(route: ModelRoute) -> dict[str, str]:
    ctx = {REQUESTED_REGION: route.region}
    if route.via_profile:
        ctx[PROFILE_ARN] = route.via_profile
    return ctx


def written_resources(model: ResolvedModel, spec: AgentSpec) -> tuple[str, ...]:
    """What the tool writes for the model: exactly its profile and foundation-model ARNs, least privilege.

    A geographic profile whose destinations are unknown gets the foundation model in every region (`*`), as
    AWS's own least-privilege example for cross-region inference does. An application profile whose models are
    unknown gets only its own ARN here: the models go in a statement of their own (profile_scoped_models).
    """
    if model.kind is ModelKind.GEO_PROFILE and not model.destinations_known:
        return (model.profile_arn, f"arn:{spec.partition}:bedrock:*::foundation-model/{model.foundation_model}")
    if model.routed_unknown:
        return (model.profile_arn,)
    return tuple(dict.fromkeys(r.resource for r in routes(model, spec)))


def profile_scoped_models(model: ResolvedModel, spec: AgentSpec) -> tuple[str, dict[str, dict[str, str]]]:
    """The statement for the models of an application profile whose models are unknown: every foundation model,
    in any region, but only through this exact profile (condition `bedrock:InferenceProfileArn`).

    Why (RUNTIME-NEEDS.md, row "application inference profile"): the agent's calls need InvokeModel on the models
    the profile routes to as well as on the profile, or they fail at the first model call; without the model ids
    this is the narrowest grant that still works at run time, since no other path reaches a model with that
    condition true, and it names no model the profile could not route to.
    """
    return f"arn:{spec.partition}:bedrock:*::foundation-model/*", {"StringEquals": {PROFILE_ARN: model.profile_arn}}

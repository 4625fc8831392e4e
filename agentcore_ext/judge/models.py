"""Which requests a model call really makes, by the model's kind. Pure.

Sources: Amazon Bedrock User Guide, "Increase throughput with cross-Region inference" (IAM for geographic and
global profiles), RUNTIME-NEEDS.md "Execution role, by feature":
- a foundation model on demand: InvokeModel on `arn:P:bedrock:R::foundation-model/<model>` in the agent's region;
- a geographic profile (`us.`, `eu.`, ...): the profile `arn:P:bedrock:R:C:inference-profile/<id>` and the
  foundation model in every destination region, those requests carrying `aws:RequestedRegion` = the destination
  and `bedrock:InferenceProfileArn` = the profile;
- a global profile (`global.`): the profile, the foundation model in R, and the region-less
  `arn:P:bedrock:::foundation-model/<model>` (`aws:RequestedRegion = unspecified`);
- an application inference profile: itself, plus the models it routes to (known only to the service).
Converse and ConverseStream are authorised as InvokeModel and InvokeModelWithResponseStream.
"""

from __future__ import annotations

from dataclasses import dataclass

from agentcore_ext.judge.profile_regions import DESTINATIONS, GEO_PREFIXES
from agentcore_ext.state import AgentSpec, ModelKind, ModelUse

# The toolkit's `agentcore create` default (create/features/*/templates/model_provider/bedrock/model/load.py.j2).
DEFAULT_MODEL = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"
PROFILE_ARN = "bedrock:InferenceProfileArn"
REQUESTED_REGION = "aws:RequestedRegion"
# Model providers whose first call in an account subscribes through AWS Marketplace (Bedrock model access docs).
FIRST_PARTY_PROVIDERS = ("amazon.",)


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
    foundation_model: str  # the model id without a profile prefix ("" for an application profile)
    profile_arn: str  # "" for an on-demand foundation model
    destinations: tuple[str, ...] = ()  # regions a geographic profile routes to
    destinations_known: bool = True

    @property
    def third_party(self) -> bool:
        return bool(self.foundation_model) and not self.foundation_model.startswith(FIRST_PARTY_PROVIDERS)


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
            return ResolvedModel(use, ModelKind.APPLICATION_PROFILE, "", ident, destinations_known=False)
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
            return (ModelRoute(model.profile_arn, spec.region),)
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
    AWS's own least-privilege example for cross-region inference does.
    """
    if model.kind is ModelKind.GEO_PROFILE and not model.destinations_known:
        return (model.profile_arn, f"arn:{spec.partition}:bedrock:*::foundation-model/{model.foundation_model}")
    return tuple(dict.fromkeys(r.resource for r in routes(model, spec)))

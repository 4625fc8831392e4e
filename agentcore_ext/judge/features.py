"""The execution-role needs of AgentCore features an agent uses besides its model and memory, and of the agent's
own `additional-policies`. Pure. Sources per feature: RUNTIME-NEEDS.md "Execution role, by feature".
"""

from __future__ import annotations

from agentcore_ext.judge.additional_policy import additional_rules
from agentcore_ext.judge.aws_calls import aws_call_rules
from agentcore_ext.judge.rule import Probe, RequirementLevel, Rule
from agentcore_ext.state import AgentSpec, Feature, FeatureUse

RECOMMENDED = RequirementLevel.RECOMMENDED
PROBE_ID = "Pr0beRun1d"


def _ac(*names: str) -> tuple[str, ...]:
    return tuple(f"bedrock-agentcore:{n}" for n in names)


def _why(uses: tuple[FeatureUse, ...]) -> str:
    return ", ".join(dict.fromkeys(u.source for u in uses))


def _tool_arn(spec: AgentSpec, kind: str, managed: str, identifier: str) -> str:
    """The ARN a tool identifier names: the AWS-managed tool is owned by account `aws`; the agent's own (custom)
    tool is `<kind>-custom/<id>` in the agent's account (RUNTIME-NEEDS.md, rows Code Interpreter and Browser;
    the AgentCore API reference's identifier pattern `code-interpreter(-custom)?/`, `browser(-custom)?/`)."""
    if identifier.startswith("arn:"):
        return identifier
    if identifier == managed:
        return spec.arn("bedrock-agentcore", f"{kind}/{managed}", account="aws")
    return spec.arn("bedrock-agentcore", f"{kind}-custom/{identifier}")


def _tool(
    spec: AgentSpec, feature: Feature, kind: str, managed: str, required: tuple[str, ...], more: tuple[str, ...]
) -> list[Rule]:
    """Code Interpreter or Browser: the tools the code picks (judge/scan_tools.py). A use that names none (an
    import, the SDK client's constructor) means the AWS-managed tool only when no use names one; an identifier
    the scan could not resolve (UNKNOWN_TOOL) is any of the agent's own tools of that kind, never a guessed one."""
    uses = spec.profile.feature_uses(feature)
    if not uses:
        return []
    named = {u.detail for u in uses if u.detail}
    identifiers = sorted(named, key=lambda i: (i != managed, i)) or [managed]
    resources = tuple(_tool_arn(spec, kind, managed, i) for i in identifiers)
    # UNKNOWN_TOOL's `<kind>-custom/*`: some tool of the agent's own, judged by judge/some_resource.py
    probes = tuple(Probe(r, unknown=i == "*") for r, i in zip(resources, identifiers, strict=True))
    sid = "".join(p.capitalize() for p in kind.split("-"))
    return [
        Rule(f"AgentCore{sid}", str(feature), _ac(*required), resources, probes, _why(uses)),
        Rule(f"AgentCore{sid}Other", str(feature), _ac(*more), resources, probes, _why(uses), level=RECOMMENDED),
    ]


def _identity(spec: AgentSpec, feature: Feature, action: str, vault: str, secret: str) -> list[Rule]:
    """@requires_api_key / @requires_access_token: the token vault's provider and the agent's workload identity
    (toolkit template statements BedrockAgentCoreIdentityGetResource*), and the provider's client secret in
    Secrets Manager (statement ...GetCredentialProviderClientSecret)."""
    uses = spec.profile.feature_uses(feature)
    if not uses:
        return []
    names = sorted({u.detail for u in uses if u.detail}) or ["*"]
    vault_root = spec.arn("bedrock-agentcore", "token-vault/default")
    directory = spec.arn("bedrock-agentcore", "workload-identity-directory/default")
    resources = (
        vault_root,
        *(f"{vault_root}/{vault}/{n}" for n in names),
        directory,
        f"{directory}/workload-identity/{spec.agent}-*",
    )
    probes = (
        Probe(vault_root),
        *(Probe(f"{vault_root}/{vault}/{PROBE_ID if n == '*' else n}") for n in names),
        Probe(directory),
        Probe(f"{directory}/workload-identity/{spec.runtime_id}"),
    )
    secret_arn = spec.arn("secretsmanager", f"secret:bedrock-agentcore-identity!default/{secret}/*")
    secret_probe = spec.arn("secretsmanager", f"secret:bedrock-agentcore-identity!default/{secret}/{PROBE_ID}-AbCdEf")
    sid = "ApiKey" if feature is Feature.IDENTITY_API_KEY else "OAuth2"
    return [
        Rule(f"AgentCoreIdentity{sid}", str(feature), _ac(action), resources, probes, _why(uses)),
        Rule(
            f"AgentCoreIdentity{sid}Secret",
            str(feature),
            ("secretsmanager:GetSecretValue",),
            (secret_arn,),
            (Probe(secret_probe),),
            _why(uses),
        ),
    ]


def _by_id(
    spec: AgentSpec, feature: Feature, sid: str, actions: tuple[str, ...], service: str, rtype: str
) -> list[Rule]:
    """Gateway (IAM inbound auth), guardrails, another agent runtime: on the named resource when the code names
    it literally, else on every resource of that type in the account (and the scan says what it could not see)."""
    uses = spec.profile.feature_uses(feature)
    if not uses:
        return []
    given = sorted({u.detail for u in uses if u.detail})
    resources = tuple(d if d.startswith("arn:") else spec.arn(service, f"{rtype}/{d}") for d in given)
    if not given:
        resources = (spec.arn(service, f"{rtype}/*"),)
    probes = tuple(Probe(r, unknown=not given) for r in resources)  # none named: some resource of the type
    return [Rule(sid, str(feature), actions, resources, probes, _why(uses))]


def _extra_policies(spec: AgentSpec) -> list[Rule]:
    """`additional-policies` files: each statement written as given, condition, Deny, NotAction and NotResource
    included, and judged as a requirement where it is a plain Allow (judge/additional_policy.py); managed
    policies are attached instead (judged on the role's attachments)."""
    return additional_rules(spec)


def feature_rules(spec: AgentSpec) -> list[Rule]:
    ac = "bedrock-agentcore"
    return [
        # Code Interpreter: the toolkit template's BedrockAgentCoreCodeInterpreter; the SDK's CodeInterpreter
        # client starts, invokes and stops sessions (bedrock_agentcore/tools/code_interpreter_client.py).
        *_tool(
            spec,
            Feature.CODE_INTERPRETER,
            "code-interpreter",
            "aws.codeinterpreter.v1",
            ("StartCodeInterpreterSession", "InvokeCodeInterpreter", "StopCodeInterpreterSession"),
            ("GetCodeInterpreter", "GetCodeInterpreterSession", "ListCodeInterpreterSessions"),
        ),
        # Browser: the npm CLI's CDK constructs; bedrock_agentcore/tools/browser_client.py connects the
        # automation stream over a SigV4-signed WebSocket.
        *_tool(
            spec,
            Feature.BROWSER,
            "browser",
            "aws.browser.v1",
            ("StartBrowserSession", "StopBrowserSession", "ConnectBrowserAutomationStream"),
            ("GetBrowserSession", "ListBrowserSessions", "UpdateBrowserStream", "ConnectBrowserLiveViewStream"),
        ),
        *_identity(spec, Feature.IDENTITY_API_KEY, "GetResourceApiKey", "apikeycredentialprovider", "apikey"),
        *_identity(spec, Feature.IDENTITY_OAUTH, "GetResourceOauth2Token", "oauth2credentialprovider", "oauth2"),
        *_by_id(spec, Feature.GATEWAY, "AgentCoreGatewayInvoke", _ac("InvokeGateway"), ac, "gateway"),
        *_by_id(spec, Feature.GUARDRAIL, "BedrockApplyGuardrail", ("bedrock:ApplyGuardrail",), "bedrock", "guardrail"),
        *_by_id(spec, Feature.INVOKE_RUNTIME, "AgentCoreInvokePeerRuntime", _ac("InvokeAgentRuntime"), ac, "runtime"),
        *_extra_policies(spec),
        *aws_call_rules(spec),  # the agent's own AWS calls (judge/aws_calls.py)
    ]

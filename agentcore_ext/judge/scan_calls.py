"""One file's facts: the calls, decorators, imports and URLs that say which model and AgentCore features it uses.

Pure: walks an `ast` tree handed over by judge/scan.py; the names it looks for, and their sources, are the tables
of judge/scan_patterns.py.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

from agentcore_ext.judge import scan_patterns as patterns
from agentcore_ext.judge.scan_aws import BotoTracker
from agentcore_ext.judge.scan_tools import MANAGED_TOOLS, UNKNOWN_TOOL, ToolTracker
from agentcore_ext.judge.scan_values import (
    FunctionNode,
    Lit,
    Resolver,
    Scope,
    Unknown,
    Value,
    dotted,
    litellm_bedrock_id,
    loc,
    looks_bedrock,
)
from agentcore_ext.state import AwsCall, Feature, FeatureUse, ModelUse


def _anything(text: str) -> bool:
    return True


def model_id(text: str) -> str:
    """The Bedrock id inside a framework's spelling: LiteLLM "bedrock/converse/<id>", LangChain "bedrock:<id>"."""
    routed = litellm_bedrock_id(text)
    if routed is not None:
        return routed
    for prefix in ("bedrock_converse:", "bedrock:"):
        text = text.removeprefix(prefix)
    return text


def gateway_id(url: str) -> str:
    match = patterns.GATEWAY_URL.search(url)
    return match.group(1) if match else ""


@dataclass
class FileFacts:
    models: list[ModelUse] = field(default_factory=list)
    features: list[FeatureUse] = field(default_factory=list)
    providers: set[str] = field(default_factory=set)
    aws_calls: list[AwsCall] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {ast.Name: (), ast.Constant: ()}


def _child_fields(kind: type) -> tuple[str, ...]:
    """The fields of a node type worth descending into, last first (the walk pushes them on a stack): not the
    Load/Store context, nothing under a name or a literal (their fields are plain strings and numbers)."""
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        fields = _CHILD_FIELDS[kind] = tuple(reversed([f for f in getattr(kind, "_fields", ()) if f != "ctx"]))
    return fields


def _last_two(name: str) -> str:
    """The last two parts of a dotted name, `google.genai.Client` -> `genai.Client`."""
    return ".".join(name.rsplit(".", 2)[-2:])


def _kw(call: ast.Call, *names: str, position: int | None = None) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg in names:
            return keyword.value
    if position is not None and len(call.args) > position and not isinstance(call.args[position], ast.Starred):
        return call.args[position]
    return None


def _dict_value(node: ast.expr, key: str) -> ast.expr | None:
    if isinstance(node, ast.Dict):
        for k, v in zip(node.keys, node.values, strict=True):
            if isinstance(k, ast.Constant) and k.value == key:
                return v
    return None


class FileScanner:
    """Walks one file once, keeping the enclosing function so names resolve against the right scope."""

    def __init__(self, file: str, tree: ast.Module, resolver: Resolver, local_tops: frozenset[str]) -> None:
        self.file = file
        self.local_tops = local_tops  # top-level names of the agent's own modules: never a provider's package
        self.tree = tree
        self.resolver = resolver
        self.facts = FileFacts()
        self.boto = BotoTracker(file, self._literal_anywhere, self._values, tree)
        self.tools = ToolTracker()
        self._scope: Scope | None = None

    def scan(self) -> FileFacts:
        for stmt in self.tree.body:
            self._walk(stmt)
        self.facts.aws_calls = self.boto.calls()
        self.facts.unresolved += self.boto.unresolved
        return self.facts

    # --- traversal -----------------------------------------------------------------------------------------

    def _walk(self, node: ast.AST) -> None:
        """Statements one by one, keeping the enclosing function; the expressions under each with _expressions."""
        if isinstance(node, FunctionNode):
            outer, self._scope = self._scope, Scope(node, self._scope)
            self._fields(node)
            self._scope = outer
        elif hasattr(node, "body"):  # compound: if/for/with/try/class..., an except handler, a match case
            self._fields(node)
        else:
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets: list[ast.expr] = node.targets if isinstance(node, ast.Assign) else [node.target]
                self.boto.assign(targets, node.value)
                self.tools.assign(targets, node.value)
            elif isinstance(node, ast.Import | ast.ImportFrom):
                self._import(node)
            self._expressions(node)

    def _fields(self, node: ast.AST) -> None:
        for _, value in ast.iter_fields(node):
            for item in value if isinstance(value, list) else (value,):
                if isinstance(item, ast.stmt | ast.excepthandler | ast.match_case):
                    self._walk(item)
                elif isinstance(item, ast.AST):
                    self._expressions(item)

    def _expressions(self, root: ast.AST) -> None:
        """Every call (and gateway URL) under `root`, in source order. A hand-rolled walk: ast.walk's generators
        and its visits of every Load/Store context node cost a third of a 2,000-line scan."""
        stack = [root]
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Call):
                self._call(node)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and patterns.GATEWAY_MARK in node.value:
                self._feature(Feature.GATEWAY, node, gateway_id(node.value))
            for name in _child_fields(type(node)):
                value = getattr(node, name, None)
                if isinstance(value, list):
                    stack.extend(item for item in reversed(value) if isinstance(item, ast.AST))
                elif isinstance(value, ast.AST):
                    stack.append(value)

    def _literal_anywhere(self, node: ast.expr) -> str | None:
        try:
            lit = self.resolver.first_lit(node, self.file, self._scope)
        except RecursionError:
            self._too_deep(node)
            return None
        return lit.text if lit else None

    def _values(self, node: ast.expr) -> list[Value]:
        try:
            return self.resolver.resolve(node, self.file, self._scope)
        except RecursionError:
            self._too_deep(node)
            return []

    def _too_deep(self, node: ast.AST) -> None:
        """A value nested past Python's recursion limit (a 1000-term concatenation is valid code): it is unknown,
        the rest of the file is still scanned (red-team issue 21, item 14)."""
        self.facts.unresolved.append(f"{loc(self.file, node)}: value too deeply nested to resolve")

    # --- recording -----------------------------------------------------------------------------------------

    def _feature(self, feature: Feature, node: ast.AST, detail: str = "", note: str = "") -> None:
        """`note`: where an environment variable's value came from, when the detail is one."""
        source = f"{loc(self.file, node)} ({note})" if note else loc(self.file, node)
        self.facts.features.append(FeatureUse(feature, source, detail))

    def _feature_with_detail(
        self, feature: Feature, call: ast.Call, arg: ast.expr | None, what: str, detail: Callable[[str], str] = str
    ) -> None:
        """The feature, with `arg`'s literal as detail; a non-literal `arg` is also reported as unresolved."""
        values = self._values(arg) if arg is not None else []
        lits = [v for v in values if isinstance(v, Lit)]
        for lit in lits or [Lit("", "")]:
            self._feature(feature, call, detail(lit.text), lit.note)
        for value in values:
            if isinstance(value, Unknown):
                self.facts.unresolved.append(f"{value.source}: {what} {value.what}")

    def _model(self, arg: ast.expr | None, *, keep: Callable[[str], bool] = _anything, env_only: bool = False) -> None:
        """Record the model ids `arg` may be. `keep` filters literals (Strands Agent(model=...) takes only Bedrock
        ids); `env_only` reports only env reads as unresolved, where other values are model objects, not ids."""
        if arg is None:
            return
        for value in self._values(arg):
            if isinstance(value, Lit):
                if keep(value.text):
                    self.facts.models.append(ModelUse(model_id(value.text), value.described))
                continue
            if env_only and not value.env:
                continue
            self.facts.unresolved.append(f"{value.source}: model id {value.what}")
            if value.default is not None and looks_bedrock(model_id(value.default.text)):
                source = f"{value.source} (default of {value.default_of})"
                self.facts.models.append(ModelUse(model_id(value.default.text), source))

    # --- patterns ------------------------------------------------------------------------------------------

    def _call(self, call: ast.Call) -> None:
        name = dotted(call.func)
        last = name.rpartition(".")[2] if name else (call.func.attr if isinstance(call.func, ast.Attribute) else "")
        self.boto.call(call, loc(self.file, call))
        self._model_call(call, name, last)
        provider = patterns.PROVIDER_CALLS.get(last) or patterns.PROVIDER_CALLS.get(_last_two(name))
        if provider:
            self.facts.providers.add(provider)
        tool = self.tools.chooses_tool(call)
        if tool is not None:
            self._tool(tool, call)
        elif last in patterns.FEATURE_CALLS:
            self._feature_call(call, last)
        if call.keywords:  # the rest is all about keyword arguments
            self._guardrail(call)
            self._sigv4_mcp(call)
        elif last == "apply_guardrail" and isinstance(call.func, ast.Attribute):
            self._feature_with_detail(Feature.GUARDRAIL, call, _kw(call, position=0), "guardrail id")

    def _model_call(self, call: ast.Call, name: str, last: str) -> None:
        if last in patterns.BEDROCK_MODELS:
            self._model(_kw(call, *patterns.BEDROCK_MODELS[last], position=0))
        elif last == "Agent":
            self._model(_kw(call, "model"), keep=looks_bedrock, env_only=True)
        elif last == "init_chat_model":
            self._init_chat_model(call)
        elif last == "LiteLLMModel":
            self._litellm(_kw(call, "model_id"))
        elif last in patterns.RUNTIME_OPS and _kw(call, "modelId"):
            self._model(_kw(call, "modelId"))
        elif last == "invoke_agent_runtime":
            # boto3 bedrock-agentcore InvokeAgentRuntime: the target runtime is the resource (RUNTIME-NEEDS.md)
            target = _kw(call, "agentRuntimeArn")
            self._feature_with_detail(Feature.INVOKE_RUNTIME, call, target, "invoke_agent_runtime target")
        elif name in ("litellm.completion", "litellm.acompletion"):
            self._litellm(_kw(call, "model", position=0))
        elif call.keywords:
            self._generic_litellm(call)

    def _feature_call(self, call: ast.Call, last: str) -> None:
        feature, keyword = patterns.FEATURE_CALLS[last]
        if feature is Feature.GATEWAY:
            arg = _kw(call, "endpoint", "url", position=0) if keyword else None
            self._feature_with_detail(feature, call, arg, "gateway url", gateway_id)
        else:
            arg = _kw(call, keyword) if keyword else None
            self._feature_with_detail(feature, call, arg, patterns.DETAIL_NAMES[feature])

    def _tool(self, feature: Feature, call: ast.Call) -> None:
        """A call that picks the Code Interpreter or Browser (judge/scan_tools.py): its identifier, the AWS-managed
        tool's when none is given (or None, or empty), UNKNOWN_TOOL when the scan cannot tell which."""
        arg = _kw(call, "identifier")
        values = self._values(arg) if arg is not None else []
        for value in values or [Lit("", "")]:
            if isinstance(value, Lit):
                self._feature(feature, call, value.text or MANAGED_TOOLS[feature], value.note)
            else:
                self._feature(feature, call, UNKNOWN_TOOL)
                self.facts.unresolved.append(f"{value.source}: {patterns.DETAIL_NAMES[feature]} {value.what}")

    def _init_chat_model(self, call: ast.Call) -> None:
        """LangChain: init_chat_model("id", model_provider="bedrock_converse") or init_chat_model("bedrock:id")."""
        model = _kw(call, "model", position=0)
        provider_arg = _kw(call, "model_provider")
        provider = self._literal_anywhere(provider_arg) if provider_arg is not None else None
        prefixed = self._literal_anywhere(model) if model is not None else None
        if provider is None and prefixed and ":" in prefixed.split(".")[0]:
            provider = prefixed.split(":", 1)[0]
        if provider in patterns.LANGCHAIN_BEDROCK:
            self._model(model)
        elif provider in patterns.LANGCHAIN_PROVIDERS:
            self.facts.providers.add(patterns.LANGCHAIN_PROVIDERS[provider])

    def _litellm(self, arg: ast.expr | None) -> None:
        """LiteLLM strings: "bedrock/<id>" is a Bedrock model, anything else another provider through LiteLLM."""
        if arg is None:
            return
        if any(isinstance(v, Lit) and litellm_bedrock_id(v.text) is None for v in self._values(arg)):
            self.facts.providers.add("litellm")
        self._model(arg, keep=lambda text: litellm_bedrock_id(text) is not None)

    def _generic_litellm(self, call: ast.Call) -> None:
        """Any `model=`/`model_id=` literal routed "bedrock/...": CrewAI LLM (toolkit crewai load.py.j2), ADK LiteLlm"""
        arg = _kw(call, "model", "model_id")
        for value in self._values(arg) if arg is not None else []:
            if isinstance(value, Lit) and litellm_bedrock_id(value.text) is not None:
                self.facts.models.append(ModelUse(model_id(value.text), value.described))

    def _guardrail(self, call: ast.Call) -> None:
        """BedrockModel(guardrail_id=), apply_guardrail/invoke_model(guardrailIdentifier=), and the config dicts
        of converse(guardrailConfig=) and ChatBedrock(guardrails=) / ChatBedrockConverse(guardrail_config=)."""
        arg = _kw(call, *patterns.GUARDRAIL_KEYWORDS)
        if arg is None:
            config = _kw(call, *patterns.GUARDRAIL_CONFIGS)
            if config is not None:
                arg = _dict_value(config, "guardrailIdentifier") or _dict_value(config, "guardrail_id")
        if arg is not None:
            self._feature_with_detail(Feature.GUARDRAIL, call, arg, "guardrail id")

    def _sigv4_mcp(self, call: ast.Call) -> None:
        """streamablehttp_client(url, auth=SigV4...(...)): an MCP client signing with the role's credentials."""
        auth = _kw(call, "auth")
        if not (isinstance(auth, ast.Call) and "SigV4" in (dotted(auth.func) or "")):
            return
        self._feature_with_detail(Feature.GATEWAY, call, _kw(call, "url", position=0), "gateway url", gateway_id)

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif node.level or node.module is None:
            return
        else:
            modules = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            if node.module == "anthropic" and all("Bedrock" in alias.name for alias in node.names):
                modules = []  # anthropic.AnthropicBedrock calls Bedrock, not Anthropic's API
        if modules and modules[0].split(".")[0] in self.local_tops:
            return  # a local module that happens to share a package's name
        for module in modules:
            for prefix, feature in patterns.FEATURE_IMPORTS.items():
                if module == prefix or module.startswith(prefix + "."):
                    self._feature(feature, node)
            top = module
            while top:
                if top in patterns.PROVIDER_IMPORTS:
                    self.facts.providers.add(patterns.PROVIDER_IMPORTS[top])
                top = top.rpartition(".")[0]

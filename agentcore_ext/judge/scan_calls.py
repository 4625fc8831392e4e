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
from agentcore_ext.judge.scan_models import ModelTracker
from agentcore_ext.judge.scan_tools import MANAGED_TOOLS, UNKNOWN_TOOL, ToolTracker
from agentcore_ext.judge.scan_values import FunctionNode, Lit, Resolver, Scope, Unknown, Value, dotted, kw, loc
from agentcore_ext.state import AwsCall, Feature, FeatureUse, ModelUse


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
# MemoryClient calls of the control plane's GetMemory (bedrock_agentcore/memory/client.py, SDK 1.25):
# get_memory_strategies and get_memory_status call gmcp_client.get_memory(memoryId=...); get_memory itself is
# forwarded to it by __getattr__ (_ALLOWED_GMCP_METHODS). RUNTIME-NEEDS.md, memory row: common at agent start.
MEMORY_READS = ("get_memory_strategies", "get_memory_status")


def _child_fields(kind: type) -> tuple[str, ...]:
    """The fields of a node type worth descending into, last first (the walk pushes them on a stack): not the
    Load/Store context, nothing under a name or a literal (their fields are plain strings and numbers)."""
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        fields = _CHILD_FIELDS[kind] = tuple(reversed([f for f in getattr(kind, "_fields", ()) if f != "ctx"]))
    return fields


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
        facts = self.facts
        self.models = ModelTracker(file, self._values, facts.models, facts.providers, facts.unresolved)
        self._memory_clients: set[str] = set()  # names bound to a MemoryClient(...)
        self._memory_reads: list[AwsCall] = []
        self._scope: Scope | None = None

    def scan(self) -> FileFacts:
        for stmt in self.tree.body:
            self._walk(stmt)
        calls = [*self.boto.calls(), *self._memory_reads]
        self.facts.aws_calls = sorted(calls, key=lambda c: int(c.source.rsplit(":", 1)[1]))
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
                if isinstance(node.value, ast.Call) and dotted(node.value.func).endswith("MemoryClient"):
                    self._memory_clients.update(filter(None, (dotted(t) for t in targets)))
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

    # --- patterns ------------------------------------------------------------------------------------------

    def _call(self, call: ast.Call) -> None:
        name = dotted(call.func)
        last = name.rpartition(".")[2] if name else (call.func.attr if isinstance(call.func, ast.Attribute) else "")
        self.boto.call(call, loc(self.file, call))
        self.models.call(call, name, last)
        if last == "invoke_agent_runtime":
            # boto3 bedrock-agentcore InvokeAgentRuntime: the target runtime is the resource (RUNTIME-NEEDS.md)
            target = kw(call, "agentRuntimeArn")
            self._feature_with_detail(Feature.INVOKE_RUNTIME, call, target, "invoke_agent_runtime target")
        if last in MEMORY_READS or (last == "get_memory" and self._on_memory_client(call.func)):
            self._memory_read(call, last)
        tool = self.tools.chooses_tool(call)
        if tool is not None:
            self._tool(tool, call)
        elif last in patterns.FEATURE_CALLS:
            self._feature_call(call, last)
        if call.keywords:  # the rest is all about keyword arguments
            self._guardrail(call)
            self._sigv4_mcp(call)
        elif last == "apply_guardrail" and isinstance(call.func, ast.Attribute):
            self._feature_with_detail(Feature.GUARDRAIL, call, kw(call, position=0), "guardrail id")

    def _on_memory_client(self, func: ast.expr) -> bool:
        if not isinstance(func, ast.Attribute):
            return False
        receiver = func.value
        if isinstance(receiver, ast.Call):
            return dotted(receiver.func).endswith("MemoryClient")
        return dotted(receiver) in self._memory_clients

    def _memory_read(self, call: ast.Call, method: str) -> None:
        """GetMemory on the memory the call names (its literal id, or the environment variable it is read from)."""
        arg = kw(call, "memory_id", "memoryId", position=0 if method in MEMORY_READS else None)
        values = self._values(arg) if arg is not None else []
        named = [v.text for v in values if isinstance(v, Lit)]
        args = (("memoryId", named[0]),) if len(values) == 1 and named else ()
        env = tuple(("memoryId", v.env_key) for v in values if isinstance(v, Unknown) and v.env_key)[:1]
        via = f"bedrock_agentcore MemoryClient.{method}"
        where = loc(self.file, call)
        self._memory_reads.append(AwsCall("bedrock-agentcore-control", "get_memory", where, args, env, via))

    def _feature_call(self, call: ast.Call, last: str) -> None:
        feature, keyword = patterns.FEATURE_CALLS[last]
        if feature is Feature.GATEWAY:
            arg = kw(call, "endpoint", "url", position=0) if keyword else None
            self._feature_with_detail(feature, call, arg, "gateway url", gateway_id)
        else:
            arg = kw(call, keyword) if keyword else None
            self._feature_with_detail(feature, call, arg, patterns.DETAIL_NAMES[feature])

    def _tool(self, feature: Feature, call: ast.Call) -> None:
        """A call that picks the Code Interpreter or Browser (judge/scan_tools.py): its identifier, the AWS-managed
        tool's when none is given (or None, or empty), UNKNOWN_TOOL when the scan cannot tell which."""
        arg = kw(call, "identifier")
        values = self._values(arg) if arg is not None else []
        for value in values or [Lit("", "")]:
            if isinstance(value, Lit):
                self._feature(feature, call, value.text or MANAGED_TOOLS[feature], value.note)
            else:
                self._feature(feature, call, UNKNOWN_TOOL)
                self.facts.unresolved.append(f"{value.source}: {patterns.DETAIL_NAMES[feature]} {value.what}")

    def _guardrail(self, call: ast.Call) -> None:
        """BedrockModel(guardrail_id=), apply_guardrail/invoke_model(guardrailIdentifier=), and the config dicts
        of converse(guardrailConfig=) and ChatBedrock(guardrails=) / ChatBedrockConverse(guardrail_config=)."""
        arg = kw(call, *patterns.GUARDRAIL_KEYWORDS)
        if arg is None:
            config = kw(call, *patterns.GUARDRAIL_CONFIGS)
            if config is not None:
                arg = _dict_value(config, "guardrailIdentifier") or _dict_value(config, "guardrail_id")
        if arg is not None:
            self._feature_with_detail(Feature.GUARDRAIL, call, arg, "guardrail id")

    def _sigv4_mcp(self, call: ast.Call) -> None:
        """streamablehttp_client(url, auth=SigV4...(...)): an MCP client signing with the role's credentials."""
        auth = kw(call, "auth")
        if not (isinstance(auth, ast.Call) and "SigV4" in (dotted(auth.func) or "")):
            return
        self._feature_with_detail(Feature.GATEWAY, call, kw(call, "url", position=0), "gateway url", gateway_id)

    def _import(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif node.level or node.module is None:
            return
        else:
            modules = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        if modules[0].split(".")[0] in self.local_tops:
            return  # a local module that happens to share a package's name
        self.models.imported(node)
        bedrock_only = all("Bedrock" in alias.name for alias in node.names)
        if isinstance(node, ast.ImportFrom) and node.module == "anthropic" and bedrock_only:
            modules = []  # anthropic.AnthropicBedrock calls Bedrock, not Anthropic's API
        for module in modules:
            for prefix, feature in patterns.FEATURE_IMPORTS.items():
                if module == prefix or module.startswith(prefix + "."):
                    self._feature(feature, node)
            top = module
            while top:
                if top in patterns.PROVIDER_IMPORTS:
                    self.facts.providers.add(patterns.PROVIDER_IMPORTS[top])
                top = top.rpartition(".")[0]

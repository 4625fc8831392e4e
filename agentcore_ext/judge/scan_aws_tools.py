"""Framework tools that call AWS for the agent: which ones a file uses, and the boto3 calls each makes. Pure.

Read from the tools' own code (strands-agents-tools 0.8.10 and langchain-aws 1.9.1 from PyPI; neither is installed
here, nothing of them is imported):
- `strands_tools.retrieve`: bedrock-agent-runtime `retrieve(knowledgeBaseId=...)`, the id from the tool call's
  `knowledgeBaseId` or the KNOWLEDGE_BASE_ID environment variable (retrieve.py, `retrieve()`).
- `strands_tools.memory`: every action first lists the Knowledge Base's data sources (bedrock-agent
  `list_data_sources`); store looks their types up (`get_data_source`) and ingests, delete/list/get call the
  matching `*_knowledge_base_documents`, retrieve calls bedrock-agent-runtime `retrieve`; the id from the call's
  STRANDS_KNOWLEDGE_BASE_ID or that environment variable (memory.py, `memory()` and `MemoryServiceClient`).
  The model picks the action, so every one of them may run.
- `strands_tools.use_aws`: any operation of any service the model names (use_aws.py): not knowable from the code.
- langchain-aws `AmazonKnowledgeBasesRetriever(knowledge_base_id=...)`: bedrock-agent-runtime `retrieve`
  (retrievers/bedrock.py, `_get_relevant_documents`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field

from agentcore_ext.judge.scan_values import Lit, Unknown, Value, dotted, statements
from agentcore_ext.state import AwsCall

ValuesOf = Callable[[ast.expr], list[Value]]  # what an expression may be, via the scan's Resolver
KB = "knowledgeBaseId"


@dataclass(frozen=True)
class Tool:
    calls: tuple[tuple[str, str], ...]  # (boto3 service, operation)
    env: str = ""  # the environment variable the tool reads the resource id from
    keyword: str = ""  # the tool call's argument that names it instead
    anything: bool = False  # calls whatever the model asks for


_MEMORY_OPS = (
    "list_data_sources",
    "get_data_source",
    "ingest_knowledge_base_documents",
    "delete_knowledge_base_documents",
    "list_knowledge_base_documents",
    "get_knowledge_base_documents",
)
TOOLS = {
    "strands_tools.retrieve": Tool((("bedrock-agent-runtime", "retrieve"),), "KNOWLEDGE_BASE_ID", KB),
    "strands_tools.memory": Tool(
        (*(("bedrock-agent", op) for op in _MEMORY_OPS), ("bedrock-agent-runtime", "retrieve")),
        "STRANDS_KNOWLEDGE_BASE_ID",
        "STRANDS_KNOWLEDGE_BASE_ID",
    ),
    "strands_tools.use_aws": Tool((), anything=True),
}
LANGCHAIN_KB_RETRIEVER = "AmazonKnowledgeBasesRetriever"


def _names(node: ast.expr | None) -> list[ast.expr]:
    """The expression and, for a list/tuple/set literal (`tools=[retrieve, memory]`), its elements."""
    if node is None:
        return []
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [e for e in node.elts if not isinstance(e, ast.Starred)]
    return [node]


@dataclass
class FrameworkTools:
    """The framework tools one file imports, where it hands them to an agent, and the environment it sets."""

    file: str
    values: ValuesOf
    tree: ast.Module | None = None
    bound: dict[str, str] = field(default_factory=dict)  # local name -> tool, or -> "strands_tools" (the package)
    env_set: dict[str, str] = field(default_factory=dict)  # os.environ["X"] = "literal" in this file
    used: dict[str, str] = field(default_factory=dict)  # tool -> where it is first handed to an agent
    given: dict[str, str] = field(default_factory=dict)  # tool -> the id a direct call passes
    found: list[AwsCall] = field(default_factory=list)  # calls known at the call site (LangChain retrievers)
    unresolved: list[str] = field(default_factory=list)
    _read: bool = False

    def _read_file(self) -> None:
        """The file's tool imports and environment settings, read once when the scan first needs them (the
        scanner's scope, which `values` uses, exists by then)."""
        if self._read:
            return
        self._read = True
        for node in statements(self.tree.body) if self.tree is not None else ():
            if isinstance(node, ast.ImportFrom) and not node.level and node.module:
                for alias in node.names:
                    tool = f"{node.module}.{alias.name}"
                    if node.module.startswith("strands_tools.") and node.module in TOOLS:
                        tool = node.module  # from strands_tools.retrieve import retrieve
                    if tool in TOOLS:
                        self.bound[alias.asname or alias.name] = tool
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in TOOLS or alias.name == "strands_tools":
                        self.bound[alias.asname or alias.name] = alias.name
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    self._env_assign(target, node.value)
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                call = node.value
                if dotted(call.func) in ("os.environ.setdefault", "environ.setdefault") and len(call.args) == 2:
                    self._env_assign(ast.Subscript(call.func, call.args[0]), call.args[1])

    def _env_assign(self, target: ast.expr, value: ast.expr) -> None:
        """`os.environ["KNOWLEDGE_BASE_ID"] = "kb123"`: the tool reads what the agent's own code set."""
        if isinstance(target, ast.Subscript) and dotted(target.value).endswith("environ"):
            key = self._literal(target.slice)
            text = self._literal(value)
            if key and text:
                self.env_set[key] = text

    def _literal(self, node: ast.expr) -> str:
        return next((v.text for v in self.values(node) if isinstance(v, Lit)), "")

    def _tool_of(self, node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            return self.bound.get(node.id) if self.bound.get(node.id) in TOOLS else None
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            package = self.bound.get(node.value.id)
            if package in ("strands_tools", f"strands_tools.{node.attr}") and f"strands_tools.{node.attr}" in TOOLS:
                return f"strands_tools.{node.attr}"
        return None

    def _use(self, tool: str, source: str) -> None:
        self.used.setdefault(tool, source)

    def assign(self, value: ast.expr, source: str) -> None:
        """`TOOLS = [retrieve, calculator]`: handing a tool over through a name counts as using it."""
        self._read_file()
        for node in _names(value):
            tool = self._tool_of(node)
            if tool:
                self._use(tool, source)

    def call(self, call: ast.Call, source: str) -> None:
        self._read_file()
        func = call.func
        name = dotted(func) or (func.attr if isinstance(func, ast.Attribute) else "")
        if name.rpartition(".")[2] == LANGCHAIN_KB_RETRIEVER:
            arg = next((k.value for k in call.keywords if k.arg == "knowledge_base_id"), None)
            self.found.append(self._aws("bedrock-agent-runtime", "retrieve", source, arg, "", "langchain_aws"))
        # agent.tool.retrieve(text=..., knowledgeBaseId="kb"): Strands' direct tool call
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Attribute) and func.value.attr == "tool":
            tool = f"strands_tools.{func.attr}"
            if tool in TOOLS and tool in self.bound.values():
                self._use(tool, source)
                arg = next((k.value for k in call.keywords if k.arg == TOOLS[tool].keyword), None)
                text = self._literal(arg) if arg is not None and TOOLS[tool].keyword else ""
                if text:
                    self.given.setdefault(tool, text)
        for node in [*call.args, *(k.value for k in call.keywords)]:
            for item in _names(node):
                handed = self._tool_of(item)
                if handed:
                    self._use(handed, source)

    def _aws(self, service: str, op: str, source: str, arg: ast.expr | None, env: str, via: str) -> AwsCall:
        """The call with its Knowledge Base id: a literal, or the environment variable it comes from."""
        values = self.values(arg) if arg is not None else []
        lit = next((v.text for v in values if isinstance(v, Lit)), "")
        if not env:
            env = next((v.env_key for v in values if isinstance(v, Unknown) and v.env_key), "")
        if not lit and env:
            lit = self.env_set.get(env, "")
        if not lit and env:  # the environment the agent runs with (--env), where the scan's Resolver knows it
            lit = self._literal(ast.Call(ast.Name("getenv"), [ast.Constant(env)], []))
        args = ((KB, lit),) if lit else ()
        return AwsCall(service, op, source, args, () if lit or not env else ((KB, env),), via)

    def calls(self) -> list[AwsCall]:
        self._read_file()
        out = list(self.found)
        for tool, source in self.used.items():
            spec = TOOLS[tool]
            if spec.anything:
                self.unresolved.append(
                    f"{source}: {tool} calls whatever AWS operation the model asks for: the role needs what it will "
                    "be allowed to do, given with --additional-policy FILE"
                )
                continue
            given = self.given.get(tool, "")
            for service, op in spec.calls:
                call = self._aws(service, op, source, ast.Constant(given) if given else None, spec.env, tool)
                out.append(call)
        return out

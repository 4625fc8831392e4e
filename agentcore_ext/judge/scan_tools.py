"""Code Interpreter and Browser in agent code: which tool each call uses, the AWS-managed one or the agent's own.

Pure: judge/scan_calls.py hands each call over; the identifier's value is resolved there (literals, constants,
environment variables). The parameter names are those of the installed bedrock-agentcore 1.25 SDK and of
strands-agents-tools 0.8.10 (its wheel's source read for this):
- strands_tools `AgentCoreCodeInterpreter(region, identifier)` and `AgentCoreBrowser(region, identifier)` keep
  `identifier or "aws.codeinterpreter.v1"` / `identifier or "aws.browser.v1"`;
- the SDK's `code_session(region, session, identifier)` and `browser_session(region, viewport, identifier)` start
  a session with `identifier` when it is not None, else with DEFAULT_IDENTIFIER;
- the SDK's `CodeInterpreter(region)` and `BrowserClient(region)` take no identifier: their
  `.start(identifier=DEFAULT_IDENTIFIER)` does (bedrock_agentcore/tools/{code_interpreter,browser}_client.py).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from agentcore_ext.state import Feature

# The AWS-managed tools' identifiers (DEFAULT_IDENTIFIER in the SDK's tools/*_client.py).
MANAGED_TOOLS = {Feature.CODE_INTERPRETER: "aws.codeinterpreter.v1", Feature.BROWSER: "aws.browser.v1"}
# A tool identifier the scan could not resolve (an environment variable nobody gave): judge/features.py requires
# the permission on the agent's own tools of that kind, never on a guessed one.
UNKNOWN_TOOL = "*"
# Calls whose `identifier=` names the tool; without it, or with an empty one, the AWS-managed tool.
TAKES_IDENTIFIER = {
    "AgentCoreCodeInterpreter": Feature.CODE_INTERPRETER,
    "code_session": Feature.CODE_INTERPRETER,
    "AgentCoreBrowser": Feature.BROWSER,
    "browser_session": Feature.BROWSER,
}
# SDK clients whose `.start(identifier=...)` names the tool.
_CLIENTS = {"CodeInterpreter": Feature.CODE_INTERPRETER, "BrowserClient": Feature.BROWSER}


def _key(node: ast.expr) -> str | None:
    """Where a client is kept: `ci`, `self.ci`."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return None


def _last(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


@dataclass
class ToolTracker:
    """The SDK tool clients of one file (`ci = CodeInterpreter(region)`), so that `ci.start(...)` is known."""

    clients: dict[str, Feature] = field(default_factory=dict)

    def assign(self, targets: list[ast.expr], value: ast.expr) -> None:
        feature = _CLIENTS.get(_last(value.func)) if isinstance(value, ast.Call) else None
        if feature is None:
            return
        for target in targets:
            key = _key(target)
            if key:
                self.clients[key] = feature

    def chooses_tool(self, call: ast.Call) -> Feature | None:
        """The tool kind when `call` picks which tool is used (and so takes `identifier=`), else None."""
        last = _last(call.func)
        if last in TAKES_IDENTIFIER:
            return TAKES_IDENTIFIER[last]
        if last == "start" and isinstance(call.func, ast.Attribute):
            receiver = call.func.value
            if isinstance(receiver, ast.Call):  # CodeInterpreter(region).start(...)
                return _CLIENTS.get(_last(receiver.func))
            key = _key(receiver)
            return self.clients.get(key) if key else None
        return None

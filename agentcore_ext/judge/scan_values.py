"""What a string argument in agent code evaluates to, found statically: literals, constants, env reads. Pure.

The scanner (judge/scan.py) asks `Resolver.resolve(expr, file, scope)` for every model id, guardrail id, URL...
and gets back literals it can trust (`Lit`) or descriptions of what it could not decide (`Unknown`).

Environment reads (`os.environ["X"]`, `os.environ.get("X", d)`, `os.getenv("X", d)`, `environ` and `getenv`
imported from os) resolve with the environment the agent is said to run with (`--env`, `--env-file`, a stack):
a given X is its value; X not given but with a literal default is that default (what runs when the deployment
sets nothing), noted as such; X with neither stays unknown, and says which flag would give it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef  # lambdas are not scopes here: their names are read outside
MAX_DEPTH = 8  # constant chains deeper than this are not worth following (and it stops `x = x + "a"` loops)

# Bedrock model ids: "<provider>.<model>" optionally behind a cross-region profile prefix (RUNTIME-NEEDS.md,
# "geographic profile" and "global profile" rows), or an ARN of a model or an inference profile.
_PROFILE_PREFIX = r"(?:(?:us|eu|apac|jp|au|ca|us-gov|global)\.)?"
_MODEL_PROVIDERS = (
    r"(?:anthropic|amazon|meta|mistral|cohere|ai21|stability|deepseek|writer|qwen|openai|twelvelabs|luma"
    r"|minimax|moonshot|google|nvidia)"
)
_BEDROCK_ID = re.compile(rf"^{_PROFILE_PREFIX}{_MODEL_PROVIDERS}\.[A-Za-z0-9][\w.:-]*$")
_BEDROCK_ARN = re.compile(
    r"^arn:aws[\w-]*:bedrock:[\w-]*:\d*:(?:foundation-model|inference-profile|application-inference-profile)/\S+$"
)
# LiteLLM spells Bedrock models "bedrock/<id>", "bedrock/converse/<id>" or "bedrock/invoke/<id>".
_LITELLM_BEDROCK = re.compile(r"^bedrock/(?:converse/|invoke/)?")


def looks_bedrock(text: str) -> bool:
    return bool(_BEDROCK_ID.match(text) or _BEDROCK_ARN.match(text))


def litellm_bedrock_id(text: str) -> str | None:
    """ "bedrock/converse/us.amazon.nova-pro-v1:0" -> "us.amazon.nova-pro-v1:0"; None when not a Bedrock route."""
    match = _LITELLM_BEDROCK.match(text)
    return text[match.end() :] if match else None


@dataclass(frozen=True)
class Lit:
    """A string the code surely passes, and where it is written (where a user would edit it)."""

    text: str
    source: str
    note: str = ""  # where an environment read's value came from: "env MODEL_ID from --env"

    @property
    def described(self) -> str:
        """The source with its note: "agent.py:12 (env MODEL_ID from --env)"."""
        return f"{self.source} ({self.note})" if self.note else self.source


@dataclass(frozen=True)
class Unknown:
    """A value the scan cannot decide: `what` completes "model id ...", e.g. "read from os.getenv('MODEL_ID')"."""

    what: str
    source: str
    default: Lit | None = None  # a literal fallback (getenv default, parameter default) the code may well use
    default_of: str = ""  # what the default belongs to: the env var name, "parameter model_id"
    env: bool = False  # read from the environment (worth reporting even where only literals are expected)
    env_key: str = ""  # the variable an environment read names, when the scan could tell it


Value = Lit | Unknown


def kw(call: ast.Call, *names: str, position: int | None = None) -> ast.expr | None:
    """The argument given by one of these keywords, else the one at `position` (never a `*args` splat)."""
    for keyword in call.keywords:
        if keyword.arg in names:
            return keyword.value
    if position is not None and len(call.args) > position and not isinstance(call.args[position], ast.Starred):
        return call.args[position]
    return None


def loc(file: str, node: ast.AST) -> str:
    return f"{file}:{getattr(node, 'lineno', 0)}"


def statements(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every statement under `body`, nested ones included, without visiting expressions (the bulk of a tree).
    Also yields the except handlers and match cases that hold statements."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            inner = getattr(node, name, None)
            if isinstance(inner, list):
                stack.extend(reversed(inner))


def _targets(node: ast.AST) -> list[tuple[str, ast.expr]]:
    """`NAME = value` / `NAME: T = value` bindings of one statement (tuple unpacking is not followed)."""
    if isinstance(node, ast.Assign):
        return [(t.id, node.value) for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and node.value is not None and isinstance(node.target, ast.Name):
        return [(node.target.id, node.value)]
    return []


def module_assigns(tree: ast.Module) -> dict[str, list[ast.expr]]:
    """Module-level bindings, including those under top-level `if`/`try` (config fallbacks live there)."""
    found: dict[str, list[ast.expr]] = {}
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        for name, value in _targets(node):
            found.setdefault(name, []).append(value)
        if isinstance(node, ast.If | ast.Try):
            pending.extend(node.body + node.orelse)
            if isinstance(node, ast.Try):
                pending.extend(node.finalbody)
                for handler in node.handlers:
                    pending.extend(handler.body)
    return found


@dataclass
class ModuleInfo:
    """One parsed local file and how its names reach other local files."""

    path: str
    tree: ast.Module
    assigns: dict[str, list[ast.expr]]
    names: dict[str, tuple[str, str]] = field(default_factory=dict)  # `from m import X as Y`: Y -> (m's file, X)
    modules: dict[str, str] = field(default_factory=dict)  # `import pkg.mod as m`: "m" -> "pkg/mod.py"
    stars: list[str] = field(default_factory=list)  # `from m import *`: m's file


class Scope:
    """A function's parameters and simple local bindings, computed only when a name inside it is looked up."""

    def __init__(self, func: FunctionNode, parent: Scope | None) -> None:
        self.func = func
        self.parent = parent
        self._assigns: dict[str, list[ast.expr]] | None = None

    @property
    def label(self) -> str:
        return f"{self.func.name}()"

    @property
    def assigns(self) -> dict[str, list[ast.expr]]:
        if self._assigns is None:
            self._assigns = {}
            for node in statements(self.func.body):
                for name, value in _targets(node):
                    self._assigns.setdefault(name, []).append(value)
        return self._assigns

    def param(self, name: str) -> tuple[bool, ast.expr | None]:
        """(is a parameter, its default)."""
        args = self.func.args
        positional = args.posonlyargs + args.args
        defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        pairs = list(zip(positional, defaults, strict=True)) + list(zip(args.kwonlyargs, args.kw_defaults, strict=True))
        for arg, default in pairs:
            if arg.arg == name:
                return True, default
        return False, None


_ENV_CALLS = {"os.getenv", "getenv", "os.environ.get", "environ.get", "os.environ.setdefault"}


def dotted(node: ast.expr) -> str:
    """ "os.environ.get" for that attribute chain, "" for anything that is not a plain dotted name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    parts.append(node.id)
    return ".".join(reversed(parts))


def _short(node: ast.expr, limit: int = 60) -> str:
    text = ast.unparse(node)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Resolver:
    """Evaluates string expressions across the agent's local files, following constants and imports."""

    def __init__(
        self,
        modules: dict[str, ModuleInfo],
        env: Mapping[str, str] | None = None,
        given_by: Mapping[str, str] | None = None,
    ) -> None:
        self.modules = modules
        self.env = env or {}  # the agent's environment variables, as far as anyone said
        self.given_by = given_by or {}  # each variable's source: "--env", "--env-file .env:3"
        self._active: set[tuple[int, str]] = set()  # (scope, name) bindings being evaluated right now

    def resolve(self, node: ast.expr, file: str, scope: Scope | None, depth: int = 0) -> list[Value]:
        if depth > MAX_DEPTH:
            return [Unknown(f"computed ({_short(node)})", loc(file, node))]
        if isinstance(node, ast.Constant):
            return [Lit(node.value, loc(file, node))] if isinstance(node.value, str) else []
        if isinstance(node, ast.JoinedStr):
            return self._fstring(node, file, scope, depth)
        if isinstance(node, ast.Name):
            return self._name(node.id, node, file, scope, depth)
        if isinstance(node, ast.Attribute) and dotted(node.value) in self.modules[file].modules:
            target = self.modules[file].modules[dotted(node.value)]
            return self._global(node.attr, node, target, depth + 1)
        if isinstance(node, ast.IfExp):
            return self.resolve(node.body, file, scope, depth + 1) + self.resolve(node.orelse, file, scope, depth + 1)
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            return self._or(node, file, scope, depth)
        env = self._env_read(node, file, scope, depth)
        return env if env is not None else [Unknown(f"computed ({_short(node)})", loc(file, node))]

    def first_lit(self, node: ast.expr, file: str, scope: Scope | None) -> Lit | None:
        return next((v for v in self.resolve(node, file, scope) if isinstance(v, Lit)), None)

    def _fstring(self, node: ast.JoinedStr, file: str, scope: Scope | None, depth: int) -> list[Value]:
        """f"..." with no placeholders, or whose placeholders are plain constants, is a literal too."""
        text, notes = "", []
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                text += part.value
                continue
            if not isinstance(part, ast.FormattedValue) or part.conversion != -1 or part.format_spec is not None:
                return [Unknown(f"computed ({_short(node)})", loc(file, node))]
            inner = self.resolve(part.value, file, scope, depth + 1)
            if len(inner) != 1 or not isinstance(inner[0], Lit):
                return [Unknown(f"computed ({_short(node)})", loc(file, node))]
            text += inner[0].text
            notes += [inner[0].note] if inner[0].note else []
        return [Lit(text, loc(file, node), "; ".join(notes))]

    def _name(self, name: str, node: ast.expr, file: str, scope: Scope | None, depth: int) -> list[Value]:
        while scope is not None:
            values = scope.assigns.get(name)
            is_param, default = scope.param(name)
            key = (id(scope), name)
            # `model_id = model_id or DEFAULT`: inside its own binding a name means the parameter (or outer name).
            if values and key not in self._active:
                self._active.add(key)
                try:
                    return [v for value in values for v in self.resolve(value, file, scope, depth + 1)]
                finally:
                    self._active.discard(key)
            if is_param:
                return [self._param(name, default, node, file, scope)]
            scope = scope.parent
        return self._global(name, node, file, depth)

    def _param(self, name: str, default: ast.expr | None, node: ast.expr, file: str, scope: Scope) -> Unknown:
        lit = self.first_lit(default, file, scope.parent) if default is not None else None
        return Unknown(f"is parameter '{name}' of {scope.label}", loc(file, node), lit, f"parameter {name}")

    def _global(self, name: str, node: ast.expr, file: str, depth: int) -> list[Value]:
        """A module-level name of `file`: its own constant, or one imported from another local file."""
        info = self.modules.get(file)
        if info is None or depth > MAX_DEPTH:
            return [Unknown(f"from name '{name}'", loc(file, node))]
        if name in info.assigns:
            return [v for value in info.assigns[name] for v in self.resolve(value, file, None, depth + 1)]
        if name in info.names:
            other, original = info.names[name]
            return self._global(original, node, other, depth + 1)
        star = next((other for other in info.stars if self._defines(other, name, depth + 1)), None)
        if star is not None:
            return self._global(name, node, star, depth + 1)
        return [Unknown(f"from name '{name}', not a constant the scan can follow", loc(file, node))]

    def _defines(self, file: str, name: str, depth: int) -> bool:
        """Whether `from file import *` brings `name` (directly or through its own star imports)."""
        info = self.modules.get(file)
        if info is None or depth > MAX_DEPTH:
            return False
        if name in info.assigns or name in info.names:
            return True
        return any(self._defines(other, name, depth + 1) for other in info.stars)

    def _or(self, node: ast.BoolOp, file: str, scope: Scope | None, depth: int) -> list[Value]:
        """`a or b`: every value an operand may have, until one is surely truthy (the rest never runs). An
        environment variable nobody gave, followed by a literal, is that literal: the default that runs when the
        deployment sets nothing (`os.getenv("X") or "fallback"`); any other unknown keeps the literal as default."""
        values: list[Value] = []
        for i, operand in enumerate(node.values):
            found = self.resolve(operand, file, scope, depth + 1)
            last = i == len(node.values) - 1
            values += [v for v in found if last or not isinstance(v, Lit) or v.text]
            if found and all(isinstance(v, Lit) and v.text for v in found):
                break
        fallback = next((v for v in values if isinstance(v, Lit)), None)
        if fallback is None:
            return values
        unset = [v for v in values if isinstance(v, Unknown) and v.env_key and v.default is None]
        out: list[Value] = []
        for v in values:
            if v in unset:
                continue
            if v is fallback and unset:
                v = replace(fallback, note=_default_note(*(u.env_key for u in unset)))
            elif isinstance(v, Unknown) and v.default is None:
                v = replace(v, default=fallback)
            out.append(v)
        return out

    def _env_read(self, node: ast.expr, file: str, scope: Scope | None, depth: int) -> list[Value] | None:
        """os.getenv("X"[, d]), os.environ.get("X"[, d]), os.environ["X"]: the given value, else the default,
        else unknown; None when `node` reads no environment variable."""
        if isinstance(node, ast.Subscript) and dotted(node.value) in ("os.environ", "environ"):
            key_expr, default_expr = node.slice, None
            shown = f"read from {_short(node)}"
        elif isinstance(node, ast.Call) and dotted(node.func) in _ENV_CALLS and node.args:
            key_expr = node.args[0]
            default_expr = (
                node.args[1]
                if len(node.args) > 1
                else next((k.value for k in node.keywords if k.arg == "default"), None)
            )
            shown = f"read from {dotted(node.func)}({_short(node.args[0])})"
        else:
            return None
        var = self.first_lit(key_expr, file, scope)
        key = var.text if var else ""
        if var and key in self.env:
            where = self.given_by.get(key, "the given environment")
            return [Lit(self.env[key], loc(file, node), f"env {key} from {where}")]
        if default_expr is not None and depth < MAX_DEPTH:
            defaults = self.resolve(default_expr, file, scope, depth + 1)  # [] for None: as if no default
            if defaults:
                note = _default_note(key) if key else "default of an environment read"
                return [replace(v, source=loc(file, node), note=note) if isinstance(v, Lit) else v for v in defaults]
        what = f"from env {key} (pass --env {key}=...)" if key else shown
        return [Unknown(what, loc(file, node), None, key or _short(key_expr), True, key)]


def _default_note(*keys: str) -> str:
    return f"default of env {', '.join(dict.fromkeys(keys))}, which no --env gives"

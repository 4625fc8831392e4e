"""A static scan of an agent's Python source: which models, AgentCore features and AWS calls it uses. Pure.

`scan_agent("main.py", read, env)` parses the entry file with `ast`, follows its local imports (files of the agent's
folder), and reports what judge/scan_calls.py finds in each. Nothing is imported or run, and no file is opened
here: `read` (supplied by the caller) is the only way in, so the scan cannot reach outside the agent's folder.
"""

from __future__ import annotations

import ast
import posixpath
from collections import deque
from collections.abc import Callable, Iterable, Mapping

from agentcore_ext.judge.scan_calls import FileFacts, FileScanner
from agentcore_ext.judge.scan_values import ModuleInfo, Resolver, module_assigns, statements
from agentcore_ext.state import AgentScan, AwsCall, FeatureUse, ModelUse

MAX_FILES = 200
TOO_DEEP = "too deeply nested to scan (what it uses is unknown)"
# Parsing costs ~3 s and ~150 MB per MiB of dense code (measured on a 1 MiB module of literals); a 2,000-line agent
# is ~80 KB. Past this many characters in all, the remaining files are not parsed (red-team issue 21, item 12).
MAX_TOTAL_CHARS = 2 << 20
CANNOT_READ = "cannot read (missing, over 1 MiB, outside the folder, or a link to a file read before)"
Reader = Callable[[str], str | None]


class _Loader:
    """Reads and parses local files, each at most once, and records how their imports bind names."""

    def __init__(self, read: Reader, entrypoint: str) -> None:
        self._read = read
        # Absolute imports resolve against the agent's folder, then the entry file's own folder: Python puts the
        # script's folder first on sys.path, so `from model.load import x` in src/main.py means src/model/load.py.
        self.roots = tuple(dict.fromkeys(("", posixpath.dirname(entrypoint))))
        self._texts: dict[str, str | None] = {}
        self.modules: dict[str, ModuleInfo] = {}
        self.unresolved: list[str] = []
        self._queue: deque[str] = deque()
        self._seen: set[str] = set()  # queued once, parsed or not
        self.read: list[str] = []  # the files read, in scan order (including any that would not parse)
        self.capped = 0  # local files found but not read because of MAX_FILES
        self.chars = 0  # characters parsed so far, against MAX_TOTAL_CHARS

    def text(self, path: str) -> str | None:
        if path not in self._texts:
            self._texts[path] = self._read(path)
        return self._texts[path]

    def local_tops(self) -> frozenset[str]:
        """Top-level module names the agent's own files provide, from each import root."""
        tops = set()
        for path in self.modules:
            for root in self.roots:
                rel = posixpath.relpath(path, root or ".")
                if not _outside(rel):
                    tops.add(rel.split("/")[0].removesuffix(".py"))
        return frozenset(tops)

    def exists(self, path: str) -> bool:
        return path in self._seen or self.text(path) is not None

    def load(self, entrypoint: str) -> None:
        self._enqueue(entrypoint)
        while self._queue:
            self._parse(self._queue.popleft())

    def _parse(self, path: str) -> None:
        source = self.text(path)
        if source is None:
            self.unresolved.append(f"{path}: {CANNOT_READ}")
            return
        if self.chars + len(source) > MAX_TOTAL_CHARS:
            self.unresolved.append(f"{path}: not scanned (the agent's files read so far hold {self.chars} characters)")
            return
        self.chars += len(source)
        self.read.append(path)
        try:
            tree = ast.parse(source, filename=path)
        except SyntaxError as exc:  # IndentationError and TabError too (the toolkit's crewai load.py.j2 is one)
            self.unresolved.append(f"{path}: cannot parse (SyntaxError line {exc.lineno})")
            return
        except ValueError as exc:  # null bytes in the source
            self.unresolved.append(f"{path}: cannot parse ({exc})")
            return
        except (RecursionError, MemoryError):  # valid Python nested past the parser's limits (red-team item 14)
            self.unresolved.append(f"{path}: {TOO_DEEP}")
            return
        try:
            info = ModuleInfo(path, tree, module_assigns(tree))
        except RecursionError:
            self.unresolved.append(f"{path}: {TOO_DEEP}")
            return
        self.modules[path] = info
        for node in statements(tree.body):
            if isinstance(node, ast.Import):
                self._import(info, node)
            elif isinstance(node, ast.ImportFrom):
                self._import_from(info, node)

    def _find(self, base: str, dotted_name: str) -> str | None:
        """`pkg.mod` under folder `base` -> "pkg/mod.py" or "pkg/mod/__init__.py" when that local file exists."""
        stem = posixpath.normpath(posixpath.join(base, *dotted_name.split("."))) if dotted_name else base
        if _outside(stem):
            return None
        for candidate in (
            (f"{stem}.py", posixpath.join(stem, "__init__.py")) if dotted_name else (f"{stem}/__init__.py",)
        ):
            candidate = candidate.removeprefix("./")
            if self.exists(candidate):
                self._enqueue(candidate)
                return candidate
        return None

    def _find_chain(self, base: str, dotted_name: str) -> str | None:
        """Like _find, also queueing each enclosing package's __init__.py: importing pkg.mod runs pkg first."""
        parts = dotted_name.split(".")
        return [self._find(base, ".".join(parts[: i + 1])) for i in range(len(parts))][-1]

    def _enqueue(self, path: str) -> None:
        if path in self._seen:
            return
        if len(self._seen) >= MAX_FILES:
            self.capped += 1
            return
        self._seen.add(path)
        self._queue.append(path)

    def _import(self, info: ModuleInfo, node: ast.Import) -> None:
        """`import pkg.mod [as m]`: runs pkg/__init__.py and pkg/mod.py; binds "m" (or "pkg.mod") to the file."""
        for alias in node.names:
            for root in self.roots:
                found = self._find_chain(root, alias.name)
                if found is not None:
                    info.modules[alias.asname or alias.name] = found
                    break

    def _import_from(self, info: ModuleInfo, node: ast.ImportFrom) -> None:
        """`from [.]pkg import name`: `name` is a submodule file if one exists, else a name defined in pkg."""
        roots = self.roots
        if node.level:
            base = posixpath.dirname(info.path)
            for _ in range(node.level - 1):
                base = posixpath.dirname(base) if base else ".."
            if _outside(base):
                return
            roots = (base,)
        module = node.module or ""
        for root in roots:
            package = self._find_chain(root, module) if module else None
            folder = posixpath.normpath(posixpath.join(root, *module.split("."))) if module else root
            # submodules: of a package (pkg/__init__.py), or of a relative import's folder (namespace or not)
            may_have_subs = (package or "").endswith("__init__.py") or bool(node.level)
            if package is None and not may_have_subs:
                continue  # not here: another root, or a third-party / standard library module
            for alias in node.names:
                sub = self._find(folder, alias.name) if may_have_subs and alias.name != "*" else None
                if sub is not None:
                    info.modules[alias.asname or alias.name] = sub
                elif package is not None and alias.name == "*":
                    info.stars.append(package)
                elif package is not None:
                    info.names[alias.asname or alias.name] = (package, alias.name)
            return


def _outside(path: str) -> bool:
    return path == ".." or path.startswith("../") or path.startswith("/")


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _features(found: list[FeatureUse]) -> tuple[FeatureUse, ...]:
    """Deduplicated; a bare mention is dropped where the same line also gave the feature's detail."""
    detailed = {(f.feature, f.source) for f in found if f.detail}
    kept = [f for f in found if f.detail or (f.feature, f.source) not in detailed]
    return tuple(dict.fromkeys(kept))


def scan_agent(
    entrypoint: str, read: Reader, env: Mapping[str, str] | None = None, given_by: Mapping[str, str] | None = None
) -> AgentScan:
    """Scan the agent whose entry file is `entrypoint` (posix, relative to the agent's folder).

    `env`: the environment variables the agent runs with, as far as anyone said (`--env`, `--env-file`, a stack);
    the code's reads of them resolve to these values. `given_by`: where each was given ("--env",
    "--env-file .env:3"), said in the sources of what they resolved. define/env.py `scan_env` makes both."""
    entry = posixpath.normpath(entrypoint).removeprefix("./")
    loader = _Loader(read, entry)
    loader.load(entry)
    resolver = Resolver(loader.modules, env, given_by)
    tops = loader.local_tops()
    facts, unresolved = [], list(loader.unresolved)
    for path, info in loader.modules.items():
        try:
            facts.append(FileScanner(path, info.tree, resolver, tops).scan())
        except RecursionError:  # a 1000-term concatenation is valid Python and deeper than the walk's recursion
            unresolved.append(f"{path}: {TOO_DEEP}")
    if loader.capped:
        unresolved.append(f"scan stopped at {MAX_FILES} files: {loader.capped} more local imports not read")
    return _merge(tuple(loader.read), facts, unresolved)


def _merge(files: tuple[str, ...], facts: list[FileFacts], unresolved: list[str]) -> AgentScan:
    models: list[ModelUse] = [m for f in facts for m in f.models]
    features: list[FeatureUse] = [u for f in facts for u in f.features]
    calls: list[AwsCall] = [c for f in facts for c in f.aws_calls]
    return AgentScan(
        files=files,
        models=tuple(dict.fromkeys(models)),
        features=_features(features),
        providers=tuple(sorted({p for f in facts for p in f.providers})),
        aws_calls=tuple(dict.fromkeys(calls)),
        unresolved=_unique([*unresolved, *(u for f in facts for u in f.unresolved)]),
    )

"""Wildcard, ARN, policy-variable and principal matching for IAM evaluation. Pure.

Patterns are compiled once (lru_cache keyed by the pattern text) because the same few hundred patterns are
matched against every request of a run.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from agentcore_ext.iam.policy import Principal


class Match(Enum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


ContextValue = str | tuple[str, ...]
# Request context with lowercased keys and every value as a tuple: built once per request.
NormalizedContext = Mapping[str, tuple[str, ...]]

_ACCOUNT_RE = re.compile(r"^\d{12}$")
_VARIABLE_RE = re.compile(r"\$\{([^}]*)\}")
_LITERAL_VARIABLES = {"*": "*", "?": "?", "$": "$"}


def normalize_context(context: Mapping[str, ContextValue]) -> dict[str, tuple[str, ...]]:
    """Lowercase the keys (context key names are case-insensitive) and make every value a tuple."""
    return {key.lower(): (value,) if isinstance(value, str) else tuple(value) for key, value in context.items()}


@dataclass(frozen=True)
class _Variable:
    key: str  # lowercased
    default: str | None


# A pattern split into literal text and variable references; text pieces keep their wildcards.
_Token = str | _Variable
# Expanded pattern: (text, literal). Literal pieces come from variable values and have no wildcards.
_Piece = tuple[str, bool]


@lru_cache(maxsize=4096)
def _tokens(pattern: str) -> tuple[_Token, ...]:
    out: list[_Token] = []
    pos = 0
    for m in _VARIABLE_RE.finditer(pattern):
        if m.start() > pos:
            out.append(pattern[pos : m.start()])
        inner = m.group(1).strip()
        if inner in _LITERAL_VARIABLES:
            out.append(_Variable("", _LITERAL_VARIABLES[inner]))
        else:
            key, sep, default = inner.partition(",")
            dflt = default.strip() if sep else None
            if dflt is not None and len(dflt) >= 2 and dflt[0] == dflt[-1] == "'":
                dflt = dflt[1:-1]
            out.append(_Variable(key.strip().lower(), dflt))
        pos = m.end()
    if pos < len(pattern):
        out.append(pattern[pos:])
    return tuple(out)


def expand(pattern: str, context: NormalizedContext, *, variables: bool = True) -> tuple[_Piece, ...] | None:
    """Substitute policy variables; None when a variable's key is missing (or multivalued) and has no default."""
    if not variables or "${" not in pattern:
        return ((pattern, False),)
    pieces: list[_Piece] = []
    for token in _tokens(pattern):
        if isinstance(token, str):
            pieces.append((token, False))
            continue
        values = context.get(token.key) if token.key else None
        if values is not None and len(values) == 1:
            pieces.append((values[0], True))
        elif token.default is not None:
            pieces.append((token.default, True))
        else:
            return None
    return tuple(pieces)


def expand_text(value: str, context: NormalizedContext) -> str | None:
    """A policy value with its variables substituted, as plain text (for exact comparisons)."""
    if "${" not in value:
        return value
    pieces = expand(value, context)
    return None if pieces is None else "".join(text for text, _ in pieces)


def _regex_source(pieces: tuple[_Piece, ...], arn_segments: bool) -> str:
    full = "".join(text for text, _ in pieces)
    # ARN patterns match per colon-separated part: wildcards in the first five parts stay inside their part.
    arn = arn_segments and full.startswith("arn:") and full.count(":") >= 5
    out: list[str] = []
    seg = 0
    for text, literal in pieces:
        for ch in text:
            inside = arn and seg < 5
            if ch == ":" and inside:
                seg += 1
                out.append(":")
            elif ch == "*" and not literal:
                out.append("[^:]*" if inside else ".*")
            elif ch == "?" and not literal:
                out.append("[^:]" if inside else ".")
            else:
                out.append(re.escape(ch))
    return "".join(out)


@lru_cache(maxsize=8192)
def _compile_pieces(pieces: tuple[_Piece, ...], arn_segments: bool) -> re.Pattern[str]:
    return re.compile(_regex_source(pieces, arn_segments), re.DOTALL)


Matcher = Callable[[str], bool]


def _always(_: str) -> bool:
    return True


def _glob(pattern: str) -> Matcher:
    """Whole-string match for a pattern whose only wildcard is "*": anchored ends, middle parts found in order
    (leftmost-first is exact for "*"-only globs). No regex, so nothing costly to build."""
    parts = pattern.split("*")
    if len(parts) == 1:
        return pattern.__eq__
    first, last, middle = parts[0], parts[-1], tuple(p for p in parts[1:-1] if p)
    shortest = len(first) + len(last) + sum(len(p) for p in middle)

    def match(value: str) -> bool:
        if len(value) < shortest or not value.startswith(first) or not value.endswith(last):
            return False
        pos, end = len(first), len(value) - len(last)
        for part in middle:
            found = value.find(part, pos, end)
            if found < 0:
                return False
            pos = found + len(part)
        return True

    return match


@lru_cache(maxsize=16384)
def _matcher(pattern: str, arn_segments: bool) -> Matcher:
    if pattern == "*":
        return _always
    if "?" in pattern:  # rare: leave it to a regex
        regex = _compile_pieces(((pattern, False),), arn_segments)
        return lambda value: regex.fullmatch(value) is not None
    star = pattern.find("*")
    if star < 0:
        return pattern.__eq__
    if star == len(pattern) - 1:
        # A single trailing "*" falls in the last ARN part (or the whole string), where it matches anything.
        prefix = pattern[:-1]
        return lambda value: value.startswith(prefix)
    if not (arn_segments and pattern.startswith("arn:") and pattern.count(":") >= 5):
        return _glob(pattern)
    # ARN: part by part, so a "*" in the first five parts cannot match a colon; "*" in the last one can. The text
    # before the first wildcard is a cheap first test that rejects most ARNs.
    lead = pattern[:star].rsplit(":", 1)[0] + ":"
    tests = tuple((i, _glob(seg)) for i, seg in enumerate(pattern.split(":", 5)) if seg != "*" and "*" in seg)
    exact = tuple((i, seg) for i, seg in enumerate(pattern.split(":", 5)) if "*" not in seg and i >= lead.count(":"))

    def match(value: str) -> bool:
        if not value.startswith(lead):
            return False
        parts = value.split(":", 5)
        if len(parts) != 6:
            return False
        for i, seg in exact:
            if parts[i] != seg:
                return False
        return all(test(parts[i]) for i, test in tests)

    return match


def pieces_matcher(pieces: tuple[_Piece, ...], *, arn_segments: bool) -> Matcher:
    """The test for an expanded pattern: text from variables is literal even if it holds * or ?."""
    if not any(literal and ("*" in text or "?" in text) for text, literal in pieces):
        return _matcher("".join(text for text, _ in pieces), arn_segments)
    regex = _compile_pieces(pieces, arn_segments)
    return lambda value: regex.fullmatch(value) is not None


def arn_matches(pattern: str, value: str, context: NormalizedContext | None = None, *, variables: bool = True) -> bool:
    """ARN match as IAM does it for Resource and Arn* conditions: case-sensitive, per colon-separated part.

    A value of "*" (a request on all resources) matches only the pattern "*"; a variable whose key is missing
    makes the pattern match nothing.
    """
    if pattern == "*":
        return True
    if value == "*":
        return False
    if variables and "${" in pattern:
        pieces = expand(pattern, context or {})
        if pieces is None:
            return False
        return pieces_matcher(pieces, arn_segments=True)(value)
    return _matcher(pattern, True)(value)


@dataclass(frozen=True)
class ResourceMatcher:
    """Compiled Resource/NotResource list: variable-free patterns as matchers, the rest expanded per request."""

    star: bool
    fixed: tuple[Matcher, ...]
    templated: tuple[str, ...]
    variables: bool

    def matches(self, resource: str, context: NormalizedContext) -> bool:
        if self.star:
            return True
        if resource == "*":
            return False
        for match in self.fixed:
            if match(resource):
                return True
        return bool(self.templated) and any(
            arn_matches(p, resource, context, variables=self.variables) for p in self.templated
        )


def resource_matcher(patterns: tuple[str, ...], variables: bool = True) -> ResourceMatcher:
    """The compiled matcher of a Resource/NotResource list; cached."""
    return _resource_matcher(patterns, variables)


@lru_cache(maxsize=4096)
def _resource_matcher(patterns: tuple[str, ...], variables: bool) -> ResourceMatcher:
    templated = tuple(p for p in patterns if variables and "${" in p)
    return ResourceMatcher(
        star="*" in patterns,
        fixed=tuple(_matcher(p, True) for p in patterns if p not in templated),
        templated=templated,
        variables=variables,
    )


def action_matchers(patterns: tuple[str, ...]) -> tuple[Matcher, ...]:
    """Matchers for an Action/NotAction list; call them with the lowercased action."""
    return tuple(_matcher(p.lower(), False) for p in patterns)


def _account_of(principal_id: str) -> str | None:
    if _ACCOUNT_RE.match(principal_id):
        return principal_id
    parts = principal_id.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and _ACCOUNT_RE.match(parts[4]):
        return parts[4]
    return None


def _is_account_root(principal_id: str) -> str | None:
    """The account when the id names a whole account (12 digits or arn:P:iam::ACCOUNT:root)."""
    if _ACCOUNT_RE.match(principal_id):
        return principal_id
    parts = principal_id.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[2] == "iam" and parts[5] == "root":
        return parts[4] if _ACCOUNT_RE.match(parts[4]) else None
    return None


def principal_matches(block: Principal, caller: Mapping[str, str]) -> bool:
    """Whether a Principal element names the calling principal ({"Service": ...} or {"AWS": arn})."""
    if "*" in block:
        return True
    calls = {kind.lower(): value for kind, value in caller.items()}
    for kind, ids in block.items():
        kind_l = kind.lower()
        if kind_l == "aws" and "*" in ids:
            return True
        value = calls.get(kind_l)
        if value is None:
            continue
        if kind_l == "service":
            if value.lower() in (i.lower() for i in ids):
                return True
        elif kind_l == "aws":
            caller_account = _account_of(value)
            for pid in ids:
                if pid == value:
                    return True
                root = _is_account_root(pid)
                if root is not None and root == caller_account:
                    return True
        elif value in ids:
            return True
    return False

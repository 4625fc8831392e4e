"""Policy variables, ARN and Resource matching for IAM evaluation. Pure.

Patterns are compiled once (lru_cache keyed by the pattern text) because the same few hundred patterns are
matched against every request of a run; the wildcard matching itself is in wildcard.py (no regular expressions),
principals in principals.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache

from agentcore_ext.iam.wildcard import Matcher, Piece, action_matcher, pieces_matcher, text_matcher


class Match(Enum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


ContextValue = str | tuple[str, ...]
# Request context with lowercased keys and every value as a tuple: built once per request.
NormalizedContext = Mapping[str, tuple[str, ...]]

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
_Piece = Piece


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
    return text_matcher(pattern, True)(value)


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
        fixed=tuple(text_matcher(p, True) for p in patterns if p not in templated),
        templated=templated,
        variables=variables,
    )


def action_matchers(patterns: tuple[str, ...]) -> tuple[Matcher, ...]:
    """Matchers for an Action/NotAction list; call them with the lowercased action (see wildcard.action_matcher)."""
    return tuple(action_matcher(p.lower()) for p in patterns)

"""IAM wildcard matching (`*`, `?`) without regular expressions, in time bounded by pattern x value length. Pure.

Every IAM wildcard use goes through here: actions, Resource/NotResource (per ARN part), StringLike, ArnLike/
ArnEquals, and patterns whose policy variables were expanded (text from a variable is literal, even `*` or `?`).
A regex built from `*?*?...#` backtracks exponentially; the greedy two-pointer matcher below only ever returns to
the most recent `*`, so it is O(len(pattern) * len(value)) at worst and linear on the patterns policies use.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

Matcher = Callable[[str], bool]
# An expanded pattern: (text, literal). Literal pieces come from variable values: their * and ? are plain text.
Piece = tuple[str, bool]
# A pattern as atoms: one literal character each, or one of the two wildcard markers. The markers are two
# characters long, so they never equal a character of the value.
_STAR, _ONE = "**", "??"
_Atoms = tuple[str, ...]


def always(_: str) -> bool:
    return True


def never(_: str) -> bool:
    return False


def _atoms(pieces: tuple[Piece, ...]) -> _Atoms:
    out: list[str] = []
    for text, literal in pieces:
        for ch in text:
            if not literal and ch == "*":
                if not out or out[-1] != _STAR:  # "**" is "*"
                    out.append(_STAR)
            elif not literal and ch == "?":
                out.append(_ONE)
            else:
                out.append(ch)
    return tuple(out)


def match_atoms(pattern: _Atoms, value: str) -> bool:
    """Whole-value match: on a mismatch, let the last `*` seen swallow one more character and retry from there."""
    n, m = len(value), len(pattern)
    i = j = 0
    star, mark = -1, 0
    while j < n:
        if i < m:
            atom = pattern[i]
            if atom == _STAR:
                star, mark = i, j
                i += 1
                continue
            if atom == _ONE or atom == value[j]:
                i += 1
                j += 1
                continue
        if star < 0:
            return False
        i, mark = star + 1, mark + 1
        j = mark
    while i < m and pattern[i] == _STAR:
        i += 1
    return i == m


def _is_arn_pattern(full: str, arn_segments: bool) -> bool:
    return arn_segments and full.startswith("arn:") and full.count(":") >= 5


def _split_arn_atoms(atoms: _Atoms) -> tuple[_Atoms, ...]:
    """The six ARN parts of a pattern: split at its first five colons (a colon is never a wildcard)."""
    parts: list[_Atoms] = []
    start = 0
    for k, atom in enumerate(atoms):
        if atom == ":" and len(parts) < 5:
            parts.append(atoms[start:k])
            start = k + 1
    parts.append(atoms[start:])
    return tuple(parts)


def _atoms_matcher(atoms: _Atoms, arn: bool) -> Matcher:
    if not arn:
        return lambda value: match_atoms(atoms, value)
    # ARN: part by part, so a wildcard in the first five parts cannot match a colon; in the last one it can.
    parts = _split_arn_atoms(atoms)

    def match(value: str) -> bool:
        values = value.split(":", 5)
        return len(values) == 6 and all(match_atoms(p, v) for p, v in zip(parts, values, strict=True))

    return match


def _glob(pattern: str) -> Matcher:
    """Whole-string match for a pattern whose only wildcard is "*": anchored ends, middle parts found in order
    (leftmost-first is exact for "*"-only globs)."""
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
def text_matcher(pattern: str, arn_segments: bool) -> Matcher:
    """The test for a pattern written in a policy (every `*` and `?` a wildcard); cached."""
    if pattern == "*":
        return always
    if "?" in pattern:
        return _atoms_matcher(_atoms(((pattern, False),)), _is_arn_pattern(pattern, arn_segments))
    star = pattern.find("*")
    if star < 0:
        return pattern.__eq__
    if star == len(pattern) - 1:
        # A single trailing "*" falls in the last ARN part (or the whole string), where it matches anything.
        prefix = pattern[:-1]
        return lambda value: value.startswith(prefix)
    if not _is_arn_pattern(pattern, arn_segments):
        return _glob(pattern)
    # The text before the first wildcard is a cheap first test that rejects most ARNs.
    lead = pattern[:star].rsplit(":", 1)[0] + ":"
    segments = pattern.split(":", 5)
    tests = tuple((i, _glob(seg)) for i, seg in enumerate(segments) if seg != "*" and "*" in seg)
    exact = tuple((i, seg) for i, seg in enumerate(segments) if "*" not in seg and i >= lead.count(":"))

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


@lru_cache(maxsize=8192)
def pieces_matcher(pieces: tuple[Piece, ...], *, arn_segments: bool) -> Matcher:
    """The test for an expanded pattern: text from variables is literal even if it holds * or ?."""
    full = "".join(text for text, _ in pieces)
    if not any(literal and ("*" in text or "?" in text) for text, literal in pieces):
        return text_matcher(full, arn_segments)
    return _atoms_matcher(_atoms(pieces), _is_arn_pattern(full, arn_segments))


def action_matcher(pattern: str) -> Matcher:
    """The test for one Action/NotAction pattern, lowercased; call it with the lowercased action.

    IAM allows no wildcard in an action's service prefix except a lone "*" for every action, so "*:GetBucket",
    "s3*:Get*" or "s?:GetObject" match nothing (IAM would refuse such a policy); a pattern without a prefix other
    than "*" matches nothing either.
    """
    if pattern == "*":
        return always
    service, sep, _ = pattern.partition(":")
    if not sep or "*" in service or "?" in service:
        return never
    return text_matcher(pattern, False)


def _common_atoms(a: _Atoms, b: _Atoms) -> str | None:
    """A string both atom patterns match, or None: a breadth-first walk of their product automaton. A literal
    character on either side is copied; two wildcards meet on the filler "x" (never a colon, so an ARN part it
    fills stays one part)."""
    start, goal = (0, 0), (len(a), len(b))
    back: dict[tuple[int, int], tuple[tuple[int, int], str]] = {start: (start, "")}
    queue = [start]
    for i, j in queue:
        if (i, j) == goal:
            out: list[str] = []
            state = goal
            while state != start:
                state, ch = back[state]
                out.append(ch)
            return "".join(reversed(out))
        x = a[i] if i < len(a) else None
        y = b[j] if j < len(b) else None
        steps: list[tuple[tuple[int, int], str]] = []
        if x == _STAR:
            steps.append(((i + 1, j), ""))  # the star matches nothing more
        if y == _STAR:
            steps.append(((i, j + 1), ""))
        if x is not None and y is not None and not (x == _STAR and y == _STAR):
            literal = x if x not in (_STAR, _ONE) else y if y not in (_STAR, _ONE) else "x"
            fits_x = x in (_STAR, _ONE) or x == literal
            fits_y = y in (_STAR, _ONE) or y == literal
            if fits_x and fits_y:
                steps.append(((i if x == _STAR else i + 1, j if y == _STAR else j + 1), literal))
        for state, ch in steps:
            if state not in back:
                back[state] = ((i, j), ch)
                queue.append(state)
    return None


def common_match(pattern: str, other: str, arn_segments: bool = True) -> str | None:
    """A value both policy patterns (`*` and `?` wildcards, no variables) match, or None when there is none.

    "Could a statement naming `pattern` apply to some resource `other` stands for": two ARN patterns are
    intersected part by part (a wildcard in the first five parts never crosses a colon, as in text_matcher). The
    value is checked against both matchers before it is returned, so the only imprecision is a None."""
    atoms_a, atoms_b = _atoms(((pattern, False),)), _atoms(((other, False),))
    if _is_arn_pattern(pattern, arn_segments) and _is_arn_pattern(other, arn_segments):
        pairs = zip(_split_arn_atoms(atoms_a), _split_arn_atoms(atoms_b), strict=True)
        parts = [_common_atoms(x, y) for x, y in pairs]
        value = None if any(p is None for p in parts) else ":".join(p for p in parts if p is not None)
    else:
        value = _common_atoms(atoms_a, atoms_b)
    if value is None or not (text_matcher(pattern, arn_segments)(value) and text_matcher(other, arn_segments)(value)):
        return None
    return value

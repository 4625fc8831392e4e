"""Condition block evaluation: operator -> key -> values against a request context. Pure.

Rules (IAM User Guide, "Condition operators" and "Multivalued context keys"):
- operators in a block are AND-ed, keys under one operator are AND-ed, values of one key are OR-ed; for negated
  operators (StringNotEquals, ArnNotLike, NotIpAddress, ...) the context value must match none of the values;
- a missing key makes positive operators false and negated operators true; `...IfExists` makes it true;
- `ForAnyValue:` needs at least one context value to match (missing or empty key: false); `ForAllValues:` needs
  every context value to match (missing or empty key: true); negation applies per context value;
- without a set qualifier a multivalued context key matches a positive operator when any of its values does, and a
  negated operator when none does;
- a policy variable with no value in the request (and no default) is a null: nothing equals or is like it, so a
  positive operator is false and a negated one true (IAM User Guide, "Policy variables with no value");
- a value that cannot be compared (unparseable number/date/address, numbers and dates with non-ASCII digits, a
  request value that is not an ARN for the Arn* operators) never matches, for negated operators too, so it can
  only make a statement not apply;
- an operator or qualifier the evaluator does not know gives Match.UNKNOWN, never a guess.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from agentcore_ext.iam.matching import (
    ContextValue,
    Match,
    NormalizedContext,
    arn_matches,
    expand,
    expand_text,
    normalize_context,
)
from agentcore_ext.iam.policy import Conditions
from agentcore_ext.iam.wildcard import pieces_matcher

# (context value, policy value, context) -> True/False, or None when the two cannot be compared.
Comparator = Callable[[str, str, NormalizedContext], bool | None]

# ASCII digits only: Python's float() and \d also take other scripts' digits, which IAM does not.
_EPOCH_RE = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

# A policy variable without a value (expand() gives None) compares as False, so negated operators hold.


def _string_equals(cv: str, pv: str, ctx: NormalizedContext) -> bool | None:
    text = expand_text(pv, ctx)
    return False if text is None else cv == text


def _string_equals_ignore_case(cv: str, pv: str, ctx: NormalizedContext) -> bool | None:
    text = expand_text(pv, ctx)
    return False if text is None else cv.casefold() == text.casefold()


def _string_like(cv: str, pv: str, ctx: NormalizedContext) -> bool | None:
    pieces = expand(pv, ctx)
    # Wildcards written in the policy stay wildcards; characters that came from a variable are literal.
    return False if pieces is None else pieces_matcher(pieces, arn_segments=False)(cv)


def _is_arn(value: str) -> bool:
    parts = value.split(":", 5)
    return len(parts) == 6 and parts[0] == "arn" and all(parts[i] for i in (1, 2, 5))


def _arn_like(cv: str, pv: str, ctx: NormalizedContext) -> bool | None:
    if not _is_arn(cv):
        return None  # not an ARN: no Arn* operator matches it, ArnNotLike/ArnNotEquals included
    if "${" in pv and expand(pv, ctx) is None:
        return False
    return arn_matches(pv, cv, ctx)


@lru_cache(maxsize=4096)
def _number(text: str) -> float | None:
    text = text.strip()
    if not _NUMBER_RE.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


@lru_cache(maxsize=4096)
def _date(text: str) -> float | None:
    text = text.strip()
    if _EPOCH_RE.fullmatch(text):
        return float(text)
    if not text.isascii():
        return None
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # IAM dates without an offset are UTC
    return parsed.timestamp()


def _ordered(parse: Callable[[str], float | None], test: Callable[[float, float], bool]) -> Comparator:
    def compare(cv: str, pv: str, ctx: NormalizedContext) -> bool | None:
        left, right = parse(cv), parse(pv)
        return None if left is None or right is None else test(left, right)

    return compare


def _bool(cv: str, pv: str, ctx: NormalizedContext) -> bool | None:
    left, right = cv.strip().lower(), pv.strip().lower()
    if left not in ("true", "false") or right not in ("true", "false"):
        return None
    return left == right


@lru_cache(maxsize=1024)
def _network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _ip_address(cv: str, pv: str, ctx: NormalizedContext) -> bool | None:
    network = _network(pv)
    try:
        address = ipaddress.ip_address(cv.strip())
    except ValueError:
        return None
    if network is None:
        return None
    return address.version == network.version and address in network


def _binary(cv: str, pv: str, ctx: NormalizedContext) -> bool | None:
    try:
        return base64.b64decode(cv, validate=True) == base64.b64decode(pv, validate=True)
    except (binascii.Error, ValueError):
        return None


def _lt(a: float, b: float) -> bool:
    return a < b


def _le(a: float, b: float) -> bool:
    return a <= b


def _gt(a: float, b: float) -> bool:
    return a > b


def _ge(a: float, b: float) -> bool:
    return a >= b


def _eq(a: float, b: float) -> bool:
    return a == b


# lowercase operator name -> (comparator of the positive form, negated)
_OPERATORS: dict[str, tuple[Comparator, bool]] = {
    "stringequals": (_string_equals, False),
    "stringnotequals": (_string_equals, True),
    "stringequalsignorecase": (_string_equals_ignore_case, False),
    "stringnotequalsignorecase": (_string_equals_ignore_case, True),
    "stringlike": (_string_like, False),
    "stringnotlike": (_string_like, True),
    "numericequals": (_ordered(_number, _eq), False),
    "numericnotequals": (_ordered(_number, _eq), True),
    "numericlessthan": (_ordered(_number, _lt), False),
    "numericlessthanequals": (_ordered(_number, _le), False),
    "numericgreaterthan": (_ordered(_number, _gt), False),
    "numericgreaterthanequals": (_ordered(_number, _ge), False),
    "dateequals": (_ordered(_date, _eq), False),
    "datenotequals": (_ordered(_date, _eq), True),
    "datelessthan": (_ordered(_date, _lt), False),
    "datelessthanequals": (_ordered(_date, _le), False),
    "dategreaterthan": (_ordered(_date, _gt), False),
    "dategreaterthanequals": (_ordered(_date, _ge), False),
    "bool": (_bool, False),
    "binaryequals": (_binary, False),
    "ipaddress": (_ip_address, False),
    "notipaddress": (_ip_address, True),
    "arnequals": (_arn_like, False),
    "arnlike": (_arn_like, False),
    "arnnotequals": (_arn_like, True),
    "arnnotlike": (_arn_like, True),
}


@dataclass(frozen=True)
class Operator:
    name: str  # as written
    qualifier: str | None  # "any" | "all" | None
    base: str  # lowercase, without qualifier and IfExists
    if_exists: bool


def parse_operator(name: str) -> Operator | None:
    """The parsed operator, or None when it is not one the evaluator knows (or is malformed); cached."""
    return _parse_operator(name)


@lru_cache(maxsize=1024)
def _parse_operator(name: str) -> Operator | None:
    qualifier: str | None = None
    rest = name
    if ":" in name:
        prefix, _, rest = name.partition(":")
        qualifier = {"foranyvalue": "any", "forallvalues": "all"}.get(prefix.lower())
        if qualifier is None:
            return None
    base = rest.lower()
    if_exists = base.endswith("ifexists")
    if if_exists:
        base = base[: -len("ifexists")]
    if base == "null":
        # Null tests presence itself: IfExists or a set qualifier on it is not meaningful.
        return None if if_exists or qualifier else Operator(name, None, base, False)
    if base not in _OPERATORS:
        return None
    return Operator(name, qualifier, base, if_exists)


def unsupported_operators(conditions: Conditions) -> tuple[str, ...]:
    """The operators of a block that the evaluator cannot decide (for messages)."""
    return tuple(op for op in conditions if parse_operator(op) is None)


def _value_matches(
    compare: Comparator, negated: bool, cv: str, values: tuple[str, ...], ctx: NormalizedContext
) -> bool:
    if negated:
        # NOR over the policy values; an uncomparable value counts as a failed test, not as "different".
        return all(compare(cv, pv, ctx) is False for pv in values)
    return any(compare(cv, pv, ctx) for pv in values)


def _null(present: bool, values: tuple[str, ...]) -> bool:
    wanted = {v.strip().lower() for v in values}
    return ("true" in wanted and not present) or ("false" in wanted and present)


def key_matches(
    op: Operator, context_values: tuple[str, ...] | None, values: tuple[str, ...], ctx: NormalizedContext
) -> bool:
    present = bool(context_values)
    if op.base == "null":
        return _null(present, values)
    compare, negated = _OPERATORS[op.base]
    if not context_values:
        if op.if_exists:
            return True
        if op.qualifier == "all":
            return True
        if op.qualifier == "any":
            return False
        return negated
    if op.qualifier == "all":
        return all(_value_matches(compare, negated, cv, values, ctx) for cv in context_values)
    if op.qualifier == "any" or not negated:
        return any(_value_matches(compare, negated, cv, values, ctx) for cv in context_values)
    # Single-valued negated operator over a multivalued key: none of the context values may match.
    return all(_value_matches(compare, negated, cv, values, ctx) for cv in context_values)


def conditions_match(conditions: Conditions, context: NormalizedContext) -> Match:
    """Evaluate a Condition block against a normalized context (see normalize_context)."""
    unknown = False
    for name, block in conditions.items():
        op = _parse_operator(name)
        if op is None:
            unknown = True
            continue
        for key, values in block.items():
            if not key_matches(op, context.get(key.lower()), values, context):
                return Match.NO
    return Match.UNKNOWN if unknown else Match.YES


def evaluate_conditions(conditions: Conditions, context: Mapping[str, ContextValue]) -> Match:
    """Evaluate a Condition block against a request context (keys in any case, values str or tuple of str)."""
    return conditions_match(conditions, normalize_context(context))

"""IAM policy documents: parse the JSON AWS accepts, normalise it, serialise it back. Pure.

Normalised form: every multi-valued element is a tuple of strings, element names use AWS's
canonical case, and the shape of the source (string vs list) is kept only for serialisation
of documents the tool writes itself.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

VERSIONS = ("2012-10-17", "2008-10-17")
MAX_DOCUMENT_CHARS = 131_072  # far above any IAM limit; guards against feeding a huge file to the parser

_TOP_KEYS = {"version": "Version", "id": "Id", "statement": "Statement"}
_STATEMENT_KEYS = {
    "sid": "Sid",
    "effect": "Effect",
    "principal": "Principal",
    "notprincipal": "NotPrincipal",
    "action": "Action",
    "notaction": "NotAction",
    "resource": "Resource",
    "notresource": "NotResource",
    "condition": "Condition",
}


class PolicyError(ValueError):
    """A malformed document; `where` names the statement index and field."""

    def __init__(self, message: str, where: str = "") -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.where = where
        self.detail = message


# A principal block: {"AWS": (...), "Service": (...), ...} or the wildcard "*" (kept as {"*": ("*",)}).
Principal = Mapping[str, tuple[str, ...]]
# Condition block: operator -> key -> values. Keys are kept as written; evaluation compares them lowercased.
Conditions = Mapping[str, Mapping[str, tuple[str, ...]]]


@dataclass(frozen=True)
class Statement:
    effect: str  # "Allow" | "Deny"
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] | None = None
    not_resources: tuple[str, ...] | None = None
    principal: Principal | None = None
    not_principal: Principal | None = None
    conditions: Conditions = field(default_factory=dict)
    sid: str | None = None
    index: int = 0


@dataclass(frozen=True)
class PolicyDocument:
    statements: tuple[Statement, ...]
    version: str = "2012-10-17"
    name: str = ""  # where it came from: inline policy name, managed policy ARN or file path


def _strings(value: Any, where: str, *, allow_empty: bool = False) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        if not value and not allow_empty:
            raise PolicyError("must not be an empty list", where)
        return tuple(value)
    raise PolicyError(f"must be a string or a list of strings, got {type(value).__name__}", where)


def _condition_values(value: Any, where: str) -> tuple[str, ...]:
    # AWS accepts booleans and numbers as condition values and compares their JSON text.
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        if isinstance(item, bool):
            out.append("true" if item else "false")
        elif isinstance(item, (str, int, float)):
            out.append(str(item))
        else:
            raise PolicyError(f"condition values must be strings, numbers or booleans, got {item!r}", where)
    if not out:
        raise PolicyError("must not be an empty list", where)
    return tuple(out)


def _principal(value: Any, where: str) -> Principal:
    if value == "*":
        return {"*": ("*",)}
    if not isinstance(value, dict) or not value:
        raise PolicyError('must be "*" or an object such as {"Service": "..."}', where)
    out: dict[str, tuple[str, ...]] = {}
    for kind, ids in value.items():
        canonical = {"aws": "AWS", "service": "Service", "federated": "Federated", "canonicaluser": "CanonicalUser"}
        key = canonical.get(str(kind).lower())
        if key is None:
            raise PolicyError(f"unknown principal type {kind!r}", where)
        out[key] = _strings(ids, f"{where}.{kind}")
    return out


def _conditions(value: Any, where: str) -> Conditions:
    if not isinstance(value, dict):
        raise PolicyError("must be an object of operator -> {key: values}", where)
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for operator, block in value.items():
        if not isinstance(block, dict) or not block:
            raise PolicyError("must be a non-empty object of key -> values", f"{where}.{operator}")
        out[str(operator)] = {
            str(key): _condition_values(vals, f"{where}.{operator}.{key}") for key, vals in block.items()
        }
    return out


def _statement(raw: Any, index: int) -> Statement:
    where = f"Statement[{index}]"
    if not isinstance(raw, dict):
        raise PolicyError("must be an object", where)
    fields: dict[str, Any] = {}
    for key, value in raw.items():
        canonical = _STATEMENT_KEYS.get(str(key).lower())
        if canonical is None:
            raise PolicyError(f"unknown field {key!r}", where)
        fields[canonical] = value
    effect = fields.get("Effect")
    if effect not in ("Allow", "Deny"):
        raise PolicyError(f'Effect must be "Allow" or "Deny", got {effect!r}', f"{where}.Effect")
    if ("Action" in fields) == ("NotAction" in fields):
        raise PolicyError("needs exactly one of Action or NotAction", where)
    if "Resource" in fields and "NotResource" in fields:
        raise PolicyError("has both Resource and NotResource", where)
    if "Principal" in fields and "NotPrincipal" in fields:
        raise PolicyError("has both Principal and NotPrincipal", where)
    sid = fields.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError("Sid must be a string", f"{where}.Sid")

    def opt(name: str) -> tuple[str, ...] | None:
        return _strings(fields[name], f"{where}.{name}") if name in fields else None

    return Statement(
        effect=effect,
        actions=opt("Action") or (),
        not_actions=opt("NotAction"),
        resources=opt("Resource"),
        not_resources=opt("NotResource"),
        principal=_principal(fields["Principal"], f"{where}.Principal") if "Principal" in fields else None,
        not_principal=(
            _principal(fields["NotPrincipal"], f"{where}.NotPrincipal") if "NotPrincipal" in fields else None
        ),
        conditions=_conditions(fields["Condition"], f"{where}.Condition") if "Condition" in fields else {},
        sid=sid,
        index=index,
    )


def parse_policy(raw: Any, name: str = "") -> PolicyDocument:
    """Parse a policy given as a dict (botocore's form) or as JSON text (possibly URL-encoded, as IAM returns it)."""
    if isinstance(raw, (str, bytes)):
        raw = loads_policy_text(raw.decode() if isinstance(raw, bytes) else raw)
    if not isinstance(raw, dict):
        raise PolicyError("a policy document must be a JSON object")
    top: dict[str, Any] = {}
    for key, value in raw.items():
        canonical = _TOP_KEYS.get(str(key).lower())
        if canonical is None:
            raise PolicyError(f"unknown top-level field {key!r}")
        top[canonical] = value
    version = top.get("Version", "2008-10-17")
    if version not in VERSIONS:
        raise PolicyError(f"Version must be one of {', '.join(VERSIONS)}, got {version!r}", "Version")
    if "Statement" not in top:
        raise PolicyError("has no Statement", "Statement")
    statements = top["Statement"]
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        raise PolicyError("must be an object or a list of objects", "Statement")
    return PolicyDocument(
        statements=tuple(_statement(s, i) for i, s in enumerate(statements)),
        version=version,
        name=name,
    )


def loads_policy_text(text: str) -> Any:
    """JSON text to a value; accepts the URL-encoded form IAM's API returns. Raises PolicyError with a position."""
    if len(text) > MAX_DOCUMENT_CHARS:
        raise PolicyError(f"document has {len(text)} characters, more than the {MAX_DOCUMENT_CHARS} accepted")
    stripped = text.strip()
    if not stripped:
        raise PolicyError("document is empty")
    if stripped.startswith("%7B") or stripped.startswith("%7b"):
        stripped = unquote(stripped)
    try:
        return json.loads(stripped)
    except json.JSONDecodeError as exc:
        raise PolicyError(f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from exc


def _one_or_many(values: tuple[str, ...]) -> str | list[str]:
    return values[0] if len(values) == 1 else list(values)


def statement_to_dict(st: Statement) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if st.sid is not None:
        out["Sid"] = st.sid
    out["Effect"] = st.effect
    for key, principal in (("Principal", st.principal), ("NotPrincipal", st.not_principal)):
        if principal is not None:
            out[key] = "*" if "*" in principal else {k: _one_or_many(v) for k, v in principal.items()}
    if st.not_actions is not None:
        out["NotAction"] = _one_or_many(st.not_actions)
    else:
        out["Action"] = _one_or_many(st.actions)
    if st.resources is not None:
        out["Resource"] = _one_or_many(st.resources)
    if st.not_resources is not None:
        out["NotResource"] = _one_or_many(st.not_resources)
    if st.conditions:
        out["Condition"] = {op: {k: _one_or_many(v) for k, v in block.items()} for op, block in st.conditions.items()}
    return out


def policy_to_dict(doc: PolicyDocument) -> dict[str, Any]:
    return {"Version": doc.version, "Statement": [statement_to_dict(s) for s in doc.statements]}


def dumps_policy(doc: PolicyDocument | Mapping[str, Any], indent: int | None = 2) -> str:
    data = policy_to_dict(doc) if isinstance(doc, PolicyDocument) else doc
    return json.dumps(data, indent=indent, sort_keys=False)

"""CloudFormation intrinsic functions, resolved offline for one account, region and partition. Pure.

Ref, Fn::GetAtt, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::FindInMap and Fn::If (with the template's
Conditions) are resolved; pseudo parameters take the run's account, region and partition (AWS::URLSuffix follows
the partition); a parameter is its Default (said so in `trace`). What only the deploy decides is expressed as
template_values.py says, or Unknown. CloudFormation User Guide, "Intrinsic function reference" and "Pseudo
parameters reference".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from agentcore_ext.define.template_attributes import ATTRIBUTES
from agentcore_ext.define.template_values import NO_VALUE, RANDOM, STACK, Place, Unknown, mapping, show
from agentcore_ext.errors import UsageError

MAX_STEPS = 200_000  # YAML aliases share nodes: a small file can expand into an exponential walk
_SUB = re.compile(r"\$\{([^}]*)\}")
_AT_DEPLOY = ("Fn::ImportValue", "Fn::GetAZs", "Fn::Base64", "Fn::Cidr", "Fn::Length", "Fn::ToJsonString")


class Resolver:
    """Resolve intrinsic functions of one template. `trace` collects what the values since it was cleared leaned
    on (a parameter's Default, a generated name), for the fact sources to say."""

    def __init__(self, template: Mapping[str, Any], place: Place) -> None:
        self.resources: Mapping[str, Any] = mapping(template.get("Resources"))
        self.parameters: Mapping[str, Any] = mapping(template.get("Parameters"))
        self.mappings: Mapping[str, Any] = mapping(template.get("Mappings"))
        self.conditions: Mapping[str, Any] = mapping(template.get("Conditions"))
        self.place = place
        self.steps = 0
        self.trace: list[str] = []
        self._active: set[tuple[str, str]] = set()

    def resolve(self, node: Any) -> Any:
        """The node with every intrinsic function resolved: str/int/bool/list/dict, Unknown where unknowable;
        AWS::NoValue drops the item from its list or object."""
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise UsageError(
                f"the template is too large to resolve (more than {MAX_STEPS} values, YAML aliases expanded)",
                "pass the template of the stack that defines the agent's runtime, without repeated aliases",
            )
        if isinstance(node, Mapping):
            if len(node) == 1:
                (key, arg), *_ = node.items()
                if key == "Ref" or (isinstance(key, str) and key.startswith("Fn::")):
                    return self._function(str(key), arg)
            out = {str(k): self.resolve(v) for k, v in node.items()}
            return {k: v for k, v in out.items() if v is not NO_VALUE}
        if isinstance(node, list):
            return [v for v in (self.resolve(item) for item in node) if v is not NO_VALUE]
        return node

    def string(self, node: Any) -> str | Unknown:
        value = self.resolve(node)
        if isinstance(value, Unknown):
            return value
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str | int | float):
            return str(value)
        return Unknown(f"{show(node)} is not a string")

    def _function(self, name: str, arg: Any) -> Any:
        handlers: dict[str, Callable[[Any], Any]] = {
            "Ref": self._ref,
            "Fn::GetAtt": self._get_att,
            "Fn::Sub": self._sub,
            "Fn::Join": self._join,
            "Fn::Select": self._select,
            "Fn::Split": self._split,
            "Fn::FindInMap": self._find_in_map,
            "Fn::If": self._if,
        }
        handler = handlers.get(name)
        if handler is not None:
            return handler(arg)
        if name in _AT_DEPLOY:
            return Unknown(f"{name} is decided at deploy")
        return Unknown(f"{name} is not resolved offline")

    # --- references ----------------------------------------------------------------------------------------

    def _ref(self, arg: Any) -> Any:
        name = self.string(arg)
        if isinstance(name, Unknown):
            return name
        if name.startswith("AWS::"):
            return self._pseudo(name)
        if name in self.parameters:
            return self._parameter(name)
        if name in self.resources:
            return self.attribute(name, "Ref")
        return Unknown(f"Ref {name}: no such parameter or resource in the template")

    def _pseudo(self, name: str) -> Any:
        p = self.place
        if name in ("AWS::StackName", "AWS::StackId"):
            self.trace.append(f"the stack's name is chosen at deploy, {STACK} standing for it")
        table: dict[str, Any] = {
            "AWS::AccountId": p.account,
            "AWS::Region": p.region,
            "AWS::Partition": p.partition,
            "AWS::URLSuffix": p.url_suffix,
            "AWS::StackName": STACK,
            "AWS::StackId": p.arn("cloudformation", f"stack/{STACK}/{RANDOM}"),
            "AWS::NoValue": NO_VALUE,
        }
        return table.get(name, Unknown(f"{name} is decided at deploy"))

    def _parameter(self, name: str) -> Any:
        spec = mapping(self.parameters.get(name))
        kind = str(spec.get("Type", "String"))
        if kind.startswith("AWS::SSM::Parameter::Value"):
            return Unknown(f"parameter {name} is read from SSM Parameter Store at deploy")
        if "Default" not in spec:
            return Unknown(f"parameter {name} has no Default: its value is given at deploy")
        self.trace.append(f"parameter {name}'s Default; a deploy may override it")
        default = spec["Default"]
        if kind == "CommaDelimitedList" or kind.startswith("List<"):
            return [part.strip() for part in str(default).split(",")]
        return default if isinstance(default, list) else str(default)

    def _get_att(self, arg: Any) -> Any:
        if isinstance(arg, str) and "." in arg:
            arg = arg.split(".", 1)
        if not (isinstance(arg, list) and len(arg) == 2):
            return Unknown(f"Fn::GetAtt {show(arg)} is malformed")
        logical, attr = self.string(arg[0]), self.string(arg[1])
        if isinstance(logical, Unknown):
            return logical
        if isinstance(attr, Unknown):
            return attr
        if logical not in self.resources:
            return Unknown(f"Fn::GetAtt {logical}.{attr}: no such resource in the template")
        return self.attribute(logical, attr)

    def attribute(self, logical: str, attr: str) -> Any:
        """Ref (attr "Ref") or Fn::GetAtt of one of the stack's resources (template_attributes.py)."""
        resource = mapping(self.resources.get(logical))
        kind = str(resource.get("Type", ""))
        key = (logical, attr)
        if key in self._active:
            return Unknown(f"{logical}.{attr} refers to itself")
        self._active.add(key)
        try:
            make = ATTRIBUTES.get(kind, {}).get(attr)
            if make is None:
                what = f"Ref {logical}" if attr == "Ref" else f"Fn::GetAtt {logical}.{attr}"
                return Unknown(f"{what} ({kind or 'no Type'}) is known only after deploy")
            return make(self, logical, mapping(resource.get("Properties")))
        finally:
            self._active.discard(key)

    def name(self, logical: str, props: Mapping[str, Any], prop: str, *, lower: bool = False) -> str | Unknown:
        """A resource's name: its name property, else the one CloudFormation generates (stack-logical-random)."""
        if prop in props:
            return self.string(props[prop])
        self.trace.append(f"{logical}'s name is generated at deploy, {RANDOM} standing for its unique part")
        made = f"{STACK}-{logical}-{RANDOM}"
        return made.lower() if lower else made

    def generated_id(self, logical: str, props: Mapping[str, Any], prop: str) -> str | Unknown:
        """An AgentCore id: the resource's name, a hyphen and a suffix the service generates."""
        base = self.string(props[prop]) if prop in props else Unknown(f"{logical} has no {prop}")
        if isinstance(base, Unknown):
            return base
        self.trace.append(f"{logical}'s id is generated at deploy, {RANDOM} standing for its unique part")
        return f"{base}-{RANDOM}"

    # --- string functions ------------------------------------------------------------------------------------

    def _sub(self, arg: Any) -> Any:
        text, variables = (arg[0], mapping(arg[1]) if len(arg) > 1 else {}) if isinstance(arg, list) else (arg, {})
        if not isinstance(text, str):
            return Unknown(f"Fn::Sub {show(arg)} is malformed")
        parts: list[str] = []
        last = 0
        for match in _SUB.finditer(text):
            parts.append(text[last : match.start()])
            last = match.end()
            inner = match.group(1)
            if inner.startswith("!"):  # ${!Literal} is written as ${Literal}
                parts.append("${" + inner[1:] + "}")
                continue
            if inner in variables:
                value: Any = self.string(variables[inner])
            elif "." in inner and inner.split(".", 1)[0] in self.resources:
                value = self.string({"Fn::GetAtt": inner.split(".", 1)})
            else:
                value = self.string({"Ref": inner})
            if isinstance(value, Unknown):
                return value
            parts.append(value)
        parts.append(text[last:])
        return "".join(parts)

    def _join(self, arg: Any) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2):
            return Unknown(f"Fn::Join {show(arg)} is malformed")
        delimiter, items = self.string(arg[0]), self.resolve(arg[1])
        if isinstance(delimiter, Unknown):
            return delimiter
        if isinstance(items, Unknown):
            return items
        if not isinstance(items, list):
            return Unknown(f"Fn::Join of {show(arg[1])}: not a list")
        strings = [self.string(item) for item in items]
        unknown = next((s for s in strings if isinstance(s, Unknown)), None)
        return unknown or delimiter.join(str(s) for s in strings)

    def _select(self, arg: Any) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2):
            return Unknown(f"Fn::Select {show(arg)} is malformed")
        index, items = self.string(arg[0]), self.resolve(arg[1])
        if isinstance(index, Unknown):
            return index
        if isinstance(items, Unknown):
            return items
        if not (isinstance(items, list) and index.isdigit() and int(index) < len(items)):
            return Unknown(f"Fn::Select {index} of {show(arg[1])}: no such item")
        return items[int(index)]

    def _split(self, arg: Any) -> Any:
        if not (isinstance(arg, list) and len(arg) == 2):
            return Unknown(f"Fn::Split {show(arg)} is malformed")
        delimiter, text = self.string(arg[0]), self.string(arg[1])
        if isinstance(delimiter, Unknown):
            return delimiter
        if isinstance(text, Unknown):
            return text
        return text.split(delimiter) if delimiter else [text]

    def _find_in_map(self, arg: Any) -> Any:
        if not (isinstance(arg, list) and len(arg) >= 3):
            return Unknown(f"Fn::FindInMap {show(arg)} is malformed")
        keys = [self.string(k) for k in arg[:3]]
        unknown = next((k for k in keys if isinstance(k, Unknown)), None)
        if unknown is not None:
            return unknown
        top = mapping(mapping(self.mappings.get(str(keys[0]))).get(str(keys[1])))
        if str(keys[2]) not in top:
            return Unknown(f"Fn::FindInMap {keys}: no such entry in Mappings")
        return self.resolve(top[str(keys[2])])

    # --- conditions ------------------------------------------------------------------------------------------

    def _if(self, arg: Any) -> Any:
        if not (isinstance(arg, list) and len(arg) == 3 and isinstance(arg[0], str)):
            return Unknown(f"Fn::If {show(arg)} is malformed")
        holds = self.condition(arg[0])
        if isinstance(holds, Unknown):
            either = self.resolve(arg[1]), self.resolve(arg[2])
            return either[0] if either[0] == either[1] else Unknown(f"Fn::If {arg[0]}: {holds.why}")
        return self.resolve(arg[1] if holds else arg[2])

    def condition(self, name: str) -> bool | Unknown:
        if name not in self.conditions:
            return Unknown(f"condition {name} is not in the template's Conditions")
        key = (name, "Condition")
        if key in self._active:
            return Unknown(f"condition {name} refers to itself")
        self._active.add(key)
        try:
            return self._holds(self.conditions[name])
        finally:
            self._active.discard(key)

    def _holds(self, node: Any) -> bool | Unknown:
        self.steps += 1
        if not (isinstance(node, Mapping) and len(node) == 1):
            return Unknown(f"condition {show(node)} is malformed")
        (key, arg), *_ = node.items()
        fn = str(key)
        if fn == "Condition" and isinstance(arg, str):
            return self.condition(arg)
        items = arg if isinstance(arg, list) else []
        if fn == "Fn::Equals" and len(items) == 2:
            left, right = self.string(items[0]), self.string(items[1])
            unknown = next((v for v in (left, right) if isinstance(v, Unknown)), None)
            return unknown or left == right
        if fn in ("Fn::And", "Fn::Or", "Fn::Not") and items:
            values = [self._holds(item) for item in items]
            unknown = next((v for v in values if isinstance(v, Unknown)), None)
            if fn == "Fn::Not":
                return unknown or not values[0]
            decides = fn == "Fn::Or"  # one True decides an Or, one False an And, whatever the others are
            if any(v is decides for v in values):
                return decides
            return unknown or not decides
        return Unknown(f"condition function {fn} is not resolved offline")

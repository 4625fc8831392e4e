"""Values of a template resolved offline: what the deploy alone decides, said as such. Pure.

The stack's name is `cfnstack`, and a name or id CloudFormation or AgentCore generates keeps the shape the service
documents, with `cfnrandom` for its unique part. The same stack resource therefore has the same name wherever the
template mentions it (the runtime's container URI and the role's grant on the repository), and nothing else
matches it. What cannot be expressed at all (a parameter with no Default, Fn::ImportValue, a condition on an
unknown value) is `Unknown`, with the reason, never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

STACK = "cfnstack"  # AWS::StackName: chosen at deploy
RANDOM = "cfnrandom"  # the unique part of a name or id CloudFormation or the service generates


@dataclass(frozen=True)
class Unknown:
    """A value the template does not give offline, and why."""

    why: str


class NoValue:
    """AWS::NoValue: the property or list item is removed."""


NO_VALUE = NoValue()


@dataclass(frozen=True)
class Place:
    """Where the stack is deployed: what AWS::AccountId, AWS::Region and AWS::Partition stand for."""

    account: str
    region: str
    partition: str

    @property
    def url_suffix(self) -> str:
        return "amazonaws.com.cn" if self.partition == "aws-cn" else "amazonaws.com"

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        where = f"{self.region if region else ''}:{self.account if account else ''}"
        return f"arn:{self.partition}:{service}:{where}:{resource}"


def is_deploy_time(value: str) -> bool:
    """Whether a resolved string holds a part only the deploy decides (the stack name, a generated suffix)."""
    return STACK in value or RANDOM in value


def mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def show(node: Any) -> str:
    """A template fragment, short enough for a message."""
    text = repr(node)
    return text if len(text) <= 80 else text[:77] + "..."

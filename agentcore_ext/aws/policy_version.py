"""A managed policy's default version, read in one round trip when it is v1 (most customer policies are).

GetPolicy (for DefaultVersionId) and GetPolicyVersion v1 go out together, and v1's answer says whether it is the
default: the same two requests as GetPolicy then GetPolicyVersion, one round trip instead of two. A policy past
v1 costs one request more (its default version, read after GetPolicy), never a round trip more.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from agentcore_ext.errors import AwsError


class Gateway(Protocol):
    """What this needs of aws/gateway.py's Gateway (a protocol: the gateway imports this module)."""

    @property
    def iam(self) -> Any: ...

    def read(self, operation: str, call: Callable[..., Any], **params: Any) -> Any: ...

    def parallel(self, *reads: Callable[[], Any]) -> list[Any]: ...


def _outcome(read: Callable[[], Any]) -> Any:
    """read()'s result, or the AwsError it raised (for a read whose failure may not matter)."""
    try:
        return read()
    except AwsError as exc:
        return exc


def _version(gateway: Gateway, arn: str, version: str) -> dict[str, Any]:
    got = gateway.read("iam:GetPolicyVersion", gateway.iam.get_policy_version, PolicyArn=arn, VersionId=version)
    return dict(got["PolicyVersion"])


def default_version(gateway: Gateway, arn: str) -> dict[str, Any]:
    """The PolicyVersion (Document, VersionId, IsDefaultVersion) that is the policy's default.

    Errors are GetPolicy's as before when v1 cannot settle it (a policy that does not exist, a refused read);
    a refused or missing v1 alone only means taking the long way.
    """
    policy, first = gateway.parallel(
        lambda: _outcome(lambda: gateway.read("iam:GetPolicy", gateway.iam.get_policy, PolicyArn=arn)),
        lambda: _outcome(lambda: _version(gateway, arn, "v1")),
    )
    if isinstance(first, dict) and first.get("IsDefaultVersion"):
        return first
    if isinstance(policy, AwsError):
        raise policy
    return _version(gateway, arn, str(policy["Policy"]["DefaultVersionId"]))

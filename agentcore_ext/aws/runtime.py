"""The deployed runtime: bedrock-agentcore-control GetAgentRuntime, found by the runtime the YAML records or by name.

Part of the gateway (its session, client config, request count and error mapping); kept out of gateway.py, which is
at the module size cap. What the answer means is define/deployed.py's job: this module only asks.

The runtime is optional knowledge: a refusal, an endpoint without the API (an emulator) or any other failure is
returned as `RuntimeRead.error`, never raised, so the run judges without it and says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from botocore.parsers import ResponseParserError

from agentcore_ext.aws.error_map import mapped_errors
from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.errors import AgentCoreExtError, AwsError

SERVICE = "bedrock-agentcore-control"
GET = "bedrock-agentcore:GetAgentRuntime"
LIST = "bedrock-agentcore:ListAgentRuntimes"
NOT_IMPLEMENTED = "NotImplemented"
PAGE_SIZE = 100  # ListAgentRuntimes' maxResults upper bound
MAX_PAGES = 50  # 5000 runtimes: an account's quota is far below; a looping nextToken stops here
# AgentCore's own ARN shape: arn:PARTITION:bedrock-agentcore:REGION:ACCOUNT:runtime/ID (the id GetAgentRuntime takes)
_RUNTIME_ARN = re.compile(
    r"arn:[\w-]+:bedrock-agentcore:[\w-]*:\d{12}:runtime/([A-Za-z][A-Za-z0-9_]{0,99}-[A-Za-z0-9]{10})"
)


@dataclass(frozen=True)
class RuntimeRead:
    """What the runtime read found. `answer` None and `error` None: no runtime of the agent is deployed."""

    runtime_id: str | None = None  # the runtime asked for (or, when listing failed, None)
    answer: Mapping[str, Any] | None = None  # GetAgentRuntime's answer, ResponseMetadata dropped
    error: AgentCoreExtError | None = None  # why it could not be read (its operation names the refused action)
    found_by: str = ""  # how the runtime was found: "the YAML's agent_arn", "ListAgentRuntimes: the runtime named X"


def runtime_id_of(arn: str) -> str | None:
    """The runtime id in an AgentCore runtime ARN; None for another shape (the sandbox emulator's `agent/<uuid>:1`)."""
    match = _RUNTIME_ARN.fullmatch(arn.strip())
    return match.group(1) if match else None


def runtime_reader(gateway: Gateway, *, name: str, runtime_arn: str | None) -> Callable[[], RuntimeRead]:
    """A read of the agent's deployed runtime, to run later (beside GetCallerIdentity): the client is made now, in
    this thread, as Gateway.parallel requires.

    The runtime is the one `runtime_arn` names (the YAML's bedrock_agentcore.agent_arn); with no ARN, or one of
    another shape, the runtime named `name` in ListAgentRuntimes (how the toolkit itself finds an agent's runtime on
    a deploy that conflicts: services/runtime.py find_agent_by_name)."""
    try:
        client = gateway._client(SERVICE)
    except AgentCoreExtError as exc:  # a botocore without the service: judged without the runtime, and said
        return partial(RuntimeRead, error=exc)
    known = runtime_id_of(runtime_arn) if runtime_arn else None

    def read() -> RuntimeRead:
        runtime_id, found_by = known, "the YAML's agent_arn"
        if runtime_id is None:
            try:
                runtime_id, found_by = _find(gateway, client, name, runtime_arn)
            except AgentCoreExtError as exc:
                return RuntimeRead(error=exc)
            if runtime_id is None:
                return RuntimeRead()
        try:
            answer = _ask(gateway, GET, client.get_agent_runtime, agentRuntimeId=runtime_id)
        except AgentCoreExtError as exc:
            return RuntimeRead(runtime_id, error=exc, found_by=found_by)
        return RuntimeRead(runtime_id, {k: v for k, v in answer.items() if k != "ResponseMetadata"}, found_by=found_by)

    return read


def _find(gateway: Gateway, client: Any, name: str, arn: str | None) -> tuple[str | None, str]:
    """The id of the runtime whose ARN is `arn` (when given), else of the one named `name`; paged."""
    by_name: str | None = None
    token: str | None = None
    for _ in range(MAX_PAGES):
        params: dict[str, Any] = {"maxResults": PAGE_SIZE, **({"nextToken": token} if token else {})}
        out = _ask(gateway, LIST, client.list_agent_runtimes, **params)
        for summary in out.get("agentRuntimes") or ():
            runtime_id = str(summary.get("agentRuntimeId") or "")
            if arn and runtime_id and summary.get("agentRuntimeArn") == arn:
                return runtime_id, "the YAML's agent_arn, through ListAgentRuntimes"
            if runtime_id and by_name is None and summary.get("agentRuntimeName") == name:
                by_name = runtime_id
        token = out.get("nextToken")
        if not token:
            break
    return by_name, f"ListAgentRuntimes: the runtime named {name}"


def _ask(gateway: Gateway, operation: str, call: Callable[..., Any], **params: Any) -> Any:
    """call(**params) with its errors mapped as the gateway maps them; an endpoint without the API (moto's
    NotImplementedError in-process, an HTML error page from a server) is said as such."""
    try:
        with mapped_errors(operation, gateway.profile):
            return call(**params)
    except (NotImplementedError, ResponseParserError) as exc:
        raise AwsError(
            f"{operation} is not implemented at this endpoint", code=NOT_IMPLEMENTED, operation=operation
        ) from exc

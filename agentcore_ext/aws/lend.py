"""Lending this run's boto3 session, and its caller identity, to the in-process starter toolkit.

The toolkit calls `boto3.client(...)` on boto3's default session: left alone it builds a second botocore session
(~30 ms and ~10 MiB: endpoint data and service models loaded again) and asks STS for the account three times
(`utils/aws.get_account_id`, from `_configure_impl`, `operations/runtime/configure` and `utils/runtime/config`),
a round trip each on real AWS. Lent, it runs on the session our checks used, so it sees the same credentials,
profile and region, and its GetCallerIdentity calls are answered from ours without a request.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from typing import Any

import boto3

IDENTITY_EVENT = "before-call.sts.GetCallerIdentity"


def identity_answer(identity: Mapping[str, str], **_: Any) -> tuple[Any, dict[str, Any]]:
    """A before-call answer to GetCallerIdentity: (HTTP response, parsed body), as botocore's own call returns."""
    from botocore.awsrequest import AWSResponse
    from botocore.compat import HTTPHeaders

    return AWSResponse("", 200, HTTPHeaders(), None), {**identity, "ResponseMetadata": {"HTTPStatusCode": 200}}


@contextmanager
def lend_session(session: boto3.Session, identity: Mapping[str, str] | None) -> Iterator[None]:
    """For the block, boto3.DEFAULT_SESSION is `session` and, given an identity, GetCallerIdentity answers it.

    Clients copy their session's handlers when they are created, so the answer reaches clients made inside the
    block (the toolkit's) and never ones made before (our own STS client, which still asks). Requests of the
    toolkit's clients are not counted in the gateway's `calls`: the counter hangs on our clients, not on the
    session. Both changes are undone on the way out, whatever the block raised. Not thread-safe: boto3's default
    session is process state; lend it while no other thread builds boto3 clients from the default session.
    """
    saved = boto3.DEFAULT_SESSION
    handler_id = f"agentcore-ext-identity-{id(session)}"
    if identity is not None:
        answer: Any = partial(identity_answer, dict(identity))  # the stubs type handlers as returning None
        session.events.register(IDENTITY_EVENT, answer, unique_id=handler_id)
    boto3.DEFAULT_SESSION = session
    try:
        yield
    finally:
        boto3.DEFAULT_SESSION = saved
        if identity is not None:
            session.events.unregister(IDENTITY_EVENT, unique_id=handler_id)

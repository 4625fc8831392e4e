"""Red-team issue 21, item 21: a hung IAM/STS endpoint (accepts the connection, never answers) costs seconds, not
botocore's 60 s read timeout x 3 attempts, and the wait is said on the progress line while it lasts."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import boto3
import pytest

from agentcore_ext import progress
from agentcore_ext.aws import waiting
from agentcore_ext.aws.error_map import RESPONSE_LOST
from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.errors import AwsError


@pytest.fixture
def hung_endpoint() -> Iterator[str]:
    """A TCP server that accepts every connection and never writes a byte."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    server.close()


def test_redteam_21_hung_endpoint_is_bounded_and_said(hung_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(waiting, "READ_TIMEOUT", 0.5)
    monkeypatch.setattr(waiting, "SLOW_AFTER", 0.2)
    said: list[str] = []
    progress.set_sink(said.append)
    try:
        session = boto3.Session(aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x", region_name="us-east-1")
        gateway = Gateway(session=session, region="us-east-1", endpoint_url=hung_endpoint, sleep=lambda _: None)
        start = time.monotonic()
        with pytest.raises(AwsError) as caught:
            gateway.caller_identity()
        elapsed = time.monotonic() - start
    finally:
        progress.set_sink(None)
    assert caught.value.code == RESPONSE_LOST
    assert elapsed < 10  # 3 attempts of READ_TIMEOUT plus backoff; it was 3 x 60 s
    assert gateway.calls == 3
    assert any("still waiting for AWS to answer sts:GetCallerIdentity" in line for line in said)


def test_redteam_21_gateway_read_timeout_is_short() -> None:
    session = boto3.Session(aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="x", region_name="us-east-1")
    client = Gateway(session=session, region="us-east-1").iam
    assert client.meta.config.read_timeout == waiting.READ_TIMEOUT <= 15

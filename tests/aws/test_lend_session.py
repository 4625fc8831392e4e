"""Gateway.lend_session(): the in-process toolkit runs on this run's boto3 session and caller identity.

Against a real moto server (the toolkit's own clients speak HTTP to it): the toolkit writes the same files with and
without the loan, sends no GetCallerIdentity of its own while it holds it, and boto3's default session and the
session's event handlers are back as they were afterwards, whether the toolkit succeeded, exited or raised.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from moto.server import ThreadedMotoServer

from agentcore_ext.aws import lend
from agentcore_ext.aws.gateway import Gateway
from agentcore_ext.toolkit import argv as toolkit_argv
from agentcore_ext.toolkit import run as toolkit

REGION = "us-west-2"
ROLE_ARN = "arn:aws:iam::123456789012:role/BedrockAgentCoreRuntime-us-west-2-hello"
AGENT_SOURCE = "from bedrock_agentcore.runtime import BedrockAgentCoreApp\n\napp = BedrockAgentCoreApp()\n"
SENTINEL = object()  # stands for whatever default session the caller had before the toolkit ran


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def sent(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every operation any botocore client (ours, the toolkit's) actually sends over HTTP, in order."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    monkeypatch.delenv(toolkit.MODE_ENV, raising=False)
    operations: list[str] = []
    original = BaseClient._make_request

    def recording(self: BaseClient, operation_model: Any, request_dict: Any, request_context: Any) -> Any:
        operations.append(operation_model.name)
        return original(self, operation_model, request_dict, request_context)

    monkeypatch.setattr(BaseClient, "_make_request", recording)
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", SENTINEL)
    return operations


def _configure(agent_dir: Path, scope: Any = None) -> int:
    argv = toolkit_argv.build_configure_argv(
        entrypoint="hello.py",
        agent_name="hello",
        execution_role_arn=ROLE_ARN,
        region=REGION,
        deployment_type="container",
        disable_memory=True,
        protocol="HTTP",
        non_interactive=True,
        extra_args=(),
    )
    return toolkit.run_toolkit(argv, agent_dir, None, REGION, stdout_to_stderr=True, session_scope=scope)


def _written(agent_dir: Path) -> dict[str, bytes]:
    return {str(p.relative_to(agent_dir)): p.read_bytes() for p in sorted(agent_dir.rglob("*")) if p.is_file()}


def _identity_handlers(gateway: Gateway) -> int:
    """How many of our identity answers the gateway's session holds for GetCallerIdentity (0 unless lent)."""
    trie = gateway.session.events._emitter._handlers  # type: ignore[attr-defined]
    found = trie.prefix_search(lend.IDENTITY_EVENT)
    return sum(1 for h in found if getattr(h, "func", None) is lend.identity_answer)


def test_the_toolkit_writes_the_same_files_and_asks_sts_nothing(sent: list[str], tmp_path: Path) -> None:
    plain, lent = tmp_path / "plain", tmp_path / "lent"
    for agent_dir in (plain, lent):
        agent_dir.mkdir()
        (agent_dir / "hello.py").write_text(AGENT_SOURCE)
        (agent_dir / "requirements.txt").write_text("bedrock-agentcore\n")
    assert _configure(plain) == 0
    on_its_own = sent.count("GetCallerIdentity")
    assert on_its_own >= 2  # the toolkit asks STS for the account more than once (3 in 0.3.x)

    gateway = Gateway(region=REGION)
    assert gateway.caller_identity()["Account"] == "123456789012"
    del sent[:]
    assert _configure(lent, gateway.lend_session()) == 0
    assert "GetCallerIdentity" not in sent  # every one answered from ours
    # Byte for byte, with the directory's own name (recorded in the YAML) put right.
    files = {name: body.replace(b"/lent", b"/plain") for name, body in _written(lent).items()}
    assert files == _written(plain)
    assert b"123456789012" in files[".bedrock_agentcore.yaml"]
    assert boto3.DEFAULT_SESSION is SENTINEL
    assert _identity_handlers(gateway) == 0


def test_only_the_toolkits_clients_get_the_answer(sent: list[str]) -> None:
    gateway = Gateway(region=REGION)
    gateway.caller_identity()
    with gateway.lend_session():
        assert boto3.DEFAULT_SESSION is gateway.session
        theirs = boto3.client("sts").get_caller_identity()
        assert theirs["Arn"] == gateway.caller_identity()["Arn"]  # ours still asks (a client made before)
        assert _identity_handlers(gateway) == 1
    assert sent == ["GetCallerIdentity", "GetCallerIdentity"]  # ours twice, theirs never
    assert gateway.calls == 2
    # After the loan a new client of the same session asks STS again.
    gateway.session.client("sts").get_caller_identity()
    assert sent.count("GetCallerIdentity") == 3


def test_without_an_identity_yet_only_the_session_is_lent(sent: list[str]) -> None:
    gateway = Gateway(region=REGION)
    with gateway.lend_session():
        assert boto3.DEFAULT_SESSION is gateway.session
        assert _identity_handlers(gateway) == 0
        boto3.client("sts").get_caller_identity()
    assert sent == ["GetCallerIdentity"]
    assert boto3.DEFAULT_SESSION is SENTINEL


@pytest.mark.parametrize("exc", [SystemExit(3), RuntimeError("toolkit bug"), KeyboardInterrupt()])
def test_restored_after_a_failing_toolkit(
    exc: BaseException, sent: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gateway = Gateway(region=REGION)
    gateway.caller_identity()
    seen: list[Any] = []

    def app(**_: Any) -> None:
        seen.append((boto3.DEFAULT_SESSION, boto3.client("sts").get_caller_identity()["Account"]))
        raise exc

    monkeypatch.setattr(toolkit, "load_app", lambda: app)
    if isinstance(exc, KeyboardInterrupt):
        with pytest.raises(KeyboardInterrupt):
            toolkit.run_toolkit(["configure"], tmp_path, None, REGION, session_scope=gateway.lend_session())
    else:
        code = toolkit.run_toolkit(["configure"], tmp_path, None, REGION, session_scope=gateway.lend_session())
        assert code == (3 if isinstance(exc, SystemExit) else 1)
    assert seen == [(gateway.session, "123456789012")]
    assert sent == ["GetCallerIdentity"]  # ours; the toolkit's was answered
    assert boto3.DEFAULT_SESSION is SENTINEL
    assert _identity_handlers(gateway) == 0


@pytest.mark.parametrize("region", [None, "us-east-2"])  # the profile's region, or --region
def test_profile_and_region_are_what_the_toolkit_would_use_itself(
    region: str | None, sent: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--profile and the region: the lent session's credentials and region are the ones the toolkit's own
    default session would have picked up from the environment run_toolkit gives it (AWS_PROFILE, AWS_REGION)."""
    config = tmp_path / "config"
    config.write_text(
        "[profile dev]\nregion = eu-west-1\naws_access_key_id = AKIDEV\naws_secret_access_key = dev-profile-secret\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    seen: list[tuple[str, str | None]] = []

    def app(**_: Any) -> None:
        client = boto3.client("iam")
        creds = client._request_signer._credentials  # type: ignore[attr-defined]
        seen.append((creds.access_key, boto3.client("ecr").meta.region_name))

    monkeypatch.setattr(toolkit, "load_app", lambda: app)
    env = {"AWS_PROFILE": "dev"}  # what flows/configure.py gives the toolkit for --profile dev
    gateway = Gateway(profile="dev", region=region)  # as open_session builds it
    assert toolkit.run_toolkit(["configure"], tmp_path, env, gateway.region) == 0
    assert toolkit.run_toolkit(["configure"], tmp_path, env, gateway.region, session_scope=gateway.lend_session()) == 0
    assert seen[0] == seen[1] == ("AKIDEV", region or "eu-west-1")
    assert sent == []


def test_subprocess_mode_ignores_the_scope(sent: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(toolkit.MODE_ENV, "subprocess")
    entered: list[bool] = []

    class Scope:
        def __enter__(self) -> None:
            entered.append(True)

        def __exit__(self, *exc: object) -> None:
            return None

    assert toolkit.run_toolkit(["--help"], tmp_path, None, REGION, session_scope=Scope()) == 0
    assert entered == []
    assert os.environ.get(toolkit.MODE_ENV) == "subprocess"

"""agentcore_ext.toolkit: the real starter toolkit against a local moto server, plus the pure helpers.

Each real toolkit run costs about a second the first time (its import) and ~0.1 s after, so the runs are few and
each checks several things.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from moto.server import ThreadedMotoServer

from agentcore_ext import process_env
from agentcore_ext.errors import EXIT_TOOLKIT_MISSING, ToolkitError, UsageError
from agentcore_ext.toolkit import argv as toolkit_argv
from agentcore_ext.toolkit import config as toolkit_config
from agentcore_ext.toolkit import run as toolkit

ROLE_ARN = "arn:aws:iam::123456789012:role/BedrockAgentCoreRuntime-us-west-2-hello"
AGENT_SOURCE = """\
from bedrock_agentcore.runtime import BedrockAgentCoreApp

app = BedrockAgentCoreApp()


@app.entrypoint
def invoke(payload, context=None):
    return {"result": "hello"}


if __name__ == "__main__":
    app.run()
"""


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_env(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Fake credentials and the moto endpoint; no region, so that run_toolkit's region is the only one."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv(toolkit.MODE_ENV, raising=False)
    return moto_url


@pytest.fixture
def agent_dir(tmp_path: Path) -> Path:
    (tmp_path / "hello.py").write_text(AGENT_SOURCE)
    (tmp_path / "requirements.txt").write_text("bedrock-agentcore\n")
    return tmp_path


def _configure_argv(*extra: str) -> list[str]:
    return toolkit_argv.build_configure_argv(
        entrypoint="hello.py",
        agent_name="hello",
        execution_role_arn=ROLE_ARN,
        region="us-west-2",
        deployment_type="container",
        disable_memory=True,
        protocol="HTTP",
        non_interactive=True,
        extra_args=extra,
    )


def test_configure_in_process_writes_the_exact_role(
    aws_env: str, agent_dir: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    cwd_before = os.getcwd()
    code = toolkit.run_toolkit(
        _configure_argv("--idle-timeout", "120"), agent_dir, env=None, region="us-west-2", stdout_to_stderr=True
    )
    out, err = capfd.readouterr()
    assert code == 0, err
    assert out == ""  # a --json report must stay alone on stdout
    assert "Configuring Bedrock AgentCore" in err
    assert toolkit_config.read_configured_role(agent_dir, None) == ("hello", ROLE_ARN)
    assert toolkit_config.read_configured_role(agent_dir, "hello") == ("hello", ROLE_ARN)
    config = toolkit_config.read_agent_config(agent_dir)
    assert config is not None
    assert (config.region, config.account, config.deployment_type, config.protocol) == (
        "us-west-2",
        "123456789012",
        "container",
        "HTTP",
    )
    assert config.memory_mode == "NO_MEMORY" and not config.memory_enabled
    assert not config.execution_role_auto_create
    assert "idle_runtime_session_timeout: 120" in (agent_dir / toolkit_config.CONFIG_FILE).read_text()
    # Everything the in-process run patched is back.
    assert os.getcwd() == cwd_before
    assert "AWS_REGION" not in os.environ and "AWS_DEFAULT_REGION" not in os.environ
    assert toolkit.SUPPRESS_RECOMMENDATION_ENV not in os.environ


def test_failing_toolkit_calls_return_their_exit_codes(aws_env: str, agent_dir: Path) -> None:
    # click rejects the value before any AWS call: its usage exit code is 2 (build_configure_argv refuses it first).
    with pytest.raises(UsageError):
        _configure_argv("--idle-timeout", "5")
    assert toolkit.run_toolkit([*_configure_argv(), "--idle-timeout", "5"], agent_dir, None, "us-west-2") == 2
    # The toolkit itself refuses an entrypoint outside the working directory: exit 1, and no file written.
    elsewhere = agent_dir / "elsewhere"
    elsewhere.mkdir()
    argv = _configure_argv()
    argv[argv.index("hello.py")] = str(agent_dir / "hello.py")
    assert toolkit.run_toolkit(argv, elsewhere, None, "us-west-2") == 1
    assert not (elsewhere / toolkit_config.CONFIG_FILE).exists()


def test_passthrough_status_help(aws_env: str, tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    assert toolkit.passthrough(["status", "--help"], tmp_path) == 0
    assert "status" in capfd.readouterr().out.lower()


def test_subprocess_mode_gets_region_from_the_environment(
    aws_env: str, agent_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(toolkit.MODE_ENV, "subprocess")
    argv = _configure_argv()
    argv.remove("--region")
    argv.remove("us-west-2")  # only the environment carries the region now
    assert toolkit.run_toolkit(argv, agent_dir, env={"AWS_PROFILE": None}, region="eu-west-1") == 0
    config = toolkit_config.read_agent_config(agent_dir, "hello")
    assert config is not None and config.region == "eu-west-1" and config.execution_role == ROLE_ARN


def test_missing_or_broken_toolkit_is_exit_5(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert toolkit.toolkit_available() not in (None, "")
    monkeypatch.setattr(toolkit, "TOOLKIT_PACKAGE", "no_such_toolkit_package")
    assert toolkit.toolkit_available() is None
    with pytest.raises(ToolkitError) as missing:
        toolkit.run_toolkit(["--help"], tmp_path)
    assert missing.value.exit_code == EXIT_TOOLKIT_MISSING and toolkit.INSTALL_COMMAND in missing.value.hint
    monkeypatch.undo()
    monkeypatch.setattr(toolkit, "TOOLKIT_CLI_MODULE", "bedrock_agentcore_starter_toolkit.no_such_cli")
    monkeypatch.delenv(toolkit.MODE_ENV, raising=False)
    with pytest.raises(ToolkitError) as broken:
        toolkit.run_toolkit(["--help"], tmp_path)
    assert broken.value.exit_code == EXIT_TOOLKIT_MISSING and "cannot be loaded" in broken.value.message


def test_build_configure_argv() -> None:
    assert _configure_argv("--requirements-file", "req.txt") == [
        "configure",
        "--entrypoint",
        "hello.py",
        "--name",
        "hello",
        "--execution-role",
        ROLE_ARN,
        "--region",
        "us-west-2",
        "--deployment-type",
        "container",
        "--protocol",
        "HTTP",
        "--disable-memory",
        "--non-interactive",
        "--requirements-file",
        "req.txt",
    ]
    minimal = toolkit_argv.build_configure_argv("a.py", None, ROLE_ARN, None, None, False, None, False, [])
    assert minimal == ["configure", "--entrypoint", "a.py", "--execution-role", ROLE_ARN]


@pytest.mark.parametrize(
    "extra", [["-er", "arn:aws:iam::1:role/x"], ["--execution-role=x"], ["--region", "x"], ["-dm"]]
)
def test_extra_args_cannot_override_checked_settings(extra: list[str]) -> None:
    with pytest.raises(UsageError):
        _configure_argv(*extra)


def test_patched_environ_restores_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACX_KEEP", "old")
    monkeypatch.delenv("ACX_NEW", raising=False)
    with process_env.patched_environ({"ACX_KEEP": None, "ACX_NEW": "new"}):
        assert "ACX_KEEP" not in os.environ and os.environ["ACX_NEW"] == "new"
    assert os.environ["ACX_KEEP"] == "old" and "ACX_NEW" not in os.environ


YAML_TWO_AGENTS = """\
default_agent: b
agents:
  a:
    name: a
    entrypoint: a.py
    deployment_type: direct_code_deploy
    aws: {execution_role: arn:aws:iam::123456789012:role/A, region: us-east-1, account: '123456789012',
          protocol_configuration: {server_protocol: A2A}}
    memory: {mode: STM_ONLY}
  b:
    name: b
    entrypoint: b.py
    aws: {execution_role: null, execution_role_auto_create: true, account: 012345678901}
"""


def test_read_agent_config_from_literal_yaml(tmp_path: Path) -> None:
    assert toolkit_config.read_configured_role(tmp_path, None) == (None, None)  # no file
    (tmp_path / toolkit_config.CONFIG_FILE).write_text(YAML_TWO_AGENTS)
    assert toolkit_config.read_configured_role(tmp_path, None) == ("b", None)  # the default agent
    assert toolkit_config.read_configured_role(tmp_path, "a") == ("a", "arn:aws:iam::123456789012:role/A")
    assert toolkit_config.read_configured_role(tmp_path, "zzz") == (None, None)
    a = toolkit_config.read_agent_config(tmp_path, "a")
    assert a is not None and a.protocol == "A2A" and a.memory_enabled and a.deployment_type == "direct_code_deploy"
    b = toolkit_config.read_agent_config(tmp_path)
    assert b is not None and b.execution_role_auto_create and b.memory_mode is None
    (tmp_path / toolkit_config.CONFIG_FILE).write_text("agents: [unclosed\n")
    with pytest.raises(UsageError):
        toolkit_config.read_agent_config(tmp_path)


def _raise(exc: BaseException) -> Any:
    def app(**kwargs: Any) -> None:
        assert os.environ["AWS_REGION"] == "ap-south-1" and os.getcwd() != START_DIR
        print("toolkit output")
        raise exc

    return app


START_DIR = os.getcwd()


@pytest.mark.parametrize(
    ("exc", "code"),
    [(SystemExit(0), 0), (SystemExit(None), 0), (SystemExit(7), 7), (SystemExit("bad"), 1), (RuntimeError("x"), 1)],
)
def test_in_process_exit_codes_and_restoration(
    exc: BaseException, code: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(toolkit.MODE_ENV, raising=False)
    monkeypatch.setattr(toolkit, "load_app", lambda: _raise(exc))
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    assert toolkit.run_toolkit(["configure"], tmp_path, None, "ap-south-1", stdout_to_stderr=True) == code
    out, err = capfd.readouterr()
    assert out == "" and "toolkit output" in err
    assert os.environ["AWS_REGION"] == "us-east-1" and os.getcwd() == START_DIR

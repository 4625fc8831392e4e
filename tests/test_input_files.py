"""Red-team issue 21, item 15: a file named on the command line is read only when it is a regular file of bounded
size: `--additional-policy /dev/zero` ate all memory, a FIFO hung the run. One reader for every such input
(agentcore_ext/input_files.py); each source is checked here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentcore_ext.errors import UsageError
from agentcore_ext.input_files import MAX_POLICY_BYTES, read_input

OFFLINE = ["-n", "hello", "--account", "123456789012", "--region", "us-east-1", "--deployment-type", "container"]


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "policy.fifo"
    os.mkfifo(path)
    return path


def test_redteam_15_a_fifo_is_refused_at_once(fifo: Path) -> None:
    with pytest.raises(UsageError) as caught:
        read_input(fifo, "--additional-policy x", "hint")
    assert "not a regular file" in caught.value.message


def test_redteam_15_a_device_is_refused() -> None:
    with pytest.raises(UsageError) as caught:
        read_input(Path("/dev/zero"), "--additional-policy /dev/zero", "hint")
    assert "not a regular file" in caught.value.message


def test_redteam_15_an_oversized_file_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(b" " * (MAX_POLICY_BYTES + 1))
    with pytest.raises(UsageError) as caught:
        read_input(big, "--permissions file", "hint")
    assert "too large" in caught.value.message


@pytest.mark.parametrize(
    "args",
    [
        ["--additional-policy", "{path}", "--trust", "{trust}"],
        ["--permissions", "{path}"],
        ["--trust", "{path}"],
        ["--boundary", "{path}", "--trust", "{trust}"],
    ],
)
@pytest.mark.parametrize("source", ["/dev/zero", "fifo"])
def test_redteam_15_every_policy_input_of_validate_refuses_devices_and_fifos(
    tmp_path: Path, fifo: Path, args: list[str], source: str
) -> None:
    trust = tmp_path / "trust.json"
    trust.write_text('{"Version": "2012-10-17", "Statement": []}')
    path = "/dev/zero" if source == "/dev/zero" else str(fifo)
    argv = [a.format(path=path, trust=trust) for a in args]
    code = "import sys; from agentcore_ext.cli.app import main; main(sys.argv[1:])"
    env = {**os.environ, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    done = subprocess.run(
        [sys.executable, "-c", code, "validate", *OFFLINE, *argv],
        capture_output=True,
        text=True,
        timeout=60,  # a FIFO used to hang here; /dev/zero used to fill memory
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 2, done.stderr
    assert "not a regular file" in done.stderr

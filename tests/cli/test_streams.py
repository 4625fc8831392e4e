"""Red-team issue 21, item 23: `--json` keeps stdout for the one JSON document whatever happens to the streams.

Each case runs the real CLI in a subprocess with its stdout or stderr closed or full, as a shell would leave them
(`2>&-`, `2>/dev/full`, `>/dev/full`); the run is offline (`validate` with literal documents) so no AWS is involved.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from agentcore_ext.judge.requirements import permissions_document, trust_document
from agentcore_ext.state import AgentSpec

FULL = Path("/dev/full")
needs_dev_full = pytest.mark.skipif(not FULL.exists(), reason="no /dev/full on this system")


def _documents(tmp_path: Path) -> list[str]:
    spec = AgentSpec("hello", "123456789012", "us-east-1", memory=False)
    (tmp_path / "trust.json").write_text(json.dumps(trust_document(spec)))
    perms = permissions_document(spec)
    perms["Statement"] = [s for s in perms["Statement"] if not s["Sid"].startswith("ECR")]  # a finding to print
    (tmp_path / "perms.json").write_text(json.dumps(perms))
    return [
        "validate",
        "--trust",
        str(tmp_path / "trust.json"),
        "--permissions",
        str(tmp_path / "perms.json"),
        *("--name", "hello", "--account", "123456789012", "--region", "us-east-1", "--disable-memory", "--json"),
    ]


def _run(args: list[str], **streams: Any) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}  # any AWS call would fail loudly
    code = "import sys; from agentcore_ext.cli.app import main; main(sys.argv[1:])"
    return subprocess.run([sys.executable, "-c", code, *args], env=env, timeout=120, check=False, **streams)


def test_redteam_23_stderr_closed_json_alone_on_stdout(tmp_path: Path) -> None:
    # stderr closed (2>&-): Python's sys.stderr is None and print(file=None) used to write to stdout
    env = {**os.environ, "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}
    code = "import os, sys; os.close(2); from agentcore_ext.cli.app import main; main(sys.argv[1:])"
    done = subprocess.run(
        [sys.executable, "-c", code, *_documents(tmp_path)], env=env, stdout=subprocess.PIPE, timeout=120, check=False
    )
    assert done.returncode == 3
    report = json.loads(done.stdout)  # the whole of stdout is the one document: no human text before it
    assert report["ok"] is False and "PERMISSIONS_MISSING" in {f["code"] for f in report["findings"]}


@needs_dev_full
def test_redteam_23_stderr_full_still_gives_the_json(tmp_path: Path) -> None:
    with FULL.open("wb") as full:
        done = _run(_documents(tmp_path), stdout=subprocess.PIPE, stderr=full)
    assert done.returncode == 3
    assert json.loads(done.stdout)["ok"] is False


@needs_dev_full
def test_redteam_23_stdout_full_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    with FULL.open("wb") as full:
        done = _run(_documents(tmp_path), stdout=full, stderr=subprocess.PIPE)
    err = done.stderr.decode()
    assert "Traceback" not in err and "Exception ignored" not in err
    assert "the JSON report could not be written to stdout" in err
    assert done.returncode == 3  # the verdict's own code stands; a lost report never turns it into 0


@needs_dev_full
def test_redteam_23_stdout_full_on_success_is_not_exit_0(tmp_path: Path) -> None:
    spec = AgentSpec("hello", "123456789012", "us-east-1", memory=False)
    args = _documents(tmp_path)
    (tmp_path / "perms.json").write_text(json.dumps(permissions_document(spec)))
    with FULL.open("wb") as full:
        done = _run(args, stdout=full, stderr=subprocess.PIPE)
    assert done.returncode == 1, done.stderr.decode()
    assert "Traceback" not in done.stderr.decode()

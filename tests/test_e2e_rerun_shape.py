# ruff: noqa: F811  (tests take the imported `world` fixture as their parameter)
"""Issue 20, class 1, end to end (subprocess, the real toolkit, a moto server): rerunning `agentcore-ext configure`
on a direct_code_deploy agent with NO_MEMORY keeps both (read back from the YAML the toolkit rewrote). Before, the
wrapper passed its own defaults (container, memory on) to the toolkit and the agent silently changed shape.

The toolkit configures direct_code_deploy only where `uv` is on PATH (_configure_impl.py
_check_direct_code_deploy_available); the dev extras install it into the venv, whose bin folder the child gets.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from test_e2e import World, world  # noqa: F401  (the `world` fixture)

BIN = str(Path(sys.executable).parent)
needs_uv = pytest.mark.skipif(
    shutil.which("uv", path=BIN + os.pathsep + os.environ.get("PATH", "")) is None, reason="uv is a dev dependency"
)


def _block(world: World) -> dict[str, Any]:
    data = yaml.safe_load((world.workdir / ".bedrock_agentcore.yaml").read_text())
    block = data["agents"]["hello_agent"]
    assert isinstance(block, dict)
    return block


@needs_uv
def test_configure_rerun_keeps_direct_code_deploy_and_no_memory(world: World) -> None:
    world.env["PATH"] = BIN + os.pathsep + world.env.get("PATH", "")
    first = ("configure", "-e", "hello_agent.py", "-dt", "direct_code_deploy", "--disable-memory", "--yes", "--json")
    code, report, err = world.run(*first, "--", "--non-interactive")
    assert code == 0, err
    assert (_block(world)["deployment_type"], _block(world)["memory"]["mode"]) == ("direct_code_deploy", "NO_MEMORY")
    # the rerun gives neither flag: the YAML decides, and the toolkit is told what it says
    code, report, err = world.run("configure", "-e", "hello_agent.py", "--yes", "--json", "--", "--non-interactive")
    assert code == 0, err
    assert report is not None
    argv = report["configure"]["argv"]
    assert argv[argv.index("--deployment-type") + 1] == "direct_code_deploy" and "--disable-memory" in argv
    block = _block(world)
    assert (block["deployment_type"], block["memory"]["mode"]) == ("direct_code_deploy", "NO_MEMORY")
    needed = {a for r in report["role"]["requirements"] for a in r["actions"]}
    assert "ecr:BatchGetImage" not in needed and "bedrock-agentcore:CreateEvent" not in needed
    facts = {f["fact"]: f["source"] for f in report["agent"]["facts"]}
    assert facts["deployment_type"] == ".bedrock_agentcore.yaml agents.hello_agent.deployment_type"

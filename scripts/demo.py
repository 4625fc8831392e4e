"""`make demo`: configure examples/hello_agent end to end against the embedded sandbox (no AWS account).

Copies the example into a scratch directory, runs `agentcore-ext configure --sandbox` there exactly as a user
would, then prints the JSON report and the `.bedrock_agentcore.yaml` the real starter toolkit wrote. The scratch
copy is removed afterwards unless KEEP=1 (`make demo KEEP=1`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    scratch = Path(tempfile.mkdtemp(prefix="agentcore-ext-demo-"))
    project = scratch / "hello_agent"
    shutil.copytree(ROOT / "examples" / "hello_agent", project, ignore=shutil.ignore_patterns("__pycache__"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}  # the demo needs no credentials
    cmd = [
        sys.executable,
        "-m",
        "agentcore_ext",
        "configure",
        "--entrypoint",
        "hello_agent.py",
        "--sandbox",
        "--yes",
        "--disable-memory",
        "--json",
    ]
    print(f"$ cd {project}\n$ agentcore-ext {' '.join(cmd[3:])}\n", file=sys.stderr, flush=True)
    proc = subprocess.run(cmd, cwd=project, env=env, stdout=subprocess.PIPE, text=True, check=False)
    print("\n=== JSON report (stdout of agentcore-ext --json) ===")
    try:
        print(json.dumps(json.loads(proc.stdout), indent=2))
    except json.JSONDecodeError:
        print(proc.stdout)
    config = project / ".bedrock_agentcore.yaml"
    print(f"\n=== {config} (written by the starter toolkit) ===")
    print(config.read_text() if config.is_file() else "(not written)")
    if os.environ.get("KEEP"):
        print(f"exit code: {proc.returncode}; scratch copy kept at {project}")
    else:
        shutil.rmtree(scratch, ignore_errors=True)
        print(f"exit code: {proc.returncode}; scratch copy removed (make demo KEEP=1 keeps it)")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())

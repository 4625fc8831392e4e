"""Regenerate docs/captures/: real terminal runs of agentcore-ext (a pty of 160x50) against the embedded sandbox.

    .venv/bin/python scripts/capture.py [--out docs/captures]

Each capture runs the CLI in a fresh copy of examples/hello_agent under a pseudo-terminal, types the answers a
person would, and saves what the terminal showed with the ANSI codes stripped. Nothing is written by hand.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the pty driver the interactive tests use
from pty_driver import run_on_pty  # noqa: E402

COLUMNS, ROWS = 160, 50
PROMPT = "Apply these changes to IAM?"
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


@dataclass(frozen=True)
class Capture:
    name: str
    args: tuple[str, ...]
    answer: bytes | None  # typed at the IAM prompt; None: the run asks nothing
    title: str


CAPTURES = (
    Capture(
        "create-plan",
        ("configure", "--sandbox", "-e", "hello_agent.py", "--disable-memory", "-ni"),
        b"y\r",
        "the create plan of `make demo` (answered y)",
    ),
    Capture(
        "passrole-denial",
        ("configure", "--sandbox", "-e", "hello_agent.py", "--disable-memory", "--role-name", "MyAgentRole"),
        None,
        "a PassRole denial (a role name BedrockAgentCoreFullAccess does not let the developer pass)",
    ),
    Capture(
        "declined-plan",
        ("configure", "--sandbox", "-e", "hello_agent.py", "--disable-memory", "-ni"),
        b"n\r",
        "a declined plan (answered n)",
    ),
)


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text).replace("\r\n", "\n").replace("\r", "")


def run_in_pty(
    args: list[str], cwd: Path, env: dict[str, str], answer: bytes | None, timeout: float = 120.0
) -> tuple[int, str]:
    """The CLI on a 160x50 pty; `answer` typed at the IAM prompt (None: the run asks nothing). (exit code, raw)"""
    script = [(PROMPT, answer)] if answer is not None else []
    return run_on_pty(args, cwd, env, script, timeout=timeout, size=(COLUMNS, ROWS))


def terminal_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """A clean environment for a sandbox run at a colour terminal: no AWS settings, no cache of a running sandbox."""
    env = {k: v for k, v in (base or dict(os.environ)).items() if not k.startswith(("AWS_", "NO_COLOR"))}
    env.update({"TERM": "xterm-256color", "COLUMNS": str(COLUMNS), "LINES": str(ROWS)})
    return env


def capture(item: Capture, scratch: Path) -> tuple[int, str]:
    project = scratch / item.name
    shutil.copytree(ROOT / "examples" / "hello_agent", project)
    env = terminal_env()
    env["XDG_CACHE_HOME"] = str(scratch / "cache")  # never a sandbox the user has running: an ephemeral one
    code, raw = run_in_pty(list(item.args), project, env, item.answer)
    return code, strip_ansi(raw).replace(str(project), "<project>")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "captures")
    out: Path = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="agentcore-ext-capture-") as scratch:
        for item in CAPTURES:
            code, text = capture(item, Path(scratch))
            command = "agentcore-ext " + " ".join(item.args)
            body = f"# {item.title}\n# $ {command}   (exit {code})\n{text.rstrip()}\n"
            (out / f"{item.name}.txt").write_text(body)
            print(f"{out / (item.name + '.txt')}: exit {code}, {len(text.splitlines())} lines")


if __name__ == "__main__":
    main()

"""Red-team issue 21, items 12 and 14: the code scan's cost is bounded, and code it cannot walk is reported as
unresolved, never a crash (exit 1 "this is a bug") nor gigabytes of memory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agentcore_ext.flows.profile import source_reader
from agentcore_ext.judge import scan as scan_module
from agentcore_ext.judge.scan import TOO_DEEP, scan_agent

HAIKU = "us.anthropic.claude-3-5-haiku-20241022-v1:0"


def _concatenation(terms: int) -> str:
    return "MODEL = " + " + ".join(['"a"'] * terms) + "\n"


def test_redteam_14_deep_value_is_unresolved_not_a_crash() -> None:
    # valid Python: resolving the value recursed past Python's limit (exit 1 "this is a bug" before)
    files = {"agent.py": f"from strands import Agent\n{_concatenation(1000)}agent = Agent(model=MODEL)\n"}
    files["agent.py"] += f"other = Agent(model={HAIKU!r})\n"
    found = scan_agent("agent.py", files.get)
    assert {m.id for m in found.models} == {HAIKU}  # the rest of the file is still scanned
    assert "agent.py:3: value too deeply nested to resolve" in found.unresolved


def test_redteam_14_expression_past_the_parser_is_unresolved_not_a_crash() -> None:
    files = {
        "agent.py": f"from strands import Agent\nimport deeper\nagent = Agent(model={HAIKU!r})\n",
        "deeper.py": _concatenation(10000),  # RecursionError in ast construction
    }
    found = scan_agent("agent.py", files.get)
    assert {m.id for m in found.models} == {HAIKU}
    assert f"deeper.py: {TOO_DEEP}" in found.unresolved


def test_redteam_12_total_source_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scan_module, "MAX_TOTAL_CHARS", 1000)
    files = {f"m{i}.py": "X = 1\n" * 100 for i in range(5)}  # 600 characters each
    files["agent.py"] = "".join(f"import m{i}\n" for i in range(5))
    found = scan_agent("agent.py", files.get)
    assert len(found.files) == 2  # agent.py and m0.py fit in 1000 characters; m1..m4 are not parsed
    assert sum("not scanned" in u for u in found.unresolved) == 4


def test_redteam_12_each_real_file_is_read_once(tmp_path: Path) -> None:
    (tmp_path / "real.py").write_text(f"MODEL = {HAIKU!r}\n")
    for i in range(60):
        os.symlink("real.py", tmp_path / f"l{i}.py")
    imports = "".join(f"import l{i}\n" for i in range(60))
    (tmp_path / "agent.py").write_text(f"from strands import Agent\n{imports}agent = Agent(model=l0.MODEL)\n")
    read_count: list[str] = []
    reader = source_reader(tmp_path)

    def counting(rel: str) -> str | None:
        text = reader(rel)
        if text is not None:
            read_count.append(rel)
        return text

    found = scan_agent("agent.py", counting)
    assert read_count == ["agent.py", "l0.py"]  # 59 more links to the same file are not read or parsed again
    assert {m.id for m in found.models} == {HAIKU}

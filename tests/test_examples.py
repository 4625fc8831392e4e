"""The example agents compile, import, and answer /invocations in-process; the team defaults parse."""

from __future__ import annotations

import importlib.util
import inspect
import py_compile
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from agentcore_ext.settings import load_team_defaults

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
AGENTS = [EXAMPLES / "hello_agent" / "hello_agent.py", EXAMPLES / "memory_agent" / "memory_agent.py"]
SESSION_HEADER = "X-Amzn-Bedrock-AgentCore-Runtime-Session-Id"


@pytest.mark.parametrize("path", AGENTS, ids=lambda p: p.stem)
def test_example_agents_compile_and_ship_requirements(path: Path, tmp_path: Path) -> None:
    py_compile.compile(str(path), cfile=str(tmp_path / f"{path.stem}.pyc"), doraise=True)  # no __pycache__ in examples/
    assert "bedrock-agentcore" in (path.parent / "requirements.txt").read_text().split()
    assert (path.parent / "README.md").is_file()


def _load(path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setenv("AWS_REGION", "us-east-1")  # nothing here may need more than a region to import
    monkeypatch.delenv("BEDROCK_AGENTCORE_MEMORY_ID", raising=False)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    spec = importlib.util.spec_from_file_location(f"example_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def client_for() -> Iterator[Any]:
    testclient = pytest.importorskip("starlette.testclient")  # needs httpx; no network either way
    clients: list[Any] = []

    def make(app: Any) -> Any:
        clients.append(testclient.TestClient(app))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_hello_agent_answers_invocations(monkeypatch: pytest.MonkeyPatch, client_for: Any) -> None:
    hello = _load(AGENTS[0], monkeypatch)
    client = client_for(hello.app)
    assert client.get("/ping").status_code == 200
    response = client.post("/invocations", json={"prompt": "team"}, headers={SESSION_HEADER: "s" * 33})
    assert response.status_code == 200
    assert response.json() == {"result": "Hello, team!", "session_id": "s" * 33}


class _FakeMemory:
    """Stands in for MemoryClient; the real signatures are checked separately so that the fake cannot drift."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def get_last_k_turns(self, **kwargs: Any) -> list[list[dict[str, Any]]]:
        return [
            [{"role": "USER", "content": {"text": e["messages"][0][0]}}]
            for e in self.events
            if (e["actor_id"], e["session_id"]) == (kwargs["actor_id"], kwargs["session_id"])
        ]

    def create_event(self, **kwargs: Any) -> dict[str, Any]:
        self.events.append(kwargs)
        return {"eventId": str(len(self.events))}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_memory_agent_records_and_recalls(monkeypatch: pytest.MonkeyPatch, client_for: Any) -> None:
    agent = _load(AGENTS[1], monkeypatch)
    client = client_for(agent.app)
    off = client.post("/invocations", json={"prompt": "hi"}).json()
    assert off["remembered"] == [] and off["memory"].startswith("off")

    fake = _FakeMemory()
    monkeypatch.setattr(agent, "MEMORY_ID", "memory_agent_mem-abc123")
    monkeypatch.setattr(agent, "memory_client", lambda: fake)
    headers = {SESSION_HEADER: "m" * 33}
    client.post("/invocations", json={"prompt": "my name is Ada", "user_id": "ada"}, headers=headers)
    second = client.post("/invocations", json={"prompt": "who am I?", "user_id": "ada"}, headers=headers).json()
    assert second["remembered"] == ["my name is Ada"]
    assert [e["messages"][0] for e in fake.events] == [("my name is Ada", "USER"), ("who am I?", "USER")]

    # The calls the agent makes bind to the installed MemoryClient's real signatures.
    from bedrock_agentcore.memory import MemoryClient

    for name, call in (("create_event", fake.events[0]), ("get_last_k_turns", {"k": 3, **_ids(fake.events[0])})):
        inspect.signature(getattr(MemoryClient, name)).bind(None, **call)


def _ids(event: dict[str, Any]) -> dict[str, Any]:
    return {key: event[key] for key in ("memory_id", "actor_id", "session_id")}


def test_team_pyproject_is_valid_team_defaults() -> None:
    defaults = load_team_defaults(EXAMPLES / "team")
    assert defaults.role_path == "/agentcore/" and defaults.tags == {"team": "agents", "cost-center": "1234"}
    assert "BedrockAgentCore" in defaults.role_name_template
    assert (EXAMPLES / "team" / "Makefile").is_file()

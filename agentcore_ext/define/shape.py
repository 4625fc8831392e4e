"""The agent's shape, decided once per run: deployment type, memory, protocol, ECR repository, memory id, runtime.

Each source states what it knows as facts (define/facts.py); the merge keeps the most deliberate statement. Before
issue 20 the YAML was folded into Settings in five places and validate/policy read only its repository, so a
`direct_code_deploy` agent with `NO_MEMORY` was asked for ECR pulls and memory events. Now every command reads
the shape from here.

Defaults are facts of their own rank, named as such, and only where AgentCore itself applies them: a runtime
serves HTTP unless told otherwise (CreateAgentRuntime's protocolConfiguration default), and an agent configured
with the starter toolkit is a container agent with short-term memory when nothing says otherwise. Memory is never
assumed outside `configure`: an agent has the memory a source says it has (the YAML, a flag, a template, the
deployed runtime, or its code calling the memory API).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from agentcore_ext.define.facts import (
    DEPLOYMENT_TYPE,
    ECR_REPOSITORY,
    MEMORY_MODE,
    PROTOCOL,
    Fact,
    Facts,
    Rank,
)

NO_MEMORY = "NO_MEMORY"
TOOLKIT_MEMORY_DEFAULT = "STM_ONLY"  # _configure_impl.py: memory_mode_value = "STM_ONLY" unless --disable-memory


def configure_defaults(deployment_type: str) -> tuple[Fact, ...]:
    """What `agentcore configure` applies when neither a flag nor the YAML says: short-term memory, and the deployment
    type agentcore-ext passes for a new agent (container: the toolkit's own pick depends on whether uv and zip are
    installed, _configure_impl.py _determine_deployment_config, so a new agent's shape would differ by machine)."""
    source = "default (agentcore configure, new agent)"
    return (
        Fact(DEPLOYMENT_TYPE, deployment_type, source, Rank.DEFAULT),
        Fact(MEMORY_MODE, TOOLKIT_MEMORY_DEFAULT, source, Rank.DEFAULT),
    )


CONFIGURE_DEFAULTS = configure_defaults("container")


def runtime_defaults() -> list[Fact]:
    """AgentCore's own defaults for every runtime: HTTP (CreateAgentRuntime's protocolConfiguration default)."""
    return [Fact(PROTOCOL, "HTTP", "default (AgentCore Runtime serves HTTP unless configured)", Rank.DEFAULT)]


@dataclass(frozen=True)
class Shape:
    """The merged shape. None: no source said (the report lists it in `agent.unresolved`)."""

    facts: Facts

    @property
    def deployment_type(self) -> str | None:
        return self.facts.value(DEPLOYMENT_TYPE)

    @property
    def memory(self) -> bool:
        """Whether a source says the agent has AgentCore memory (its code may still call it: judge/needs.py)."""
        mode = self.facts.value(MEMORY_MODE)
        return mode is not None and mode != NO_MEMORY

    @property
    def protocol(self) -> str:
        return self.facts.value(PROTOCOL) or "HTTP"

    @property
    def ecr_repository(self) -> str | None:
        value = self.facts.value(ECR_REPOSITORY)
        return None if value in (None, "auto") else value

    def decided(self, name: str) -> Fact | None:
        """The fact only when a person decided it (a flag, team defaults, the YAML): what configure may pass on to
        the toolkit without changing the agent behind the user's back."""
        fact = self.facts.get(name)
        return fact if fact is not None and fact.rank >= Rank.YAML else None

    def unresolved(self) -> list[str]:
        """The facts that change a need and that no source gave."""
        out = []
        if self.deployment_type is None:
            out.append(
                "deployment type: not given (pass --deployment-type container|direct_code_deploy, or --template)"
            )
        return out


def merge_shape(*groups: Iterable[Fact]) -> Shape:
    return Shape(Facts.merge(runtime_defaults(), *groups))

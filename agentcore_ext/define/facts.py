"""A fact about the agent, where it was learnt, and how facts from several sources refine each other.

Sources rank from the least to the most deliberate statement of what the agent is (issue 20): the code scan <
the deployed runtime (GetAgentRuntime) < an IaC template < the agent's block in .bedrock_agentcore.yaml < team
defaults < flags. A later source refines an earlier one; a fact no source gave is unknown, never a default.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import IntEnum


class Rank(IntEnum):
    DEFAULT = 0  # the toolkit's own default, only where the toolkit itself applies it (configure)
    SCAN = 1
    DEPLOYED = 2
    TEMPLATE = 3
    YAML = 4
    TEAM = 5
    FLAG = 6


# Fact names that change what the role needs. Environment variables are facts named "env.<KEY>".
DEPLOYMENT_TYPE = "deployment_type"  # container | direct_code_deploy
MEMORY_MODE = "memory_mode"  # NO_MEMORY | STM_ONLY | STM_AND_LTM
MEMORY_ID = "memory_id"
PROTOCOL = "protocol"  # HTTP | MCP | A2A | AGUI
ECR_REPOSITORY = "ecr_repository"  # a repository name or image URI
NETWORK_MODE = "network_mode"
RUNTIME_ARN = "runtime_arn"
EXECUTION_ROLE = "execution_role"
ENV_PREFIX = "env."


@dataclass(frozen=True)
class Fact:
    name: str
    value: str
    source: str  # ".bedrock_agentcore.yaml agents.x.memory.mode", "template Runtime.EnvironmentVariables.X", ...
    rank: Rank = Rank.FLAG

    def to_dict(self) -> dict[str, str]:
        """INTERFACE.md's `agent.facts` entry."""
        return {"fact": self.name, "value": self.value, "source": self.source}


def env_fact(key: str, value: str, source: str, rank: Rank) -> Fact:
    return Fact(ENV_PREFIX + key, value, source, rank)


@dataclass(frozen=True)
class Facts:
    """The merged facts of one run: for each name, the fact of the highest rank (the last given at equal rank)."""

    by_name: Mapping[str, Fact] = field(default_factory=dict)

    @staticmethod
    def merge(*groups: Iterable[Fact]) -> Facts:
        out: dict[str, Fact] = {}
        for fact in (f for group in groups for f in group):
            held = out.get(fact.name)
            if held is None or fact.rank >= held.rank:
                out[fact.name] = fact
        return Facts(out)

    def get(self, name: str) -> Fact | None:
        return self.by_name.get(name)

    def value(self, name: str) -> str | None:
        fact = self.by_name.get(name)
        return fact.value if fact else None

    def env(self) -> dict[str, str]:
        """The environment variables the agent will run with, as far as any source said."""
        return {n.removeprefix(ENV_PREFIX): f.value for n, f in self.by_name.items() if n.startswith(ENV_PREFIX)}

    def __iter__(self) -> Iterator[Fact]:
        return iter(self.by_name.values())

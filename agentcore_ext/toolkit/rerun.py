"""What the starter toolkit's own `configure --non-interactive` changes in an agent it configured before, said before
it runs (issue 20: "what the toolkit itself would change on a rerun is shown in the plan before anything runs").

From the installed toolkit (0.3.14): `_configure_impl.py` passes memory_mode "STM_ONLY" unless --disable-memory, and
`operations/runtime/configure.py` builds a fresh MemoryConfig from it in non-interactive mode, so a long-term memory
mode and a memory id picked at an earlier interactive run are not carried over. Only a prompt keeps them.
"""

from __future__ import annotations

from agentcore_ext.findings import Code, Finding
from agentcore_ext.toolkit.config import AgentConfig


def rerun_changes(config: AgentConfig, *, disable_memory: bool) -> list[Finding]:
    if disable_memory:
        return []  # NO_MEMORY in, NO_MEMORY out
    lost = []
    if config.memory_mode == "STM_AND_LTM":
        lost.append(f"memory.mode STM_AND_LTM becomes STM_ONLY ({config.where('memory.mode')})")
    if config.memory_id:
        lost.append(f"memory id {config.memory_id} is dropped; a new memory is made at launch")
    if not lost:
        return []
    return [
        Finding(
            Code.TOOLKIT_RERUN_CHANGES,
            f"the toolkit's non-interactive configure rewrites agent {config.name}: " + "; ".join(lost),
            "to keep them, run configure at a terminal without --non-interactive and pick the existing memory "
            "at the toolkit's memory prompt",
        )
    ]

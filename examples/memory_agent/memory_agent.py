"""An agent that remembers a conversation with AgentCore Memory (short-term memory: events per session).

`agentcore-ext configure -e memory_agent.py` leaves memory on (the toolkit's default, STM_ONLY), so the execution
role is judged and created with the memory actions on `memory/memory_agent_mem-*`. At `deploy` the toolkit creates
the memory resource and passes its id to the runtime as BEDROCK_AGENTCORE_MEMORY_ID.

Without that variable (e.g. `python memory_agent.py` on a laptop) the agent still answers, but remembers nothing.
"""

import functools
import os

from bedrock_agentcore.memory import MemoryClient
from bedrock_agentcore.runtime import BedrockAgentCoreApp

app = BedrockAgentCoreApp()
MEMORY_ID = os.environ.get("BEDROCK_AGENTCORE_MEMORY_ID")
RECALL_TURNS = 3


@functools.cache
def memory_client() -> MemoryClient:
    # Created on first use, not at import: the runtime's region and credentials are known by then.
    return MemoryClient(region_name=os.environ.get("AWS_REGION"))


def recall(actor_id: str, session_id: str) -> list[str]:
    """The user's prompts from the last few turns of this session."""
    turns = memory_client().get_last_k_turns(
        memory_id=MEMORY_ID, actor_id=actor_id, session_id=session_id, k=RECALL_TURNS
    )
    return [m["content"]["text"] for turn in turns for m in turn if m.get("role") == "USER"]


@app.entrypoint
def invoke(payload, context=None):
    prompt = str(payload.get("prompt", "")) if isinstance(payload, dict) else ""
    actor_id = str(payload.get("user_id", "anonymous")) if isinstance(payload, dict) else "anonymous"
    session_id = getattr(context, "session_id", None) or "local-session"
    if not MEMORY_ID:
        return {"result": f"You said: {prompt}", "remembered": [], "memory": "off (BEDROCK_AGENTCORE_MEMORY_ID unset)"}

    earlier = recall(actor_id, session_id)
    answer = f"You said: {prompt}" + (f" (earlier: {'; '.join(earlier)})" if earlier else "")
    memory_client().create_event(
        memory_id=MEMORY_ID,
        actor_id=actor_id,
        session_id=session_id,
        messages=[(prompt, "USER"), (answer, "ASSISTANT")],
    )
    return {"result": answer, "remembered": earlier, "memory": MEMORY_ID}


if __name__ == "__main__":
    app.run()

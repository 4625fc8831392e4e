"""The smallest AgentCore Runtime agent: GET /ping and POST /invocations on port 8080.

It answers without calling a model, so it runs anywhere (`python hello_agent.py`, then
`curl -s localhost:8080/invocations -d '{"prompt": "world"}'`); swap the body of `invoke` for your framework.
"""

from bedrock_agentcore.runtime import BedrockAgentCoreApp

app = BedrockAgentCoreApp()


@app.entrypoint
def invoke(payload, context=None):
    prompt = payload.get("prompt", "world") if isinstance(payload, dict) else "world"
    session = getattr(context, "session_id", None)
    return {"result": f"Hello, {prompt}!", "session_id": session}


if __name__ == "__main__":
    app.run()

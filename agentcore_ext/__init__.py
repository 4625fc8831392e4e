"""agentcore-ext: a checked `agentcore configure` for Amazon Bedrock AgentCore Runtime."""

__version__ = "0.1.0"

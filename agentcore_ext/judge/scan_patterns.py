"""The names the scanner looks for, and where each comes from. Pure data, read by judge/scan_calls.py.

SDK paths are of bedrock-agentcore 1.25 and bedrock-agentcore-starter-toolkit 0.3.14 as installed here; the
features' IAM needs they imply are in RUNTIME-NEEDS.md.
"""

from __future__ import annotations

import re

from agentcore_ext.state import Feature

# Constructor -> the keywords (first is also positional 0) that carry a Bedrock model id. Strands
# `strands.models.BedrockModel` (the toolkit's create/features/strands/templates/model_provider/bedrock/model/
# load.py.j2), langchain_aws `ChatBedrock` / `ChatBedrockConverse` (.../langchain_langgraph/...), AutoGen
# `AnthropicBedrockChatCompletionClient` (.../autogen/...), pydantic-ai `BedrockConverseModel`.
BEDROCK_MODELS: dict[str, tuple[str, ...]] = {
    "BedrockModel": ("model_id",),
    "ChatBedrock": ("model_id", "model"),
    "ChatBedrockConverse": ("model", "model_id"),
    "AnthropicBedrockChatCompletionClient": ("model",),
    "BedrockConverseModel": ("model_name", "model"),
}
# boto3 bedrock-runtime operations that name a model with modelId (Bedrock Runtime API reference).
RUNTIME_OPS = {"converse", "converse_stream", "invoke_model", "invoke_model_with_response_stream"}
# Non-Bedrock providers by constructor (Strands `strands.models.*`, LangChain, the vendors' own SDKs); dotted keys
# match a call's last two name parts (`google.genai.Client(...)` -> "genai.Client").
PROVIDER_CALLS = {
    "OpenAIModel": "openai",
    "ChatOpenAI": "openai",
    "AzureChatOpenAI": "openai",
    "OpenAIChatCompletionClient": "openai",
    "openai.OpenAI": "openai",
    "openai.AsyncOpenAI": "openai",
    "AnthropicModel": "anthropic",
    "ChatAnthropic": "anthropic",
    "AnthropicChatCompletionClient": "anthropic",
    "anthropic.Anthropic": "anthropic",
    "anthropic.AsyncAnthropic": "anthropic",
    "GeminiModel": "gemini",
    "ChatGoogleGenerativeAI": "gemini",
    "genai.Client": "gemini",
    "OllamaModel": "ollama",
    "ChatOllama": "ollama",
    "MistralModel": "mistral",
    "ChatMistralAI": "mistral",
    "WriterModel": "writer",
    "LlamaAPIModel": "llamaapi",
}
PROVIDER_IMPORTS = {
    "strands.models.openai": "openai",
    "strands.models.anthropic": "anthropic",
    "strands.models.gemini": "gemini",
    "strands.models.ollama": "ollama",
    "strands.models.mistral": "mistral",
    "strands.models.writer": "writer",
    "strands.models.llamaapi": "llamaapi",
    "langchain_openai": "openai",
    "langchain_anthropic": "anthropic",
    "langchain_google_genai": "gemini",
    "langchain_ollama": "ollama",
    "langchain_mistralai": "mistral",
    "openai": "openai",
    "google.genai": "gemini",
    "google.generativeai": "gemini",
    "ollama": "ollama",
    "mistralai": "mistral",
    "writerai": "writer",
    "llama_api_client": "llamaapi",
    "agents": "openai",  # the OpenAI Agents SDK (toolkit create/features/openaiagents), unless a local agents/
}
# LangChain `init_chat_model(model_provider=...)` names -> ours; bedrock ones mean a Bedrock model id.
LANGCHAIN_PROVIDERS = {
    "openai": "openai",
    "azure_openai": "openai",
    "anthropic": "anthropic",
    "google_genai": "gemini",
    "google_vertexai": "gemini",
    "ollama": "ollama",
    "mistralai": "mistral",
}
LANGCHAIN_BEDROCK = ("bedrock", "bedrock_converse")

# AgentCore features by constructor or function -> (feature, keyword whose literal is the detail).
# Memory: bedrock_agentcore/memory/client.py (MemoryClient), memory/session.py (MemorySessionManager),
# memory/integrations/strands/{session_manager,config}.py. Tools: bedrock_agentcore/tools/code_interpreter_client.py
# (CodeInterpreter, code_session(identifier=)), tools/browser_client.py (BrowserClient, browser_session(identifier=));
# strands_tools' AgentCoreCodeInterpreter / AgentCoreBrowser (every toolkit Strands main.py.j2 uses the former).
# Identity: bedrock_agentcore/identity/auth.py (requires_access_token, requires_api_key; provider_name= keyword).
# Gateway with IAM inbound auth: mcp-proxy-for-aws `aws_iam_streamablehttp_client`, the AgentCore samples'
# `SigV4HTTPXAuth` (RUNTIME-NEEDS.md, "Gateway with IAM inbound auth").
FEATURE_CALLS: dict[str, tuple[Feature, str]] = {
    "MemoryClient": (Feature.MEMORY, "memory_id"),
    "MemorySessionManager": (Feature.MEMORY, "memory_id"),
    "AgentCoreMemorySessionManager": (Feature.MEMORY, "memory_id"),
    "AgentCoreMemoryConfig": (Feature.MEMORY, "memory_id"),
    "AgentCoreCodeInterpreter": (Feature.CODE_INTERPRETER, "identifier"),
    "CodeInterpreter": (Feature.CODE_INTERPRETER, "identifier"),
    "code_session": (Feature.CODE_INTERPRETER, "identifier"),
    "AgentCoreBrowser": (Feature.BROWSER, "identifier"),
    "BrowserClient": (Feature.BROWSER, "identifier"),
    "browser_session": (Feature.BROWSER, "identifier"),
    "requires_access_token": (Feature.IDENTITY_OAUTH, "provider_name"),
    "requires_api_key": (Feature.IDENTITY_API_KEY, "provider_name"),
    "aws_iam_streamablehttp_client": (Feature.GATEWAY, "endpoint"),
    "SigV4HTTPXAuth": (Feature.GATEWAY, ""),
}
FEATURE_IMPORTS = {
    "bedrock_agentcore.memory": Feature.MEMORY,
    "bedrock_agentcore.tools.code_interpreter_client": Feature.CODE_INTERPRETER,
    "strands_tools.code_interpreter": Feature.CODE_INTERPRETER,
    "bedrock_agentcore.tools.browser_client": Feature.BROWSER,
    "strands_tools.browser": Feature.BROWSER,
}
GUARDRAIL_KEYWORDS = ("guardrail_id", "guardrailIdentifier")
GUARDRAIL_CONFIGS = ("guardrailConfig", "guardrails", "guardrail_config")
# https://<gatewayId>.gateway.bedrock-agentcore.<region>.amazonaws.com/mcp
GATEWAY_URL = re.compile(r"([a-z0-9][a-z0-9-]*)\.gateway\.bedrock-agentcore\.[a-z0-9-]+\.amazonaws\.com")
GATEWAY_MARK = ".gateway.bedrock-agentcore."


DETAIL_NAMES = {
    Feature.MEMORY: "memory id",
    Feature.CODE_INTERPRETER: "code interpreter identifier",
    Feature.BROWSER: "browser identifier",
    Feature.IDENTITY_OAUTH: "OAuth2 credential provider name",
    Feature.IDENTITY_API_KEY: "API key credential provider name",
}

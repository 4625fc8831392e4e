"""The models one file calls, Bedrock or not, each with its provider. Pure: judge/scan_calls.py hands over each
call and import of the file; the names looked for, and their sources, are in judge/scan_patterns.py.

A Bedrock model whose id the scan cannot decide (an environment variable nobody gave, a computed value) is recorded
with the id "" (judged as some model, judge/needs.py); a Strands `Agent()` or `BedrockModel()` that names no model
calls the default of the strands-agents version installed, recorded with `package_default` (resolved in
flows/profile.py by judge/strands_default.py). A model of another provider needs no Bedrock permission; it is
recorded with that provider so the report names it (INTERFACE.md, 2026-12: `agent.models` names non-Bedrock models).
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from agentcore_ext.judge import scan_patterns as patterns
from agentcore_ext.judge.models import BEDROCK
from agentcore_ext.judge.scan_values import Lit, Unknown, Value, kw, litellm_bedrock_id, loc, looks_bedrock
from agentcore_ext.judge.strands_default import PACKAGE as STRANDS
from agentcore_ext.state import ModelUse

ValuesOf = Callable[[ast.expr], list[Value]]
# The keywords other providers' constructors name their model with (Strands OpenAIModel/AnthropicModel/GeminiModel/
# OllamaModel `model_id`, LangChain ChatOpenAI/ChatAnthropic/ChatGoogleGenerativeAI `model` or `model_name`,
# AutoGen OpenAIChatCompletionClient `model`).
PROVIDER_MODEL_KEYWORDS = ("model_id", "model", "model_name")
# The vendors' own clients: the last two parts of the call -> (provider, the package the file must import).
# anthropic `client.messages.create(model=...)`, openai `client.chat.completions.create` / `client.responses.create`,
# google-genai `client.models.generate_content`.
PROVIDER_APIS = {
    "messages.create": ("anthropic", "anthropic"),
    "messages.stream": ("anthropic", "anthropic"),
    "completions.create": ("openai", "openai"),
    "responses.create": ("openai", "openai"),
    "models.generate_content": ("gemini", "google"),
    "models.generate_content_stream": ("gemini", "google"),
}
# LiteLLM wrappers -> the keyword of their model string: Strands LiteLLMModel, the OpenAI Agents SDK's LitellmModel
# (agents/extensions/models/litellm_model.py), Google ADK's LiteLlm.
LITELLM_MODELS = {"LiteLLMModel": "model_id", "LitellmModel": "model", "LiteLlm": "model"}


def model_id(text: str) -> str:
    """The Bedrock id inside a framework's spelling: LiteLLM "bedrock/converse/<id>", LangChain "bedrock:<id>"."""
    routed = litellm_bedrock_id(text)
    if routed is not None:
        return routed
    for prefix in ("bedrock_converse:", "bedrock:"):
        text = text.removeprefix(prefix)
    return text


def last_two(name: str) -> str:
    """The last two parts of a dotted name, `google.genai.Client` -> `genai.Client`."""
    return ".".join(name.rsplit(".", 2)[-2:])


def _openai_agents(text: str) -> tuple[str, str]:
    """(provider, id) of an OpenAI Agents SDK model name: its MultiProvider routes "litellm/<model>" through
    LiteLLM and "openai/<model>" or a name without a prefix to OpenAI (src/agents/models/multi_provider.py)."""
    if text.startswith("litellm/"):
        routed = litellm_bedrock_id(text.removeprefix("litellm/"))
        return (BEDROCK, routed) if routed is not None else ("litellm", text.removeprefix("litellm/"))
    return "openai", text.removeprefix("openai/")


def _adk(text: str) -> tuple[str, str]:
    """Google ADK's LLMRegistry resolves "gemini-..." to its Gemini class (google/adk/models/google_llm.py
    supported_models); other names to whatever class registered them."""
    return ("gemini" if text.startswith("gemini-") else "google-adk"), text


class ModelTracker:
    """The model calls of one file, recorded into the file's facts (lists shared with the FileScanner)."""

    def __init__(
        self, file: str, values: ValuesOf, models: list[ModelUse], providers: set[str], unresolved: list[str]
    ) -> None:
        self.file = file
        self.values = values
        self.models = models
        self.providers = providers
        self.unresolved = unresolved
        self.names: dict[str, str] = {}  # a name the file imported -> what it is: "Agent" -> "strands.Agent"
        self.tops: set[str] = set()  # the packages it imports from (never its own modules)

    def imported(self, node: ast.Import | ast.ImportFrom) -> None:
        for alias in node.names:
            if isinstance(node, ast.ImportFrom) and node.module:
                self.names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
                self.tops.add(node.module.split(".")[0])
            elif isinstance(node, ast.Import):
                bound = alias.asname or alias.name.split(".")[0]
                self.names[bound] = alias.name if alias.asname else bound
                self.tops.add(alias.name.split(".")[0])

    def _qualified(self, name: str) -> str:
        first, _, rest = name.partition(".")
        base = self.names.get(first)
        return (f"{base}.{rest}" if rest else base) if base else name

    def call(self, call: ast.Call, name: str, last: str) -> None:
        qualified = self._qualified(name) if name else ""
        last = qualified.rpartition(".")[2] or last  # `from agents import Agent as OpenAIAgent`: an Agent
        provider = patterns.PROVIDER_CALLS.get(last) or patterns.PROVIDER_CALLS.get(last_two(name))
        api = PROVIDER_APIS.get(last_two(name)) if name else None
        if last in patterns.BEDROCK_MODELS:
            self._bedrock_model(call, last, qualified)
        elif last in ("Agent", "LlmAgent"):
            self._agent(call, qualified)
        elif last == "init_chat_model":
            self._init_chat_model(call)
        elif last in LITELLM_MODELS:
            self._litellm(kw(call, LITELLM_MODELS[last]))
        elif last in patterns.RUNTIME_OPS and kw(call, "modelId"):
            self._bedrock(kw(call, "modelId"))
        elif name in ("litellm.completion", "litellm.acompletion"):
            self._litellm(kw(call, "model", position=0))
        elif provider:
            self.providers.add(provider)
            self._other(kw(call, *PROVIDER_MODEL_KEYWORDS), lambda text: (provider, text))
        elif api is not None and api[1] in self.tops:
            # The vendor's own client; a Bedrock id here is Anthropic's AnthropicBedrock (or a Bedrock endpoint)
            self._other(kw(call, "model"), lambda text: (BEDROCK, text) if looks_bedrock(text) else (api[0], text))
        elif call.keywords:
            self._generic_litellm(call)

    # --- the frameworks ------------------------------------------------------------------------------------

    def _bedrock_model(self, call: ast.Call, last: str, qualified: str) -> None:
        arg = kw(call, *patterns.BEDROCK_MODELS[last], position=0)
        if arg is not None:
            self._bedrock(arg)
        elif any(k.arg is None for k in call.keywords):
            where = loc(self.file, call)
            self._unknown(where, f"{where}: model id passed in **kwargs (pass --model ID)")
        elif last == "BedrockModel" and qualified.split(".")[0] == "strands":
            self._strands_default(call)

    def _agent(self, call: ast.Call, qualified: str) -> None:
        """Strands `Agent(model)`: a string is a Bedrock model id, None (or nothing) the default BedrockModel()
        (src/strands/agent/agent.py), anything else a model object made elsewhere. The OpenAI Agents SDK and
        Google ADK take a model name of their own providers."""
        top = qualified.split(".")[0]
        if top == "agents":
            self._other(kw(call, "model"), _openai_agents)
        elif qualified.startswith("google.adk."):
            self._other(kw(call, "model"), _adk)
        elif top == "strands":
            arg = kw(call, "model", position=0)
            if arg is None and any(k.arg is None for k in call.keywords):
                self.unresolved.append(f"{loc(self.file, call)}: model passed in **kwargs (pass --model ID)")
            elif arg is None or (isinstance(arg, ast.Constant) and arg.value is None):
                self._strands_default(call)
            else:
                self._bedrock(arg, keep=looks_bedrock, objects=True)
        else:  # an Agent of unknown origin: only what surely is a Bedrock id
            self._bedrock(kw(call, "model"), keep=looks_bedrock, objects=True, unknown=False)

    def _init_chat_model(self, call: ast.Call) -> None:
        """LangChain: init_chat_model("id", model_provider="bedrock_converse") or init_chat_model("bedrock:id")."""
        model = kw(call, "model", position=0)
        provider_arg = kw(call, "model_provider")
        provider = self._first_lit(provider_arg)
        prefixed = self._first_lit(model)
        if provider is None and prefixed and ":" in prefixed.split(".")[0]:
            provider = prefixed.split(":", 1)[0]
        if provider in patterns.LANGCHAIN_BEDROCK:
            self._bedrock(model)
        elif provider in patterns.LANGCHAIN_PROVIDERS:
            ours = patterns.LANGCHAIN_PROVIDERS[provider]
            self.providers.add(ours)
            self._other(model, lambda text: (ours, text.removeprefix(f"{provider}:")))

    def _litellm(self, arg: ast.expr | None) -> None:
        """LiteLLM strings: "bedrock/<id>" is a Bedrock model, anything else another provider through LiteLLM."""
        if arg is None:
            return
        if any(isinstance(v, Lit) and litellm_bedrock_id(v.text) is None for v in self.values(arg)):
            self.providers.add("litellm")
        self._other(arg, lambda text: (BEDROCK, model_id(text)) if litellm_bedrock_id(text) else ("litellm", text))

    def _generic_litellm(self, call: ast.Call) -> None:
        """Any `model=`/`model_id=` literal routed "bedrock/...": CrewAI LLM (toolkit crewai load.py.j2), ADK LiteLlm"""
        arg = kw(call, "model", "model_id")
        for value in self.values(arg) if arg is not None else []:
            if isinstance(value, Lit) and litellm_bedrock_id(value.text) is not None:
                self.models.append(ModelUse(model_id(value.text), value.described))

    # --- recording -----------------------------------------------------------------------------------------

    def _first_lit(self, node: ast.expr | None) -> str | None:
        return next((v.text for v in self.values(node) if isinstance(v, Lit)), None) if node is not None else None

    def _strands_default(self, call: ast.Call) -> None:
        self.models.append(ModelUse("", loc(self.file, call), package_default=STRANDS))

    def _unknown(self, source: str, note: str) -> None:
        self.models.append(ModelUse("", source))
        self.unresolved.append(note)

    def _bedrock(
        self,
        arg: ast.expr | None,
        *,
        keep: Callable[[str], bool] = lambda text: True,
        objects: bool = False,
        unknown: bool = True,
    ) -> None:
        """The Bedrock model ids `arg` may be. `keep` filters literals (Strands Agent(model=...) takes Bedrock ids
        only); `objects`: `arg` may be a model object, so only an environment read or a parameter's default says
        an id; `unknown`: an id the scan cannot decide is an unknown Bedrock model (else only reported)."""
        if arg is None:
            return
        for value in self.values(arg):
            if isinstance(value, Lit):
                if keep(value.text):
                    self.models.append(ModelUse(model_id(value.text), value.described))
                continue
            if objects and not value.env and value.default is None:
                continue
            said = f"{value.source}: model id {value.what}"
            if value.default is not None and looks_bedrock(model_id(value.default.text)):
                self.unresolved.append(said)
                source = f"{value.source} (default of {value.default_of})"
                self.models.append(ModelUse(model_id(value.default.text), source))
            elif unknown and (value.env or not objects):
                # judged as some model (judge/needs.py); an environment read's note already names --env
                self._unknown(value.source, said if value.env else f"{said} (pass --model ID)")
            else:
                self.unresolved.append(said)

    def _other(self, arg: ast.expr | None, which: Callable[[str], tuple[str, str]]) -> None:
        """The model names `arg` may be, each with the provider `which` says serves it (a literal, or the literal
        default of a parameter or environment read); nothing the scan cannot decide changes a need here."""
        for value in self.values(arg) if arg is not None else []:
            lit, source = value, value.described if isinstance(value, Lit) else ""
            if isinstance(value, Unknown):
                if value.default is None:
                    continue
                lit, source = value.default, f"{value.source} (default of {value.default_of})"
            assert isinstance(lit, Lit)
            provider, ident = which(lit.text)
            if ident:
                self.models.append(ModelUse(model_id(ident) if provider == BEDROCK else ident, source, provider))

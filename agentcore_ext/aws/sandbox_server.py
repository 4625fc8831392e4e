"""The sandbox's HTTP server: moto's WSGI app, plus what `agentcore deploy` needs from an emulator.

- Calls moto does not implement come back as HTTP 500 (an HTML page); the toolkit then fails with a retry message
  that names no service. The server remembers each such call (service and operation) and lists them at
  UNSUPPORTED_PATH, so that `agentcore-ext deploy --sandbox` can say which call the emulator could not answer.
- The persistent sandbox's server proves who it is at PROOF_PATH: it answers a nonce with an HMAC keyed by the
  daemon's token (which only its state file holds), so a client never trusts whatever else listens on the port.
- AgentCore creates a runtime's DEFAULT endpoint with the runtime; moto does not, and the toolkit's deploy would
  then wait 120 s for it. The server adds it (a wrapper on moto's backend method, skipped if moto changes).

Imports moto: load it only where a sandbox starts.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import json
import os
import re
import threading
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any

UNSUPPORTED_PATH = "/agentcore-ext/unsupported"
PROOF_PATH = "/agentcore-ext/proof"
DEFAULT_ENDPOINT = "DEFAULT"
_SCOPE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/")
_ACTION = re.compile(r"(?:^|&)Action=([A-Za-z]+)")

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def operation_of(environ: dict[str, Any]) -> str:
    """`service Operation` of a request, as far as its headers tell (X-Amz-Target, Action=, else method and path)."""
    scope = _SCOPE.search(str(environ.get("HTTP_AUTHORIZATION", "")))
    service = scope.group(1) if scope else "unknown-service"
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    if target:
        return f"{service} {target.rsplit('.', 1)[-1]}"
    action = _ACTION.search(str(environ.get("QUERY_STRING", ""))) or _ACTION.search(_form_body(environ))
    if action:
        return f"{service} {action.group(1)}"
    # REST APIs (AgentCore): the method and the path, an ARN or id in it shown as {id} so the message stays short
    parts = [
        "{id}" if ":" in part or len(part) > 24 else part for part in str(environ.get("PATH_INFO", "/")).split("/")
    ]
    path = "/".join(p for i, p in enumerate(parts) if not (p == "{id}" and i and parts[i - 1] == "{id}"))
    return f"{service} {environ.get('REQUEST_METHOD', '?')} {path}"


def _form_body(environ: dict[str, Any]) -> str:
    """A query-protocol POST's form body (IAM, STS), read and put back so that moto still reads all of it."""
    if not str(environ.get("CONTENT_TYPE", "")).startswith("application/x-www-form-urlencoded"):
        return ""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return ""
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body.decode(errors="replace")


def proof(token: str, nonce: str, pid: int) -> str:
    """What the server holding token answers to nonce: binds the answer to the nonce and to the server's pid."""
    return hmac.new(token.encode(), f"{nonce}:{pid}".encode(), hashlib.sha256).hexdigest()


def _json(start_response: StartResponse, data: dict[str, Any]) -> list[bytes]:
    body = json.dumps(data).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


class Recorder:
    """A WSGI wrapper that remembers the calls the app answered with HTTP 500 and serves their list.

    With a token (the persistent sandbox) it also answers PROOF_PATH?nonce=N with {"pid", "proof"}.
    """

    def __init__(self, app: WsgiApp, token: str | None = None) -> None:
        self._app = app
        self._token = token
        self._lock = threading.Lock()
        self.unsupported: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == UNSUPPORTED_PATH:
            with self._lock:
                return _json(start_response, {"unsupported": list(self.unsupported)})
        if environ.get("PATH_INFO") == PROOF_PATH and self._token:
            nonce = urllib.parse.parse_qs(str(environ.get("QUERY_STRING", ""))).get("nonce", [""])[0][:128]
            return _json(start_response, {"pid": os.getpid(), "proof": proof(self._token, nonce, os.getpid())})

        operation = operation_of(environ)  # before the app reads the body

        def recording(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            if status.startswith("500"):
                self._record(operation)
            return start_response(status, headers, *rest)

        try:
            return self._app(environ, recording)
        except Exception:  # moto's NotImplementedError escapes its app; werkzeug answers it with a 500
            self._record(operation)
            raise

    def _record(self, operation: str) -> None:
        with self._lock:
            self.unsupported.append(operation)


def _add_default_endpoints() -> None:
    """CreateAgentRuntime also creates the DEFAULT endpoint, as AgentCore does (moto 5.2 leaves it out)."""
    try:
        from moto.bedrockagentcorecontrol.models import BedrockAgentCoreControlBackend
    except ImportError:  # an older moto without AgentCore: nothing to add
        return
    original = getattr(BedrockAgentCoreControlBackend, "create_agent_runtime", None)
    if original is None or getattr(original, "_agentcore_ext", False):
        return

    def create_agent_runtime(self: Any, *args: Any, **kwargs: Any) -> Any:
        runtime = original(self, *args, **kwargs)
        # Should moto's internals move, the toolkit waits for the endpoint (120 s): nothing worse.
        with contextlib.suppress(Exception):
            self.create_agent_runtime_endpoint(runtime.agent_runtime_id, DEFAULT_ENDPOINT, None, None, None)
        return runtime

    create_agent_runtime._agentcore_ext = True  # type: ignore[attr-defined]
    BedrockAgentCoreControlBackend.create_agent_runtime = create_agent_runtime  # type: ignore[method-assign]


class SandboxServer:
    """moto's server app behind the Recorder, on a werkzeug server in a daemon thread (like ThreadedMotoServer)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, token: str | None = None) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
        from werkzeug.serving import make_server

        _add_default_endpoints()
        self.recorder = Recorder(DomainDispatcherApplication(create_backend_app), token)
        self._server = make_server(host, port, self.recorder, threaded=True, request_handler=MotoRequestHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def host_and_port(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join()


def local_json(url: str) -> Any:
    """GET a JSON document from the sandbox, never through a proxy (HTTP_PROXY must not see 127.0.0.1's calls).

    Raises OSError or ValueError when there is no answer or no JSON.
    """
    import urllib.request

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=2) as response:
        return json.loads(response.read())


def unsupported_calls(endpoint_url: str) -> list[str]:
    """The calls a running sandbox could not answer so far; [] when it cannot tell."""
    try:
        data = local_json(f"{endpoint_url}{UNSUPPORTED_PATH}")
    except (OSError, ValueError):
        return []
    calls = data.get("unsupported") if isinstance(data, dict) else None
    return [str(c) for c in calls] if isinstance(calls, list) else []

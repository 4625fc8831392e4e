"""The sandbox server's record of calls moto cannot answer, named the way the user's error message shows them."""

from __future__ import annotations

import io
import json
from typing import Any

from agentcore_ext.aws.sandbox_server import UNSUPPORTED_PATH, Recorder, operation_of
from agentcore_ext.flows.sandbox import emulator_stop

AUTH = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host"


def _environ(service: str, **extra: Any) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": AUTH.format(service=service), "REQUEST_METHOD": "POST", "PATH_INFO": "/", **extra}


def test_operations_are_named_from_target_form_body_or_rest_path() -> None:
    assert operation_of(_environ("codebuild", HTTP_X_AMZ_TARGET="CodeBuild_20161006.UpdateProject")) == (
        "codebuild UpdateProject"
    )
    body = b"Action=SimulatePrincipalPolicy&Version=2010-05-08"
    environ = _environ(
        "iam",
        CONTENT_TYPE="application/x-www-form-urlencoded; charset=utf-8",
        CONTENT_LENGTH=str(len(body)),
        **{"wsgi.input": io.BytesIO(body)},
    )
    assert operation_of(environ) == "iam SimulatePrincipalPolicy"
    assert environ["wsgi.input"].read() == body  # moto still reads the whole body
    rest = _environ("bedrock-agentcore", PATH_INFO="/runtimes/arn:aws:bedrock-agentcore:r:1:agent/x:1/invocations")
    assert operation_of(rest) == "bedrock-agentcore POST /runtimes/{id}/invocations"


def test_the_recorder_lists_what_was_answered_with_500() -> None:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("500 INTERNAL SERVER ERROR", [])
        return [b"<html>"]

    recorder = Recorder(app)
    recorder(_environ("codebuild", HTTP_X_AMZ_TARGET="CodeBuild_20161006.UpdateProject"), lambda *a: None)
    answered: list[str] = []
    body = recorder({"PATH_INFO": UNSUPPORTED_PATH}, lambda status, headers: answered.append(status))
    assert answered == ["200 OK"] and b'"codebuild UpdateProject"' in b"".join(body)


def test_a_failed_toolkit_run_names_the_call_exit_6() -> None:
    stop = emulator_stop(["deploy"], 1, ["codebuild UpdateProject", "codebuild UpdateProject"])
    assert stop is not None and stop.exit_code == 6
    assert "agentcore deploy stopped in the sandbox at codebuild UpdateProject:" in stop.message
    assert "agentcore-ext sandbox start" in stop.hint
    assert emulator_stop(["deploy"], 0, ["codebuild UpdateProject"]) is None  # it succeeded anyway
    assert emulator_stop(["deploy"], 1, []) is None  # failed for another reason: the toolkit's message stands


def test_the_recorder_proves_its_token_bound_to_nonce_and_pid() -> None:
    import os

    from agentcore_ext.aws.sandbox_server import PROOF_PATH, proof

    passed: list[str] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        passed.append(environ["PATH_INFO"])
        start_response("404 NOT FOUND", [])
        return [b""]

    def ask(recorder: Recorder) -> bytes:
        return b"".join(recorder({"PATH_INFO": PROOF_PATH, "QUERY_STRING": "nonce=n1"}, lambda *a: None))

    answer = json.loads(ask(Recorder(app, "t" * 32)))
    assert answer == {"pid": os.getpid(), "proof": proof("t" * 32, "n1", os.getpid())}
    assert answer["proof"] not in (proof("t" * 32, "n2", os.getpid()), proof("u" * 32, "n1", os.getpid()))
    assert ask(Recorder(app)) == b"" and passed == [PROOF_PATH]  # no token (an ephemeral sandbox): moto's path

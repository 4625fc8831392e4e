"""The gateway's error mapping: botocore's exceptions in, domain errors (message, hint, exit code) out.

Part of the gateway: with gateway.py, the only modules that import botocore. The pure part, what an AWS error code
means, is `shapes.client_error`.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import botocore.exceptions as bex
from botocore.parsers import ResponseParserError

from agentcore_ext.aws import redact
from agentcore_ext.aws.shapes import THROTTLING_CODES, SimulatorUnavailable, client_error
from agentcore_ext.errors import EXIT_USAGE, AwsError, UsageError, no_region

RESPONSE_LOST = "ResponseLost"  # the request was sent but its answer never came: it may or may not have happened
CONNECTION_CODES = frozenset({"EndpointConnectionError", RESPONSE_LOST})


def unknown_profile(profile: str | None) -> UsageError:
    source = "" if profile is None else f" (from {_profile_source(profile)})"
    return UsageError(
        f"AWS profile {profile!r}{source} not found",
        "list profiles with `aws configure list-profiles`; create one with `aws configure --profile NAME` "
        "or `aws configure sso`",
    )


def _profile_source(profile: str) -> str:
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        if os.environ.get(name) == profile:
            return name
    return "--profile"


def _config_file() -> str:
    return os.environ.get("AWS_CONFIG_FILE") or "~/.aws/config"


def _bad_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme not in ("http", "https") or not parts.hostname


def _bad_int(value: str) -> bool:
    return not (value.isascii() and value.isdigit() and int(value) >= 1)


# Environment variables boto3 reads while building a session or client, and what a valid value looks like.
_ENV_RULES: tuple[tuple[str, Callable[[str], bool], str], ...] = (
    ("AWS_ENDPOINT_URL", _bad_url, "a URL such as https://iam.amazonaws.com or http://127.0.0.1:5000"),
    ("AWS_ENDPOINT_URL_IAM", _bad_url, "a URL such as https://iam.amazonaws.com"),
    ("AWS_ENDPOINT_URL_STS", _bad_url, "a URL such as https://sts.us-east-1.amazonaws.com"),
    ("AWS_MAX_ATTEMPTS", _bad_int, "a whole number of at least 1, e.g. 3"),
    ("AWS_RETRY_MODE", lambda v: v not in ("legacy", "standard", "adaptive"), "legacy, standard or adaptive"),
    ("AWS_STS_REGIONAL_ENDPOINTS", lambda v: v not in ("legacy", "regional"), "legacy or regional"),
)


def environment_error(exc: Exception) -> UsageError:
    """A session or client boto3 could not build: name the variable (or the config file) that holds a bad value."""
    for name, bad, expected in _ENV_RULES:
        value = os.environ.get(name)
        if value is not None and bad(value):
            return UsageError(
                f"environment variable {name} has an invalid value {redact.redact(value)!r}",
                f"set {name} to {expected}, or unset it",
            )
    endpoint = next((n for n, _, _ in _ENV_RULES[:3] if os.environ.get(n)), None)
    if endpoint and str(exc).startswith("Invalid endpoint"):
        return UsageError(
            f"environment variable {endpoint} has an invalid value {redact.redact(os.environ[endpoint])!r}",
            f"set {endpoint} to {_ENV_RULES[0][2]}, or unset it",
        )
    if isinstance(exc, bex.ConfigParseError):
        path = str(exc.kwargs.get("path") or _config_file())
        where = " (AWS_CONFIG_FILE)" if os.environ.get("AWS_CONFIG_FILE") else ""
        return UsageError(
            f"the AWS config file {path}{where} cannot be parsed",
            "fix its syntax ([profile NAME] sections with key = value lines), or point AWS_CONFIG_FILE elsewhere",
        )
    return UsageError(
        f"the AWS configuration is invalid: {redact.redact(str(exc))}",
        f"check the AWS_* environment variables and the profile's settings in {_config_file()}",
    )


@contextmanager
def setup_errors() -> Iterator[None]:
    """Building a boto3 session or client: bad environment or config files are usage errors (exit 2), named."""
    try:
        yield
    except bex.ProfileNotFound as exc:
        raise unknown_profile(str(exc.kwargs.get("profile"))) from exc
    except (bex.NoRegionError, bex.NoCredentialsError, bex.PartialCredentialsError):
        raise  # mapped_errors words these
    except (ValueError, bex.BotoCoreError) as exc:
        raise environment_error(exc) from exc


def login_hint(profile: str | None) -> str:
    profile_flag = f" --profile {shlex.quote(profile)}" if profile else ""  # pasted into a shell: quoted
    return f"refresh your credentials: `aws sso login{profile_flag}` (or renew the keys in your environment)"


@contextmanager
def mapped_errors(operation: str, profile: str | None) -> Iterator[None]:
    """Turn the botocore errors of the block into domain errors; profile goes into the hints to log in again."""
    try:
        yield
    except bex.ClientError as exc:
        raise _client_error(exc, operation, profile) from exc
    except bex.NoRegionError as exc:
        raise no_region() from exc
    except (bex.NoCredentialsError, bex.PartialCredentialsError) as exc:
        raise AwsError(
            "no AWS credentials found",
            "run `aws configure`, or `aws sso login --profile NAME` and pass --profile NAME",
            code="NoCredentials",
            operation=operation,
            exit_code=EXIT_USAGE,
        ) from exc
    except (bex.SSOError, bex.TokenRetrievalError, bex.CredentialRetrievalError) as exc:
        raise AwsError(
            f"your AWS credentials could not be loaded: {exc}",
            login_hint(profile),
            code="CredentialsUnavailable",
            operation=operation,
            exit_code=EXIT_USAGE,
        ) from exc
    except bex.ConnectionError as exc:  # no connection: the request never reached AWS
        url = redact.redact(str(exc.kwargs.get("endpoint_url", "?")))
        raise AwsError(
            f"cannot reach AWS endpoint {url} ({operation})",
            "check your network and proxy settings, and AWS_ENDPOINT_URL if you set it",
            code="EndpointConnectionError",
            operation=operation,
        ) from exc
    except bex.HTTPClientError as exc:  # sent, then the connection broke or timed out: AWS may have acted on it
        url = redact.redact(str(exc.kwargs.get("endpoint_url", "?")))
        raise AwsError(
            f"the answer of AWS endpoint {url} to {operation} was lost (the connection broke or timed out)",
            "check your network and proxy settings, and AWS_ENDPOINT_URL if you set it",
            code=RESPONSE_LOST,
            operation=operation,
        ) from exc
    except bex.ParamValidationError as exc:
        raise UsageError(
            f"AWS would reject the request {operation}: {exc}", "check the names and values given"
        ) from exc


def _client_error(exc: bex.ClientError, operation: str, profile: str | None) -> AwsError:
    error = exc.response.get("Error", {})
    attempts = exc.response.get("ResponseMetadata", {}).get("RetryAttempts", 0) + 1
    code, message = str(error.get("Code", "Unknown")), str(error.get("Message", "")) or str(exc)
    return client_error(code, message, operation, attempts=attempts, login_hint=login_hint(profile))


@contextmanager
def simulator_errors(operation: str, profile: str | None) -> Iterator[None]:
    """mapped_errors for the policy simulator: SimulatorUnavailable instead of burning retries on it.

    Errors the run cannot go on after anyway (credentials, throttling, no connection) keep their real cause.
    """
    try:
        with mapped_errors(operation, profile):
            yield
    # moto: NotImplementedError under mock_aws, an HTML 500 page as a server; neither is worth a retry.
    except (NotImplementedError, ResponseParserError) as exc:
        raise SimulatorUnavailable(
            "the IAM policy simulator is not available at this endpoint", code="NotImplemented", operation=operation
        ) from exc
    except AwsError as exc:
        if exc.exit_code == EXIT_USAGE or exc.code in THROTTLING_CODES or exc.code in CONNECTION_CODES:
            raise  # the run cannot go on anyway: report the real cause
        raise SimulatorUnavailable(exc.message, exc.hint, code=exc.code, operation=operation) from exc

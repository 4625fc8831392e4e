"""The gateway's error mapping: botocore's exceptions in, domain errors (message, hint, exit code) out.

Part of the gateway: with gateway.py, the only modules that import botocore. The pure part, what an AWS error code
means, is `shapes.client_error`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import botocore.exceptions as bex
from botocore.parsers import ResponseParserError

from agentcore_ext.aws.shapes import THROTTLING_CODES, SimulatorUnavailable, client_error
from agentcore_ext.errors import EXIT_USAGE, AwsError, UsageError, no_region


def unknown_profile(profile: str | None) -> UsageError:
    return UsageError(
        f"AWS profile {profile!r} not found",
        "list profiles with `aws configure list-profiles`; create one with `aws configure --profile NAME` "
        "or `aws configure sso`",
    )


def login_hint(profile: str | None) -> str:
    profile_flag = f" --profile {profile}" if profile else ""
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
    except (bex.ConnectionError, bex.HTTPClientError) as exc:
        url = exc.kwargs.get("endpoint_url", "?")
        raise AwsError(
            f"cannot reach AWS endpoint {url} ({operation})",
            "check your network and proxy settings, and AWS_ENDPOINT_URL if you set it",
            code="EndpointConnectionError",
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
        if exc.exit_code == EXIT_USAGE or exc.code in THROTTLING_CODES or exc.code == "EndpointConnectionError":
            raise  # the run cannot go on anyway: report the real cause
        raise SimulatorUnavailable(exc.message, exc.hint, code=exc.code, operation=operation) from exc

"""Error types that carry what went wrong, how to fix it, and the exit code of INTERFACE.md."""

from __future__ import annotations

EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_CHECKS_FAILED = 3
EXIT_AWS_CHANGE_FAILED = 4
EXIT_TOOLKIT_MISSING = 5
EXIT_TOOLKIT_FAILED = 6
EXIT_INTERRUPTED = 130


class AgentCoreExtError(Exception):
    """Base for every error a user can cause; the CLI turns it into a message, a hint and an exit code."""

    exit_code: int = EXIT_INTERNAL

    def __init__(self, message: str, hint: str = "", *, exit_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        if exit_code is not None:
            self.exit_code = exit_code


class UsageError(AgentCoreExtError):
    """Bad flag, bad value, file not found (exit 2)."""

    exit_code = EXIT_USAGE


class ChecksFailed(AgentCoreExtError):
    """An error finding blocks; nothing was changed (exit 3)."""

    exit_code = EXIT_CHECKS_FAILED


class AwsError(AgentCoreExtError):
    """AWS refused or failed. Exit 4 when it happened during changes; the gateway sets `code`."""

    exit_code = EXIT_AWS_CHANGE_FAILED

    def __init__(
        self,
        message: str,
        hint: str = "",
        *,
        code: str = "",
        operation: str = "",
        exit_code: int | None = None,
    ) -> None:
        super().__init__(message, hint, exit_code=exit_code)
        self.code = code
        self.operation = operation


class ToolkitError(AgentCoreExtError):
    """The starter toolkit is missing or unusable (exit 5)."""

    exit_code = EXIT_TOOLKIT_MISSING


class Interrupted(AgentCoreExtError):
    """Ctrl-C or Ctrl-D at a prompt (exit 130); the message says what was (not) changed."""

    exit_code = EXIT_INTERRUPTED


def no_region() -> UsageError:
    """The one "no region" error: every command that needs a region and finds none says this."""
    return UsageError(
        "no AWS region configured", "pass --region us-east-1, set AWS_REGION, or set a region in your AWS profile"
    )

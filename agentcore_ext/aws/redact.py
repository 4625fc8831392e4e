"""Keep credentials out of logs: a logging filter for the SDK's own DEBUG output.

The tool never prints credentials, but botocore's DEBUG wire log (enabled by a user's logging config or a
debugger) writes request headers (X-Amz-Security-Token) and response bodies (CreateAccessKey's
SecretAccessKey). This filter rewrites such records before any handler sees them.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import boto3

# A password in a URL's userinfo (`http://user:PASS@host`, e.g. a proxy or an AWS_ENDPOINT_URL); the user part
# goes too, as it is often a token itself.
_URL_USERINFO = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://)[^\s/@]+@")
# Access key ids (long-term AKIA, temporary ASIA): not secret on their own, but they identify the key to attack.
_ACCESS_KEY_ID = re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")
_PATTERNS = (
    re.compile(r"(X-Amz-Security-Token['\"]?\s*[:=]\s*b?['\"]?)[^'\",}\s]+", re.IGNORECASE),
    re.compile(r"(<(?:SecretAccessKey|SessionToken)>)[^<]+", re.IGNORECASE),
    re.compile(
        r"(['\"]?(?:SecretAccessKey|SessionToken|aws_secret_access_key|aws_session_token)['\"]?\s*[:=]\s*b?['\"])"
        r"[^'\"]+",
        re.IGNORECASE,
    ),
)
_LOGGERS = (
    "botocore",
    "boto3",
    "urllib3",
    "botocore.endpoint",
    "botocore.parsers",
    "botocore.auth",
    "botocore.hooks",
    "botocore.httpsession",
    "botocore.credentials",
    "botocore.retryhandler",
    "urllib3.connectionpool",
)
MASK = "****"


def redact(text: str, secrets: frozenset[str] = frozenset()) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    text = _URL_USERINFO.sub(lambda m: f"{m.group('head')}{MASK}@", text)
    return _ACCESS_KEY_ID.sub(lambda m: m.group(1) + MASK, text)


class RedactingFilter(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.secrets: frozenset[str] = frozenset()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record that cannot format itself is left to logging's own error handling
            return True
        cleaned = redact(message, self.secrets)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


_FILTER = RedactingFilter()


def install(*secrets: str | None) -> None:
    """Attach the filter to the SDK's loggers (idempotent) and remember these exact values to mask."""
    _FILTER.secrets = _FILTER.secrets | {s for s in secrets if s}
    names = set(_LOGGERS) | {
        name for name in logging.Logger.manager.loggerDict if name.startswith(("botocore", "boto3", "urllib3"))
    }
    for name in names:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def install_for_session(session: boto3.Session) -> None:
    """Mask this run's secret key and session token in the SDK's own (DEBUG) logs, should anyone enable them."""
    try:
        creds = session.get_credentials()
        install(creds.secret_key if creds else None, creds.token if creds else None)
    except Exception:  # resolving credentials fails later with a proper message; masking by pattern still applies
        install()

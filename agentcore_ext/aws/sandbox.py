"""The embedded local AWS behind `--sandbox` and `make demo`: a moto server on 127.0.0.1 with a seeded demo account.

The demo caller is an IAM user with what a typical developer gets: a mirror of the AWS managed policy
BedrockAgentCoreFullAccess (whose PassRole statement only matches roles named `*BedrockAgentCore*`) plus the
role-management permissions that `agentcore-ext policy caller` asks administrators for. moto itself never
enforces PassRole or conditions, so these policies matter to agentcore-ext's own checks, which read and judge them
exactly as they would in a real account.

Seeding talks to the server over HTTP with boto3 (imported lazily) rather than through moto's in-process backends,
whose layout is internal to moto.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentcore_ext.aws.sandbox_policies import DEMO_ACCOUNT, deploy_document
from agentcore_ext.process_env import patched_environ

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

DEVELOPER_USER = "agentcore-developer"
DEVELOPER_PATH = "/developers/"
FULL_ACCESS_POLICY = "BedrockAgentCoreFullAccess-sandbox"
ROLE_MANAGEMENT_POLICY = "agentcore-ext-role-management"
DEPLOY_POLICY = "agentcore-deploy"
BOUNDARY_POLICY = "AgentCoreExecutionBoundary"  # the permissions boundary examples/team/pyproject.toml names
BOUNDARY_DOCUMENT: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AgentCoreRuntimeCeiling",
            "Effect": "Allow",
            "Action": ["bedrock:*", "bedrock-agentcore:*", "logs:*", "xray:*", "cloudwatch:*", "ecr:*", "s3:*"],
            "Resource": "*",
        }
    ],
}
# The toolkit's endpoint overrides (utils/endpoints.py reads them once, at import).
TOOLKIT_CONTROL_PLANE_ENV = "BEDROCK_AGENTCORE_CP_ENDPOINT"
TOOLKIT_DATA_PLANE_ENV = "BEDROCK_AGENTCORE_DP_ENDPOINT"
BANNER = "SANDBOX: every AWS call went to a local moto server at {url}; nothing touched AWS."

# Variables that could send a call elsewhere or pick other credentials than the demo developer's: a profile,
# a session token pairing with our key, per-service endpoints (they beat AWS_ENDPOINT_URL), or a switch that
# ignores configured endpoints. The sandbox removes them for its lifetime.
_UNSET = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
)

# A mirror of the AWS managed policy BedrockAgentCoreFullAccess (v2, September 2025), kept to the statements
# that bear on configure and deploy. The PassRole statement is the one that matters to agentcore-ext.
FULL_ACCESS_DOCUMENT: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "BedrockAgentCoreFullAccess",
            "Effect": "Allow",
            "Action": ["bedrock-agentcore:*"],
            "Resource": "arn:aws:bedrock-agentcore:*:*:*",
        },
        {
            "Sid": "IAMListAccess",
            "Effect": "Allow",
            "Action": [
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:ListAttachedRolePolicies",
                "iam:ListRolePolicies",
                "iam:ListRoles",
            ],
            "Resource": "arn:aws:iam::*:role/*",
        },
        {
            "Sid": "BedrockAgentCorePassRoleAccess",
            "Effect": "Allow",
            "Action": "iam:PassRole",
            "Resource": "arn:aws:iam::*:role/*BedrockAgentCore*",
            "Condition": {"StringEquals": {"iam:PassedToService": "bedrock-agentcore.amazonaws.com"}},
        },
        {
            "Sid": "SecretsManagerAccess",
            "Effect": "Allow",
            "Action": [
                "secretsmanager:CreateSecret",
                "secretsmanager:PutSecretValue",
                "secretsmanager:GetSecretValue",
                "secretsmanager:DeleteSecret",
            ],
            "Resource": "arn:aws:secretsmanager:*:*:secret:bedrock-agentcore*",
        },
        {
            "Sid": "LogsAndTracesReadAccess",
            "Effect": "Allow",
            "Action": [
                "logs:DescribeLogGroups",
                "logs:DescribeLogStreams",
                "logs:GetLogEvents",
                "logs:FilterLogEvents",
                "logs:StartQuery",
                "logs:GetQueryResults",
                "xray:GetTraceSummaries",
                "xray:BatchGetTraces",
                "cloudwatch:GetMetricData",
            ],
            "Resource": "*",
        },
        {
            "Sid": "ServiceLinkedRoles",
            "Effect": "Allow",
            "Action": "iam:CreateServiceLinkedRole",
            "Resource": "arn:aws:iam::*:role/aws-service-role/*bedrock-agentcore.amazonaws.com/*",
            "Condition": {"StringLike": {"iam:AWSServiceName": "*bedrock-agentcore.amazonaws.com"}},
        },
    ],
}


def role_management_document(account: str = DEMO_ACCOUNT) -> dict[str, Any]:
    """The role-management and read permissions of `agentcore-ext policy caller`, for the demo developer."""
    from agentcore_ext.judge.caller_policy import CallerScope, caller_document

    return caller_document(CallerScope(account))


def _isolation_changes() -> dict[str, str | None]:
    """Environment changes that cut the SDK off from the user's own AWS configuration (None removes a key)."""
    changes: dict[str, str | None] = dict.fromkeys(_UNSET)
    changes.update(dict.fromkeys(key for key in os.environ if key.startswith("AWS_ENDPOINT_URL_")))
    no_proxy = os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or ""
    local = ",".join(x for x in (no_proxy, "127.0.0.1", "localhost") if x)
    changes.update(
        {
            # Shared config could set per-service endpoints or ignore_configured_endpoint_urls: read none.
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            # An HTTP(S)_PROXY must not carry calls to 127.0.0.1 off the machine.
            "NO_PROXY": local,
            "no_proxy": local,
        }
    )
    return changes


@dataclass(frozen=True)
class Sandbox:
    """A running sandbox. repr() leaves the secret key out, so logging the object never leaks it."""

    endpoint_url: str
    region: str
    account: str
    user_arn: str
    access_key_id: str
    secret_access_key: str = field(repr=False)

    @property
    def banner(self) -> str:
        return BANNER.format(url=self.endpoint_url)

    def env(self) -> dict[str, str | None]:
        """Environment changes that point every AWS SDK call (the toolkit's too) at the sandbox as the developer.

        A None value means "remove this variable"; pass the mapping to `activate()`, to `toolkit.run_toolkit(env=)`
        or use `child_env()` for a subprocess.
        """
        changes = _isolation_changes()
        changes.update(
            {
                "AWS_ENDPOINT_URL": self.endpoint_url,
                "AWS_ACCESS_KEY_ID": self.access_key_id,
                "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
                "AWS_REGION": self.region,
                "AWS_DEFAULT_REGION": self.region,
                # The toolkit builds its AgentCore clients with an explicit endpoint_url (AWS_ENDPOINT_URL does
                # not reach them): without these its runtime calls would go to the real AgentCore endpoints.
                TOOLKIT_CONTROL_PLANE_ENV: self.endpoint_url,
                TOOLKIT_DATA_PLANE_ENV: self.endpoint_url,
            }
        )
        return changes

    def child_env(self, base: Mapping[str, str] | None = None) -> dict[str, str]:
        """A complete environment for a subprocess: base (default os.environ) with env() applied."""
        result = dict(os.environ if base is None else base)
        for key, value in self.env().items():
            if value is None:
                result.pop(key, None)
            else:
                result[key] = value
        return result

    def activate(self) -> contextlib.AbstractContextManager[None]:
        """Patch os.environ with env() for a block; the previous environment comes back afterwards."""
        return patched_environ(self.env())


def _iam_client(endpoint_url: str, region: str) -> IAMClient:
    import boto3  # lazy: only sandbox runs pay for it here

    from agentcore_ext.aws.gateway import Gateway

    # moto maps any unknown key to its default account's root: the identity that seeds the demo account. The
    # seeding calls (users, keys) are no gateway operation of the tool, so the gateway's client is used directly.
    session = boto3.session.Session(aws_access_key_id="sandbox-seed", aws_secret_access_key="sandbox-seed")
    return Gateway(session=session, region=region, endpoint_url=endpoint_url).iam


def _seed(endpoint_url: str, region: str) -> tuple[str, str, str]:
    """Create (or, in a process that seeded before, refresh) the developer; returns (user ARN, key id, secret)."""
    iam = _iam_client(endpoint_url, region)
    try:
        user = iam.create_user(UserName=DEVELOPER_USER, Path=DEVELOPER_PATH)["User"]
    except iam.exceptions.EntityAlreadyExistsException:
        # moto's state is per process, shared by every server in it: reuse the user, drop its old keys.
        user = iam.get_user(UserName=DEVELOPER_USER)["User"]
        for old in iam.list_access_keys(UserName=DEVELOPER_USER)["AccessKeyMetadata"]:
            iam.delete_access_key(UserName=DEVELOPER_USER, AccessKeyId=old["AccessKeyId"])
    policy_arn = f"arn:aws:iam::{DEMO_ACCOUNT}:policy/{FULL_ACCESS_POLICY}"
    with contextlib.suppress(iam.exceptions.EntityAlreadyExistsException):
        iam.create_policy(
            PolicyName=FULL_ACCESS_POLICY,
            PolicyDocument=json.dumps(FULL_ACCESS_DOCUMENT),
            Description="Sandbox mirror of the AWS managed policy BedrockAgentCoreFullAccess",
        )
    iam.attach_user_policy(UserName=DEVELOPER_USER, PolicyArn=policy_arn)
    with contextlib.suppress(iam.exceptions.EntityAlreadyExistsException):
        iam.create_policy(
            PolicyName=BOUNDARY_POLICY,
            PolicyDocument=json.dumps(BOUNDARY_DOCUMENT),
            Description="Sandbox permissions boundary named by examples/team",
        )
    iam.put_user_policy(
        UserName=DEVELOPER_USER,
        PolicyName=ROLE_MANAGEMENT_POLICY,
        PolicyDocument=json.dumps(role_management_document()),
    )
    iam.put_user_policy(UserName=DEVELOPER_USER, PolicyName=DEPLOY_POLICY, PolicyDocument=json.dumps(deploy_document()))
    key = iam.create_access_key(UserName=DEVELOPER_USER)["AccessKey"]
    return str(user["Arn"]), str(key["AccessKeyId"]), str(key["SecretAccessKey"])


@contextlib.contextmanager
def start_sandbox(region: str = "us-east-1", token: str | None = None) -> Iterator[Sandbox]:
    """Start a moto server on 127.0.0.1 (random port), seed the demo account, stop the server on exit.

    The environment is left alone: use `sandbox.activate()` (or pass `sandbox.env()` on) to point calls at it.
    With a token (the persistent sandbox's daemon) the server proves that it holds it (sandbox_server.PROOF_PATH).
    """
    from agentcore_ext.aws.sandbox_server import SandboxServer  # lazy: moto's import costs ~0.3 s

    # werkzeug logs every request to stderr at INFO; a sandbox run should read like a real one.
    werkzeug_logger = logging.getLogger("werkzeug")
    saved_level = werkzeug_logger.level
    # Its ERROR records are moto's own tracebacks for calls it does not implement (SimulatePrincipalPolicy):
    # the client sees an HTTP 500 and the tool reports "simulator unavailable"; the traceback is noise.
    werkzeug_logger.setLevel(logging.CRITICAL)
    server = SandboxServer("127.0.0.1", 0, token)
    server.start()
    try:
        host, port = server.host_and_port()
        endpoint_url = f"http://{host}:{port}"
        from agentcore_ext.aws import redact

        redact.install()  # CreateAccessKey's response carries the developer's secret key
        with patched_environ(_isolation_changes()):  # a stray AWS_PROFILE would break even the seeding client
            user_arn, key_id, secret = _seed(endpoint_url, region)
        redact.install(secret)
        yield Sandbox(
            endpoint_url=endpoint_url,
            region=region,
            account=DEMO_ACCOUNT,
            user_arn=user_arn,
            access_key_id=key_id,
            secret_access_key=secret,
        )
    finally:
        server.stop()
        werkzeug_logger.setLevel(saved_level)

"""boto3 clients in agent code, and the IAM action each call needs. Pure: boto3 is only read about, never imported.

`BotoTracker` follows one file: `s3 = boto3.client("s3")` (or `session.client(...)`, `self.s3 = ...`), then every
`s3.<method>(...)` in that file is an AwsCall; `boto3.resource("dynamodb").Table("t").put_item(...)` too. Each call
keeps the resource it names where the judge can use it (IDENTIFIERS), and the framework tools the file hands to
an agent add the calls they make (judge/scan_aws_tools.py).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from agentcore_ext.judge.scan_aws_tools import FrameworkTools, ValuesOf
from agentcore_ext.judge.scan_values import Lit, Unknown
from agentcore_ext.state import AwsCall

# boto3 service names whose IAM prefix differs (service authorization reference, "Actions, resources, and
# condition keys"): the runtime APIs are authorised under their control-plane service's prefix.
_IAM_PREFIX = {
    "bedrock-runtime": "bedrock",
    "bedrock-agent-runtime": "bedrock",
    "bedrock-agent": "bedrock",
    "bedrock-agentcore-control": "bedrock-agentcore",
    "bedrock-data-automation-runtime": "bedrock",
    "sesv2": "ses",
    "s3control": "s3",
    "dynamodbstreams": "dynamodb",
    "stepfunctions": "states",
    "elbv2": "elasticloadbalancing",
    "elb": "elasticloadbalancing",
    "opensearch": "es",
    "opensearchserverless": "aoss",
    "sagemaker-runtime": "sagemaker",
    "lexv2-runtime": "lex",
    "lex-runtime": "lex",
    "iot-data": "iot",
    "apigatewaymanagementapi": "execute-api",
    "timestream-query": "timestream",
    "timestream-write": "timestream",
    "pinpoint": "mobiletargeting",
    "kinesis-video-archived-media": "kinesisvideo",
    "mediastore-data": "mediastore",
}
# Operations authorised by an action of another name (Bedrock API reference: Converse is authorised as
# bedrock:InvokeModel; the S3 and Lambda authorization pages for the rest), and boto3 helpers that are not APIs.
_IAM_OPERATION = {
    ("bedrock-runtime", "converse"): "bedrock:InvokeModel",
    ("bedrock-runtime", "converse_stream"): "bedrock:InvokeModelWithResponseStream",
    ("s3", "list_objects"): "s3:ListBucket",
    ("s3", "list_objects_v2"): "s3:ListBucket",
    ("s3", "head_bucket"): "s3:ListBucket",
    ("s3", "head_object"): "s3:GetObject",
    ("s3", "download_file"): "s3:GetObject",
    ("s3", "download_fileobj"): "s3:GetObject",
    ("s3", "upload_file"): "s3:PutObject",
    ("s3", "upload_fileobj"): "s3:PutObject",
    ("s3", "copy_object"): "s3:PutObject",
    ("s3", "delete_objects"): "s3:DeleteObject",
    ("s3", "list_object_versions"): "s3:ListBucketVersions",
    ("lambda", "invoke"): "lambda:InvokeFunction",
    ("lambda", "invoke_async"): "lambda:InvokeFunction",
    ("dynamodb", "batch_writer"): "dynamodb:BatchWriteItem",
}
# Client methods that make no request themselves: recorded by what they name (paginators, presigned URLs) or not.
_NAMING_HELPERS = {"get_paginator": "operation_name", "generate_presigned_url": "ClientMethod"}
_NOT_CALLS = {"get_waiter", "can_paginate", "close", "get_available_subresources", "load", "reload"}
_SERVICE_RE = re.compile(r"^[a-z][a-z0-9-]*$")
# The parameters that name the resource of the operations judge/aws_calls.py turns into an ARN (their names in
# botocore's service models). boto3 client methods take keyword arguments only; the S3 transfer helpers
# (boto3/s3/inject.py: download_file(Bucket, Key, Filename), upload_file(Filename, Bucket, Key)) also by position.
IDENTIFIERS = frozenset({"SecretId", "Name", "guardrailIdentifier", "knowledgeBaseId", "Bucket", "Key", "FunctionName"})
_POSITIONAL = {
    "download_file": ("Bucket", "Key"),
    "download_fileobj": ("Bucket", "Key"),
    "upload_file": ("", "Bucket", "Key"),
    "upload_fileobj": ("", "Bucket", "Key"),
}
Ids = tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]  # (args, env) of an AwsCall


def iam_action(service: str, operation: str) -> str:
    """("s3", "get_object") -> "s3:GetObject"; ("bedrock-runtime", "converse") -> "bedrock:InvokeModel"."""
    mapped = _IAM_OPERATION.get((service, operation))
    if mapped:
        return mapped
    prefix = _IAM_PREFIX.get(service, service)
    return f"{prefix}:{''.join(part[:1].upper() + part[1:] for part in operation.split('_'))}"


LiteralOf = Callable[[ast.expr], str | None]  # the literal an expression surely is, via the scan's Resolver


def _receiver_key(node: ast.expr) -> str | None:
    """A stable name for where a client is kept: `s3`, `self.s3`, `cls.table`."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return None


def _arg(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


@dataclass
class BotoTracker:
    """Clients and resources of one file; `calls()` matches the methods seen against them once the file is done."""

    file: str
    literal: LiteralOf
    values: ValuesOf | None = None  # every value an expression may be (identifier arguments, env reads)
    tree: ast.Module | None = None  # the file, for the framework tools it imports
    clients: dict[str, str] = field(default_factory=dict)  # receiver key -> boto3 service name
    resources: dict[str, str] = field(default_factory=dict)
    unresolved: list[str] = field(default_factory=list)
    _pending: list[tuple[str, str, str, ast.Call, Ids]] = field(default_factory=list)
    _direct: list[AwsCall] = field(default_factory=list)
    _tools: FrameworkTools | None = None

    def __post_init__(self) -> None:
        if self.values is not None:
            self._tools = FrameworkTools(self.file, self.values, self.tree)

    def _ids(self, call: ast.Call, method: str) -> Ids:
        """The identifier arguments of the call, resolved where the call is (in its function's scope)."""
        if self.values is None:
            return (), ()
        named = [(k.arg, k.value) for k in call.keywords if k.arg in IDENTIFIERS]
        named += [(p, a) for p, a in zip(_POSITIONAL.get(method, ()), call.args, strict=False) if p]
        args: list[tuple[str, str]] = []
        env: list[tuple[str, str]] = []
        for param, node in named:
            found = self.values(node)
            if len(found) == 1 and isinstance(found[0], Lit):
                args.append((param, found[0].text))
                continue
            var = next((v.env_key for v in found if isinstance(v, Unknown) and v.env_key), "")
            if var:
                env.append((param, var))
        return tuple(args), tuple(env)

    def service_of(self, node: ast.expr) -> tuple[str, bool] | None:
        """(service, is a resource) when `node` makes a client/resource, or names one this file made."""
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            kind = node.func.attr
            if kind in ("client", "resource"):
                arg = _arg(node, 0, "service_name")
                service = self.literal(arg) if arg is not None else None
                if service and _SERVICE_RE.match(service):
                    return service, kind == "resource"
            parent = self.service_of(node.func.value)
            # resource.Table("t") / resource.Bucket("b"): a sub-resource of the same service
            if parent and parent[1] and kind[:1].isupper():
                return parent
            return None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("client", "resource"):
            arg = _arg(node, 0, "service_name")
            service = self.literal(arg) if arg is not None else None
            return (service, node.func.id == "resource") if service and _SERVICE_RE.match(service) else None
        key = _receiver_key(node)
        if key in self.clients:
            return self.clients[key], False
        if key in self.resources:
            return self.resources[key], True
        return None

    def assign(self, targets: list[ast.expr], value: ast.expr) -> None:
        if self._tools is not None:
            self._tools.assign(value, f"{self.file}:{getattr(value, 'lineno', 0)}")
        made = self.service_of(value) if isinstance(value, ast.Call) else None
        if made is None:
            return
        for target in targets:
            key = _receiver_key(target)
            if key:
                (self.resources if made[1] else self.clients)[key] = made[0]

    def call(self, call: ast.Call, source: str) -> None:
        if self._tools is not None:
            self._tools.call(call, source)
        if not isinstance(call.func, ast.Attribute):
            return
        method, receiver = call.func.attr, call.func.value
        if method[:1].isupper() or method in ("client", "resource"):
            return  # making a sub-resource or a client is not a request
        if isinstance(receiver, ast.Call):
            made = self.service_of(receiver)
            if made:
                self._add(made[0], method, call, source, self._direct, self._ids(call, method))
            return
        key = _receiver_key(receiver)
        if key:
            self._pending.append((key, method, source, call, self._ids(call, method)))

    def _add(self, service: str, method: str, call: ast.Call, source: str, into: list[AwsCall], ids: Ids) -> None:
        if method in _NOT_CALLS:
            return
        if method in _NAMING_HELPERS:
            arg = _arg(call, 0, _NAMING_HELPERS[method])
            named = self.literal(arg) if arg is not None else None
            if not named:
                return
            method = named
            ids = (), ()  # the paginated operation is called later, with arguments the scan does not see here
        into.append(AwsCall(service, method, source, *ids))

    def calls(self) -> list[AwsCall]:
        found = list(self._direct)
        for key, method, source, call, ids in self._pending:
            service = self.clients.get(key) or self.resources.get(key)
            if service:
                self._add(service, method, call, source, found, ids)
        if self._tools is not None:
            found += self._tools.calls()
            self.unresolved += self._tools.unresolved
        return sorted(found, key=lambda c: int(c.source.rsplit(":", 1)[1]))

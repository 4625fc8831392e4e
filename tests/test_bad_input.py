"""Bad input (issue 6): every bad flag, file, project setting or environment gets its defined exit code (2, the
usage error, unless a row says otherwise), a message naming the bad value, a `hint:` line, no Python traceback,
and no AWS write (nor a toolkit run).

In-process (CliRunner under moto's `mock_aws`, a recorder on every IAM/STS call the tool's Gateway makes) for speed;
a few rows again as real subprocesses against a moto server, where stderr is exactly what a user sees.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto_process import child_env, reset
from typer.testing import CliRunner

from agentcore_ext import arns
from agentcore_ext.aws import gateway as aws
from agentcore_ext.cli.app import app
from agentcore_ext.flows import configure as configure_flow
from agentcore_ext.judge.requirements import permissions_document, trust_document
from agentcore_ext.state import AgentSpec

ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/BedrockAgentCoreRuntime-us-east-1-agent"
SSO_ROLE = "AWSReservedSSO_Admin_0123abcdef"
SSO_PATH = "/aws-reserved/sso.amazonaws.com/"
READ_PREFIXES = ("Get", "List", "Simulate")
JSON_COMMANDS = ("configure", "doctor", "role", "validate")
runner = CliRunner()


# --- the harness -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    names: tuple[str, ...]  # fragments the error message must contain: the bad value, the key, ...
    code: int = 2
    env: dict[str, str | None] = field(default_factory=dict)
    cwd: str = "."  # relative to the project directory
    pyproject: str | None = None
    hook: str | None = None  # "expired": STS answers ExpiredToken; "aws-caller": credentials of partition aws
    mock: bool = True  # False: no moto at all, any request would go to a closed port
    setup: Callable[[Any], None] | None = None  # gets a moto IAM client before the run


def C(*args: str, names: str | tuple[str, ...], **kw: Any) -> Case:
    return Case(tuple(args), (names,) if isinstance(names, str) else names, **kw)


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str
    exception: BaseException | None
    report: dict[str, Any] | None
    roles_before: set[str]
    roles_after: set[str]


class Harness:
    """A project directory (agent.py, 1agent.py, an empty sub/ and a file outside), a recorder of every AWS
    operation the tool's gateway calls, and a spy on the toolkit."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.mp = monkeypatch
        self.project = tmp_path / "proj"
        self.project.mkdir()
        for name in ("agent.py", "1agent.py", "my-agent.py"):
            (self.project / name).write_text("def invoke(payload, context=None):\n    return payload\n")
        (self.project / "src").mkdir()
        (self.project / "src" / "my-agent.py").write_text("x = 1\n")
        (self.project / "sub").mkdir()
        (tmp_path / "outside.py").write_text("x = 1\n")
        self.outside = tmp_path / "outside.py"
        self.operations: list[str] = []
        self.toolkit_runs: list[list[str]] = []
        self.hook: str | None = None
        harness = self
        original = aws.Gateway.__init__

        def init(gw: aws.Gateway, *args: Any, **kwargs: Any) -> None:
            original(gw, *args, **kwargs)
            gw.session.events.register("before-call", harness._record)
            if harness.hook == "expired":
                gw.session.events.register("before-call.sts.GetCallerIdentity", _expired)

        def run_toolkit(argv: list[str], *args: Any, **kwargs: Any) -> int:
            harness.toolkit_runs.append(argv)
            return 0

        monkeypatch.setattr(aws.Gateway, "__init__", init)
        monkeypatch.setattr(configure_flow, "run_toolkit", run_toolkit)

    def _record(self, event_name: str, **_: Any) -> None:
        self.operations.append(event_name.split(".", 1)[1])

    @property
    def writes(self) -> list[str]:
        return [op for op in self.operations if not op.split(".")[-1].startswith(READ_PREFIXES)]

    def run(self, case: Case, *, json_out: bool = True) -> Outcome:
        args = list(case.args)
        if json_out and args[0] in JSON_COMMANDS:
            cut = args.index("--") if "--" in args else len(args)
            args.insert(cut, "--json")
        if case.pyproject is not None:
            (self.project / "pyproject.toml").write_text(case.pyproject)
        for key, value in case.env.items():
            if value is None:
                self.mp.delenv(key, raising=False)
            else:
                self.mp.setenv(key, value)
        self.mp.chdir(self.project / case.cwd)
        self.hook = case.hook
        if case.hook == "aws-caller":  # credentials of the aws partition, whatever region the client uses
            self.mp.setattr(
                aws.Gateway,
                "caller_identity",
                lambda gw: {"Account": ACCOUNT, "Arn": f"arn:aws:iam::{ACCOUNT}:user/dev", "UserId": "AIDAEXAMPLE"},
            )
        if not case.mock:
            self.mp.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # closed: a request would fail loudly
            result = runner.invoke(app, args)
            before: set[str] = set()
            after: set[str] = set()
        else:
            with mock_aws():
                iam = _iam()
                if case.setup:
                    case.setup(iam)
                before = _roles(iam)
                result = runner.invoke(app, args)
                after = _roles(iam)
        report = json.loads(result.stdout) if "--json" in args and result.stdout.strip() else None
        return Outcome(result.exit_code, result.stdout, result.stderr, result.exception, report, before, after)


@functools.cache
def _iam() -> Any:
    """One moto-backed IAM client for the module (clients are slow to build; moto intercepts any of them)."""
    return boto3.client("iam", region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")


def _roles(iam: Any) -> set[str]:
    return {r["Arn"] for page in iam.get_paginator("list_roles").paginate() for r in page["Roles"]}


def _expired(**_: Any) -> None:
    error = {"Error": {"Code": "ExpiredToken", "Message": "The security token included in the request is expired"}}
    raise ClientError(error, "GetCallerIdentity")  # type: ignore[arg-type]


def _sso_role(iam: Any) -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:saml-provider/AWSSSO_x_DO_NOT_DELETE"},
                "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"],
            }
        ],
    }
    iam.create_role(RoleName=SSO_ROLE, Path=SSO_PATH, AssumeRolePolicyDocument=json.dumps(trust))


@pytest.fixture
def harness(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Harness:
    monkeypatch.setenv("AGENTCORE_SUPPRESS_RECOMMENDATION", "1")
    return Harness(tmp_path, monkeypatch)


def assert_refused(h: Harness, case: Case, out: Outcome) -> None:
    context = f"exit {out.code}\nstderr:\n{out.stderr}\nstdout:\n{out.stdout}"
    assert out.exception is None or isinstance(out.exception, SystemExit), repr(out.exception)
    assert "Traceback" not in out.stderr and "Traceback" not in out.stdout
    assert out.code == case.code, context
    assert "hint:" in out.stderr, context
    for fragment in case.names:
        assert fragment in out.stderr, f"{fragment!r} not named\n{context}"
    assert h.writes == [], f"AWS writes: {h.writes}"
    assert out.roles_after == out.roles_before
    assert h.toolkit_runs == []
    assert not (h.project / ".bedrock_agentcore.yaml").exists()
    if out.report is not None:  # --json: one document on stdout; the error is a finding with a hint
        assert out.report["ok"] is False
        errors = [f for f in out.report["findings"] if f["severity"] == "error"]
        assert errors and all(f["hint"] for f in errors), out.report["findings"]
        assert any(case.names[0] in f["message"] for f in errors), out.report["findings"]


# --- the rows ----------------------------------------------------------------------------------------------

CFG = ("configure", "-e", "agent.py", "--yes")
ENSURE = ("role", "ensure", "-n", "agent", "--yes")
DOCTOR = ("doctor", "-n", "agent")
NO_REGION: dict[str, str | None] = {"AWS_REGION": None, "AWS_DEFAULT_REGION": None}
NO_CREDS: dict[str, str | None] = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None}
TEAM = "[tool.agentcore-ext]\n"

ROWS: dict[str, Case] = {
    # --execution-role: malformed ARNs, identities that are not execution roles, other accounts and partitions
    "er-not-an-arn": C(*CFG, "-er", "notanarn:foo", names=("notanarn:foo", "--execution-role")),
    "er-truncated-arn": C(*CFG, "-er", "arn:aws:iam", names="arn:aws:iam"),
    "er-short-account": C(*CFG, "-er", "arn:aws:iam::12345:role/R", names="12345"),
    "er-empty-role-name": C(*CFG, "-er", f"arn:aws:iam::{ACCOUNT}:role/", names=f"{ACCOUNT}:role/"),
    "er-name-with-path": C(*CFG, "-er", "team/MyRole", names="team/MyRole"),
    "er-name-too-long": C(*CFG, "-er", "R" * 65, names=("R" * 65, "65 characters")),
    "er-user-arn": C(*CFG, "-er", f"arn:aws:iam::{ACCOUNT}:user/alice", names=("user/alice", "not a role")),
    "er-session-arn": C(
        *CFG, "-er", f"arn:aws:sts::{ACCOUNT}:assumed-role/Dev/alice", names=("assumed-role/Dev/alice", "role/Dev")
    ),
    "er-s3-arn": C(*CFG, "-er", "arn:aws:s3:::bucket", names=("arn:aws:s3:::bucket", "not a role")),
    "er-other-account": C(*CFG, "-er", "arn:aws:iam::210987654321:role/R", names=("210987654321", ACCOUNT)),
    "er-aws-cn-role-us-region": C(
        *CFG, "-er", f"arn:aws-cn:iam::{ACCOUNT}:role/R", "--region", "us-east-1", names=("aws-cn", "us-east-1")
    ),
    "doctor-er-user-arn": C(*DOCTOR, "-er", f"arn:aws:iam::{ACCOUNT}:user/alice", names="user/alice"),
    "ensure-er-session-arn": C(*ENSURE, "-er", f"arn:aws:sts::{ACCOUNT}:assumed-role/R/s", names="assumed-role/R/s"),
    "ensure-er-other-account": C(*ENSURE, "-er", "arn:aws:iam::210987654321:role/R", names="210987654321"),
    # the caller's own Identity Center role: it exists, so this is a failed check (3), and it is never touched
    "er-own-sso-role-with-fix": C(
        *CFG,
        "--fix",
        "-er",
        f"arn:aws:iam::{ACCOUNT}:role{SSO_PATH}{SSO_ROLE}",
        names=SSO_ROLE,
        code=3,
        setup=_sso_role,
    ),
    # --role-name and --role-path
    "role-name-65-chars": C(*CFG, "--role-name", "x" * 65, names=("x" * 65, "65 characters")),
    "role-name-invalid-chars": C(*CFG, "--role-name", "my role!", names="my role!"),
    "role-name-slash": C(*ENSURE, "--role-name", "team/role", names="team/role"),
    "role-name-non-ascii": C(*ENSURE, "--role-name", "rôle", names="rôle"),
    "role-path-no-leading-slash": C(*CFG, "--role-path", "agents/", names=("agents/", "--role-path")),
    "role-path-no-trailing-slash": C(*CFG, "--role-path", "/agents", names="/agents"),
    "role-path-too-long": C(*ENSURE, "--role-path", "/" + "a" * 520 + "/", names="aaaaaaaa"),
    "role-path-reserved-sso": C(*CFG, "--role-path", "/aws-reserved/sso.amazonaws.com/", names="/aws-reserved/"),
    "role-path-reserved-service-role": C(*ENSURE, "--role-path", "/aws-service-role/x/", names="/aws-service-role/x/"),
    # --permissions-boundary
    "boundary-role-arn": C(*CFG, "--permissions-boundary", f"arn:aws:iam::{ACCOUNT}:role/R", names="role/R"),
    "boundary-not-an-arn": C(*CFG, "--permissions-boundary", "AgentBoundary", names=("AgentBoundary", "boundary")),
    "boundary-bad-account": C(*ENSURE, "--permissions-boundary", "arn:aws:iam::12:policy/B", names="::12:policy/B"),
    "boundary-does-not-exist": C(
        *CFG, "--permissions-boundary", f"arn:aws:iam::{ACCOUNT}:policy/Nope", names="policy/Nope"
    ),
    # the entrypoint
    "entrypoint-missing": C("configure", "-e", "missing.py", "--yes", names="missing.py"),
    "entrypoint-is-a-directory": C("configure", "-e", "sub", "--yes", names=("sub", "directory")),
    "no-entrypoint-in-empty-dir": C("configure", "--yes", cwd="sub", names="entrypoint"),
    "entrypoint-outside-relative": C("configure", "-e", "../outside.py", "--yes", names=("../outside.py", "outside")),
    # agent names the toolkit would reject (its rule: ^[a-zA-Z][a-zA-Z0-9_]{0,47}$)
    "name-with-dash": C(*CFG, "--name", "my-agent", names="my-agent"),
    "name-starts-with-digit": C(*CFG, "--name", "1agent", names=("1agent", "start with a letter")),
    "name-49-chars": C(*CFG, "--name", "a" * 49, names=("a" * 49, "49 characters")),
    "name-from-digit-stem": C("configure", "-e", "1agent.py", "--yes", names=("1agent", "--entrypoint 1agent.py")),
    "doctor-name-with-dash": C("doctor", "-n", "my-agent", names="my-agent"),
    "policy-name-with-dash": C("policy", "trust", "-n", "my-agent", "--account", ACCOUNT, names="my-agent"),
    # regions
    "region-mars": C(*CFG, "--region", "mars-1", names="mars-1"),
    "region-upper-case": C(*ENSURE, "--region", "US-EAST-1", names="US-EAST-1"),
    "doctor-region-mars": C(*DOCTOR, "--region", "mars-1", names="mars-1"),
    "policy-region-mars": C("policy", "permissions", "-n", "a", "--account", ACCOUNT, "-r", "mars-1", names="mars-1"),
    "configure-no-region": C(*CFG, names="region", env=NO_REGION),
    "doctor-no-region": C(*DOCTOR, names="region", env=NO_REGION),
    "policy-no-region": C("policy", "trust", "-n", "a", "--account", ACCOUNT, names="region", env=NO_REGION),
    "cn-region-aws-credentials": C(*CFG, "--region", "cn-north-1", names=("cn-north-1", "aws"), hook="aws-caller"),
    # credentials
    "configure-no-credentials": C(*CFG, names="credentials", env=NO_CREDS, mock=False),
    "doctor-no-credentials": C(*DOCTOR, names="credentials", env=NO_CREDS, mock=False),
    "ensure-no-credentials": C(*ENSURE, names="credentials", env=NO_CREDS, mock=False),
    "policy-caller-no-credentials": C("policy", "caller", names="credentials", env=NO_CREDS, mock=False),
    "configure-expired-token": C(*CFG, names=("expired", "ExpiredToken"), hook="expired"),
    "doctor-expired-token": C(*DOCTOR, names="expired", hook="expired"),
    "configure-unknown-profile": C(*CFG, "--profile", "nope", names="nope"),
    "ensure-unknown-profile": C(*ENSURE, "--profile", "nope", names="nope"),
    "policy-unknown-profile": C("policy", "trust", "-n", "a", "--profile", "nope", names="nope", env=NO_REGION),
    # other flags
    "tag-without-equals": C(*CFG, "--tag", "team", names="team"),
    "tag-empty-key": C(*ENSURE, "--tag", "=ml", names="=ml"),
    "tag-reserved-prefix": C(*ENSURE, "--tag", "aws:team=ml", names="aws:team"),
    "deployment-type-unknown": C(*CFG, "--deployment-type", "lambda", names="lambda"),
    "protocol-unknown": C(*DOCTOR, "--protocol", "SOAP", names="SOAP"),
    "policy-format-yaml-trust": C("policy", "trust", "-n", "a", "--account", ACCOUNT, "--format", "yaml", names="yaml"),
    "policy-format-yaml-caller": C("policy", "caller", "--account", ACCOUNT, "--format", "yaml", names="yaml"),
    # arguments after `--` may not override what the role was checked for
    "dashdash-execution-role": C(*CFG, "--", "--execution-role", ROLE_ARN, names="--execution-role"),
    "dashdash-er-short": C(*CFG, "--", "-er", ROLE_ARN, names="-er"),
    "dashdash-name-equals": C(*CFG, "--", "--name=other", names="--name=other"),
    "dashdash-region": C(*CFG, "--", "--region", "eu-west-1", names="--region"),
    "dashdash-entrypoint": C(*CFG, "--", "-e", "other.py", names="-e"),
}

TEAM_ROWS: dict[str, tuple[str, str]] = {  # pyproject.toml body, fragment naming the key
    "unknown-key": (TEAM + 'role_path = "/x/"\n', "role_path"),
    "wrong-type": (TEAM + "role-path = 5\n", "role-path"),
    "tags-not-a-table": (TEAM + 'tags = "team=ml"\n', "tags"),
    "tag-value-not-a-string": (TEAM + "tags = { team = 5 }\n", "tags.team"),
    "tag-reserved-prefix": (TEAM + 'tags = { "aws:team" = "ml" }\n', "tags.aws:team"),
    "bad-role-path": (TEAM + 'role-path = "agents"\n', "role-path"),
    "reserved-role-path": (TEAM + 'role-path = "/aws-reserved/x/"\n', "role-path"),
    "bad-boundary": (TEAM + 'permissions-boundary = "nope"\n', "permissions-boundary"),
    "bad-region": (TEAM + 'region = "mars-1"\n', "region"),
    "bad-deployment-type": (TEAM + 'deployment-type = "lambda"\n', "deployment-type"),
    "template-placeholder": (TEAM + 'role-name-template = "X-{nope}"\n', "role-name-template"),
    "template-invalid-name": (TEAM + 'role-name-template = "bad name {agent}"\n', "role-name-template"),
    "not-a-table": ("[tool]\nagentcore-ext = 3\n", "[tool.agentcore-ext]"),
    "not-toml": ("[tool.agentcore-ext\n", "pyproject.toml"),
}
TEAM_COMMANDS = {
    "configure": CFG,
    "doctor": DOCTOR,
    "policy": ("policy", "permissions", "-n", "a", "--account", ACCOUNT),
}


@pytest.mark.parametrize("case", list(ROWS.values()), ids=list(ROWS))
def test_bad_input_is_refused_before_any_write(harness: Harness, case: Case) -> None:
    assert_refused(harness, case, harness.run(case))


# The toolkit's click parser also reads `-er=ARN` (a multi-letter "-" option is a long one: `=` splits it) and
# short options with attached values (`-nother`, `-rus-west-2`, `-eother.py`); toolkit.build_configure_argv
# compares whole arguments only, so these still reach `agentcore configure` and override the checked values.
DASHDASH_BYPASSES = {
    "er-equals": ("-er=arn:aws:iam::123456789012:role/Unchecked", "-er"),
    "name-attached": ("-nother", "-n"),
    "region-attached": ("-rus-west-2", "-r"),
    "entrypoint-attached": ("-eother.py", "-e"),
}


@pytest.mark.parametrize(("arg", "flag"), list(DASHDASH_BYPASSES.values()), ids=list(DASHDASH_BYPASSES))
def test_dashdash_cannot_smuggle_a_controlled_flag(harness: Harness, arg: str, flag: str) -> None:
    case = C(*CFG, "--", arg, names=flag)
    assert_refused(harness, case, harness.run(case))


@pytest.mark.parametrize("command", list(TEAM_COMMANDS))
@pytest.mark.parametrize(("body", "key"), list(TEAM_ROWS.values()), ids=list(TEAM_ROWS))
def test_broken_team_table_fails_naming_the_key(harness: Harness, command: str, body: str, key: str) -> None:
    case = Case(TEAM_COMMANDS[command], (key, "pyproject.toml"), pyproject=body)
    assert_refused(harness, case, harness.run(case))


# --- policy files for `validate` (tests/test_cli_offline.py has empty, broken JSON, bad Effect, huge, `[]`) -----

SPEC = AgentSpec("agent", ACCOUNT, "us-east-1")
ALLOW_S3 = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
FILES: dict[str, tuple[str, bytes | None, str]] = {  # --kind, content (None: a directory), fragment
    "latin-1-bytes": ("permissions", b'{"Statement": [{"Sid": "caf\xe9"}]}', "UTF-8"),
    "utf-16": ("trust", json.dumps(trust_document(SPEC)).encode("utf-16"), "UTF-8"),
    "array-of-a-policy": ("permissions", json.dumps([permissions_document(SPEC)]).encode(), "JSON object"),
    "json-null": ("trust", b"null", "JSON object"),
    "action-and-notaction": (
        "permissions",
        json.dumps({"Version": "2012-10-17", "Statement": [{**ALLOW_S3, "NotAction": "iam:*"}]}).encode(),
        "Statement[0]",
    ),
    "principal-in-permissions": (
        "permissions",
        json.dumps({"Version": "2012-10-17", "Statement": [{**ALLOW_S3, "Principal": "*"}]}).encode(),
        "Principal",
    ),
    "principal-in-boundary": (
        "boundary",
        json.dumps({"Version": "2012-10-17", "Statement": [{**ALLOW_S3, "Principal": {"AWS": ACCOUNT}}]}).encode(),
        "Principal",
    ),
    "trust-without-principal": (
        "trust",
        json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole"}]}).encode(),
        "Principal",
    ),
    "trust-with-resource": (
        "trust",
        json.dumps(
            {"Version": "2012-10-17", "Statement": [{**trust_document(SPEC)["Statement"][0], "Resource": "*"}]}
        ).encode(),
        "Resource",
    ),
    "no-statement": ("permissions", b'{"Version": "2012-10-17"}', "Statement"),
    "unknown-version": ("trust", b'{"Version": "2020-01-01", "Statement": []}', "2020-01-01"),
    "deeply-nested": ("permissions", b"[" * 50_000 + b"]" * 50_000, "nested too deeply"),
    "broken-url-encoding": ("permissions", b"%7B%22Version%22%3A", "invalid JSON"),
    "a-directory": ("trust", None, "directory"),
}
VALIDATE = ("--name", "agent", "--account", ACCOUNT, "--region", "us-east-1")


@pytest.mark.parametrize(("kind", "content", "fragment"), list(FILES.values()), ids=list(FILES))
def test_validate_bad_policy_file(harness: Harness, kind: str, content: bytes | None, fragment: str) -> None:
    path = harness.project / f"{kind}-doc.json"
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    extra: tuple[str, ...] = ()
    if kind == "boundary":  # a boundary is judged with permissions: give a valid permissions file beside it
        (harness.project / "perms.json").write_text(json.dumps(permissions_document(SPEC)))
        extra = ("--permissions", str(harness.project / "perms.json"))
    case = C("validate", f"--{kind}", str(path), *extra, *VALIDATE, names=(str(path), fragment), mock=False)
    assert_refused(harness, case, harness.run(case))


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("permissions", "\ufeff" + json.dumps(permissions_document(SPEC))),  # a BOM, as Windows editors write
        ("trust", quote(json.dumps(trust_document(SPEC)))),  # URL-encoded, as IAM's API returns documents
        ("trust", "\ufeff" + quote(json.dumps(trust_document(SPEC)))),
    ],
    ids=["bom", "url-encoded-trust", "bom-url-encoded"],
)
def test_validate_accepts_what_aws_accepts(tmp_path: Path, kind: str, text: str) -> None:
    path = tmp_path / "doc.json"
    path.write_text(text, encoding="utf-8")
    r = runner.invoke(app, ["validate", f"--{kind}", str(path), *VALIDATE])
    assert r.exit_code == 0, r.stderr


# --- the default agent name: the toolkit's own rule --------------------------------------------------------


@pytest.mark.parametrize(
    "entrypoint", ["my-agent.py", "my agent.py", "src/my-agent.py", "./hello.py", "agent.v2.py", "app.ts", "noext"]
)
def test_default_agent_name_is_the_toolkits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, entrypoint: str) -> None:
    from bedrock_agentcore_starter_toolkit.operations.runtime.configure import infer_agent_name

    monkeypatch.chdir(tmp_path)
    expected = infer_agent_name((tmp_path / entrypoint).resolve())
    assert arns.agent_name_from_entrypoint(entrypoint, tmp_path) == expected


@pytest.mark.parametrize(("entrypoint", "agent"), [("my-agent.py", "my_agent"), ("src/my-agent.py", "src_my_agent")])
def test_dashed_entrypoint_gets_the_toolkits_name(harness: Harness, entrypoint: str, agent: str) -> None:
    case = C("role", "ensure", "-e", entrypoint, "--dry-run", names="")
    out = harness.run(case)
    assert out.code == 0, out.stderr
    assert out.report is not None
    assert out.report["role"]["name"] == f"BedrockAgentCoreRuntime-us-east-1-{agent}"
    assert harness.writes == [] and out.roles_after == out.roles_before


# --- the same refusals as users see them: subprocesses against a moto server --------------------------------


SUBPROCESS_ROWS = [
    "er-user-arn",
    "er-session-arn",
    "role-path-reserved-sso",
    "boundary-does-not-exist",
    "dashdash-execution-role",
    "name-from-digit-stem",
]


@pytest.mark.parametrize("row", SUBPROCESS_ROWS)
def test_refusal_as_a_user_sees_it(moto_server: str, tmp_path: Path, row: str) -> None:
    server = moto_server
    reset(server)
    case = ROWS[row]
    project = tmp_path / "proj"
    project.mkdir()
    (project / "agent.py").write_text("x = 1\n")
    (project / "1agent.py").write_text("x = 1\n")
    env = child_env(server, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    proc = subprocess.run(
        [sys.executable, "-m", "agentcore_ext", *case.args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == case.code, proc.stderr
    assert "Traceback" not in proc.stderr and "hint:" in proc.stderr
    assert all(fragment in proc.stderr for fragment in case.names), proc.stderr
    assert proc.stdout == ""  # no ARN printed, no report without --json
    iam = boto3.client("iam", endpoint_url=server, region_name="us-east-1")
    assert iam.list_roles()["Roles"] == []
    assert not (project / ".bedrock_agentcore.yaml").exists()


def test_the_write_recorder_sees_writes(harness: Harness) -> None:
    """Control: the same harness, given good input, records the role's creation (so `writes == []` means something)."""
    out = harness.run(C(*ENSURE, names=""))
    assert out.code == 0, out.stderr
    assert "iam.CreateRole" in harness.writes and "iam.PutRolePolicy" in harness.writes
    assert out.roles_after - out.roles_before == {ROLE_ARN}


def test_a_non_table_tool_key_is_not_ours_and_no_crash(tmp_path: Path) -> None:
    from agentcore_ext.settings import TeamDefaults, load_team_defaults

    (tmp_path / "pyproject.toml").write_text("tool = 3\n")  # used to raise AttributeError (exit 1)
    assert load_team_defaults(tmp_path) == TeamDefaults()
